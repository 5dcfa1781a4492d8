/// The jobs that want a slot. Normally one heap ordered by `QueueKey`.
/// Under fair sharing, one heap per group (bucket 0 holds the jobs without
/// a group): the next slot goes to the best job of the bucket with the
/// smallest share, as the scheduler measures it.
struct PendingQueue: Sendable {
    private(set) var heaps: [IndexedHeap] = [IndexedHeap()]
    private(set) var isFair = false
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// The heap that holds jobs of `group` (-1 for none).
    func heapIndex(forGroup group: Int32) -> Int { isFair ? Int(group) + 1 : 0 }

    mutating func insert(_ id: Int32, key: QueueKey, group: Int32, positions: inout JobTable) {
        let index = heapIndex(forGroup: group)
        while heaps.count <= index { heaps.append(IndexedHeap()) }
        heaps[index].insert(id, key: key, positions: &positions)
        count += 1
    }

    mutating func remove(_ id: Int32, group: Int32, positions: inout JobTable) {
        let index = heapIndex(forGroup: group)
        guard index < heaps.count, heaps[index].contains(id, positions: positions) else { return }
        heaps[index].remove(id, positions: &positions)
        count -= 1
    }

    /// See `IndexedHeap.renumberOrders`.
    mutating func renumberOrders(from records: borrowing JobTable) {
        for index in heaps.indices { heaps[index].renumberOrders(from: records) }
    }

    @inline(__always) mutating func update(_ id: Int32, key: QueueKey, group: Int32, positions: inout JobTable) {
        let index = heapIndex(forGroup: group)
        guard index < heaps.count else { return }
        heaps[index].update(id, key: key, positions: &positions)
    }

    /// The job that gets the next slot: the best of all, or under fair
    /// sharing the best of the bucket with the smallest `share`.
    func best(share: (Int) -> Double) -> IndexedHeap.Entry? {
        guard isFair else { return heaps[0].min }
        var chosen: (share: Double, entry: IndexedHeap.Entry)?
        for index in heaps.indices {
            guard let head = heaps[index].min else { continue }
            let value = share(index - 1)
            if let current = chosen,
                current.share < value || (current.share == value && !(head.key < current.entry.key))
            {
                continue
            }
            chosen = (value, head)
        }
        return chosen?.entry
    }

    /// The best job of the first heap (of all, unless sharing is fair): likely the next to start.
    var firstMin: IndexedHeap.Entry? { heaps[0].min }

    /// Every job queued, heap by heap in entry order (the order `rekeyAll` takes keys in).
    var jobsByHeap: [[Int32]] { heaps.map { $0.entries.map(\.job) } }

    /// `keys[h][i]` is the new key of entry `i` of heap `h` (see `jobsByHeap`).
    mutating func rekeyAll(_ keys: [[QueueKey]], positions: inout JobTable) {
        for index in heaps.indices { heaps[index].rekeyAll(keys[index], positions: &positions) }
    }

    /// Switches between one heap and per-group heaps, moving every job.
    /// `jobs` are the queued jobs with their keys and groups.
    mutating func setFair(_ fair: Bool, jobs: [(id: Int32, key: QueueKey, group: Int32)], positions: inout JobTable) {
        guard fair != isFair else { return }
        heaps = [IndexedHeap()]
        count = 0
        isFair = fair
        for job in jobs { insert(job.id, key: job.key, group: job.group, positions: &positions) }
    }

    func invariantViolations(positions: borrowing JobTable) -> [String] {
        var violations = heaps.flatMap { $0.invariantViolations(positions: positions) }
        if heaps.reduce(0, { $0 + $1.count }) != count { violations.append("pending count out of date") }
        return violations
    }
}
