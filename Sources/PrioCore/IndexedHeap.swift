import CPrefetch

/// A binary min-heap of job indices ordered by `QueueKey`, with position
/// tracking so that a queued job's key can change or the job can leave in
/// O(log n).
///
/// Positions live outside the heap, one per job shared by every heap of a
/// scheduler (a job is in at most one heap at a time), so many heaps cost no
/// per-job memory each: in the scheduler's job records, or in any
/// `HeapPositions` (a plain array in tests). `positions[heapPosition: job]`
/// is the job's index in `entries`, or -1 when the job is in no heap.
public struct IndexedHeap: Sendable {
    public struct Entry: Sendable {
        public var key: QueueKey
        public var job: Int32
    }

    public private(set) var entries: ContiguousArray<Entry> = []

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }
    /// The best entry, without removing it. - Complexity: O(1)
    public var min: Entry? { entries.first }

    /// - Complexity: O(log n)
    public mutating func insert<Positions: HeapPositions & ~Copyable>(
        _ job: Int32, key: QueueKey, positions: inout Positions
    ) {
        entries.append(Entry(key: key, job: job))
        positions[heapPosition: job] = Int32(entries.count - 1)
        siftUp(entries.count - 1, positions: &positions)
    }

    /// Removes and returns the best job. - Complexity: O(log n)
    public mutating func popMin<Positions: HeapPositions & ~Copyable>(positions: inout Positions) -> Int32? {
        guard let first = entries.first else { return nil }
        remove(at: 0, positions: &positions)
        return first.job
    }

    /// Removes `job` if it is in this heap. - Complexity: O(log n)
    public mutating func remove<Positions: HeapPositions & ~Copyable>(_ job: Int32, positions: inout Positions) {
        let index = Int(positions[heapPosition: job])
        guard index >= 0, index < entries.count, entries[index].job == job else { return }
        remove(at: index, positions: &positions)
    }

    /// Gives `job` a new key and restores heap order. - Complexity: O(log n)
    public mutating func update<Positions: HeapPositions & ~Copyable>(
        _ job: Int32, key: QueueKey, positions: inout Positions
    ) {
        let index = Int(positions[heapPosition: job])
        // One pass over the buffer: `job:set_priority` runs this a million
        // times a second, and each checked access to `entries` costs.
        entries.withUnsafeMutableBufferPointer { heap in
            guard index >= 0, index < heap.count, heap[index].job == job else { return }
            let old = heap[index].key
            heap[index].key = key
            if key < old {
                Self.siftUp(heap, from: index, positions: &positions)
            } else {
                Self.siftDown(heap, from: index, positions: &positions)
            }
        }
    }

    /// Gives each entry the order its job's record has now: for
    /// `Scheduler.renumberOrders`, whose renumbering keeps every heap in order.
    mutating func renumberOrders(from records: borrowing JobTable) {
        for index in entries.indices {
            entries[index].key.order = records[Int(entries[index].job)].order
        }
    }

    public func contains<Positions: HeapPositions & ~Copyable>(_ job: Int32, positions: borrowing Positions) -> Bool {
        let index = Int(positions[heapPosition: job])
        return index >= 0 && index < entries.count && entries[index].job == job
    }

    /// Re-keys every entry and restores heap order in one pass.
    /// - Complexity: O(n), instead of n updates at O(log n) each.
    public mutating func rekeyAll<Positions: HeapPositions & ~Copyable>(
        positions: inout Positions, key: (Int32) -> QueueKey
    ) {
        rekeyAll(entries.map { key($0.job) }, positions: &positions)
    }

    /// Gives entry `i` (in `entries` order) the key `keys[i]` and restores
    /// heap order in one pass; for callers whose keys come from the same
    /// storage as the positions. - Complexity: O(n)
    public mutating func rekeyAll<Positions: HeapPositions & ~Copyable>(
        _ keys: [QueueKey], positions: inout Positions
    ) {
        precondition(keys.count == entries.count, "one key per entry")
        for index in entries.indices {
            entries[index].key = keys[index]
        }
        var index = entries.count / 2
        while index > 0 {
            index -= 1
            siftDown(index, positions: &positions)
        }
        for (position, entry) in entries.enumerated() {
            positions[heapPosition: entry.job] = Int32(position)
        }
    }

    /// Bottom-up removal: the hole left at `index` moves down along the
    /// smaller children to a leaf (one comparison per level), then the last
    /// entry rises from there, past `index` if it must; it seldom rises far.
    /// Keys are unique (every order is), so the result is a valid heap.
    private mutating func remove<Positions: HeapPositions & ~Copyable>(at index: Int, positions: inout Positions) {
        positions[heapPosition: entries[index].job] = -1
        let last = entries.removeLast()
        guard index < entries.count else { return }
        let leaf = entries.withUnsafeMutableBufferPointer { heap in
            var hole = index
            while true {
                var child = 2 &* hole &+ 1
                guard child < heap.count else { break }
                // Both children's children: the next level's entries start loading
                // while this level compares (a big heap misses the cache at every level).
                let grandchildren = 2 &* child &+ 1
                if grandchildren < heap.count {
                    prio_prefetch(heap.baseAddress! + grandchildren)
                    prio_prefetch(heap.baseAddress! + Swift.min(grandchildren &+ 3, heap.count &- 1))
                }
                if child &+ 1 < heap.count, heap[child &+ 1].key < heap[child].key { child &+= 1 }
                heap[hole] = heap[child]
                positions[heapPosition: heap[hole].job] = Int32(hole)
                hole = child
            }
            heap[hole] = last
            return hole
        }
        siftUp(leaf, positions: &positions)
    }

    private mutating func siftUp<Positions: HeapPositions & ~Copyable>(_ start: Int, positions: inout Positions) {
        entries.withUnsafeMutableBufferPointer { Self.siftUp($0, from: start, positions: &positions) }
    }

    private mutating func siftDown<Positions: HeapPositions & ~Copyable>(_ start: Int, positions: inout Positions) {
        entries.withUnsafeMutableBufferPointer { Self.siftDown($0, from: start, positions: &positions) }
    }

    // The sifts work on the buffer directly: no bounds or uniqueness checks
    // per level (indices stay below the count by construction).
    private static func siftUp<Positions: HeapPositions & ~Copyable>(
        _ heap: UnsafeMutableBufferPointer<Entry>, from start: Int, positions: inout Positions
    ) {
        var child = start
        let moving = heap[child]
        while child > 0 {
            let parent = (child &- 1) / 2
            guard moving.key < heap[parent].key else { break }
            heap[child] = heap[parent]
            positions[heapPosition: heap[child].job] = Int32(child)
            child = parent
        }
        heap[child] = moving
        positions[heapPosition: moving.job] = Int32(child)
    }

    private static func siftDown<Positions: HeapPositions & ~Copyable>(
        _ heap: UnsafeMutableBufferPointer<Entry>, from start: Int, positions: inout Positions
    ) {
        var parent = start
        let moving = heap[parent]
        let count = heap.count
        while true {
            var best = 2 &* parent &+ 1
            guard best < count else { break }
            let right = best &+ 1
            if right < count, heap[right].key < heap[best].key { best = right }
            guard heap[best].key < moving.key else { break }
            heap[parent] = heap[best]
            positions[heapPosition: heap[parent].job] = Int32(parent)
            parent = best
        }
        heap[parent] = moving
        positions[heapPosition: moving.job] = Int32(parent)
    }
}

extension IndexedHeap {
    /// What is wrong with heap order and position bookkeeping (empty: nothing),
    /// so that a test can fail on it instead of stopping the process.
    public func invariantViolations<Positions: HeapPositions & ~Copyable>(
        positions: borrowing Positions
    ) -> [String] {
        var violations: [String] = []
        for index in entries.indices {
            let job = entries[index].job
            if positions[heapPosition: job] != Int32(index) {
                violations.append("heap position of job \(job) out of date")
            }
            if index > 0 && entries[index].key < entries[(index - 1) / 2].key {
                violations.append("heap order broken at job \(job)")
            }
        }
        return violations
    }
}
