/// Slot time per group, for fair sharing: the next slot goes to the group
/// whose slot time so far divided by its weight is smallest.
struct FairShare: Sendable {
    /// Weight per group index; groups not listed weigh 1. Index -1 is "no group".
    var weights: [Int: Double]
    /// Seconds of slot time per group index, for slots already given back.
    var used: [Int: Double] = [:]
}

extension Scheduler {
    /// Turns fair sharing on with these weights (group index -> weight), or
    /// off with nil. Slot time already used is kept when the weights change.
    public mutating func setFairShare(weights: [Int: Double]?) {
        defer { checkInvariantsAfterMutation() }
        if let weights {
            for group in weights.keys where group >= 0 { ensureGroup(group) }
            var share = fairShare ?? FairShare(weights: [:])
            share.weights = weights
            fairShare = share
        } else {
            fairShare = nil
        }
        let jobs = pending.jobsByHeap.joined().map { (id: $0, key: key(of: $0), group: records[Int($0)].group) }
        pending.setFair(weights != nil, jobs: jobs, positions: &records)
    }

    /// Seconds of slot time group `group` has had, including slots held now.
    public func slotTime(ofGroup group: Int) -> Double {
        var total = fairShare?.used[group] ?? 0
        for (index, holder) in slotHolders.enumerated() where Int(records[Int(holder)].group) == group {
            total += lastNow - slotTakenAt[index]
        }
        return total
    }

    /// The pending job that gets the next slot.
    func bestPending() -> IndexedHeap.Entry? {
        guard let fairShare else { return pending.best { _ in 0 } }
        return pending.best { group in slotTime(ofGroup: group) / (fairShare.weights[group] ?? 1) }
    }

    /// Adds the slot time of a job giving its slot back to its group's total.
    mutating func accountSlotTime(of id: Int32, holderIndex: Int) {
        guard fairShare != nil else { return }
        let group = Int(records[Int(id)].group)
        let held = lastNow - slotTakenAt[holderIndex]
        fairShare?.used[group, default: 0] += held
    }
}
