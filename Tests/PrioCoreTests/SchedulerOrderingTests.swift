import PrioCore
import XCTest

final class SchedulerOrderingTests: XCTestCase {
    /// Runs every job to completion, one at a time, and returns the dispatch order.
    private static func runToCompletion(_ s: inout Scheduler, now: Double = 0) -> [JobID] {
        var order: [JobID] = []
        while case .start(let job) = s.nextStep(now: now) {
            order.append(job)
            s.finished(job, .done, now: now)
            s.assertInvariants()
        }
        return order
    }

    func testMainChunkIsTheFirstStep() throws {
        var s = Scheduler(concurrency: 1)
        XCTAssertEqual(s[.main].state, .ready)
        // Even a job that a host submitted before the first step waits for main.
        let job = s.submit(priority: -1_000, now: 0)
        try s.expectStep(.start(.main), now: 0)
        XCTAssertEqual(s[.main].state, .running)
        XCTAssertFalse(s[.main].holdsSlot)
        s.assertInvariants()
        s.finished(.main, .done, now: 0)
        try s.expectStep(.start(job), now: 0)
    }

    func testMainChunkRunsAheadOfReadyJobsWhenItYields() throws {
        var s = Scheduler(concurrency: 2)
        try s.expectStep(.start(.main), now: 0)
        _ = s.submitAll([-5, -5])
        s.yielded(.main)
        try s.expectStep(.resume(.main), now: 0)
    }

    func testJobIDsCountUpInSubmissionOrder() {
        var ids: [JobID] = []
        let s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([3, 1, 2]) }
        XCTAssertEqual(ids, [JobID(1), JobID(2), JobID(3)])
        XCTAssertEqual(s.lastJobID, JobID(3))
        XCTAssertTrue(s.contains(JobID(3)))
        XCTAssertFalse(s.contains(.main))
        XCTAssertFalse(s.contains(JobID(4)))
    }

    func testLowestPriorityRunsFirst() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([5, -1, 2.5, 0, 9]) }
        XCTAssertEqual(Self.runToCompletion(&s), [ids[1], ids[3], ids[2], ids[0], ids[4]])
        try s.expectStep(.finished, now: 0)
    }

    func testEqualPrioritiesRunInSubmissionOrder() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([4, 4, 1, 4, 1, 4]) }
        XCTAssertEqual(Self.runToCompletion(&s), [ids[2], ids[4], ids[0], ids[1], ids[3], ids[5]])
    }

    func testYieldGoesBehindReadyJobsOfEqualPriority() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 3) { ids = $0.submitAll([5, 5, 5]) }
        var dispatched: [Scheduler.Step] = []
        for _ in 0..<7 {
            let step = s.nextStep(now: 0)
            dispatched.append(step)
            guard let job = step.dispatchedJob else { return XCTFail("unexpected \(step)") }
            s.yielded(job)
            s.assertInvariants()
        }
        XCTAssertEqual(
            dispatched,
            [
                .start(ids[0]), .start(ids[1]), .start(ids[2]), .resume(ids[0]), .resume(ids[1]), .resume(ids[2]),
                .resume(ids[0]),
            ])
    }

    func testYieldStaysAheadOfWorsePriorities() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 2) { ids = $0.submitAll([1, 5]) }
        try s.expectStep(.start(ids[0]), now: 0)
        s.yielded(ids[0])
        try s.expectStep(.resume(ids[0]), now: 0)
    }

    func testYieldUnderConcurrencyOneCannotStartAnEqualPendingJob() throws {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([5, 5]) }
        try s.expectStep(.start(ids[0]), now: 0)
        for _ in 0..<3 {
            s.yielded(ids[0])
            try s.expectStep(.resume(ids[0]), now: 0)
            XCTAssertEqual(s[ids[1]].state, .queued)
            XCTAssertEqual(s[ids[1]].state.status, .pending)
        }
        s.finished(ids[0], .done, now: 0)
        try s.expectStep(.start(ids[1]), now: 0)
    }

    func testSetPriorityReordersAQueuedJob() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1, 2, 3]) }
        s.setPriority(ids[2], base: 0)
        s.setPriority(ids[0], base: 7)
        s.assertInvariants()
        XCTAssertEqual(s[ids[2]].basePriority, 0)
        XCTAssertEqual(s[ids[2]].effectivePriority, 0)
        XCTAssertEqual(Self.runToCompletion(&s), [ids[2], ids[1], ids[0]])
    }

    func testSetPriorityKeepsSubmissionOrderAmongNewEquals() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([5, 1, 5, 1, 5]) }
        // Jobs 1 and 3 join the priority-1 jobs 2 and 4 at their submission places.
        s.setPriority(ids[2], base: 1)
        s.setPriority(ids[0], base: 1)
        XCTAssertEqual(Self.runToCompletion(&s), [ids[0], ids[1], ids[2], ids[3], ids[4]])
    }

    func testPolicyPriorityOrdersInsteadOfBase() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) {
            ids = [$0.submit(priority: 1, policyPriority: 9, now: 0), $0.submit(priority: 5, now: 0)]
        }
        XCTAssertEqual(s[ids[0]].basePriority, 1)
        XCTAssertEqual(s[ids[0]].effectivePriority, 9)
        s.setPriority(ids[1], base: 5, policy: 10)
        XCTAssertEqual(s[ids[1]].policyPriority, 10)
        XCTAssertEqual(Self.runToCompletion(&s), [ids[0], ids[1]])
    }

    func testSetPriorityOfAFinishedJobIsIgnored() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([1]) }
        _ = Self.runToCompletion(&s)
        s.setPriority(ids[0], base: 3)
        XCTAssertEqual(s[ids[0]].basePriority, 1)
        XCTAssertEqual(s[ids[0]].state, .done)
    }

    func testUnfinishedJobsListsBestPriorityFirst() {
        var ids: [JobID] = []
        var s = Scheduler.afterMain(concurrency: 1) { ids = $0.submitAll([3, 1, 3, 2]) }
        XCTAssertEqual(s.unfinishedJobs(), [ids[1], ids[3], ids[0], ids[2]])
        _ = s.cancel(ids[3], now: 0)
        XCTAssertEqual(s.unfinishedJobs(), [ids[1], ids[0], ids[2]])
        XCTAssertEqual(s.unfinishedCount, 3)
    }

    /// Thousands of random submissions, priority changes, cancellations and
    /// runs under `-j 1`, against a model that scans for the least
    /// (priority, submission order).
    func testRandomOperationsMatchLinearScanModel() throws {
        let priorities: [Double] = [-1, 0, 0.5, 2, 3]
        var rng = SplitMix64(seed: 0xC0DE_0003)
        var s = Scheduler.afterMain(concurrency: 1)
        var model: [(job: JobID, priority: Double)] = []  // in submission order
        var now = 0.0
        var runs = 0

        for step in 0..<6_000 {
            now += 0.25
            let anyJob = s.lastJobID.value > 0 ? JobID(Int.random(in: 1...s.lastJobID.value, using: &rng)) : nil
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<35:
                let priority = priorities.randomElement(using: &rng)!
                model.append((s.submit(priority: priority, now: now), priority))
            case 35..<65:
                let best = model.indices.min { (model[$0].priority, $0) < (model[$1].priority, $1) }
                let dispatched = s.nextStep(now: now)
                guard let best else {
                    XCTAssertEqual(dispatched, .finished, "step \(step)")
                    continue
                }
                XCTAssertEqual(dispatched, .start(model[best].job), "step \(step)")
                XCTAssertEqual(s[model[best].job].attempt, 1)
                XCTAssertEqual(s.slotsHeld, 1)
                s.finished(model[best].job, .done, now: now)
                model.remove(at: best)
                runs += 1
            case 65..<85:
                guard let job = anyJob else { continue }
                let priority = priorities.randomElement(using: &rng)!
                s.setPriority(job, base: priority)
                if let index = model.firstIndex(where: { $0.job == job }) { model[index].priority = priority }
            default:
                guard let job = anyJob else { continue }
                let before = s.cancel(job, now: now)
                if let index = model.firstIndex(where: { $0.job == job }) {
                    XCTAssertEqual(before, .queued, "step \(step)")
                    model.remove(at: index)
                } else {
                    XCTAssertNil(before, "step \(step)")
                }
            }
            s.assertInvariants()
            XCTAssertEqual(s.unfinishedCount, model.count, "step \(step)")
            XCTAssertEqual(s.slotsHeld, 0, "step \(step)")
        }
        XCTAssertGreaterThan(runs, 1_000)
        let expectedRest = model.indices.sorted { (model[$0].priority, $0) < (model[$1].priority, $1) }.map {
            model[$0].job
        }
        XCTAssertEqual(s.unfinishedJobs(), expectedRest)
        XCTAssertEqual(Self.runToCompletion(&s, now: now), expectedRest)
        try s.expectStep(.finished, now: now)
    }
}
