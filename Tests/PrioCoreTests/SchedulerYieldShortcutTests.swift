import PrioCore
import XCTest

/// `yieldWouldChangeNothing` lets the runtime skip a coroutine switch; it
/// must answer true only where yielding would pick the same job again.
final class SchedulerYieldShortcutTests: XCTestCase {
    /// Asserts the shortcut's answer, and when it is true, that a real yield
    /// indeed resumes the same job at once.
    private func assertShortcut(
        _ s: inout Scheduler, _ job: JobID, now: Double = 0, is expected: Bool, line: UInt = #line
    ) {
        XCTAssertEqual(s.yieldWouldChangeNothing(job, now: now), expected, line: line)
        guard expected else { return }
        s.yielded(job)
        XCTAssertEqual(s.nextStep(now: now), .resume(job), "a real yield picks the job again", line: line)
    }

    func testSoleSlotHolderWithPendingEqualsGoesOn() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([5, 5, 5]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        assertShortcut(&s, ids[0], is: true)
    }

    func testReadyJobOfEqualPriorityTakesItsTurn() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([5, 5]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        assertShortcut(&s, ids[0], is: false)
    }

    func testOnlyWorseReadyJobsLetTheJobGoOn() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1, 5]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        assertShortcut(&s, ids[0], is: true)
    }

    func testDueTimerGoesThroughTheRunLoop() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1, 5]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        s.sleeping(ids[0], until: 1)
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[1]))
        assertShortcut(&s, ids[1], now: 0.5, is: true)
        assertShortcut(&s, ids[1], now: 1, is: false)
    }

    func testFreeSlotGoesThroughTheRunLoop() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        assertShortcut(&s, ids[0], is: false)
    }

    func testPendingJobThatMayPreemptGoesThroughTheRunLoop() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([5, 9]) }
        XCTAssertEqual(s.nextStep(now: 0), .start(ids[0]))
        assertShortcut(&s, ids[0], is: true)
        s.preemptionEnabled = true
        assertShortcut(&s, ids[0], is: false)
    }

    func testMainChunkAlwaysGoesThroughTheRunLoop() {
        var s = Scheduler(concurrency: 1)
        XCTAssertEqual(s.nextStep(now: 0), .start(.main))
        assertShortcut(&s, .main, is: false)
    }
}
