import PrioLua
import XCTest

/// `submit` skips making a job object when its caller drops the result
/// (CLuaShim `wanted_results.c`). Every other way of calling it must still
/// get the job, the same object the body gets.
final class SubmitResultTests: XCTestCase {
    func testEveryFormOfCallStillGetsTheJob() throws {
        let source = """
            local function body(job) return job end
            submit(1, body)
            local kept = submit(2, body)
            local listed = {submit(3, body)}
            local function tail() return submit(4, body) end
            local ok, viaPcall = pcall(submit, 5, body)
            print(select("#", submit(6, body)), #listed, ok)
            for _, job in ipairs({kept, listed[1], tail(), viaPcall}) do
              print(job.id, job:await() == job)
            end
            """
        let output = OutputCollector()
        var options = RunOptions()
        options.output = { output.append($0) }
        options.diagnostics = { output.append($0) }
        let scheduler = try LuaScheduler(options: options)
        try scheduler.loadScript(source: source, name: "forms.lua")
        let report = scheduler.run()
        XCTAssertEqual(output.contents, "1\t1\ttrue\n2\ttrue\n3\ttrue\n6\ttrue\n4\ttrue\n")
        XCTAssertEqual(report.exitStatus, 0)
    }
}
