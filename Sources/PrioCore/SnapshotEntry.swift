/// A job in a snapshot of the queues (`Scheduler.unfinishedJobs`): its key
/// and its index. Keys are unique (every order comes from one counter), so
/// no stable sort is needed: `sort` is an in-place quicksort on the buffer,
/// about twice as fast as the standard library's merge sort on this data,
/// which made most of the cost of `jobs()` in a policy loop.
struct SnapshotEntry {
    var priority: Double
    var order: Int32
    var index: Int32

    @inline(__always)
    static func precedes(_ a: SnapshotEntry, _ b: SnapshotEntry) -> Bool {
        a.priority < b.priority || (a.priority == b.priority && a.order < b.order)
    }

    /// Sorts best first. Median-of-three quicksort, insertion sort for short
    /// ranges; past a recursion depth of 2 log n (an unlucky input), the
    /// standard library's sort finishes the range, so the worst case stays
    /// O(n log n).
    static func sort(_ buffer: UnsafeMutableBufferPointer<SnapshotEntry>) {
        guard buffer.count > 1 else { return }
        var depth = 2 * (Int.bitWidth - buffer.count.leadingZeroBitCount)
        quicksort(buffer, 0, buffer.count - 1, &depth)
    }

    private static func quicksort(
        _ a: UnsafeMutableBufferPointer<SnapshotEntry>, _ low: Int, _ high: Int, _ depth: inout Int
    ) {
        var low = low
        var high = high
        while high - low > 16 {
            if depth == 0 {
                var rest = UnsafeMutableBufferPointer(rebasing: a[low...high])
                rest.sort(by: precedes)
                return
            }
            depth -= 1
            let pivot = medianOfThree(a, low, low + (high - low) / 2, high)
            var i = low
            var j = high
            while i <= j {
                while precedes(a[i], pivot) { i += 1 }
                while precedes(pivot, a[j]) { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Recurse into the smaller side, loop on the larger: O(log n) stack.
            if j - low < high - i {
                quicksort(a, low, j, &depth)
                low = i
            } else {
                quicksort(a, i, high, &depth)
                high = j
            }
        }
        insertionSort(a, low, high)
    }

    private static func medianOfThree(
        _ a: UnsafeMutableBufferPointer<SnapshotEntry>, _ x: Int, _ y: Int, _ z: Int
    ) -> SnapshotEntry {
        let (p, q, r) = (a[x], a[y], a[z])
        if precedes(p, q) {
            if precedes(q, r) { return q }
            return precedes(p, r) ? r : p
        }
        if precedes(p, r) { return p }
        return precedes(q, r) ? r : q
    }

    private static func insertionSort(_ a: UnsafeMutableBufferPointer<SnapshotEntry>, _ low: Int, _ high: Int) {
        guard high > low else { return }
        for i in (low + 1)...high {
            let item = a[i]
            var j = i - 1
            while j >= low, precedes(item, a[j]) {
                a[j + 1] = a[j]
                j -= 1
            }
            a[j + 1] = item
        }
    }
}
