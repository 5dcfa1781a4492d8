/// Slot accounting for one `limit` group.
struct GroupSlots: Sendable {
    var limit = Int.max
    var held = 0
    /// Jobs of the group in the pending queue.
    var queued = 0
    /// Jobs that reached the front of the pending queue while the group was full.
    var parked = IndexedHeap()
}

extension Scheduler {
    /// At most `limit` jobs of group `group` hold slots at once. Raising the
    /// limit lets parked jobs compete for slots again at the next dispatch.
    public mutating func setLimit(group: Int, to limit: Int) {
        defer { checkInvariantsAfterMutation() }
        ensureGroup(group)
        groups[group].limit = limit
    }

    /// Puts parked jobs back in the pending queue while their group has room
    /// for more than it already has queued, so a group's parked jobs can
    /// never be stranded (for example when the queued one is cancelled).
    /// - Complexity: O(groups), plus O(log n) per job moved.
    mutating func unparkWhereGroupsHaveRoom() {
        for group in groups.indices where !groups[group].parked.isEmpty {
            while groups[group].queued < groups[group].limit - groups[group].held,
                let id = groups[group].parked.popMin(positions: &records)
            {
                records[Int(id)].state = .queued
                enterPending(id)
            }
        }
    }

    /// Every entry into the pending queue goes through here (group counts).
    mutating func enterPending(_ id: Int32) {
        let group = records[Int(id)].group
        pending.insert(id, key: key(of: id), group: group, positions: &records)
        if group >= 0 { groups[Int(group)].queued += 1 }
    }

    /// Every exit from the pending queue goes through here (group counts).
    mutating func leavePending(_ id: Int32) {
        let group = records[Int(id)].group
        pending.remove(id, group: group, positions: &records)
        if group >= 0 { groups[Int(group)].queued -= 1 }
        if let next = pending.firstMin { records.prefetch(Int(next.job)) }
    }

    /// The pending job likely to start next (the best of all, unless groups
    /// share fairly), for the runtime to prefetch what it will need.
    public var likelyNextToStart: JobID? { pending.firstMin.map { JobID(Int($0.job)) } }

    public func limit(group: Int) -> Int? {
        group < groups.count && groups[group].limit != Int.max ? groups[group].limit : nil
    }

    mutating func ensureGroup(_ group: Int) {
        while groups.count <= group { groups.append(GroupSlots()) }
    }

    /// Debug builds check every invariant after each public mutation, as
    /// swift-collections' HeapModule does, while the scheduler is small
    /// enough (`invariantCheckLimit` jobs) that the O(n) check costs little.
    /// What breaks is recorded with the mutation that broke it
    /// (`brokenInvariants`), not trapped on: a test fails on it and goes on
    /// to the next test, and the runtime (PrioLua) traps on it in debug
    /// builds after each step, so a fixture fails at the step that slipped.
    @inline(__always)
    mutating func checkInvariantsAfterMutation(_ mutation: String = #function) {
        #if DEBUG
        guard jobCount <= Self.invariantCheckLimit, brokenInvariants.count < 16 else { return }
        let violations = invariantViolations()
        if !violations.isEmpty { brokenInvariants += violations.map { "after \(mutation): \($0)" } }
        #endif
    }

    static let invariantCheckLimit = 512

    /// What is wrong with the queues and slot counts (empty: nothing), so
    /// that a test can fail on it instead of stopping the process.
    public func invariantViolations() -> [String] {
        var violations = pending.invariantViolations(positions: records)
        violations += ready.invariantViolations(positions: records)
        var held = 0
        var perGroup = Array(repeating: 0, count: groups.count)
        var queuedPerGroup = Array(repeating: 0, count: groups.count)
        records.forEachLive(from: 1) { index in
            let group = Int(records[index].group)
            if records[index].state == .queued && group >= 0 { queuedPerGroup[group] += 1 }
            guard records[index].holdsSlot else { return }
            held += 1
            if group >= 0 { perGroup[group] += 1 }
            if records[index].state.isFinished { violations.append("finished job \(index) holds a slot") }
        }
        if held != slotsHeld || held > concurrency { violations.append("slot count out of date") }
        for (index, holder) in slotHolders.enumerated() where records[Int(holder)].holderIndex != Int32(index) {
            violations.append("slot holder index of job \(holder) out of date")
        }
        for (group, slots) in groups.enumerated() {
            if perGroup[group] != slots.held { violations.append("group \(group) slot count out of date") }
            if queuedPerGroup[group] != slots.queued { violations.append("group \(group) queued count out of date") }
            violations += slots.parked.invariantViolations(positions: records)
        }
        return violations
    }
}
