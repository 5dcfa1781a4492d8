import PrioCore
import XCTest

final class SchedulerTimersTests: XCTestCase {
    func testSleepingJobWakesAtItsTime() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        s.sleeping(ids[0], until: 2.5)
        XCTAssertEqual(s[ids[0]].state, .sleeping)
        XCTAssertEqual(s.nextTimerDue, 2.5)
        XCTAssertEqual(s.nextStep(now: 0), .waitUntil(2.5))
        XCTAssertEqual(s.nextStep(now: 2.4), .waitUntil(2.5))
        XCTAssertEqual(s.nextStep(now: 2.5), .resume(ids[0]))
        XCTAssertEqual(s[ids[0]].state, .running)
    }

    func testSleepersWokenTogetherRunInOrderOfTheirTimes() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 3) { ids = $0.submitAll([1, 1, 1]) }
        for (job, until) in zip(ids, [3.0, 1.0, 2.0]) {
            XCTAssertEqual(s.nextStep(now: 0), .start(job))
            s.sleeping(job, until: until)
        }
        XCTAssertEqual(s.nextStep(now: 0), .waitUntil(1))
        for job in [ids[1], ids[2], ids[0]] {
            XCTAssertEqual(s.nextStep(now: 3), .resume(job))
            s.finished(job, .done, now: 3)
        }
        XCTAssertEqual(s.nextStep(now: 3), .finished)
    }

    func testDelayedJobStaysPendingUntilDue() {
        var delayed = JobID.main
        var s = Scheduler.afterMain(concurrency: 2) { delayed = $0.submit(priority: -1, delay: 5, now: 0) }
        XCTAssertEqual(s[delayed].state, .delayed)
        XCTAssertEqual(s[delayed].state.status, .pending)
        let other = s.submit(priority: 1, now: 1)
        XCTAssertEqual(s.nextStep(now: 1), .start(other))
        s.finished(other, .done, now: 1)
        XCTAssertEqual(s.nextStep(now: 1), .waitUntil(5))
        XCTAssertEqual(s.nextStep(now: 5), .start(delayed))
        XCTAssertEqual(s[delayed].submittedAt, 0)
        XCTAssertEqual(s[delayed].startedAt, 5)
    }

    func testJobTimeoutStopsASuspendedJob() {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, timeout: 5, now: 1)
        XCTAssertEqual(s.nextStep(now: 2), .start(job))
        s.sleeping(job, until: 100)
        XCTAssertEqual(s.nextStep(now: 2), .waitUntil(7))
        XCTAssertEqual(s.nextStep(now: 7), .timedOut(job))
        // The runtime fails the job; its slot frees.
        s.finished(job, .failed, now: 7)
        XCTAssertEqual(s.slotsHeld, 0)
        XCTAssertEqual(s.nextStep(now: 7), .finished)
        s.checkInvariants()
    }

    func testJobTimeoutIsForgottenWhenTheJobFinishesInTime() {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, timeout: 5, now: 0)
        let other = s.submit(priority: 2, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(job))
        s.finished(job, .done, now: 1)
        XCTAssertEqual(s.nextStep(now: 1), .start(other))
        s.sleeping(other, until: 10)
        XCTAssertEqual(s.nextStep(now: 6), .waitUntil(10), "the stale timeout is skipped")
    }

    func testRetryRequeuesAfterItsDelayAsANewAttempt() {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(job))
        XCTAssertEqual(s[job].attempt, 1)
        s.retry(job, after: 2, now: 1)
        XCTAssertEqual(s[job].state, .delayed)
        XCTAssertEqual(s[job].state.status, .pending)
        XCTAssertFalse(s[job].holdsSlot)
        XCTAssertEqual(s.slotsHeld, 0)
        XCTAssertEqual(s.nextStep(now: 1), .waitUntil(3))
        XCTAssertEqual(s.nextStep(now: 3), .start(job))
        XCTAssertEqual(s[job].attempt, 2)
        XCTAssertEqual(s[job].startedAt, 0, "started_at is the first start")
        s.checkInvariants()
    }

    func testRetryWithoutDelayGoesBehindEqualPendingJobs() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 1]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        s.retry(ids[0], after: 0, now: 0)
        XCTAssertEqual(s[ids[0]].state, .queued)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        s.finished(ids[1], .done, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        XCTAssertEqual(s[ids[0]].attempt, 2)
    }

    func testTimeoutOfAnEarlierAttemptDoesNotStopTheRetry() {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, timeout: 5, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(job))
        s.retry(job, after: 1, now: 0)
        XCTAssertEqual(s.nextStep(now: 1), .start(job))
        s.sleeping(job, until: 100)
        XCTAssertEqual(s.nextStep(now: 5), .waitUntil(6))
        XCTAssertEqual(s.nextStep(now: 6), .timedOut(job))
    }

    func testTimeoutsDueTogetherAreReportedInDueOrder() {
        var s = Scheduler.afterMain(concurrency: 2)
        let first = s.submit(priority: 1, timeout: 5, now: 0)
        let second = s.submit(priority: 1, timeout: 5, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(first))
        s.sleeping(first, until: 100)
        XCTAssertEqual(s.nextStep(now: 1), .start(second))
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
    func testTimeoutIsNotReportedForAJobCancelledMeanwhile() {
        var s = Scheduler.afterMain(concurrency: 2)
        let jobs = [s.submit(priority: 1, timeout: 5, now: 0), s.submit(priority: 1, timeout: 5, now: 0)]
        for job in jobs {
            XCTAssertEqual(s.nextStep(now: 0), .start(job))
            s.sleeping(job, until: 100)
        }
        guard case .timedOut(let reported) = s.nextStep(now: 5) else { return XCTFail("no timeout reported") }
        s.finished(reported, .failed, now: 5)
        let other = jobs.first { $0 != reported }!
        XCTAssertEqual(s.cancel(other, now: 5), .sleeping)
        XCTAssertEqual(s.nextStep(now: 5), .finished, "a cancelled job has no timeout left to report")
    }

    func testDeadlinePassedIsReportedOnceForAnUnfinishedJob() {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, deadline: 5, now: 0)
        XCTAssertEqual(s.deadline(of: job), 5)
        XCTAssertEqual(s.nextStep(now: 0), .start(job))
        s.sleeping(job, until: 100)
        XCTAssertEqual(s.nextStep(now: 0), .waitUntil(5))
        XCTAssertEqual(s.nextStep(now: 5), .deadlinePassed(job))
        XCTAssertEqual(s.nextStep(now: 5), .waitUntil(100))
    }

    func testDeadlineOfAFinishedJobIsNotReported() {
        var s = Scheduler.afterMain(concurrency: 2)
        let job = s.submit(priority: 1, deadline: 5, now: 0)
        let other = s.submit(priority: 2, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(job))
        s.finished(job, .done, now: 1)
        XCTAssertEqual(s.nextStep(now: 1), .start(other))
        s.sleeping(other, until: 10)
        XCTAssertEqual(s.nextStep(now: 6), .waitUntil(10))
    }

    func testRuleAndIntervalEventsComeAheadOfJobs() {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: -100, delay: 2, now: 0)
        s.scheduleRule(3, at: 2)
        s.scheduleInterval(at: 2)
        XCTAssertEqual(s.nextStep(now: 0), .waitUntil(2))
        XCTAssertEqual(s.nextStep(now: 2), .ruleDue(3))
        XCTAssertEqual(s.nextStep(now: 2), .intervalDue)
        XCTAssertEqual(s.nextStep(now: 2), .start(job))
    }

    func testRulesAloneDoNotKeepTheRunAlive() {
        var s = Scheduler.afterMain(concurrency: 1)
        s.scheduleRule(0, at: 5)
        s.scheduleInterval(at: 5)
        XCTAssertEqual(s.nextStep(now: 0), .finished)
    }

    func testCancelOfASleepingJobFreesItsSlot() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        s.sleeping(ids[0], until: 10)
        XCTAssertEqual(s.cancel(ids[0], now: 1), .sleeping)
        XCTAssertEqual(s[ids[0]].state, .cancelled)
        XCTAssertEqual(s[ids[0]].finishedAt, 1)
        XCTAssertFalse(s[ids[0]].holdsSlot)
        XCTAssertEqual(s.slotsHeld, 0)
        s.checkInvariants()
        XCTAssertEqual(s.nextStep(now: 1), .start(ids[1]))
        s.finished(ids[1], .done, now: 1)
        XCTAssertEqual(s.nextStep(now: 10), .finished, "the cancelled sleep does not wake")
    }

    func testCancelOfAQueuedJobMeansItNeverStarts() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        XCTAssertEqual(s.cancel(ids[0], now: 0), .queued)
        XCTAssertEqual(s.unfinishedCount, 1)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
    }

    func testCancelOfADelayedJobMeansItNeverStarts() {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, delay: 3, now: 0)
        XCTAssertEqual(s.cancel(job, now: 1), .delayed)
        XCTAssertEqual(s.unfinishedCount, 0)
        XCTAssertEqual(s.nextStep(now: 3), .finished)
        XCTAssertEqual(s[job].state, .cancelled)
        XCTAssertFalse(s[job].startedAt.isFinite)
    }

    func testCancelOfAFinishedJobReturnsNil() {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(job))
        s.finished(job, .done, now: 0)
        XCTAssertNil(s.cancel(job, now: 0))
        XCTAssertEqual(s[job].state, .done)
        XCTAssertNil(s.cancel(JobID(99), now: 0), "an unknown job")
    }

    func testCancelOfABlockedJobFreesItsSlot() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        s.blocked(ids[0])
        XCTAssertEqual(s.cancel(ids[0], now: 0), .blocked)
        XCTAssertEqual(s.blockedCount, 0)
        s.unblocked(ids[0])  // the outside work completing late changes nothing
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        s.checkInvariants()
    }

    func testFinishedOnceMainAndEveryJobAreDone() {
        var s = Scheduler(concurrency: 2)
        XCTAssertEqual(s.nextStep(now: 0), .start(.main))
        let job = s.submit(priority: 1, now: 0)
        s.finished(.main, .done, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(job))
        s.finished(job, .done, now: 0)
        XCTAssertEqual(s.unfinishedCount, 0)
        XCTAssertEqual(s.nextStep(now: 0), .finished)
    }

    func testNotFinishedWhileMainChunkWaits() {
        var s = Scheduler(concurrency: 1)
        XCTAssertEqual(s.nextStep(now: 0), .start(.main))
        s.sleeping(.main, until: 4)
        XCTAssertEqual(s.nextStep(now: 0), .waitUntil(4))
        XCTAssertEqual(s.nextStep(now: 4), .resume(.main))
        s.finished(.main, .done, now: 4)
        XCTAssertEqual(s.nextStep(now: 4), .finished)
    }

    func testIdleWhileAJobIsBlocked() {
        var s = Scheduler.afterMain(concurrency: 1)
        let job = s.submit(priority: 1, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(job))
        s.blocked(job)
        XCTAssertEqual(s.blockedCount, 1)
        XCTAssertEqual(s.nextStep(now: 0), .idle)
        s.unblocked(job)
        XCTAssertEqual(s.blockedCount, 0)
        XCTAssertEqual(s.nextStep(now: 1), .resume(job))
    }
}
