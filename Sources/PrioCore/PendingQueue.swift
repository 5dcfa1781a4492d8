/// The jobs that want a slot. Normally one heap ordered by `QueueKey`.
/// Under fair sharing, one heap per group (bucket 0 holds the jobs without
/// a group): the next slot goes to the best job of the bucket with the
/// smallest share, as the scheduler measures it.
@usableFromInline
struct PendingQueue: Sendable {
    private(set) var heaps: [IndexedHeap] = [IndexedHeap()]
    private(set) var isFair = false
    @usableFromInline private(set) var count = 0

    @usableFromInline var isEmpty: Bool { count == 0 }

    /// The heap that holds jobs of `group` (-1 for none).
    func heapIndex(forGroup group: Int32) -> Int { isFair ? Int(group) + 1 : 0 }

    mutating func insert(_ id: Int32, key: QueueKey, group: Int32, positions: inout ContiguousArray<Int32>) {
        let index = heapIndex(forGroup: group)
        while heaps.count <= index { heaps.append(IndexedHeap()) }
        heaps[index].insert(id, key: key, positions: &positions)
        count += 1
    }

    mutating func remove(_ id: Int32, group: Int32, positions: inout ContiguousArray<Int32>) {
        let index = heapIndex(forGroup: group)
        guard index < heaps.count, heaps[index].contains(id, positions: positions) else { return }
        heaps[index].remove(id, positions: &positions)
        count -= 1
    }

    mutating func update(_ id: Int32, key: QueueKey, group: Int32, positions: inout ContiguousArray<Int32>) {
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

    mutating func rekeyAll(positions: inout ContiguousArray<Int32>, key: (Int32) -> QueueKey) {
        for index in heaps.indices { heaps[index].rekeyAll(positions: &positions, key: key) }
    }

    /// Switches between one heap and per-group heaps, moving every job.
    mutating func setFair(
        _ fair: Bool, positions: inout ContiguousArray<Int32>, key: (Int32) -> QueueKey, group: (Int32) -> Int32
    ) {
        guard fair != isFair else { return }
        let jobs = heaps.flatMap { $0.entries.map(\.job) }
        heaps = [IndexedHeap()]
        count = 0
        isFair = fair
        for id in jobs { insert(id, key: key(id), group: group(id), positions: &positions) }
    }

    func checkInvariants(positions: ContiguousArray<Int32>) {
        for heap in heaps { heap.checkInvariants(positions: positions) }
        precondition(heaps.reduce(0) { $0 + $1.count } == count, "pending count out of date")
    }
}
