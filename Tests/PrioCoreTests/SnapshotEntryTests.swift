import XCTest

@testable import PrioCore

/// The quicksort behind `Scheduler.unfinishedJobs` orders exactly as the
/// standard library's sort does, on inputs that stress it: many equal
/// priorities, sorted and reversed runs, sizes around its insertion-sort
/// cut-off.
final class SnapshotEntryTests: XCTestCase {
    func sortedBoth(_ entries: [SnapshotEntry]) -> ([Int32], [Int32]) {
        var mine = entries
        mine.withUnsafeMutableBufferPointer { SnapshotEntry.sort($0) }
        let reference = entries.sorted(by: SnapshotEntry.precedes)
        return (mine.map(\.index), reference.map(\.index))
    }

    func testMatchesTheStandardSortOnRandomInputs() {
        var random = SplitMix64(seed: 42)
        for size in [0, 1, 2, 3, 15, 16, 17, 18, 33, 100, 1000, 20000] {
            for distinct in [1, 3, 10, 1_000_000] {
                var order: Int32 = 0
                let entries = (0..<size).map { index -> SnapshotEntry in
                    order += 1
                    let priority = Double(Int(random.next() % UInt64(distinct))) - 2.5
                    return SnapshotEntry(priority: priority, order: order, index: Int32(index))
                }
                let (mine, reference) = sortedBoth(entries.shuffled(using: &random))
                XCTAssertEqual(mine, reference, "size \(size), \(distinct) distinct priorities")
            }
        }
    }

    func testSortedReversedAndOrganPipeRuns() {
        let n = 5000
        let ascending = (0..<n).map { SnapshotEntry(priority: Double($0), order: Int32($0), index: Int32($0)) }
        let organ = (0..<n).map {
            SnapshotEntry(priority: Double(min($0, n - $0)), order: Int32($0), index: Int32($0))
        }
        for input in [ascending, Array(ascending.reversed()), organ] {
            let (mine, reference) = sortedBoth(input)
            XCTAssertEqual(mine, reference)
        }
    }
}
