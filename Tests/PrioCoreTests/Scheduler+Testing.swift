import PrioCore
import XCTest

extension Scheduler {
    /// A scheduler whose main chunk ran `body` (which usually submits jobs)
    /// and returned at `now`, so that only jobs are left to dispatch.
    static func afterMain(
        concurrency: Int, now: Double = 0, _ body: (inout Scheduler) -> Void = { _ in }
    ) -> Scheduler {
        var scheduler = Scheduler(concurrency: concurrency)
        let first = scheduler.nextStep(now: now)
        guard first == .start(.main) else {
            XCTFail("the main chunk goes first, not \(first)")
            return scheduler
        }
        body(&scheduler)
        scheduler.finished(.main, .done, now: now)
        scheduler.assertInvariants()
        return scheduler
    }

    /// Fails the calling test (never the process) on every broken invariant.
    func assertInvariants(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(invariantViolations(), [], "scheduler invariants", file: file, line: line)
        XCTAssertEqual(brokenInvariants, [], "invariants broken after a mutation", file: file, line: line)
    }

    /// Submits one job per priority, in order, at `now`.
    mutating func submitAll(_ priorities: [Double], group: Int? = nil, now: Double = 0) -> [JobID] {
        priorities.map { submit(priority: $0, group: group, now: now) }
    }

    /// The jobs that hold a slot now, in id order.
    var slotHoldingJobs: [JobID] {
        (0..<jobCount).map { JobID($0) }.filter { self[$0].holdsSlot }
    }
}

extension Scheduler.Step {
    /// The job a `.start` or `.resume` step runs.
    var dispatchedJob: JobID? {
        if case .start(let job) = self { return job }
        if case .resume(let job) = self { return job }
        return nil
    }
}

extension IndexedHeap {
    /// Fails the calling test (never the process) on a broken heap.
    func assertInvariants<Positions: HeapPositions & ~Copyable>(
        positions: borrowing Positions, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(invariantViolations(positions: positions), [], "heap invariants", file: file, line: line)
    }
}

/// A step other than the one a test expected: thrown, so that the test stops
/// there (failing) instead of driving jobs that never started into the
/// core's preconditions, which would stop the whole test process.
struct UnexpectedStep: Error, CustomStringConvertible {
    var description: String
}

extension Scheduler {
    /// Takes the next step at `now` and throws unless it is `expected`.
    mutating func expectStep(_ expected: Step, _ message: String = "", now: Double) throws {
        let step = nextStep(now: now)
        guard step == expected else {
            let reason = message.isEmpty ? "" : " (\(message))"
            throw UnexpectedStep(description: "at \(now) the step is \(step), expected \(expected)\(reason)")
        }
    }
}
