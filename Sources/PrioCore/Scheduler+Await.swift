/// What an awaiting job waits for.
struct AwaitRecord: Sendable {
    var targets: [Int32]
    var mode: Scheduler.AwaitMode
    /// Targets still unfinished (for `.all`).
    var remaining: Int
}

extension Scheduler {
    public enum AwaitMode: Sendable { case all, any }

    public enum AwaitOutcome: Equatable, Sendable {
        /// Nothing to wait for: the condition already holds.
        case satisfied
        /// The job is suspended until the targets finish (or the timeout).
        case suspended
        case selfAwait
        case cycle
    }

    /// The running job (or the main chunk) waits for `targets`: all of them,
    /// or the first to finish. A job releases its slot while it waits and
    /// lends its priority to the jobs it waits for (inheritance).
    public mutating func await(
        _ job: JobID, on targets: [JobID], mode: AwaitMode, until deadline: Double? = nil
    ) -> AwaitOutcome {
        defer { checkInvariantsAfterMutation() }
        expect(job, in: .running)
        let outcome = awaitOutcome(job, on: targets, mode: mode)
        guard outcome == .suspended else { return outcome }
        let id = Int32(job.value)
        let unfinished = targets.filter { !records[$0.value].state.isFinished }.map { Int32($0.value) }
        awaits[id] = AwaitRecord(targets: unfinished, mode: mode, remaining: unfinished.count)
        for target in unfinished { waiters[target, default: []].append(id) }
        records[Int(id)].state = .awaiting
        records[Int(id)].wakeReason = .none
        releaseSlot(id)
        if let deadline {
            timers.schedule(job: id, kind: .awaitTimeout, due: deadline, generation: records[Int(id)].generation)
        }
        lendPriority(of: id, to: unfinished)
        return .suspended
    }

    /// What `await` would do now, without doing it: the rules of awaiting,
    /// in one place, for the runtime to answer the script before the job
    /// suspends (an error, the values at once, or a real wait).
    public func awaitOutcome(_ job: JobID, on targets: [JobID], mode: AwaitMode) -> AwaitOutcome {
        if targets.contains(job) { return .selfAwait }
        let unfinished = targets.filter { !records[$0.value].state.isFinished }
        switch mode {
        case .all where unfinished.isEmpty: return .satisfied
        case .any where unfinished.count < targets.count || targets.isEmpty: return .satisfied
        default: break
        }
        let id = Int32(job.value)
        if unfinished.contains(where: { waits(from: Int32($0.value), reaching: id) }) { return .cycle }
        return .suspended
    }

    /// A new waiter can only lower what its targets inherit, so this costs
    /// O(targets) (plus the chain below them), not O(waiters) per await:
    /// thousands of jobs awaiting one stay linear. A target listed twice is
    /// passed over the second time (it has the priority by then).
    mutating func lendPriority(of waiter: Int32, to targets: [Int32]) {
        guard waiter != 0 else { return }
        let priority = records[Int(waiter)].effectivePriority
        for target in targets where priority < records[Int(target)].effectivePriority {
            lowerEffectivePriority(of: target, to: priority)
        }
    }

    /// Lowers a job's effective priority, moves it in its queue, and passes
    /// the new priority on to the jobs it waits for.
    private mutating func lowerEffectivePriority(of id: Int32, to priority: Double) {
        guard !records[Int(id)].state.isFinished, priority < records[Int(id)].effectivePriority else { return }
        records[Int(id)].effectivePriority = priority
        requeue(id)
        for target in awaits[id]?.targets ?? [] { lowerEffectivePriority(of: target, to: priority) }
    }

    /// Whether following await edges from `start` reaches `goal`.
    func waits(from start: Int32, reaching goal: Int32) -> Bool {
        if start == goal { return true }
        // Most targets wait for nothing (a parent's fresh children): one
        // lookup, no walk and nothing to allocate.
        guard let first = awaits[start] else { return false }
        var stack = first.targets
        var seen: Set<Int32> = [start]
        while let current = stack.popLast() {
            if current == goal { return true }
            guard seen.insert(current).inserted, let record = awaits[current] else { continue }
            stack.append(contentsOf: record.targets)
        }
        return false
    }

    /// Tells the waiters of a job that just finished. Returns whether anyone waited.
    @discardableResult
    mutating func notifyWaiters(of id: Int32) -> Bool {
        guard !waiters.isEmpty, let list = waiters.removeValue(forKey: id) else { return false }
        for waiter in list {
            // One lookup, and the record is counted down in place (a copy
            // would retain and release its target list).
            guard let index = awaits.index(forKey: waiter) else { continue }
            awaits.values[index].remaining -= 1
            if awaits.values[index].mode == .any || awaits.values[index].remaining == 0 {
                endAwait(waiter, reason: .awaitSatisfied)
            }
        }
        return !list.isEmpty
    }

    /// Ends an await: unregisters the waiter and makes it runnable again
    /// (the main chunk at once; a job ahead of pending equals, for a slot).
    mutating func endAwait(_ waiter: Int32, reason: WakeReason) {
        dropAwait(waiter)
        records[Int(waiter)].wakeReason = reason
        records[Int(waiter)].generation &+= 1
        if waiter == 0 {
            makeReady(waiter, keepOrder: false)
        } else {
            enqueueResuming(waiter)
        }
    }

    /// Removes `waiter`'s await edges and the priority it lent. A target
    /// listed twice finds nothing left to do the second time.
    mutating func dropAwait(_ waiter: Int32) {
        guard !awaits.isEmpty, let record = awaits.removeValue(forKey: waiter) else { return }
        if recordsPreemptions {
            awaitEndLog.append((JobID(Int(waiter)), record.targets.map { JobID(Int($0)) }))
        }
        for target in record.targets {
            if let index = waiters.index(forKey: target) {
                waiters.values[index].removeAll { $0 == waiter }
                if waiters.values[index].isEmpty { waiters.remove(at: index) }
            }
            refreshEffectivePriority(target)
        }
    }

    /// Whether some job or the main chunk is waiting for `job` right now.
    public func isAwaited(_ job: JobID) -> Bool { waiters[Int32(job.value)]?.isEmpty == false }

    /// The jobs `job` is waiting for, if it is awaiting.
    public func awaitTargets(of job: JobID) -> [JobID] {
        awaits[Int32(job.value)]?.targets.map { JobID(Int($0)) } ?? []
    }

    // MARK: Priorities and inheritance

    /// Sets the submitted priority and the policy's priority for it.
    /// - Complexity: O(log n), plus the jobs it waits on, transitively.
    public mutating func setPriority(_ job: JobID, base: Double, policy: Double? = nil) {
        defer { checkInvariantsAfterMutation() }
        _ = setPriorityIfKnown(job, base: base, policy: policy)
    }

    /// `setPriority`, for a caller that has not checked the job: false, and
    /// nothing changed, when `job` is unknown. One call where a check and a
    /// set would be two (`job:set_priority` runs this a million times a
    /// second).
    public mutating func setPriorityIfKnown(_ job: JobID, base: Double, policy: Double? = nil) -> Bool {
        defer { checkInvariantsAfterMutation() }
        guard contains(job) else { return false }
        guard !records[job.value].state.isFinished else { return true }
        records[job.value].basePriority = base
        records[job.value].policyPriority = policy ?? base
        refreshEffectivePriority(Int32(job.value))
        return true
    }

    /// Recomputes a job's effective priority: its policy priority, lowered to
    /// that of any job waiting on it. A change moves it in its queue and passes
    /// on to the jobs it waits for.
    mutating func refreshEffectivePriority(_ id: Int32) {
        guard id != 0, !records[Int(id)].state.isFinished else { return }
        var effective = records[Int(id)].policyPriority
        // Most jobs neither wait nor are waited for: skip the lookups then.
        if !waiters.isEmpty, let list = waiters[id] {
            for waiter in list where waiter != 0 {
                effective = Swift.min(effective, records[Int(waiter)].effectivePriority)
            }
        }
        guard effective != records[Int(id)].effectivePriority else { return }
        records[Int(id)].effectivePriority = effective
        requeue(id)
        if !awaits.isEmpty, let targets = awaits[id]?.targets {
            for target in targets { refreshEffectivePriority(target) }  // a repeat changes nothing
        }
    }

    /// Moves a job to its place for its current key in whichever queue holds it.
    @inline(__always) mutating func requeue(_ id: Int32) {
        let newKey = key(of: id)
        switch records[Int(id)].state {
        case .queued: pending.update(id, key: newKey, group: records[Int(id)].group, positions: &records)
        case .ready: ready.update(id, key: newKey, positions: &records)
        case .parked: groups[Int(records[Int(id)].group)].parked.update(id, key: newKey, positions: &records)
        case .delayed, .running, .sleeping, .blocked, .awaiting, .done, .failed, .cancelled: break
        }
    }
}
