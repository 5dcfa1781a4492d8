import PrioCore

/// One Lua state and what exists once per state: its registry references,
/// the job it is driving and what each suspended job waits in. With several
/// states (SPEC §8), each gets an executor of its own beside one core.
/// Its fields are read on every resume; the scheduler keeps it in place.
struct Executor {
    let lua: LuaState
    /// Registry references to the internal tables the prelude set up.
    var refs = RegistryRefs()
    /// The job whose coroutine is executing, or `.main`; nil between resumes.
    var running: JobID?
    /// What the running job asked for when it returned `.suspend`.
    var requested: Suspension?
    /// What each suspended job is waiting in, to know what to resume it with.
    var suspensions: [Int: Suspension] = [:]
    /// The job being resumed and its coroutine, from just before the resume
    /// until what follows its stop is done (see `thread(of:)`).
    var drivenThread: (job: JobID, co: LuaState)?
    var mainLoaded = false
    /// Jobs finished since the collector was last stepped for them.
    var finishedSinceCollectorStep = 0
    /// A job ran out of memory: collect fully at the next turn of the run loop.
    var collectFully = false

    init(lua: LuaState) { self.lua = lua }
}

/// The policy in force and how its hooks are being called.
struct PolicyRunner {
    var policy = PolicySettings()
    var rules: [Rule] = []
    /// The policy hooks and rules being called, innermost last.
    var hookContexts: [HookContext] = []
    var policyWatch: PolicyFileWatch?
    /// Many hook calls in a row share one installation of the budget hook.
    var batchingHookCalls = false
    /// The jobs whose objects are pinned for the `priority` hook and `jobs()` (`pinJobObject`).
    var pinnedJobs = JobBitSet()
}

/// Work done outside the Lua thread: subprocesses and Swift host functions.
struct OutsideWork {
    /// Where subprocesses and Swift tasks post their results.
    let inbox = RunInbox()
    var externalWork: [Int: ExternalWork] = [:]
    var externalResults: [Int: ExternalResult] = [:]
    /// Swift functions registered under Lua names, by id - firstRegisteredID.
    var registered: [(String, HostFunctionBody)] = []
}

/// What observers have been told, so that each change is told once.
struct Observation {
    /// The effective priority last reported in an event, per job.
    var reportedPriority: [Int: Double] = [:]
    /// Resumes that ended at a time-slice preemption point.
    var slicePreemptions = 0
    var retryCount = 0
}

/// What the run keeps per job on the Lua side, and of the jobs it released.
struct JobBook {
    var info = JobInfoTable()
    var groupIndex: [String: Int] = [:]
    var groupNames: [String] = []
    /// Finished jobs waiting to be released (`LuaScheduler+Release`).
    var releaseQueue = ReleaseQueue()
    /// What the run keeps of the jobs it released.
    var ledger = JobLedger()
    /// Jobs submitted with `data` or `tags` so far: until one is, releasing
    /// a job need not look in those tables.
    var submittedWithData = 0
    var submittedWithTags = 0
    var submittedWithArgs = 0
    /// Jobs whose return values were kept (`results`): while none were, a
    /// finished job has no entry there to drop.
    var jobsWithResults = 0
    /// The unobserved failures the end of the run reports.
    var failureLog = FailureLog()
    var unobservedFailures: Set<Int> = []
    /// Jobs refused by `on_submit`; they are not counted in the report.
    var rejected: Set<Int> = []
}
