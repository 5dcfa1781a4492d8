import PrioCore
import XCTest

final class SchedulerAwaitTests: XCTestCase {
    /// Jobs with `priorities`, under enough slots for all, the first one running.
    private static func firstRunning(_ priorities: [Double], ids: inout [JobID]) -> Scheduler {
        var submitted: [JobID] = []
        var s = Scheduler.afterMain(concurrency: priorities.count) { submitted = $0.submitAll(priorities) }
        precondition(s.nextStep(now: 0) == .start(submitted[0]))
        ids = submitted
        return s
    }

    func testAwaitOnAFinishedTargetIsSatisfied() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        s.finished(ids[0], .done, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        XCTAssertEqual(s.await(ids[1], on: [ids[0]], mode: .all), .satisfied)
        XCTAssertEqual(s.await(ids[1], on: [ids[0]], mode: .any), .satisfied)
        XCTAssertEqual(s.await(ids[1], on: [], mode: .all), .satisfied)
        XCTAssertEqual(s[ids[1]].state, .running)
        XCTAssertTrue(s[ids[1]].holdsSlot)
    }

    func testAwaitAnyWithOneFinishedTargetIsSatisfied() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 2, 3], ids: &ids)
        s.finished(ids[0], .done, now: 0)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        XCTAssertEqual(s.await(ids[1], on: [ids[2], ids[0]], mode: .any), .satisfied)
    }

    func testAwaitOnItselfIsRefused() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1], ids[0]], mode: .all), .selfAwait)
        XCTAssertEqual(s[ids[0]].state, .running)
        XCTAssertFalse(s.isAwaited(ids[1]))
    }

    func testAwaitCycleIsRefusedInTheJobThatClosesIt() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        XCTAssertEqual(s.await(ids[1], on: [ids[0]], mode: .all), .cycle)
        XCTAssertEqual(s[ids[1]].state, .running)
        XCTAssertFalse(s.isAwaited(ids[0]))
        s.checkInvariants()
    }

    func testAwaitCycleThroughSeveralJobsIsRefused() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 2, 3], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        XCTAssertEqual(s.await(ids[1], on: [ids[2]], mode: .any), .suspended)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[2]))
        XCTAssertEqual(s.await(ids[2], on: [ids[0]], mode: .any), .cycle)
    }

    func testAwaitAnyWakesOnTheFirstTargetToFinish() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 2, 3], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1], ids[2]], mode: .any), .suspended)
        XCTAssertEqual(s.awaitTargets(of: ids[0]), [ids[1], ids[2]])
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        s.sleeping(ids[1], until: 50)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[2]))
        XCTAssertTrue(s.finished(ids[2], .failed, now: 1))
        XCTAssertFalse(s.isAwaited(ids[1]), "an await that ended no longer waits on the others")
        XCTAssertEqual(s.awaitTargets(of: ids[0]), [])
        XCTAssertEqual(s.nextStep(now: 1), .resume(ids[0]))
        XCTAssertEqual(s[ids[0]].wakeReason, .awaitSatisfied)
        s.checkInvariants()
    }

    func testAwaitAllWaitsForEveryTarget() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 2, 3], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1], ids[2]], mode: .all), .suspended)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        XCTAssertTrue(s.finished(ids[1], .done, now: 0))
        XCTAssertEqual(s[ids[0]].state, .awaiting)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[2]))
        XCTAssertTrue(s.finished(ids[2], .done, now: 0))
        XCTAssertEqual(s.nextStep(now: 0), .resume(ids[0]))
        XCTAssertEqual(s[ids[0]].wakeReason, .awaitSatisfied)
    }

    func testCancelledTargetEndsTheAwait() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        XCTAssertEqual(s.cancel(ids[1], now: 0), .ready)
        XCTAssertEqual(s.nextStep(now: 0), .resume(ids[0]))
        XCTAssertEqual(s[ids[0]].wakeReason, .awaitSatisfied)
    }

    func testAwaitTimeoutWakesTheAwaiter() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all, until: 10), .suspended)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        s.sleeping(ids[1], until: 100)
        XCTAssertEqual(s.nextStep(now: 0), .waitUntil(10))
        XCTAssertEqual(s.nextStep(now: 10), .resume(ids[0]))
        XCTAssertEqual(s[ids[0]].wakeReason, .awaitTimedOut)
        XCTAssertFalse(s.isAwaited(ids[1]))
        s.checkInvariants()
    }

    func testAwaitTimeoutIsIgnoredOnceTheTargetFinished() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all, until: 10), .suspended)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        s.finished(ids[1], .done, now: 1)
        XCTAssertEqual(s.nextStep(now: 1), .resume(ids[0]))
        s.sleeping(ids[0], until: 20)
        XCTAssertEqual(s.nextStep(now: 10), .waitUntil(20))
        XCTAssertEqual(s[ids[0]].state, .sleeping)
        XCTAssertEqual(s[ids[0]].wakeReason, .awaitSatisfied)
    }

    func testMainChunkCanAwaitAJob() {
        var s = Scheduler(concurrency: 1)
        XCTAssertEqual(s.nextStep(now: 0), .start(.main))
        let job = s.submit(priority: 3, now: 0)
        XCTAssertEqual(s.await(.main, on: [job], mode: .all), .suspended)
        XCTAssertEqual(s.nextStep(now: 0), .start(job))
        XCTAssertEqual(s[job].effectivePriority, 3, "the main chunk lends no priority")
        XCTAssertTrue(s.finished(job, .done, now: 0))
        XCTAssertEqual(s.nextStep(now: 0), .resume(.main))
        XCTAssertEqual(s[.main].wakeReason, .awaitSatisfied)
    }

    func testFinishedReportsWhetherTheJobWasAwaited() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 2, 3], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        XCTAssertTrue(s.isAwaited(ids[1]))
        XCTAssertFalse(s.isAwaited(ids[2]))
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        XCTAssertTrue(s.finished(ids[1], .failed, now: 0))
        XCTAssertFalse(s.isAwaited(ids[1]))
        XCTAssertEqual(s.nextStep(now: 0), .resume(ids[0]))
        XCTAssertFalse(s.finished(ids[0], .done, now: 0))
        XCTAssertFalse(s.finished(ids[0], .done, now: 0), "finishing twice changes nothing")
    }

    // MARK: Priority inheritance

    func testAwaitedJobInheritsTheWaitersPriorityUntilTheAwaitEnds() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 9], ids: &ids)
        let (a, b) = (ids[0], ids[1])
        XCTAssertEqual(s.await(a, on: [b], mode: .all, until: 10), .suspended)
        XCTAssertEqual(s[b].effectivePriority, 1)
        XCTAssertEqual(s[b].basePriority, 9)
        XCTAssertEqual(s.nextStep(now: 0), .start(b))
        s.sleeping(b, until: 100)
        XCTAssertEqual(s.nextStep(now: 10), .resume(a))
        XCTAssertEqual(s[b].effectivePriority, 9)
        s.checkInvariants()
    }

    func testInheritanceMovesTheTargetAheadInItsQueue() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 5, 9]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        XCTAssertEqual(s.await(ids[0], on: [ids[2]], mode: .all), .suspended)
        s.checkInvariants()
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[2]))
        XCTAssertEqual(s[ids[1]].state, .queued)
    }

    func testInheritanceIsTransitive() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 9, 9], ids: &ids)
        let (a, b, c) = (ids[0], ids[1], ids[2])
        XCTAssertEqual(s.await(a, on: [b], mode: .all), .suspended)
        XCTAssertEqual(s.nextStep(now: 0), .start(b))
        XCTAssertEqual(s.await(b, on: [c], mode: .all), .suspended)
        XCTAssertEqual(s[b].effectivePriority, 1)
        XCTAssertEqual(s[c].effectivePriority, 1)
        // A waiter that gets a better priority passes it down the chain.
        s.setPriority(a, base: -3)
        XCTAssertEqual(s[c].effectivePriority, -3)
        // When A stops waiting, the whole chain returns to its own priorities.
        XCTAssertEqual(s.cancel(a, now: 0), .awaiting)
        XCTAssertEqual(s[b].effectivePriority, 9)
        XCTAssertEqual(s[c].effectivePriority, 9)
        s.checkInvariants()
    }

    func testInheritedPriorityStaysWhenTheTargetsBaseChanges() {
        var ids: [JobID] = []
        var s = Self.firstRunning([1, 9], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        s.setPriority(ids[1], base: 20)
        XCTAssertEqual(s[ids[1]].basePriority, 20)
        XCTAssertEqual(s[ids[1]].effectivePriority, 1)
        s.setPriority(ids[1], base: -2)
        XCTAssertEqual(s[ids[1]].effectivePriority, -2)
    }

    func testTheBestOfSeveralWaitersIsInherited() {
        var ids: [JobID] = []
        var s = Self.firstRunning([2, 4, 9], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[2]], mode: .all), .suspended)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[2]))
        s.sleeping(ids[2], until: 100)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        XCTAssertEqual(s.await(ids[1], on: [ids[2]], mode: .any), .suspended)
        XCTAssertEqual(s[ids[2]].effectivePriority, 2)
        s.setPriority(ids[0], base: 6)
        XCTAssertEqual(s[ids[2]].effectivePriority, 4)
        s.checkInvariants()
    }
}
