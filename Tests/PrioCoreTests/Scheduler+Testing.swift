import PrioCore

extension Scheduler {
    /// A scheduler whose main chunk ran `body` (which usually submits jobs)
    /// and returned at `now`, so that only jobs are left to dispatch.
    static func afterMain(
        concurrency: Int, now: Double = 0, _ body: (inout Scheduler) -> Void = { _ in }
    ) -> Scheduler {
        var scheduler = Scheduler(concurrency: concurrency)
        precondition(scheduler.nextStep(now: now) == .start(.main), "the main chunk goes first")
        body(&scheduler)
        scheduler.finished(.main, .done, now: now)
        scheduler.checkInvariants()
        return scheduler
    }

    /// Submits one job per priority, in order, at `now`.
    mutating func submitAll(_ priorities: [Double], group: Int? = nil, now: Double = 0) -> [JobID] {
        priorities.map { submit(priority: $0, group: group, now: now) }
    }

    /// The jobs that hold a slot now, in id order.
    var slotHoldingJobs: [JobID] {
        (0..<jobCount).map { JobID($0) }.filter { self[$0].holdsSlot }
    }
}

extension Scheduler.Step {
    /// The job a `.start` or `.resume` step runs.
    var dispatchedJob: JobID? {
        if case .start(let job) = self { return job }
        if case .resume(let job) = self { return job }
        return nil
    }
}
