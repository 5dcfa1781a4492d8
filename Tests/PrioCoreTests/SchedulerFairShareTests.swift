import PrioCore
import XCTest

final class SchedulerFairShareTests: XCTestCase {
    /// Runs `job` from `start` to `end` holding its slot (a sleep), then finishes it.
    private static func hold(_ s: inout Scheduler, _ job: JobID, from start: Double, to end: Double) {
        let started = s.nextStep(now: start)
        guard started == .start(job) else {
            XCTFail("expected \(job) to start at \(start), not \(started)")
            return
        }
        s.sleeping(job, until: end)
        let resumed = s.nextStep(now: end)
        guard resumed == .resume(job) else {
            XCTFail("expected \(job) to resume at \(end), not \(resumed)")
            return
        }
        s.finished(job, .done, now: end)
    }

    func testTheGroupWithLessSlotTimeGetsTheNextSlot() throws {
        var a: [JobID] = []
        var b: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) {
            $0.setFairShare(weights: [0: 1, 1: 1])
            a = $0.submitAll([1, 1], group: 0)
            b = $0.submitAll([5], group: 1)
        }
        Self.hold(&s, a[0], from: 0, to: 10)
        XCTAssertEqual(s.slotTime(ofGroup: 0), 10)
        try s.expectStep(.start(b[0]), "group 1 has had no slot time yet", now: 10)
        s.assertInvariants()
    }

    func testSlotTimeIsDividedByTheGroupsWeight() throws {
        var a: [JobID] = []
        var b: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) {
            $0.setFairShare(weights: [0: 3, 1: 1])
            a = $0.submitAll([1, 1], group: 0)
            b = $0.submitAll([5, 0], group: 1)
        }
        // Both shares are 0: the better priority breaks the tie.
        Self.hold(&s, b[1], from: 0, to: 5)
        Self.hold(&s, a[0], from: 5, to: 15)
        // Group 0: 10 s / 3 < group 1: 5 s / 1.
        try s.expectStep(.start(a[1]), now: 15)
    }

    func testSlotTimeCountsTheSlotsHeldNow() throws {
        var first = JobID.main
        var s = Scheduler.afterMain(concurrency: 2) {
            $0.setFairShare(weights: [:])
            first = $0.submit(priority: 1, group: 0, now: 0)
        }
        try s.expectStep(.start(first), now: 0)
        s.sleeping(first, until: 100)
        let sameGroup = s.submit(priority: 1, group: 0, now: 5)
        let otherGroup = s.submit(priority: 1, group: 1, now: 5)
        try s.expectStep(.start(otherGroup), "group 0 has held a slot for 5 s", now: 5)
        s.sleeping(otherGroup, until: 100)
        try s.expectStep(.waitUntil(100), now: 30)
        XCTAssertEqual(s.slotTime(ofGroup: 0), 30)
        XCTAssertEqual(s.slotTime(ofGroup: 1), 25)
        XCTAssertEqual(s[sameGroup].state, .queued)
    }

    func testTurningFairShareOffRestoresPriorityOrder() throws {
        var a: [JobID] = []
        var b: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) {
            $0.setFairShare(weights: [0: 1, 1: 1])
            a = $0.submitAll([1, 1], group: 0)
            b = $0.submitAll([5], group: 1)
        }
        Self.hold(&s, a[0], from: 0, to: 10)
        s.setFairShare(weights: nil)
        s.assertInvariants()
        try s.expectStep(.start(a[1]), now: 10)
        XCTAssertEqual(s[b[0]].state, .queued)
    }
}
