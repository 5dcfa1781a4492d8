/// What a timer does when it falls due.
public enum TimerKind: UInt8, Sendable {
    /// A sleep, a `delay` or a retry backoff ends: the job becomes runnable.
    case wake
    /// An `await` with a timeout gives up.
    case awaitTimeout
    /// The job's `timeout` (wall time from its start) has passed.
    case jobTimeout
    /// The job's `deadline` has come.
    case deadline
    /// A periodic rule (`every`) is due; `job` holds the rule's index.
    case rule
    /// The policy's periodic re-evaluation is due.
    case interval
}

/// Timers ordered by (due time, rising sequence), as swift-nio orders its
/// scheduled tasks: equal due times fire in the order they were set.
/// Cancelled timers are not searched for: each carries the generation of the
/// job state it was set for, and a stale one is skipped when it pops.
public struct TimerQueue: Sendable {
    public struct Timer: Sendable {
        public var due: Double
        public var sequence: Int64
        public var job: Int32
        public var kind: TimerKind
        public var generation: UInt32

        fileprivate func fires(before other: Timer) -> Bool {
            if due != other.due { return due < other.due }
            return sequence < other.sequence
        }
    }

    private var heap: ContiguousArray<Timer> = []
    private var nextSequence: Int64 = 0

    public init() {}

    public var isEmpty: Bool { heap.isEmpty }
    public var count: Int { heap.count }
    public var nextDue: Double? { heap.first?.due }

    /// - Complexity: O(log n)
    public mutating func schedule(job: Int32, kind: TimerKind, due: Double, generation: UInt32) {
        heap.append(Timer(due: due, sequence: nextSequence, job: job, kind: kind, generation: generation))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].fires(before: heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest timer if it is due at `now`.
    /// - Complexity: O(log n)
    public mutating func popDue(now: Double) -> Timer? {
        guard let first = heap.first, first.due <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                var best = 2 * parent + 1
                guard best < heap.count else { break }
                if best + 1 < heap.count, heap[best + 1].fires(before: heap[best]) { best += 1 }
                guard heap[best].fires(before: heap[parent]) else { break }
                heap.swapAt(best, parent)
                parent = best
            }
        }
        return first
    }
}
