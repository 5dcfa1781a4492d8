import PrioCore
import XCTest

/// The rules of `job:cancel()`, decided in the core: a job cancelling itself
/// stops where its code next stops; a job whose coroutine is being closed
/// (it already failed, timed out or was cancelled) cannot be cancelled; and
/// closes requested while one runs wait their turn instead of nesting.
final class SchedulerCancelTests: XCTestCase {
    func testAJobCancellingItselfIsCancelledWhereItStopsNotAtOnce() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        try s.expectStep(.start(ids[0]), now: 0)
        XCTAssertFalse(s.hasCancelRequests)
        XCTAssertEqual(s.requestCancel(ids[0], executing: true), .stopExecutingJob)
        XCTAssertEqual(s[ids[0]].state, .running, "it goes on until its code stops")
        XCTAssertTrue(s.isCancelRequested(ids[0]))
        XCTAssertFalse(s.isCancelRequested(ids[1]))
        XCTAssertEqual(s.requestCancel(ids[0], executing: true), .stopExecutingJob, "asking twice changes nothing")
        XCTAssertEqual(s.cancel(ids[0], now: 1), .running)
        XCTAssertFalse(s.isCancelRequested(ids[0]), "the request ends with the job")
        XCTAssertFalse(s.hasCancelRequests)
        try s.expectStep(.start(ids[1]), now: 1)
        s.assertInvariants()
    }

    func testAJobThatFinishesBeforeItStopsLeavesNoRequestBehind() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1]) }
        try s.expectStep(.start(ids[0]), now: 0)
        XCTAssertEqual(s.requestCancel(ids[0], executing: true), .stopExecutingJob)
        s.finished(ids[0], .failed, now: 1)
        XCTAssertFalse(s.hasCancelRequests)
        XCTAssertEqual(s.requestCancel(ids[0], executing: false), .refused, "a finished job")
    }

    func testAnotherJobOrAPendingOneIsCancelledNow() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        try s.expectStep(.start(ids[0]), now: 0)
        XCTAssertEqual(s.requestCancel(ids[1], executing: false), .cancelNow)
        XCTAssertEqual(s.requestCancel(ids[0], executing: false), .cancelNow, "running, but not executing now")
        XCTAssertFalse(s.hasCancelRequests)
        XCTAssertEqual(s.requestCancel(JobID(99), executing: false), .refused, "an unknown job")
    }

    func testAJobBeingClosedCannotBeCancelled() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1]) }
        try s.expectStep(.start(ids[0]), now: 0)
        // Its error came: the runtime closes its coroutine before failing it.
        XCTAssertTrue(s.queueClose(ids[0], afterError: true))
        let close = try XCTUnwrap(s.nextClose())
        XCTAssertEqual(close.job, ids[0])
        XCTAssertTrue(close.afterError)
        XCTAssertTrue(s[ids[0]].closing)
        XCTAssertEqual(s.requestCancel(ids[0], executing: true), .refused, "from its own __close handler")
        XCTAssertEqual(s.requestCancel(ids[0], executing: false), .refused, "from another job's")
        s.closeDone(ids[0])
        XCTAssertNil(s.nextClose())
        XCTAssertFalse(s[ids[0]].closing)
        XCTAssertEqual(s.requestCancel(ids[0], executing: false), .cancelNow, "closed, but not failed yet")
    }

    func testClosesRequestedDuringACloseWaitTheirTurn() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 3) { ids = $0.submitAll([1, 2, 3]) }
        XCTAssertTrue(s.queueClose(ids[0], afterError: false), "nothing is closing: the caller runs the closes")
        XCTAssertEqual(s.nextClose()?.job, ids[0])
        // ids[0]'s __close handler cancels the other two.
        XCTAssertFalse(s.queueClose(ids[1], afterError: false), "a close is under way: queued")
        XCTAssertFalse(s.queueClose(ids[2], afterError: false))
        s.closeDone(ids[0])
        XCTAssertEqual(s.nextClose()?.job, ids[1])
        s.closeDone(ids[1])
        XCTAssertEqual(s.nextClose()?.job, ids[2])
        s.closeDone(ids[2])
        XCTAssertNil(s.nextClose())
        XCTAssertTrue(s.queueClose(ids[1], afterError: false), "all done: the next caller runs the closes again")
    }
}
