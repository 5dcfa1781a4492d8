import XCTest

@testable import PrioCore

final class JobTableTests: XCTestCase {
    private func record(_ priority: Double) -> JobRecord {
        JobRecord(state: .queued, priority: priority, policyPriority: priority, order: 0, group: -1, submittedAt: 0)
    }

    func testIdsCountUpAcrossPages() {
        var table = JobTable()
        for index in 0..<(JobTable.pageSize * 2 + 5) {
            XCTAssertEqual(table.append(record(Double(index))), index)
        }
        XCTAssertEqual(table[JobTable.pageSize + 3].basePriority, Double(JobTable.pageSize + 3))
        XCTAssertEqual(table.pageCount, 3)
    }

    func testAPageIsFreedOnceEveryJobOnItIsReleased() {
        var table = JobTable()
        for index in 0..<(JobTable.pageSize + 1) { _ = table.append(record(Double(index))) }
        for id in 0..<(JobTable.pageSize - 1) { table.release(id) }
        XCTAssertNotNil(table.page(0), "one job on the page is still live")
        XCTAssertTrue(table.isLive(JobTable.pageSize - 1))
        XCTAssertFalse(table.isLive(0))
        table.release(JobTable.pageSize - 1)
        XCTAssertNil(table.page(0))
        XCTAssertFalse(table.isLive(JobTable.pageSize - 1))
        XCTAssertTrue(table.isLive(JobTable.pageSize))
    }

    func testThePageBeingFilledIsKeptWhenItsJobsAreReleased() {
        var table = JobTable()
        for index in 0..<3 { _ = table.append(record(Double(index))) }
        for id in 0..<3 { table.release(id) }
        XCTAssertNotNil(table.page(0), "more jobs will go on this page")
        XCTAssertEqual(table.append(record(9)), 3)
        XCTAssertEqual(table[3].basePriority, 9)
    }

    func testForEachLiveSkipsReleasedJobsAndFreedPages() {
        var table = JobTable()
        for index in 0..<(JobTable.pageSize + 3) { _ = table.append(record(Double(index))) }
        for id in 0..<JobTable.pageSize { table.release(id) }
        table.release(JobTable.pageSize + 1)
        var seen: [Int] = []
        table.forEachLive(from: 0) { seen.append($0) }
        XCTAssertEqual(seen, [JobTable.pageSize, JobTable.pageSize + 2])
    }

    func testReleasingTwiceOrOutOfRangeIsHarmless() {
        var table = JobTable()
        _ = table.append(record(1))
        table.release(0)
        table.release(0)
        table.release(7)
        XCTAssertFalse(table.isLive(0))
        XCTAssertFalse(table.isLive(-1))
    }
}
