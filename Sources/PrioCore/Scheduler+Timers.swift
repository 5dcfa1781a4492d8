extension Scheduler {
    /// Fires every timer due at `now`. Stale timers (set for a suspension the
    /// job has since left) are skipped.
    mutating func fireDueTimers(now: Double) {
        while let timer = timers.popDue(now: now) {
            let id = timer.job
            let record = records[Int(id)]
            switch timer.kind {
            case .wake:
                guard timer.generation == record.generation else { continue }
                switch record.state {
                case .sleeping: makeReady(id, keepOrder: false)
                case .delayed: enqueuePending(id)
                default: continue
                }
            case .awaitTimeout:
                guard record.state == .awaiting, timer.generation == record.generation else { continue }
                endAwait(id, reason: .awaitTimedOut)
            case .jobTimeout:
                guard record.hasStarted, !record.state.isFinished,
                    timer.generation == UInt32(record.attempt)
                else { continue }
                timedOut.append(JobID(Int(id)))
            }
        }
    }

    /// When the next timer falls due, if any.
    public var nextTimerDue: Double? { timers.nextDue }
}
