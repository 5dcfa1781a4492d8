import PrioCore
import XCTest

final class SchedulerSlotsTests: XCTestCase {
    func testConcurrencyLimitsHowManyJobsHoldSlots() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1, 1, 1, 1]) }
        try s.expectStep(.start(ids[0]), now: 0)
        s.assertInvariants()
        XCTAssertEqual(s.slotsHeld, 2)
        XCTAssertEqual(s.slotHoldingJobs, [ids[0], ids[1]])
        XCTAssertEqual(s[ids[1]].state, .ready)
        XCTAssertEqual(s[ids[1]].state.status, .running)
        XCTAssertEqual(s[ids[2]].state, .queued)
        XCTAssertEqual(s[ids[3]].state.status, .pending)
    }

    func testMainChunkHoldsNoSlot() throws {
        var s = Scheduler(concurrency: 1)
        try s.expectStep(.start(.main), now: 0)
        let job = s.submit(priority: 0, now: 0)
        s.yielded(.main)
        // Main goes on first; no slot changes hands while it can run (it may
        // still submit a better job). Once it waits, the job takes the slot.
        try s.expectStep(.resume(.main), now: 0)
        XCTAssertEqual(s.slotHoldingJobs, [])
        s.sleeping(.main, until: 1)
        try s.expectStep(.start(job), now: 0)
        XCTAssertEqual(s.slotHoldingJobs, [job])
        XCTAssertEqual(s.slotsHeld, 1)
        s.assertInvariants()
    }

    func testFinishingFreesTheSlotForTheNextPendingJob() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        try s.expectStep(.start(ids[0]), now: 0)
        XCTAssertFalse(s.finished(ids[0], .failed, now: 1))
        XCTAssertEqual(s[ids[0]].state, .failed)
        XCTAssertFalse(s[ids[0]].holdsSlot)
        XCTAssertEqual(s.slotsHeld, 0)
        try s.expectStep(.start(ids[1]), now: 1)
        XCTAssertEqual(s.slotHoldingJobs, [ids[1]])
    }

    func testSleepingJobKeepsItsSlot() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 1]) }
        try s.expectStep(.start(ids[0]), now: 0)
        s.sleeping(ids[0], until: 10)
        XCTAssertEqual(s[ids[0]].state.status, .running)
        try s.expectStep(.waitUntil(10), now: 0)
        XCTAssertEqual(s.slotHoldingJobs, [ids[0]])
        XCTAssertEqual(s[ids[1]].state, .queued)
        try s.expectStep(.resume(ids[0]), now: 10)
        s.assertInvariants()
    }

    func testBlockedJobKeepsItsSlot() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 1]) }
        try s.expectStep(.start(ids[0]), now: 0)
        s.blocked(ids[0])
        try s.expectStep(.idle, now: 0)
        XCTAssertEqual(s.slotHoldingJobs, [ids[0]])
        XCTAssertEqual(s[ids[1]].state, .queued)
    }

    func testAwaitReleasesTheSlot() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2]) }
        try s.expectStep(.start(ids[0]), now: 0)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        XCTAssertEqual(s[ids[0]].state, .awaiting)
        XCTAssertEqual(s[ids[0]].state.status, .waiting)
        XCTAssertFalse(s[ids[0]].holdsSlot)
        XCTAssertEqual(s.slotsHeld, 0)
        s.assertInvariants()
        try s.expectStep(.start(ids[1]), now: 0)
        XCTAssertEqual(s.slotHoldingJobs, [ids[1]])
    }

    func testAwaiterTakesASlotAheadOfPendingJobsOfEqualPriority() throws {
        var pendingEqual = JobID.main
        var awaiter = JobID.main
        var target = JobID.main
        var s = Scheduler.afterMain(concurrency: 1) {
            pendingEqual = $0.submit(priority: 5, now: 0)
            awaiter = $0.submit(priority: 0, now: 0)
            target = $0.submit(priority: 1, now: 0)
        }
        try s.expectStep(.start(awaiter), now: 0)
        // Now equal to the pending job, but submitted after it.
        s.setPriority(awaiter, base: 5)
        XCTAssertEqual(s.await(awaiter, on: [target], mode: .all), .suspended)
        try s.expectStep(.start(target), now: 0)
        XCTAssertTrue(s.finished(target, .done, now: 1))
        s.assertInvariants()
        try s.expectStep(.resume(awaiter), now: 1)
        XCTAssertEqual(s[pendingEqual].state, .queued)
    }

    func testGroupLimitCapsTheGroupsSlotHolders() throws {
        var grouped: [JobID] = []
        var other = JobID.main
        var s = Scheduler.afterMain(concurrency: 3) {
            $0.setLimit(group: 0, to: 1)
            grouped = $0.submitAll([1, 1, 1], group: 0)
            other = $0.submit(priority: 2, now: 0)
        }
        XCTAssertEqual(s.limit(group: 0), 1)
        try s.expectStep(.start(grouped[0]), now: 0)
        s.assertInvariants()
        // The worse ungrouped job takes a slot the group may not use.
        XCTAssertEqual(s.slotHoldingJobs, [grouped[0], other])
        XCTAssertEqual(s[grouped[1]].state, .parked)
        XCTAssertEqual(s[grouped[2]].state, .parked)
        XCTAssertEqual(s[grouped[1]].state.status, .pending)
    }

    func testParkedJobStartsWhenAGroupSlotFrees() throws {
        var grouped: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) {
            $0.setLimit(group: 1, to: 1)
            grouped = $0.submitAll([1, 1, 1], group: 1)
        }
        try s.expectStep(.start(grouped[0]), now: 0)
        s.sleeping(grouped[0], until: 5)
        try s.expectStep(.waitUntil(5), "a free slot, but not for this group", now: 0)
        try s.expectStep(.resume(grouped[0]), now: 5)
        s.finished(grouped[0], .done, now: 5)
        s.assertInvariants()
        try s.expectStep(.start(grouped[1]), now: 5)
        XCTAssertEqual(s.slotHoldingJobs, [grouped[1]])
        XCTAssertEqual(s[grouped[2]].state, .parked)
    }

    func testAwaitingFreesAGroupSlot() throws {
        var grouped: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) {
            $0.setLimit(group: 0, to: 1)
            grouped = $0.submitAll([1, 1], group: 0)
        }
        try s.expectStep(.start(grouped[0]), now: 0)
        XCTAssertEqual(s.await(grouped[0], on: [grouped[1]], mode: .all), .suspended)
        try s.expectStep(.start(grouped[1]), now: 0)
        s.finished(grouped[1], .done, now: 0)
        try s.expectStep(.resume(grouped[0]), now: 0)
        s.assertInvariants()
    }

    func testRaisingALimitReleasesParkedJobs() throws {
        var grouped: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 3) {
            $0.setLimit(group: 0, to: 1)
            grouped = $0.submitAll([1, 1, 1], group: 0)
        }
        try s.expectStep(.start(grouped[0]), now: 0)
        s.sleeping(grouped[0], until: 100)
        try s.expectStep(.waitUntil(100), now: 0)
        s.setLimit(group: 0, to: 3)
        s.assertInvariants()
        try s.expectStep(.start(grouped[1]), now: 1)
        XCTAssertEqual(s.slotHoldingJobs, grouped)
    }

    /// A job that leaves the pending queue without taking its group's free
    /// slot (here: cancelled) must not strand the group's other parked jobs.
    func testParkedJobsStartAfterTheGroupsOtherJobsAreCancelled() throws {
        var canceller = JobID.main
        var grouped: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 3) {
            $0.setLimit(group: 0, to: 1)
            canceller = $0.submit(priority: 0, now: 0)
            grouped = $0.submitAll([1, 1, 1], group: 0)
        }
        try s.expectStep(.start(canceller), now: 0)
        XCTAssertEqual(s[grouped[1]].state, .parked)
        XCTAssertEqual(s[grouped[2]].state, .parked)
        // As `for _, j in ipairs{a, b} do j:cancel() end` would.
        XCTAssertEqual(s.cancel(grouped[0], now: 0), .ready)
        XCTAssertEqual(s.cancel(grouped[1], now: 0)?.status, .pending)
        s.finished(canceller, .done, now: 0)
        s.assertInvariants()
        try s.expectStep(.start(grouped[2]), "the group holds no slot, so its parked job may start", now: 0)
    }

    func testLimitIsNilForAnUnlimitedGroup() {
        var s = Scheduler(concurrency: 1)
        XCTAssertNil(s.limit(group: 0))
        _ = s.submit(priority: 0, group: 2, now: 0)
        XCTAssertNil(s.limit(group: 2))
        s.setLimit(group: 2, to: 4)
        XCTAssertEqual(s.limit(group: 2), 4)
    }
}
