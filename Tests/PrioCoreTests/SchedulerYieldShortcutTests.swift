import PrioCore
import XCTest

/// `yieldWouldChangeNothing` lets the runtime skip a coroutine switch; it
/// must answer true only where yielding would pick the same job again.
final class SchedulerYieldShortcutTests: XCTestCase {
    /// Asserts the shortcut's answer, and when it is true, that a real yield
    /// indeed resumes the same job at once.
    private func assertShortcut(
        _ s: inout Scheduler, _ job: JobID, now: Double = 0, is expected: Bool, line: UInt = #line
    ) throws {
        XCTAssertEqual(s.yieldWouldChangeNothing(job, now: now), expected, line: line)
        guard expected else { return }
        s.yielded(job)
        try s.expectStep(.resume(job), "a real yield picks the job again (line \(line))", now: now)
    }

    func testSoleSlotHolderWithPendingEqualsGoesOn() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([5, 5, 5]) }
        try s.expectStep(.start(ids[0]), now: 0)
        try assertShortcut(&s, ids[0], is: true)
    }

    func testReadyJobOfEqualPriorityTakesItsTurn() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([5, 5]) }
        try s.expectStep(.start(ids[0]), now: 0)
        try assertShortcut(&s, ids[0], is: false)
    }

    func testOnlyWorseReadyJobsLetTheJobGoOn() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1, 5]) }
        try s.expectStep(.start(ids[0]), now: 0)
        try assertShortcut(&s, ids[0], is: true)
    }

    func testDueTimerGoesThroughTheRunLoop() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1, 5]) }
        try s.expectStep(.start(ids[0]), now: 0)
        s.sleeping(ids[0], until: 1)
        try s.expectStep(.start(ids[1]), now: 0)
        try assertShortcut(&s, ids[1], now: 0.5, is: true)
        try assertShortcut(&s, ids[1], now: 1, is: false)
    }

    func testFreeSlotGoesThroughTheRunLoop() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1]) }
        try s.expectStep(.start(ids[0]), now: 0)
        try assertShortcut(&s, ids[0], is: false)
    }

    func testPendingJobThatMayPreemptGoesThroughTheRunLoop() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([5, 9]) }
        try s.expectStep(.start(ids[0]), now: 0)
        try assertShortcut(&s, ids[0], is: true)
        s.preemptionEnabled = true
        try assertShortcut(&s, ids[0], is: false)
    }

    func testMainChunkAlwaysGoesThroughTheRunLoop() throws {
        var s = Scheduler(concurrency: 1)
        try s.expectStep(.start(.main), now: 0)
        try assertShortcut(&s, .main, is: false)
    }
}
