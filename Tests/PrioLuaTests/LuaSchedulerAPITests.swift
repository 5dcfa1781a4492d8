import PrioLua
import XCTest

/// The library surface the CLI is built on: options, loading, the report.
final class LuaSchedulerAPITests: XCTestCase {
    func testReportCountsFinalStatusesAndUnobservedFailures() throws {
        let output = OutputCollector()
        var options = RunOptions(concurrency: 2, virtualTime: true)
        options.output = { output.append($0) }
        options.diagnostics = { output.append($0) }
        let scheduler = try LuaScheduler(options: options)
        try scheduler.loadScript(
            source: """
                submit(1, function() return 1 end)
                submit(2, function() error("bad", 0) end, {name = "broken"})
                local c = submit(3, function() sleep(5) end)
                c:cancel()
                """, name: "report.lua")
        let report = scheduler.run()
        XCTAssertEqual(report.counts, ["done": 1, "failed": 1, "cancelled": 1])
        XCTAssertEqual(report.unobservedFailures, [RunReport.Failure(jobID: 2, name: "broken", error: "bad")])
        XCTAssertNil(report.mainError)
        XCTAssertEqual(report.exitStatus, 1)
    }

    func testLoadErrorsNameTheChunkAndLine() throws {
        let scheduler = try LuaScheduler()
        XCTAssertThrowsError(try scheduler.loadScript(source: "x = = 1", name: "broken.lua")) { error in
            XCTAssertEqual(error as? PrioError, .load("broken.lua:1: unexpected symbol near '='"))
        }
    }

    func testConcurrencyBelowOneIsRejected() {
        XCTAssertThrowsError(try LuaScheduler(options: RunOptions(concurrency: 0)))
    }

    func testVirtualTimeRunsAnHourOfSleepsInstantly() throws {
        let output = OutputCollector()
        var options = RunOptions(virtualTime: true)
        options.output = { output.append($0) }
        let scheduler = try LuaScheduler(options: options)
        try scheduler.loadScript(source: "sleep(3600) print(now())", name: "hour.lua")
        let started = Date()
        XCTAssertEqual(scheduler.run().exitStatus, 0)
        XCTAssertEqual(output.contents, "3600.0\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }
}
