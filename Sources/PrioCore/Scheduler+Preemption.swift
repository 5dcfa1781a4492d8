extension Scheduler {
    /// The slot holder that gives way first: the worst effective priority,
    /// and among equals the one queued last.
    /// - Complexity: O(concurrency)
    /// A job running in another Lua state (SPEC §8) cannot give its slot
    /// up until it stops, so it is never the victim.
    func worstSlotHolder() -> Int32? {
        var worst: Int32?
        for holder in slotHolders where records[Int(holder)].state != .running {
            if let current = worst, key(of: holder) < key(of: current) { continue }
            worst = holder
        }
        return worst
    }

    /// Suspends a slot holder out of its slot. It keeps its progress: a ready
    /// job queues for a slot again ahead of pending equals; a sleeping or
    /// blocked one goes on waiting and queues when that ends.
    mutating func preempt(_ victim: Int32) {
        releaseSlot(victim)
        preemptionCount += 1
        switch records[Int(victim)].state {
        case .ready:
            ready.remove(victim, positions: &records)
            enqueueResuming(victim)
        case .sleeping, .blocked:
            break
        case .delayed, .queued, .parked, .running, .awaiting, .done, .failed, .cancelled:
            preconditionFailure("job \(victim) cannot be preempted in state \(records[Int(victim)].state)")
        }
    }

    /// The slot preemptions since the last call: each victim and the job
    /// that took its slot, in order.
    public mutating func takePreemptions() -> [(victim: JobID, by: JobID)] {
        guard !preemptionLog.isEmpty else { return [] }
        defer { preemptionLog.removeAll() }
        return preemptionLog
    }

    /// The awaits that ended since the last call (satisfied, timed out, or
    /// dropped because the waiter was cancelled), each with its targets,
    /// which no longer inherit the waiter's priority: an observer learns of
    /// both changes when they happen, not when the waiter next runs.
    public mutating func takeAwaitEnds() -> [(waiter: JobID, targets: [JobID])] {
        guard !awaitEndLog.isEmpty else { return [] }
        defer { awaitEndLog.removeAll() }
        return awaitEndLog
    }

    /// Sets policy priorities for many jobs at once (a policy `interval` or
    /// `reprioritize()`), then restores every queue's order in one pass.
    /// - Complexity: O(n) for n queued jobs, instead of n heap updates.
    public mutating func setPolicyPriorities(_ updates: [(JobID, Double)]) {
        defer { checkInvariantsAfterMutation() }
        for (job, priority) in updates where contains(job) && !records[job.value].state.isFinished {
            records[job.value].policyPriority = priority
            records[job.value].effectivePriority = priority
        }
        for waiter in awaits.keys where waiter != 0 { lendPriority(from: waiter) }
        // New keys first: they are read from the records, where the heaps write positions.
        let pendingKeys = pending.jobsByHeap.map { $0.map { key(of: $0) } }
        pending.rekeyAll(pendingKeys, positions: &records)
        let readyKeys = ready.entries.map { key(of: $0.job) }
        ready.rekeyAll(readyKeys, positions: &records)
        for index in groups.indices {
            let parkedKeys = groups[index].parked.entries.map { key(of: $0.job) }
            groups[index].parked.rekeyAll(parkedKeys, positions: &records)
        }
    }

    /// Lowers the effective priority of everything `waiter` waits on,
    /// transitively, without touching the queues (the caller re-keys them).
    private mutating func lendPriority(from waiter: Int32) {
        var stack = [waiter]
        while let current = stack.popLast() {
            let priority = records[Int(current)].effectivePriority
            for target in awaits[current]?.targets ?? [] where records[Int(target)].effectivePriority > priority {
                records[Int(target)].effectivePriority = priority
                stack.append(target)
            }
        }
    }
}

extension JobRecord {
    /// The status a script sees. A sleeping or blocked job that lost its
    /// slot to preemption is pending until it gets one back.
    public var status: JobStatus { Self.status(state: state, holdsSlot: holdsSlot) }

    static func status(state: JobState, holdsSlot: Bool) -> JobStatus {
        if (state == .sleeping || state == .blocked) && !holdsSlot { return .pending }
        return state.status
    }
}
