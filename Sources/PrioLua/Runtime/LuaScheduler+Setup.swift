import CLua
import CLuaShim
import PrioCore

/// Registry references to the tables that hold per-job Lua values. They are
/// keyed by job id (array part, so compact) and outlive the jobs' coroutines.
struct RegistryRefs {
    var functions: Int32 = 0  // id -> job body
    var threads: Int32 = 0  // id -> running coroutine
    var threadPool: Int32 = 0  // finished jobs' threads, ready for new jobs
    var results: Int32 = 0  // id -> array of return values
    var errors: Int32 = 0  // id -> error value
    var data: Int32 = 0  // id -> opts.data
    var tags: Int32 = 0  // id -> opts.tags
    var jobMetatable: Int32 = 0
    var pinnedObjects: Int32 = 0  // id -> object, kept for the priority hook's re-evaluations
    var policy: Int32 = 0  // the installed policy's fields
    var rules: Int32 = 0  // rule index + 1 -> every() function
    var ruleMetatable: Int32 = 0
    var jobKeys: Int32 = 0  // job field name -> JobField code; method name -> function
    var args: Int32 = 0  // id -> the copy of opts.args
    var taskNames: Int32 = 0  // task function -> "module.field"
    var taskFunctions: Int32 = 0  // "module.field" -> task function
    var taskIDs: Int32 = 0  // task function -> its number in taskList
    var taskList: Int32 = 0  // number -> "module.field", in load order
}

/// Options kept on the Swift side for each job; sparse, since most jobs use defaults.
struct JobInfoTable {
    var names: [Int: String] = [:]
    var retries: [Int: Int] = [:]
    var backoff: [Int: Double] = [:]
    var cancelReasons: [Int: String] = [:]
    /// Each job's task, as its number in `TaskModules.names` (0: a closure job).
    private(set) var tasks = JobColumn<Int32>(empty: 0)
    /// Each job's `opts.args` in byte form, as copied at submit.
    private(set) var args = JobColumn<TransferBytes?>(empty: nil)
    /// Whether `tasks` or `args` was ever written: until then a released
    /// job has nothing there to forget.
    private(set) var hasTaskJobs = false
    private(set) var hasArgs = false

    mutating func setTask(_ task: Int32, of job: JobID) {
        hasTaskJobs = true
        tasks[job.value] = task
    }

    mutating func setArgs(_ bytes: TransferBytes, of job: JobID) {
        hasArgs = true
        args[job.value] = bytes
    }

    func name(of job: JobID) -> String { names[job.value] ?? "job#\(job.value)" }

    /// Every job of `job`'s records page was released.
    mutating func dropPages(of job: JobID) {
        if hasTaskJobs { tasks.dropPage(of: job.value) }
        if hasArgs { args.dropPage(of: job.value) }
    }

    /// Drops what was kept for a released job.
    mutating func forget(_ job: JobID) {
        if !names.isEmpty { names[job.value] = nil }
        if !retries.isEmpty { retries[job.value] = nil }
        if !backoff.isEmpty { backoff[job.value] = nil }
        if !cancelReasons.isEmpty { cancelReasons[job.value] = nil }
        if hasTaskJobs { tasks[job.value] = 0 }
        if hasArgs { args[job.value] = nil }
    }
}

/// Why a job is suspended, so the run loop knows what its call returns.
enum Suspension {
    case yield
    /// Stopped at a preemption point; resumed with no values.
    case preempted
    /// Waiting on outside work (`exec`, a Swift function); keeps its slot.
    case external
    case sleep(until: Double)
    case await(AwaitRequest)
}

struct AwaitRequest {
    enum Kind { case one, all, any }
    var kind: Kind
    var targets: [JobID]
    var deadline: Double?

    /// How the core waits: `await(job)` is `await_all({job})`.
    var mode: Scheduler.AwaitMode { kind == .any ? .any : .all }
}

extension LuaScheduler {
    /// Opens the standard libraries, creates the internal tables and runs the prelude.
    func installLibrary() throws {
        var installer = LibraryInstaller(lua: lua, sandbox: options.sandbox, memoryLimit: options.memoryLimit)
        try installer.install(beforePrelude: describeJobRecordLayout)
        executor.refs = installer.refs
    }

    /// Records the coroutine at `index` of the main state as `job`'s, so the
    /// scheduler can resume it and scripts cannot.
    func registerThread(at index: Int32, job: JobID) {
        guard let co = lua_tothread(lua.pointer, index) else { return }
        prio_register_job_thread(lua.pointer, co, lua_Integer(job.value))
    }

    /// Forgets `job`'s coroutine (after it finished or was closed).
    func unregisterThread(job: JobID) {
        guard let co = thread(of: job) else { return }
        prio_unregister_job_thread(lua.pointer, co.pointer, lua_Integer(job.value))
    }

    /// The coroutine of `job`, if it has one. A job's coroutine is in the
    /// table of job threads once the job has suspended (or failed); while it
    /// runs to its end in one go, only `drivenThread` knows it.
    func thread(of job: JobID) -> LuaState? {
        if let driven = executor.drivenThread, driven.job == job { return driven.co }
        lua.pushField(ofRegistryTable: executor.refs.threads, key: job.value)
        defer { lua.pop() }
        guard let thread = lua_tothread(lua.pointer, -1) else { return nil }
        return LuaState(thread)
    }
}
