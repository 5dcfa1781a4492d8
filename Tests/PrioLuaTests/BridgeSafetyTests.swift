import PrioLua
import XCTest

/// Lua errors raised through Swift host functions must never longjmp across
/// a Swift frame: the trampoline raises after Swift has returned. If one did,
/// `defer`s would be skipped and exclusivity tracking corrupted, and the
/// process would crash or leak within a few thousand iterations.
final class BridgeSafetyTests: XCTestCase {
    func run(_ source: String, options: RunOptions = RunOptions()) throws -> (output: String, report: RunReport) {
        let output = OutputCollector()
        var options = options
        options.output = { output.append($0) }
        options.diagnostics = { output.append($0) }
        let scheduler = try LuaScheduler(options: options)
        try scheduler.loadScript(source: source, name: "safety.lua")
        let report = scheduler.run()
        return (output.contents, report)
    }

    func testErrorsRaisedThroughHostFunctionsLeaveTheProcessHealthy() throws {
        let source = """
            local failures = 0
            collectgarbage(); local before = collectgarbage("count")
            for i = 1, 200000 do
              if not pcall(submit, 0/0, print) then failures = failures + 1 end
              if not pcall(submit, 1, print, {bogus = true}) then failures = failures + 1 end
              if not pcall(sleep, -1) then failures = failures + 1 end
            end
            collectgarbage(); local after = collectgarbage("count")
            print(failures, after - before < 64)
            local job = submit(1, function() return "still healthy" end)
            print(job:await())
            """
        let result = try run(source)
        XCTAssertEqual(result.output, "600000\ttrue\nstill healthy\n")
        XCTAssertEqual(result.report.exitStatus, 0)
    }

    func testErrorsInsideJobsAcrossManyRunsDoNotCrashOrLeakStates() throws {
        for round in 0..<200 {
            let result = try run(
                """
                local j = submit(1, function() error({code = \(round)}) end)
                local ok, err = pcall(j.await, j)
                print(ok, err.code)
                """)
            XCTAssertEqual(result.output, "false\t\(round)\n")
            XCTAssertEqual(result.report.exitStatus, 0)
        }
    }

    func testSuspendingWhereYieldIsImpossibleIsAnErrorNotACrash() throws {
        let result = try run(
            """
            local j = submit(1, function()
              local t = {3, 1, 2}
              local ok, err = pcall(table.sort, t, function(a, b) sleep(0) return a < b end)
              print(ok, (tostring(err):gsub("^.-: ", "")))
              return "after"
            end)
            print(j:await())
            """)
        XCTAssertEqual(
            result.output,
            "false\tcannot suspend here (inside a C call such as a metamethod, a sort comparator or a __close handler)\nafter\n"
        )
    }

    func testAJobCancellingItselfInsideACallThatCannotYieldStopsThere() throws {
        let result = try run(
            """
            local m = submit(1, function(job)
              table.sort({3, 2, 1}, function(a, b) job:cancel() while true do end end)
            end)
            local g = submit(1, function(job)
              string.gsub("abc", ".", function() job:cancel() while true do end end)
            end)
            print(select(2, pcall(m.await, m)), m.status)
            print(select(2, pcall(g.await, g)), g.status)
            """)
        XCTAssertEqual(result.output, "cancelled\tcancelled\ncancelled\tcancelled\n")
        XCTAssertEqual(result.report.exitStatus, 0)
    }
}
