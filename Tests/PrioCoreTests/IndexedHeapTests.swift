import PrioCore
import XCTest

final class IndexedHeapTests: XCTestCase {
    private static func key(_ priority: Double, _ order: Int32) -> QueueKey {
        QueueKey(priority: priority, order: order)
    }

    private static func freshPositions(_ count: Int) -> ContiguousArray<Int32> {
        ContiguousArray(repeating: -1, count: count)
    }

    private static func drain(_ heap: inout IndexedHeap, _ positions: inout ContiguousArray<Int32>) -> [Int32] {
        var popped: [Int32] = []
        while let job = heap.popMin(positions: &positions) {
            heap.assertInvariants(positions: positions)
            popped.append(job)
        }
        return popped
    }

    func testPopMinReturnsLowestPriorityFirst() {
        var positions = Self.freshPositions(5)
        var heap = IndexedHeap()
        for (job, priority) in [(0, 3.0), (1, -1.5), (2, 7.0), (3, 0.0), (4, 2.5)] {
            heap.insert(Int32(job), key: Self.key(priority, Int32(job)), positions: &positions)
            heap.assertInvariants(positions: positions)
        }
        XCTAssertEqual(heap.min?.job, 1)
        XCTAssertEqual(Self.drain(&heap, &positions), [1, 3, 4, 0, 2])
        XCTAssertTrue(heap.isEmpty)
        XCTAssertEqual(Array(positions), [-1, -1, -1, -1, -1])
    }

    func testEqualPrioritiesPopInOrderOfTheirKeys() {
        var positions = Self.freshPositions(8)
        var heap = IndexedHeap()
        // Inserted out of order; the order field alone decides among equals.
        for (job, order) in [(5, 6), (0, 1), (7, 8), (2, 3), (1, 2), (6, 7), (3, 4), (4, 5)] {
            heap.insert(Int32(job), key: Self.key(4, Int32(order)), positions: &positions)
        }
        XCTAssertEqual(Self.drain(&heap, &positions), [0, 1, 2, 3, 4, 5, 6, 7])
    }

    func testPopMinOnEmptyHeapReturnsNil() {
        var positions = Self.freshPositions(1)
        var heap = IndexedHeap()
        XCTAssertNil(heap.popMin(positions: &positions))
        XCTAssertNil(heap.min)
    }

    func testRemoveTakesOutOnlyThatJob() {
        var positions = Self.freshPositions(6)
        var heap = IndexedHeap()
        for job in 0..<6 { heap.insert(Int32(job), key: Self.key(Double(job % 3), Int32(job)), positions: &positions) }
        heap.remove(3, positions: &positions)
        heap.assertInvariants(positions: positions)
        XCTAssertFalse(heap.contains(3, positions: positions))
        XCTAssertEqual(positions[3], -1)
        XCTAssertEqual(heap.count, 5)
        XCTAssertEqual(Self.drain(&heap, &positions), [0, 1, 4, 2, 5])
    }

    func testRemoveIgnoresJobHeldByAnotherHeapSharingPositions() {
        var positions = Self.freshPositions(4)
        var first = IndexedHeap()
        var second = IndexedHeap()
        first.insert(0, key: Self.key(1, 1), positions: &positions)
        first.insert(1, key: Self.key(2, 2), positions: &positions)
        second.insert(2, key: Self.key(1, 3), positions: &positions)
        second.insert(3, key: Self.key(2, 4), positions: &positions)

        second.remove(1, positions: &positions)
        XCTAssertTrue(first.contains(1, positions: positions))
        XCTAssertFalse(second.contains(1, positions: positions))
        XCTAssertEqual(second.count, 2)
        first.assertInvariants(positions: positions)
        second.assertInvariants(positions: positions)
    }

    func testUpdateMovesJobTowardsTheFrontAndTheBack() {
        var positions = Self.freshPositions(4)
        var heap = IndexedHeap()
        for job in 0..<4 { heap.insert(Int32(job), key: Self.key(Double(job), Int32(job)), positions: &positions) }
        heap.update(3, key: Self.key(-1, 3), positions: &positions)
        heap.assertInvariants(positions: positions)
        XCTAssertEqual(heap.min?.job, 3)
        heap.update(3, key: Self.key(10, 3), positions: &positions)
        heap.update(0, key: Self.key(1, 0), positions: &positions)
        heap.assertInvariants(positions: positions)
        // Job 0 now ties with job 1 at priority 1 and keeps its earlier order.
        XCTAssertEqual(Self.drain(&heap, &positions), [0, 1, 2, 3])
    }

    func testUpdateOfAbsentJobIsIgnored() {
        var positions = Self.freshPositions(3)
        var heap = IndexedHeap()
        heap.insert(0, key: Self.key(1, 0), positions: &positions)
        heap.update(2, key: Self.key(-5, 2), positions: &positions)
        heap.assertInvariants(positions: positions)
        XCTAssertEqual(heap.count, 1)
        XCTAssertEqual(heap.min?.job, 0)
    }

    func testRekeyAllReordersEveryEntry() {
        var positions = Self.freshPositions(6)
        var heap = IndexedHeap()
        for job in 0..<6 { heap.insert(Int32(job), key: Self.key(Double(job), Int32(job)), positions: &positions) }
        // Reverse the priorities; jobs 2 and 3 end up equal and keep their order.
        let newPriority: [Double] = [9, 8, 5, 5, 1, 0]
        heap.rekeyAll(positions: &positions) { Self.key(newPriority[Int($0)], Int32($0)) }
        heap.assertInvariants(positions: positions)
        XCTAssertEqual(Self.drain(&heap, &positions), [5, 4, 2, 3, 1, 0])
    }

    /// Thousands of random operations against a sorted array of entries: the
    /// heap must agree on its size, membership and best entry after each one.
    func testRandomOperationsMatchSortedArrayModel() {
        let jobCount = 48
        let priorities: [Double] = [-2, 0, 0.5, 1, 3]
        var rng = SplitMix64(seed: 0x5EED_0001)
        var positions = Self.freshPositions(jobCount)
        var heap = IndexedHeap()
        var model: [(key: QueueKey, job: Int32)] = []  // sorted by key
        var keys: [Int32: QueueKey] = [:]
        var nextOrder: Int32 = 0
        var popped: [Int32] = []
        var expectedPopped: [Int32] = []

        func takeOrder() -> Int32 {
            nextOrder += 1
            return nextOrder
        }
        func modelInsert(_ job: Int32, _ key: QueueKey) {
            let index = model.firstIndex { key < $0.key } ?? model.count
            model.insert((key, job), at: index)
            keys[job] = key
        }
        func modelRemove(_ job: Int32) {
            model.removeAll { $0.job == job }
            keys[job] = nil
        }

        for step in 0..<20_000 {
            let job = Int32.random(in: 0..<Int32(jobCount), using: &rng)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<35 where keys[job] == nil:
                let key = QueueKey(priority: priorities.randomElement(using: &rng)!, order: takeOrder())
                heap.insert(job, key: key, positions: &positions)
                modelInsert(job, key)
            case 0..<35, 35..<55:
                let got = heap.popMin(positions: &positions)
                let expected = model.first?.job
                XCTAssertEqual(got, expected, "popMin at step \(step)")
                if let expected { modelRemove(expected) }
                if let got { popped.append(got) }
                if let expected { expectedPopped.append(expected) }
            case 55..<70:
                heap.remove(job, positions: &positions)
                modelRemove(job)
            case 70..<95:
                guard let old = keys[job] else { continue }
                // Mostly a priority change that keeps the order (set_priority);
                // sometimes a fresh order as well (a job that gave way).
                let order = Bool.random(using: &rng) ? old.order : takeOrder()
                let key = QueueKey(priority: priorities.randomElement(using: &rng)!, order: order)
                heap.update(job, key: key, positions: &positions)
                modelRemove(job)
                modelInsert(job, key)
            default:
                var fresh: [Int32: QueueKey] = [:]
                for (member, old) in keys {
                    fresh[member] = QueueKey(priority: priorities.randomElement(using: &rng)!, order: old.order)
                }
                heap.rekeyAll(positions: &positions) { fresh[$0]! }
                model = []
                keys = [:]
                for (member, key) in fresh { modelInsert(member, key) }
            }
            heap.assertInvariants(positions: positions)
            XCTAssertEqual(heap.count, model.count, "count at step \(step)")
            XCTAssertEqual(heap.min?.job, model.first?.job, "min at step \(step)")
            XCTAssertEqual(heap.contains(job, positions: positions), keys[job] != nil, "contains at step \(step)")
        }
        XCTAssertEqual(popped, expectedPopped)
        XCTAssertGreaterThan(popped.count, 1_000)
        XCTAssertEqual(Self.drain(&heap, &positions), model.map(\.job))
    }
}
