/// Slot accounting for one `limit` group.
struct GroupSlots: Sendable {
    var limit = Int.max
    var held = 0
    /// Jobs that reached the front of the pending queue while the group was full.
    var parked = IndexedHeap()
}

extension Scheduler {
    /// At most `limit` jobs of group `group` hold slots at once. Raising the
    /// limit lets parked jobs compete for slots again.
    public mutating func setLimit(group: Int, to limit: Int) {
        ensureGroup(group)
        groups[group].limit = limit
        while let id = groups[group].parked.popMin(positions: &positions) {
            records[Int(id)].state = .queued
            pending.insert(id, key: key(of: id), positions: &positions)
        }
    }

    public func limit(group: Int) -> Int? {
        group < groups.count && groups[group].limit != Int.max ? groups[group].limit : nil
    }

    mutating func ensureGroup(_ group: Int) {
        while groups.count <= group { groups.append(GroupSlots()) }
    }

    /// Checks the queues and slot counts; compiled into debug builds only.
    public func checkInvariants() {
        #if DEBUG
        pending.checkInvariants(positions: positions)
        ready.checkInvariants(positions: positions)
        var held = 0
        var perGroup = Array(repeating: 0, count: groups.count)
        for index in 1..<records.count where records[index].holdsSlot {
            held += 1
            let group = Int(records[index].group)
            if group >= 0 { perGroup[group] += 1 }
            precondition(!records[index].state.isFinished, "finished job holds a slot")
        }
        precondition(held == slotsHeld && held <= concurrency, "slot count out of date")
        for (group, slots) in groups.enumerated() {
            precondition(perGroup[group] == slots.held, "group slot count out of date")
            slots.parked.checkInvariants(positions: positions)
        }
        #endif
    }
}
