import PrioCore
import XCTest

/// What the core offers the runtime when jobs run in other Lua states
/// (SPEC §8): several jobs `.running` at once, none of them a preemption
/// victim, and a start for a free state even while the main chunk is ready.
final class SchedulerElsewhereTests: XCTestCase {
    func testAJobRunningElsewhereIsNeverTheVictim() throws {
        var s = Scheduler.afterMain(concurrency: 2) { s in
            _ = s.submit(priority: 9, now: 0)  // runs "in a worker": stays running
            _ = s.submit(priority: 5, now: 0)
        }
        s.preemptionEnabled = true
        try s.expectStep(.start(JobID(2)), now: 0)
        try s.expectStep(.start(JobID(1)), now: 0)  // both hold slots; job 1 keeps running
        s.sleeping(JobID(2), until: 10)
        let better = s.submit(priority: 1, now: 1)
        try s.expectStep(.start(better), "the sleeper gives way, not the worse job that is running", now: 1)
        XCTAssertEqual(s[JobID(1)].state, .running)
        XCTAssertEqual(s[JobID(2)].status, .pending)
        s.assertInvariants()
    }

    func testNoVictimWhenEveryHolderIsRunning() throws {
        var s = Scheduler.afterMain(concurrency: 1) { _ = $0.submit(priority: 9, now: 0) }
        s.preemptionEnabled = true
        try s.expectStep(.start(JobID(1)), now: 0)
        let better = s.submit(priority: 1, now: 1)
        try s.expectStep(.finished, "nothing to do here: the holder runs elsewhere", now: 1)
        XCTAssertEqual(s[better].state, .queued)
        XCTAssertEqual(s[JobID(1)].state, .running)
        s.assertInvariants()
    }

    func testStartBestReadyLooksPastTheReadyMainChunk() throws {
        var s = Scheduler(concurrency: 2)
        let task = s.submit(priority: 3, now: 0)
        let closure = s.submit(priority: 1, now: 0)
        XCTAssertNil(
            s.startBestReady(now: 0, accepting: { $0 == task }), "the best ready job is a closure job: not taken")
        XCTAssertEqual(s[JobID.main].state, .ready, "the main chunk stays ready, in its place")
        XCTAssertEqual(s[closure].state, .ready)
        try s.expectStep(.start(JobID.main), now: 0)
        s.finished(.main, .done, now: 0)
        try s.expectStep(.start(closure), now: 0)
        XCTAssertEqual(s.startBestReady(now: 0, accepting: { $0 == task }), task)
        XCTAssertEqual(s[task].state, .running)
        XCTAssertEqual(s[task].attempt, 1)
        s.assertInvariants()
    }
}
