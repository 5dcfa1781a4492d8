import PrioCore

/// Something the scheduler did to a job, for hosts that observe a run
/// (`RunOptions.events`, `PrioRuntime.events`); traces and progress lines
/// are built on these.
public struct SchedulerEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case submitted, started, suspended, resumed, reprioritized, finished
        /// Stopped so that another job runs: a better job took its slot
        /// (`reason` "slot", `by` that job), or its time slice ran out and
        /// another ready job ran (`reason` "slice"). `resumed` follows when it goes on.
        case preempted
        /// An attempt failed and the job will run again (`attempt`, `retryIn`, `error`).
        case failed
        /// Its await ended (`reason` "timeout" or "targets finished") but it
        /// has no slot yet: it is pending until `resumed`.
        case woken
    }

    /// Seconds since the run started (`now()`).
    public var time: Double
    public var kind: Kind
    public var jobID: Int
    public var name: String
    /// The job's effective priority after the event.
    public var priority: Double
    /// The job's status after the event ("pending", "running", ..., "cancelled").
    public var status: String
    /// For `reprioritized`: what changed the priority ("set_priority",
    /// "policy", "inherited from job#3", "inheritance ended"); for
    /// `preempted`: "slot" or "slice"; for `finished` as cancelled: the
    /// reason given to `job:cancel(reason)`, as text.
    public var reason: String?
    /// For `preempted` by a better job: that job's id.
    public var by: Int?
    /// For `failed`: the attempt that failed, the seconds until the next
    /// one, and the error as text.
    public var attempt: Int?
    public var retryIn: Double?
    public var error: String?
    /// With worker states (`--workers`, SPEC §8), for `started` and
    /// `resumed`: the Lua state that runs the job (1 is the main state).
    public var worker: Int?

    public init(
        time: Double, kind: Kind, jobID: Int, name: String, priority: Double, status: String,
        reason: String? = nil, by: Int? = nil, attempt: Int? = nil, retryIn: Double? = nil, error: String? = nil,
        worker: Int? = nil
    ) {
        self.time = time
        self.kind = kind
        self.jobID = jobID
        self.name = name
        self.priority = priority
        self.status = status
        self.reason = reason
        self.by = by
        self.attempt = attempt
        self.retryIn = retryIn
        self.error = error
        self.worker = worker
    }
}

extension LuaScheduler {
    /// Reports an event to the host's observer, if it has one.
    func emit(_ kind: SchedulerEvent.Kind, _ job: JobID, reason: String? = nil, worker: Int? = nil) {
        guard observed else { return }  // every suspension comes here: nothing is built without an observer
        emit(
            SchedulerEvent(
                time: 0, kind: kind, jobID: job.value, name: "", priority: 0, status: "", reason: reason,
                worker: worker))
    }

    /// The state number events name for a job run by the main state: 1
    /// with worker states, none without.
    var mainStateNumber: Int? { workerPool.active ? 1 : nil }

    /// Reports `event` (its kind and extra fields; the time, name, priority
    /// and status are filled in from the job now).
    func emit(_ event: SchedulerEvent) {
        let job = JobID(event.jobID)
        guard observed, let sink = options.events, !job.isMain else { return }
        let record = core[job]
        observation.reportedPriority[job.value] = record.effectivePriority
        var filled = event
        filled.time = clock.now
        filled.name = jobBook.info.name(of: job)
        filled.priority = record.effectivePriority
        filled.status = record.status.rawValue
        if event.kind == .finished, record.status == .cancelled, filled.reason == nil {
            filled.reason = jobBook.info.cancelReasons[job.value]
        }
        sink(filled)
    }

    /// Emits `preempted` for every slot the core moved from a job to a
    /// better one, and for every await that ended: the targets' priorities
    /// (no longer inherited) and, if the waiter has no slot yet, `woken`.
    func reportCoreEvents() {
        guard observed else { return }
        for (victim, by) in core.takePreemptions() {
            emit(
                SchedulerEvent(
                    time: 0, kind: .preempted, jobID: victim.value, name: "", priority: 0, status: "",
                    reason: "slot", by: by.value))
        }
        for (waiter, targets) in core.takeAwaitEnds() {
            reportPriorityChanges(of: targets, reason: "inheritance ended")
            guard core.contains(waiter), core[waiter].status == .pending else { continue }
            let timedOut = core[waiter].wakeReason == .awaitTimedOut
            emit(.woken, waiter, reason: timedOut ? "timeout" : "targets finished")
        }
    }

    /// Emits `reprioritized` for each job whose effective priority differs
    /// from the last one reported. Costs nothing without an observer.
    func reportPriorityChanges(of jobs: [JobID], reason: String) {
        guard observed else { return }
        for job in jobs where !core[job].state.isFinished {
            if let last = observation.reportedPriority[job.value], last != core[job].effectivePriority {
                emit(.reprioritized, job, reason: reason)
            }
        }
    }
}
