extension Scheduler {
    /// Gives every live job a new order with the same relative order, the
    /// smallest numbers that keep it, so that `takeOrder` can go on for
    /// another 2^31 orders, less one per live job. Orders are 32 bits (`QueueKey`): a job
    /// resuming from an await takes `Int32.min` plus the counter, below every
    /// newcomer's order, and that stays so here (negative orders stay
    /// negative, from `Int32.min + 1` up; the rest from 1 up). Heap keys
    /// follow their jobs' new orders; a monotonic renumbering leaves every
    /// heap in order. - Complexity: O(n log n) for n live jobs, plus a pass
    /// over the queued ones; once per 2^31 orders or so.
    mutating func renumberOrders() {
        var live: [(order: Int32, id: Int32)] = []
        records.forEachLive { live.append((records[$0].order, Int32($0))) }
        live.sort { $0.order < $1.order }
        var below: Int32 = .min  // resuming jobs' orders, from Int32.min + 1
        var above: Int32 = 0  // everyone else's, from 1
        for entry in live {
            if entry.order < 0 {
                below += 1
                records[Int(entry.id)].order = below
            } else {
                above += 1
                records[Int(entry.id)].order = above
            }
        }
        nextOrder = Int32(live.count)
        pending.renumberOrders(from: records)
        ready.renumberOrders(from: records)
        for index in groups.indices { groups[index].parked.renumberOrders(from: records) }
    }
}
