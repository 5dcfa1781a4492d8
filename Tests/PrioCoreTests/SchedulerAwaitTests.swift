import PrioCore
import XCTest

final class SchedulerAwaitTests: XCTestCase {
    /// Jobs with `priorities`, under enough slots for all, the first one running.
    private static func firstRunning(_ priorities: [Double], ids: inout [JobID]) throws -> Scheduler {
        var submitted: [JobID] = []
        var s = Scheduler.afterMain(concurrency: priorities.count) { submitted = $0.submitAll(priorities) }
        try s.expectStep(.start(submitted[0]), now: 0)
        ids = submitted
        return s
    }

    func testAwaitOnAFinishedTargetIsSatisfied() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        try s.expectStep(.start(ids[0]), now: 0)
        s.finished(ids[0], .done, now: 0)
        try s.expectStep(.start(ids[1]), now: 0)
        XCTAssertEqual(s.await(ids[1], on: [ids[0]], mode: .all), .satisfied)
        XCTAssertEqual(s.await(ids[1], on: [ids[0]], mode: .any), .satisfied)
        XCTAssertEqual(s.await(ids[1], on: [], mode: .all), .satisfied)
        XCTAssertEqual(s[ids[1]].state, .running)
        XCTAssertTrue(s[ids[1]].holdsSlot)
    }

    func testAwaitAnyWithOneFinishedTargetIsSatisfied() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2, 3], ids: &ids)
        s.finished(ids[0], .done, now: 0)
        try s.expectStep(.start(ids[1]), now: 0)
        XCTAssertEqual(s.await(ids[1], on: [ids[2], ids[0]], mode: .any), .satisfied)
    }

    func testAwaitOnItselfIsRefused() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1], ids[0]], mode: .all), .selfAwait)
        XCTAssertEqual(s[ids[0]].state, .running)
        XCTAssertFalse(s.isAwaited(ids[1]))
    }

    func testAwaitCycleIsRefusedInTheJobThatClosesIt() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        try s.expectStep(.start(ids[1]), now: 0)
        XCTAssertEqual(s.await(ids[1], on: [ids[0]], mode: .all), .cycle)
        XCTAssertEqual(s[ids[1]].state, .running)
        XCTAssertFalse(s.isAwaited(ids[0]))
        s.assertInvariants()
    }

    func testAwaitCycleThroughSeveralJobsIsRefused() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2, 3], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        try s.expectStep(.start(ids[1]), now: 0)
        XCTAssertEqual(s.await(ids[1], on: [ids[2]], mode: .any), .suspended)
        try s.expectStep(.start(ids[2]), now: 0)
        XCTAssertEqual(s.await(ids[2], on: [ids[0]], mode: .any), .cycle)
    }

    func testAwaitAnyWakesOnTheFirstTargetToFinish() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2, 3], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1], ids[2]], mode: .any), .suspended)
        XCTAssertEqual(s.awaitTargets(of: ids[0]), [ids[1], ids[2]])
        try s.expectStep(.start(ids[1]), now: 0)
        s.sleeping(ids[1], until: 50)
        try s.expectStep(.start(ids[2]), now: 0)
        XCTAssertTrue(s.finished(ids[2], .failed, now: 1))
        XCTAssertFalse(s.isAwaited(ids[1]), "an await that ended no longer waits on the others")
        XCTAssertEqual(s.awaitTargets(of: ids[0]), [])
        try s.expectStep(.resume(ids[0]), now: 1)
        XCTAssertEqual(s[ids[0]].wakeReason, .awaitSatisfied)
        s.assertInvariants()
    }

    func testAwaitAllWaitsForEveryTarget() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2, 3], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1], ids[2]], mode: .all), .suspended)
        try s.expectStep(.start(ids[1]), now: 0)
        XCTAssertTrue(s.finished(ids[1], .done, now: 0))
        XCTAssertEqual(s[ids[0]].state, .awaiting)
        try s.expectStep(.start(ids[2]), now: 0)
        XCTAssertTrue(s.finished(ids[2], .done, now: 0))
        try s.expectStep(.resume(ids[0]), now: 0)
        XCTAssertEqual(s[ids[0]].wakeReason, .awaitSatisfied)
    }

    func testCancelledTargetEndsTheAwait() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        XCTAssertEqual(s.cancel(ids[1], now: 0), .ready)
        try s.expectStep(.resume(ids[0]), now: 0)
        XCTAssertEqual(s[ids[0]].wakeReason, .awaitSatisfied)
    }

    func testAwaitTimeoutWakesTheAwaiter() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all, until: 10), .suspended)
        try s.expectStep(.start(ids[1]), now: 0)
        s.sleeping(ids[1], until: 100)
        try s.expectStep(.waitUntil(10), now: 0)
        try s.expectStep(.resume(ids[0]), now: 10)
        XCTAssertEqual(s[ids[0]].wakeReason, .awaitTimedOut)
        XCTAssertFalse(s.isAwaited(ids[1]))
        s.assertInvariants()
    }

    /// An observer learns that an await ended when it ends: by its targets
    /// finishing, by its timeout, or by the waiter's cancel; each time with
    /// the targets that stop inheriting. Nothing is logged without one.
    func testAwaitEndsAreLoggedForObserversWhenTheyHappen() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2, 3], ids: &ids)
        s.recordsPreemptions = true
        let (a, b, c) = (ids[0], ids[1], ids[2])
        XCTAssertEqual(s.await(a, on: [b], mode: .all, until: 10), .suspended)
        try s.expectStep(.start(b), now: 0)
        XCTAssertEqual(s.await(b, on: [c], mode: .all), .suspended)
        XCTAssertTrue(s.takeAwaitEnds().isEmpty, "nothing ended yet")
        try s.expectStep(.start(c), now: 0)
        s.sleeping(c, until: 100)
        try s.expectStep(.waitUntil(10), now: 0)
        try s.expectStep(.resume(a), now: 10)
        var ends = s.takeAwaitEnds()
        XCTAssertEqual(ends.map(\.waiter), [a], "the timeout")
        XCTAssertEqual(ends.first?.targets, [b])
        XCTAssertEqual(s.cancel(b, now: 11), .awaiting)
        ends = s.takeAwaitEnds()
        XCTAssertEqual(ends.map(\.waiter), [b], "the waiter's cancel")
        XCTAssertEqual(ends.first?.targets, [c])
        XCTAssertEqual(s[c].effectivePriority, 3, "no longer inherited")
        XCTAssertTrue(s.takeAwaitEnds().isEmpty, "each end is taken once")
        s.assertInvariants()
    }

    func testNoAwaitEndIsLoggedWithoutAnObserver() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        try s.expectStep(.start(ids[1]), now: 0)
        s.finished(ids[1], .done, now: 1)
        XCTAssertTrue(s.takeAwaitEnds().isEmpty)
    }

    func testAwaitTimeoutIsIgnoredOnceTheTargetFinished() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all, until: 10), .suspended)
        try s.expectStep(.start(ids[1]), now: 0)
        s.finished(ids[1], .done, now: 1)
        try s.expectStep(.resume(ids[0]), now: 1)
        s.sleeping(ids[0], until: 20)
        try s.expectStep(.waitUntil(20), now: 10)
        XCTAssertEqual(s[ids[0]].state, .sleeping)
        XCTAssertEqual(s[ids[0]].wakeReason, .awaitSatisfied)
    }

    func testMainChunkCanAwaitAJob() throws {
        var s = Scheduler(concurrency: 1)
        try s.expectStep(.start(.main), now: 0)
        let job = s.submit(priority: 3, now: 0)
        XCTAssertEqual(s.await(.main, on: [job], mode: .all), .suspended)
        try s.expectStep(.start(job), now: 0)
        XCTAssertEqual(s[job].effectivePriority, 3, "the main chunk lends no priority")
        XCTAssertTrue(s.finished(job, .done, now: 0))
        try s.expectStep(.resume(.main), now: 0)
        XCTAssertEqual(s[.main].wakeReason, .awaitSatisfied)
    }

    func testFinishedReportsWhetherTheJobWasAwaited() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 2, 3], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        XCTAssertTrue(s.isAwaited(ids[1]))
        XCTAssertFalse(s.isAwaited(ids[2]))
        try s.expectStep(.start(ids[1]), now: 0)
        XCTAssertTrue(s.finished(ids[1], .failed, now: 0))
        XCTAssertFalse(s.isAwaited(ids[1]))
        try s.expectStep(.resume(ids[0]), now: 0)
        XCTAssertFalse(s.finished(ids[0], .done, now: 0))
        XCTAssertFalse(s.finished(ids[0], .done, now: 0), "finishing twice changes nothing")
    }

    // MARK: Priority inheritance

    func testAwaitedJobInheritsTheWaitersPriorityUntilTheAwaitEnds() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 9], ids: &ids)
        let (a, b) = (ids[0], ids[1])
        XCTAssertEqual(s.await(a, on: [b], mode: .all, until: 10), .suspended)
        XCTAssertEqual(s[b].effectivePriority, 1)
        XCTAssertEqual(s[b].basePriority, 9)
        try s.expectStep(.start(b), now: 0)
        s.sleeping(b, until: 100)
        try s.expectStep(.resume(a), now: 10)
        XCTAssertEqual(s[b].effectivePriority, 9)
        s.assertInvariants()
    }

    func testInheritanceMovesTheTargetAheadInItsQueue() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 5, 9]) }
        try s.expectStep(.start(ids[0]), now: 0)
        XCTAssertEqual(s.await(ids[0], on: [ids[2]], mode: .all), .suspended)
        s.assertInvariants()
        try s.expectStep(.start(ids[2]), now: 0)
        XCTAssertEqual(s[ids[1]].state, .queued)
    }

    func testInheritanceIsTransitive() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 9, 9], ids: &ids)
        let (a, b, c) = (ids[0], ids[1], ids[2])
        XCTAssertEqual(s.await(a, on: [b], mode: .all), .suspended)
        try s.expectStep(.start(b), now: 0)
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
        s.assertInvariants()
    }

    /// A chain built from its far end: B already awaits C when A awaits B.
    /// A's priority goes down the whole existing chain to C, so C runs ahead
    /// of a ready job that is better than B and C but worse than A.
    func testANewWaiterLendsItsPriorityDownAnExistingChain() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1, 9, 9]) }
        let (a, b, c) = (ids[0], ids[1], ids[2])
        try s.expectStep(.start(a), now: 0)
        try s.expectStep(.start(b), now: 0)
        XCTAssertEqual(s.await(b, on: [c], mode: .all), .suspended)
        try s.expectStep(.start(c), now: 0)
        s.yielded(c)
        let other = s.submit(priority: 5, now: 0)
        XCTAssertEqual(s.await(a, on: [b], mode: .all), .suspended)
        XCTAssertEqual(s[b].effectivePriority, 1)
        XCTAssertEqual(s[c].effectivePriority, 1, "inherited from A through B")
        try s.expectStep(.resume(c), now: 0)
        XCTAssertEqual(s[other].state, .ready, "it has the slot A gave up, and waits behind C")
        s.assertInvariants()
    }

    func testInheritedPriorityStaysWhenTheTargetsBaseChanges() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([1, 9], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        s.setPriority(ids[1], base: 20)
        XCTAssertEqual(s[ids[1]].basePriority, 20)
        XCTAssertEqual(s[ids[1]].effectivePriority, 1)
        s.setPriority(ids[1], base: -2)
        XCTAssertEqual(s[ids[1]].effectivePriority, -2)
    }

    func testTheBestOfSeveralWaitersIsInherited() throws {
        var ids: [JobID] = []
        var s = try Self.firstRunning([2, 4, 9], ids: &ids)
        XCTAssertEqual(s.await(ids[0], on: [ids[2]], mode: .all), .suspended)
        try s.expectStep(.start(ids[2]), now: 0)
        s.sleeping(ids[2], until: 100)
        try s.expectStep(.start(ids[1]), now: 0)
        XCTAssertEqual(s.await(ids[1], on: [ids[2]], mode: .any), .suspended)
        XCTAssertEqual(s[ids[2]].effectivePriority, 2)
        s.setPriority(ids[0], base: 6)
        XCTAssertEqual(s[ids[2]].effectivePriority, 4)
        s.assertInvariants()
    }
}
