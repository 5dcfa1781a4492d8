import CLuaShim
import XCTest

@testable import PrioLua

/// A long run keeps nothing per finished job: the jobs the script no longer
/// refers to are released, so what stays is bounded by the batch size, not
/// by how many jobs ran.
final class ReleaseTests: XCTestCase {
    private func runBatches(
        total: Int, keepEvery: Int? = nil, policy: String = "", afterBatch: String = ""
    ) throws -> (LuaScheduler, RunReport) {
        let output = OutputCollector()
        var options = RunOptions(virtualTime: true)
        options.output = { output.append($0) }
        let scheduler = try LuaScheduler(options: options)
        try scheduler.loadScript(
            source: """
                \(policy)
                local total, keep_every = \(total), \(keepEvery.map(String.init) ?? "nil")
                kept = {}
                local submitted = 0
                while submitted < total do
                  local list = {}
                  for k = 1, 1000 do
                    submitted = submitted + 1
                    list[k] = submit(submitted % 10, function() return submitted end)
                    if keep_every and submitted % keep_every == 0 then kept[#kept + 1] = list[k] end
                  end
                  await_all(list)
                  \(afterBatch)
                end
                """, name: "batches.lua")
        return (scheduler, scheduler.run())
    }

    func testJobsNothingRefersToAreReleased() throws {
        let (scheduler, report) = try runBatches(total: 40_000)
        XCTAssertEqual(report.counts, ["done": 40_000])
        let known = scheduler.core.knownJobIDs().count
        XCTAssertLessThan(known, 12_000, "\(known) of 40,000 finished jobs are still kept")
    }

    func testJobsSeenByAPriorityHookAreReleasedOnceFinished() throws {
        let (scheduler, report) = try runBatches(
            total: 20_000, policy: "policy{priority = function(job) return job.base_priority + 1 end}")
        XCTAssertEqual(report.counts, ["done": 20_000])
        let known = scheduler.core.knownJobIDs().count
        XCTAssertLessThan(known, 8_000, "\(known) of 20,000 finished jobs are still kept")
    }

    /// Changing a finished job's priority asks the hook about it; that must
    /// not pin its object again once the job is done.
    func testFinishedJobsGivenAPriorityUnderAHookAreReleased() throws {
        let (scheduler, report) = try runBatches(
            total: 20_000, policy: "policy{priority = function(job) return job.base_priority + 1 end}",
            afterBatch: "for k = 1, #list do list[k]:set_priority(3) end")
        XCTAssertEqual(report.counts, ["done": 20_000])
        let known = scheduler.core.knownJobIDs().count
        XCTAssertLessThan(known, 8_000, "\(known) of 20,000 finished jobs are still kept")
    }

    func testHeldJobsAreKeptAndCounted() throws {
        let (scheduler, report) = try runBatches(total: 20_000, keepEvery: 1000)
        XCTAssertEqual(report.counts, ["done": 20_000])
        let known = Set(scheduler.core.knownJobIDs().map(\.value))
        for held in stride(from: 1000, through: 20_000, by: 1000) {
            XCTAssertTrue(known.contains(held), "held job #\(held) was released")
        }
        XCTAssertEqual(scheduler.statistics().counts, ["done": 20_000])
    }
}
