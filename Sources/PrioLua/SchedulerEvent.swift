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
}

extension LuaScheduler {
    /// Reports an event to the host's observer, if it has one.
    func emit(_ kind: SchedulerEvent.Kind, _ job: JobID) {
        guard let sink = options.events, !job.isMain else { return }
        let record = core[job]
        sink(
            SchedulerEvent(
                time: clock.now, kind: kind, jobID: job.value, name: info.name(of: job),
                priority: record.effectivePriority, status: record.status.rawValue))
    }
}
