import PrioCore

/// Something the scheduler did to a job, for hosts that observe a run
/// (`RunOptions.events`, `PrioRuntime.events`); traces and progress lines
/// are built on these.
public struct SchedulerEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case submitted, started, suspended, resumed, reprioritized, finished
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
    /// "policy", "inherited from job#3", "inheritance ended").
    public var reason: String?
}

extension LuaScheduler {
    /// Reports an event to the host's observer, if it has one.
    func emit(_ kind: SchedulerEvent.Kind, _ job: JobID, reason: String? = nil) {
        guard observed, let sink = options.events, !job.isMain else { return }
        let record = core[job]
        reportedPriority[job.value] = record.effectivePriority
        sink(
            SchedulerEvent(
                time: clock.now, kind: kind, jobID: job.value, name: info.name(of: job),
                priority: record.effectivePriority, status: record.status.rawValue, reason: reason))
    }

    /// Emits `reprioritized` for each job whose effective priority differs
    /// from the last one reported. Costs nothing without an observer.
    func reportPriorityChanges(of jobs: [JobID], reason: String) {
        guard observed else { return }
        for job in jobs where !core[job].state.isFinished {
            if let last = reportedPriority[job.value], last != core[job].effectivePriority {
                emit(.reprioritized, job, reason: reason)
            }
        }
    }
}
