import PrioCore
import XCTest

final class SchedulerPreemptionTests: XCTestCase {
    /// The job `sleeperHoldingTheSlot` starts: the first one submitted.
    private let sleeper = JobID(1)

    /// A scheduler with preemption on whose first job (priority `first`) has
    /// started and gone to sleep until `until`, holding the only slot.
    private static func sleeperHoldingTheSlot(first: Double, until: Double) throws -> Scheduler {
        var s = Scheduler.afterMain(concurrency: 1) { _ = $0.submit(priority: first, now: 0) }
        s.preemptionEnabled = true
        try s.expectStep(.start(JobID(1)), now: 0)
        s.sleeping(JobID(1), until: until)
        return s
    }

    func testStrictlyBetterPendingJobTakesTheSlotOfASleeper() throws {
        var s = try Self.sleeperHoldingTheSlot(first: 5, until: 10)
        let better = s.submit(priority: 1, now: 1)
        try s.expectStep(.start(better), now: 1)
        XCTAssertEqual(s.slotHoldingJobs, [better])
        XCTAssertEqual(s[sleeper].state, .sleeping)
        XCTAssertEqual(s[sleeper].status, .pending, "a sleeper out of its slot is pending")
        XCTAssertEqual(s.preemptionCount, 1)
        s.assertInvariants()
    }

    func testEqualPriorityDoesNotPreempt() throws {
        var s = try Self.sleeperHoldingTheSlot(first: 5, until: 10)
        let equal = s.submit(priority: 5, now: 1)
        try s.expectStep(.waitUntil(10), now: 1)
        XCTAssertEqual(s.slotHoldingJobs, [sleeper])
        XCTAssertEqual(s[equal].state, .queued)
        XCTAssertEqual(s.preemptionCount, 0)
    }

    func testNoPreemptionUnlessEnabled() throws {
        var s = try Self.sleeperHoldingTheSlot(first: 5, until: 10)
        s.preemptionEnabled = false
        _ = s.submit(priority: 1, now: 1)
        try s.expectStep(.waitUntil(10), now: 1)
        XCTAssertEqual(s.slotHoldingJobs, [sleeper])
    }

    func testPreemptedSleepGoesOnCounting() throws {
        var s = try Self.sleeperHoldingTheSlot(first: 5, until: 10)
        let better = s.submit(priority: 1, now: 1)
        try s.expectStep(.start(better), now: 1)
        s.finished(better, .done, now: 4)
        try s.expectStep(.waitUntil(10), "the sleep is neither restarted nor cut short", now: 4)
        try s.expectStep(.resume(sleeper), now: 10)
        XCTAssertEqual(s.slotHoldingJobs, [sleeper])
    }

    func testPreemptedSleeperWhoseSleepEndedWaitsForASlot() throws {
        var s = try Self.sleeperHoldingTheSlot(first: 5, until: 10)
        let better = s.submit(priority: 1, now: 1)
        try s.expectStep(.start(better), now: 1)
        s.sleeping(better, until: 20)
        try s.expectStep(.waitUntil(20), "its sleep is over, but it has no slot", now: 10)
        XCTAssertEqual(s[sleeper].status, .pending)
        try s.expectStep(.resume(better), now: 20)
        s.finished(better, .done, now: 20)
        try s.expectStep(.resume(sleeper), "it continues; it does not start over", now: 20)
    }

    func testTheWorstSlotHolderIsTheOneThatGivesWay() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([3, 7]) }
        s.preemptionEnabled = true
        for job in ids {
            try s.expectStep(.start(job), now: 0)
            s.sleeping(job, until: 50)
        }
        let better = s.submit(priority: 1, now: 1)
        try s.expectStep(.start(better), now: 1)
        XCTAssertEqual(s.slotHoldingJobs, [ids[0], better])
        XCTAssertEqual(s[ids[1]].status, .pending)
    }

    func testPreemptedReadyJobResumesAheadOfPendingEquals() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([5, 5]) }
        s.preemptionEnabled = true
        try s.expectStep(.start(ids[0]), now: 0)
        let better = s.submit(priority: 1, now: 0)
        s.yielded(ids[0])
        try s.expectStep(.start(better), now: 0)
        XCTAssertEqual(s[ids[0]].state, .queued)
        s.finished(better, .done, now: 0)
        try s.expectStep(.resume(ids[0]), now: 0)
        XCTAssertEqual(s[ids[1]].state, .queued)
        s.assertInvariants()
    }

    // MARK: Re-evaluating every job at once

    func testSetPolicyPrioritiesReordersTheQueues() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2, 3, 4]) }
        s.setPolicyPriorities([(ids[0], 9), (ids[1], 2), (ids[2], 0), (ids[3], 2)])
        s.assertInvariants()
        XCTAssertEqual(s[ids[0]].basePriority, 1, "the base priority stays")
        XCTAssertEqual(s[ids[0]].effectivePriority, 9)
        var order: [JobID] = []
        while let job = s.nextStep(now: 0).dispatchedJob {
            order.append(job)
            s.finished(job, .done, now: 0)
        }
        XCTAssertEqual(order, [ids[2], ids[1], ids[3], ids[0]])
    }

    func testSetPolicyPrioritiesKeepsInheritance() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1, 9, 9]) }
        try s.expectStep(.start(ids[0]), now: 0)
        XCTAssertEqual(s.await(ids[0], on: [ids[1]], mode: .all), .suspended)
        try s.expectStep(.start(ids[1]), now: 0)
        XCTAssertEqual(s.await(ids[1], on: [ids[2]], mode: .all), .suspended)
        s.setPolicyPriorities(s.unfinishedJobIDs().map { ($0, $0 == ids[0] ? 4 : 8) })
        XCTAssertEqual(s[ids[1]].effectivePriority, 4)
        XCTAssertEqual(s[ids[2]].effectivePriority, 4)
        XCTAssertEqual(s[ids[2]].policyPriority, 8)
        s.assertInvariants()
    }
}
