import PrioCore
import XCTest

final class SchedulerTimersTests: XCTestCase {
    func testSleepingJobWakesAtItsTime() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1]) }
        try s.expectStep(.start(ids[0]), now: 0)
        s.sleeping(ids[0], until: 2.5)
        XCTAssertEqual(s[ids[0]].state, .sleeping)
        XCTAssertEqual(s.nextTimerDue, 2.5)
        try s.expectStep(.waitUntil(2.5), now: 0)
        try s.expectStep(.waitUntil(2.5), now: 2.4)
        try s.expectStep(.resume(ids[0]), now: 2.5)
        XCTAssertEqual(s[ids[0]].state, .running)
    }

    func testSleepersWokenTogetherRunInOrderOfTheirTimes() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 3) { ids = $0.submitAll([1, 1, 1]) }
        for (job, until) in zip(ids, [3.0, 1.0, 2.0]) {
            try s.expectStep(.start(job), now: 0)
            s.sleeping(job, until: until)
        }
        try s.expectStep(.waitUntil(1), now: 0)
        for job in [ids[1], ids[2], ids[0]] {
            try s.expectStep(.resume(job), now: 3)
            s.finished(job, .done, now: 3)
        }
        try s.expectStep(.finished, now: 3)
    }

    func testDelayedJobStaysPendingUntilDue() throws {
        var delayed = JobID.main
        var s = Scheduler.afterMain(concurrency: 2) { delayed = $0.submit(priority: -1, delay: 5, now: 0) }
        XCTAssertEqual(s[delayed].state, .delayed)
        XCTAssertEqual(s[delayed].state.status, .pending)
        let other = s.submit(priority: 1, now: 1)
        try s.expectStep(.start(other), now: 1)
        s.finished(other, .done, now: 1)
        try s.expectStep(.waitUntil(5), now: 1)
        try s.expectStep(.start(delayed), now: 5)
        XCTAssertEqual(s[delayed].submittedAt, 0)
        XCTAssertEqual(s[delayed].startedAt, 5)
    }

    func testJobTimeoutStopsASuspendedJob() throws {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, timeout: 5, now: 1)
        try s.expectStep(.start(job), now: 2)
        s.sleeping(job, until: 100)
        try s.expectStep(.waitUntil(7), now: 2)
        try s.expectStep(.timedOut(job), now: 7)
        // The runtime fails the job; its slot frees.
        s.finished(job, .failed, now: 7)
        XCTAssertEqual(s.slotsHeld, 0)
        try s.expectStep(.finished, now: 7)
        s.assertInvariants()
    }

    func testJobTimeoutIsForgottenWhenTheJobFinishesInTime() throws {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, timeout: 5, now: 0)
        let other = s.submit(priority: 2, now: 0)
        try s.expectStep(.start(job), now: 0)
        s.finished(job, .done, now: 1)
        try s.expectStep(.start(other), now: 1)
        s.sleeping(other, until: 10)
        try s.expectStep(.waitUntil(10), "the stale timeout is skipped", now: 6)
    }

    func testRetryRequeuesAfterItsDelayAsANewAttempt() throws {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, now: 0)
        try s.expectStep(.start(job), now: 0)
        XCTAssertEqual(s[job].attempt, 1)
        s.retry(job, after: 2, now: 1)
        XCTAssertEqual(s[job].state, .delayed)
        XCTAssertEqual(s[job].state.status, .pending)
        XCTAssertFalse(s[job].holdsSlot)
        XCTAssertEqual(s.slotsHeld, 0)
        try s.expectStep(.waitUntil(3), now: 1)
        try s.expectStep(.start(job), now: 3)
        XCTAssertEqual(s[job].attempt, 2)
        XCTAssertEqual(s[job].startedAt, 0, "started_at is the first start")
        s.assertInvariants()
    }

    func testRetryWithoutDelayGoesBehindEqualPendingJobs() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 1]) }
        try s.expectStep(.start(ids[0]), now: 0)
        s.retry(ids[0], after: 0, now: 0)
        XCTAssertEqual(s[ids[0]].state, .queued)
        try s.expectStep(.start(ids[1]), now: 0)
        s.finished(ids[1], .done, now: 0)
        try s.expectStep(.start(ids[0]), now: 0)
        XCTAssertEqual(s[ids[0]].attempt, 2)
    }

    func testTimeoutOfAnEarlierAttemptDoesNotStopTheRetry() throws {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, timeout: 5, now: 0)
        try s.expectStep(.start(job), now: 0)
        s.retry(job, after: 1, now: 0)
        try s.expectStep(.start(job), now: 1)
        s.sleeping(job, until: 100)
        try s.expectStep(.waitUntil(6), now: 5)
        try s.expectStep(.timedOut(job), now: 6)
    }

    func testTimeoutsDueTogetherAreReportedInDueOrder() throws {
        var s = Scheduler.afterMain(concurrency: 2)
        let first = s.submit(priority: 1, timeout: 5, now: 0)
        let second = s.submit(priority: 1, timeout: 5, now: 0)
        try s.expectStep(.start(first), now: 0)
        s.sleeping(first, until: 100)
        try s.expectStep(.start(second), now: 1)
        s.sleeping(second, until: 100)
        // first is due at 5, second at 6; the runtime only looks again at 7.
        var reported: [Scheduler.Step] = []
        for _ in 0..<2 {
            let step = s.nextStep(now: 7)
            reported.append(step)
            if case .timedOut(let job) = step { s.finished(job, .failed, now: 7) }
        }
        XCTAssertEqual(reported, [.timedOut(first), .timedOut(second)])
    }

    /// Timeouts collected in one `nextStep` are reported one per step; one
    /// whose job was cancelled in between (for example by the hook that ran
    /// for the first timed-out job) is dropped.
    func testTimeoutIsNotReportedForAJobCancelledMeanwhile() throws {
        var s = Scheduler.afterMain(concurrency: 2)
        let jobs = [s.submit(priority: 1, timeout: 5, now: 0), s.submit(priority: 1, timeout: 5, now: 0)]
        for job in jobs {
            try s.expectStep(.start(job), now: 0)
            s.sleeping(job, until: 100)
        }
        guard case .timedOut(let reported) = s.nextStep(now: 5) else { return XCTFail("no timeout reported") }
        s.finished(reported, .failed, now: 5)
        let other = jobs.first { $0 != reported }!
        XCTAssertEqual(s.cancel(other, now: 5), .sleeping)
        try s.expectStep(.finished, "a cancelled job has no timeout left to report", now: 5)
    }

    func testDeadlinePassedIsReportedOnceForAnUnfinishedJob() throws {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, deadline: 5, now: 0)
        XCTAssertEqual(s.deadline(of: job), 5)
        try s.expectStep(.start(job), now: 0)
        s.sleeping(job, until: 100)
        try s.expectStep(.waitUntil(5), now: 0)
        try s.expectStep(.deadlinePassed(job), now: 5)
        try s.expectStep(.waitUntil(100), now: 5)
    }

    func testDeadlineOfAFinishedJobIsNotReported() throws {
        var s = Scheduler.afterMain(concurrency: 2)
        let job = s.submit(priority: 1, deadline: 5, now: 0)
        let other = s.submit(priority: 2, now: 0)
        try s.expectStep(.start(job), now: 0)
        s.finished(job, .done, now: 1)
        try s.expectStep(.start(other), now: 1)
        s.sleeping(other, until: 10)
        try s.expectStep(.waitUntil(10), now: 6)
    }

    func testRuleAndIntervalEventsComeAheadOfJobs() throws {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: -100, delay: 2, now: 0)
        s.scheduleRule(3, at: 2)
        s.scheduleInterval(at: 2)
        try s.expectStep(.waitUntil(2), now: 0)
        try s.expectStep(.ruleDue(3), now: 2)
        try s.expectStep(.intervalDue, now: 2)
        try s.expectStep(.start(job), now: 2)
    }

    func testRulesAloneDoNotKeepTheRunAlive() throws {
        var s = Scheduler.afterMain(concurrency: 1)
        s.scheduleRule(0, at: 5)
        s.scheduleInterval(at: 5)
        try s.expectStep(.finished, now: 0)
    }

    func testCancelOfASleepingJobFreesItsSlot() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        try s.expectStep(.start(ids[0]), now: 0)
        s.sleeping(ids[0], until: 10)
        XCTAssertEqual(s.cancel(ids[0], now: 1), .sleeping)
        XCTAssertEqual(s[ids[0]].state, .cancelled)
        XCTAssertEqual(s[ids[0]].finishedAt, 1)
        XCTAssertFalse(s[ids[0]].holdsSlot)
        XCTAssertEqual(s.slotsHeld, 0)
        s.assertInvariants()
        try s.expectStep(.start(ids[1]), now: 1)
        s.finished(ids[1], .done, now: 1)
        try s.expectStep(.finished, "the cancelled sleep does not wake", now: 10)
    }

    func testCancelOfAQueuedJobMeansItNeverStarts() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        XCTAssertEqual(s.cancel(ids[0], now: 0), .queued)
        XCTAssertEqual(s.unfinishedCount, 1)
        try s.expectStep(.start(ids[1]), now: 0)
    }

    func testCancelOfADelayedJobMeansItNeverStarts() throws {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, delay: 3, now: 0)
        XCTAssertEqual(s.cancel(job, now: 1), .delayed)
        XCTAssertEqual(s.unfinishedCount, 0)
        try s.expectStep(.finished, now: 3)
        XCTAssertEqual(s[job].state, .cancelled)
        XCTAssertFalse(s[job].startedAt.isFinite)
    }

    func testCancelOfAFinishedJobReturnsNil() throws {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, now: 0)
        try s.expectStep(.start(job), now: 0)
        s.finished(job, .done, now: 0)
        XCTAssertNil(s.cancel(job, now: 0))
        XCTAssertEqual(s[job].state, .done)
        XCTAssertNil(s.cancel(JobID(99), now: 0), "an unknown job")
    }

    func testCancelOfABlockedJobFreesItsSlot() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        try s.expectStep(.start(ids[0]), now: 0)
        s.blocked(ids[0])
        XCTAssertEqual(s.cancel(ids[0], now: 0), .blocked)
        XCTAssertEqual(s.blockedCount, 0)
        s.unblocked(ids[0])  // the outside work completing late changes nothing
        try s.expectStep(.start(ids[1]), now: 0)
        s.assertInvariants()
    }

    func testFinishedOnceMainAndEveryJobAreDone() throws {
        var s = Scheduler(concurrency: 2)
        try s.expectStep(.start(.main), now: 0)
        let job = s.submit(priority: 1, now: 0)
        s.finished(.main, .done, now: 0)
        try s.expectStep(.start(job), now: 0)
        s.finished(job, .done, now: 0)
        XCTAssertEqual(s.unfinishedCount, 0)
        try s.expectStep(.finished, now: 0)
    }

    func testNotFinishedWhileMainChunkWaits() throws {
        var s = Scheduler(concurrency: 1)
        try s.expectStep(.start(.main), now: 0)
        s.sleeping(.main, until: 4)
        try s.expectStep(.waitUntil(4), now: 0)
        try s.expectStep(.resume(.main), now: 4)
        s.finished(.main, .done, now: 4)
        try s.expectStep(.finished, now: 4)
    }

    func testIdleWhileAJobIsBlocked() throws {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, now: 0)
        try s.expectStep(.start(job), now: 0)
        s.blocked(job)
        XCTAssertEqual(s.blockedCount, 1)
        try s.expectStep(.idle, now: 0)
        s.unblocked(job)
        XCTAssertEqual(s.blockedCount, 0)
        try s.expectStep(.resume(job), now: 1)
    }
}
