extension Scheduler {
    /// Fires every timer due at `now`. Stale timers (set for a suspension the
    /// job has since left) are skipped.
    mutating func fireDueTimers(now: Double) {
        while let timer = timers.popDue(now: now) {
            let id = timer.job
            switch timer.kind {
            case .rule:
                dueEvents.append(.ruleDue(Int(id)))
                continue
            case .interval:
                dueEvents.append(.intervalDue)
                continue
            case .wake, .awaitTimeout, .jobTimeout, .deadline:
                break
            }
            guard records.isLive(Int(id)) else { continue }  // a timer of a released job
            let record = records[Int(id)]  // the other kinds are about a job
            switch timer.kind {
            case .wake:
                guard timer.generation == record.generation else { continue }
                switch record.state {
                case .sleeping: continueAfterSuspension(id)
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
                dueEvents.append(.timedOut(JobID(Int(id))))
            case .deadline:
                guard !record.state.isFinished else { continue }
                dueEvents.append(.deadlinePassed(JobID(Int(id))))
            case .rule, .interval:
                break
            }
        }
    }

    /// Whether a timer event collected earlier still applies: the runtime may
    /// have finished or cancelled the job while handling an earlier event.
    func isStillDue(_ event: Step) -> Bool {
        switch event {
        case .timedOut(let job):
            return contains(job) && records[job.value].hasStarted && !records[job.value].state.isFinished
        case .deadlinePassed(let job): return contains(job) && !records[job.value].state.isFinished
        case .ruleDue, .intervalDue, .start, .resume, .waitUntil, .idle, .finished: return true
        }
    }

    /// Runs periodic rule `index` at `due` (`Step.ruleDue`). The runtime
    /// keeps the rule's state and ignores the timer of a cancelled rule.
    public mutating func scheduleRule(_ index: Int, at due: Double) {
        timers.schedule(job: Int32(index), kind: .rule, due: due, generation: 0)
    }

    /// Asks for a re-evaluation of every job at `due` (`Step.intervalDue`).
    public mutating func scheduleInterval(at due: Double) {
        timers.schedule(job: 0, kind: .interval, due: due, generation: 0)
    }

    /// When the next timer falls due, if any.
    public var nextTimerDue: Double? { timers.nextDue }
}
