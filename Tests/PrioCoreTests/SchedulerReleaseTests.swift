import PrioCore
import XCTest

final class SchedulerReleaseTests: XCTestCase {
    func testReleasedJobIsForgottenAndItsStaleTimersAreSkipped() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) {
            ids = [$0.submit(priority: 1, deadline: 5, now: 0), $0.submit(priority: 2, now: 0)]
        }
        try s.expectStep(.start(ids[0]), now: 0)
        s.release(ids[0])
        XCTAssertTrue(s.contains(ids[0]), "an unfinished job is never released")
        XCTAssertTrue(s.finished(ids[0], .done, now: 1) == false)
        s.release(ids[0])
        XCTAssertFalse(s.contains(ids[0]))
        XCTAssertEqual(s.knownJobIDs(), [ids[1]])
        try s.expectStep(.start(ids[1]), "the released job's deadline timer is skipped", now: 6)
        s.assertInvariants()
    }

    func testFinishOrderIsKeptInTheRecord() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1, 2]) }
        try s.expectStep(.start(ids[0]), now: 0)
        try s.expectStep(.start(ids[1]), now: 0)
        _ = s.finished(ids[1], .done, now: 1)
        _ = s.finished(ids[0], .done, now: 2)
        XCTAssertLessThan(s[ids[1]].order, s[ids[0]].order)
    }
}
