import PrioCore
import XCTest

final class TimerQueueTests: XCTestCase {
    private static func popAll(_ timers: inout TimerQueue, now: Double) -> [Int32] {
        var jobs: [Int32] = []
        while let timer = timers.popDue(now: now) { jobs.append(timer.job) }
        return jobs
    }

    func testTimersPopInDueOrder() {
        var timers = TimerQueue()
        for (job, due) in [(0, 5.0), (1, 1.0), (2, 3.0), (3, 0.5), (4, 4.0)] {
            timers.schedule(job: Int32(job), kind: .wake, due: due, generation: 0)
        }
        XCTAssertEqual(timers.count, 5)
        XCTAssertEqual(timers.nextDue, 0.5)
        XCTAssertEqual(Self.popAll(&timers, now: 10), [3, 1, 2, 4, 0])
        XCTAssertTrue(timers.isEmpty)
        XCTAssertNil(timers.nextDue)
    }

    func testEqualDueTimesPopInSchedulingOrder() {
        var timers = TimerQueue()
        let jobs: [Int32] = [7, 2, 9, 0, 4, 4, 1, 8, 3]
        for job in jobs { timers.schedule(job: job, kind: .wake, due: 2, generation: 0) }
        timers.schedule(job: 5, kind: .wake, due: 1, generation: 0)
        XCTAssertEqual(Self.popAll(&timers, now: 2), [5] + jobs)
    }

    func testPopDueLeavesTimersThatAreNotYetDue() {
        var timers = TimerQueue()
        timers.schedule(job: 0, kind: .wake, due: 1, generation: 0)
        timers.schedule(job: 1, kind: .awaitTimeout, due: 2, generation: 0)
        timers.schedule(job: 2, kind: .jobTimeout, due: 3, generation: 0)

        XCTAssertNil(timers.popDue(now: 0.999))
        XCTAssertEqual(Self.popAll(&timers, now: 2), [0, 1], "a timer due exactly now fires")
        XCTAssertEqual(timers.nextDue, 3)
        XCTAssertNil(timers.popDue(now: 2.5))
        XCTAssertEqual(timers.count, 1)
    }

    func testPoppedTimerCarriesWhatWasScheduled() {
        var timers = TimerQueue()
        timers.schedule(job: 6, kind: .awaitTimeout, due: 1.25, generation: 42)
        let timer = timers.popDue(now: 1.25)
        XCTAssertEqual(timer?.job, 6)
        XCTAssertEqual(timer?.kind, .awaitTimeout)
        XCTAssertEqual(timer?.due, 1.25)
        XCTAssertEqual(timer?.generation, 42)
    }

    /// Random schedules and pops against a model that sorts by (due, scheduling order).
    func testRandomOperationsFireInDueThenSchedulingOrder() {
        var rng = SplitMix64(seed: 0x7133_0002)
        var timers = TimerQueue()
        var model: [(due: Double, sequence: Int, job: Int32)] = []
        var sequence = 0
        var now = 0.0
        for step in 0..<10_000 {
            if Int.random(in: 0..<3, using: &rng) > 0 {
                // Few distinct due times, so that ties are common.
                let due = now + Double(Int.random(in: 0..<8, using: &rng)) / 2
                let job = Int32.random(in: 0..<1_000, using: &rng)
                timers.schedule(job: job, kind: .wake, due: due, generation: 0)
                model.append((due, sequence, job))
                sequence += 1
            } else {
                now += Double(Int.random(in: 0..<3, using: &rng)) / 2
                model.sort { ($0.due, $0.sequence) < ($1.due, $1.sequence) }
                let dueCount = model.prefix { $0.due <= now }.count
                let expected = model.prefix(dueCount).map(\.job)
                model.removeFirst(dueCount)
                XCTAssertEqual(Self.popAll(&timers, now: now), expected, "step \(step)")
            }
            XCTAssertEqual(timers.count, model.count)
            XCTAssertEqual(timers.nextDue, model.map(\.due).min())
        }
    }
}
