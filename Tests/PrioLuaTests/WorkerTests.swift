import Foundation
import PrioLua
import XCTest

/// Worker states (SPEC §8) through the embedding API: a host's runtime with
/// N workers, whose registered functions exist in every state.
final class WorkerTests: XCTestCase {
    /// A task module in a temporary folder, removed after the test.
    private func writeModule(_ source: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("prio-worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("hostcalls.lua").path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testHostFunctionsExistInEveryStateAndTasksRunInWorkers() async throws {
        let path = try writeModule(
            """
            local M = {}
            function M.call(job)
              local x = os.clock() + 0.05
              while os.clock() < x do end  -- keeps its state busy: the others take the next jobs
              return double(job.args), prio.double(job.args)
            end
            return M
            """)
        let output = OutputCollector()
        var options = RunOptions(concurrency: 3, workers: 3)
        options.output = { output.append($0) }
        options.diagnostics = { output.append($0) }
        let runtime = try await PrioRuntime(options: options)
        await runtime.register("double") { arguments in
            guard case .integer(let n)? = arguments.first else { return [.nil] }
            return [.integer(n * 2)]
        }
        let events = Task { () -> Set<Int> in
            var states: Set<Int> = []
            for await event in runtime.events where event.kind == .started {
                if let worker = event.worker { states.insert(worker) }
            }
            return states
        }
        try await runtime.loadScript(
            source: """
                local m = tasks(\(String(reflecting: path)))
                local jobs = {}
                for i = 1, 6 do jobs[i] = submit(1, m.call, {args = i}) end
                for i = 1, 6 do print(jobs[i]:await()) end
                """)
        let report = await runtime.run()
        XCTAssertEqual(report.exitStatus, 0, output.contents)
        XCTAssertEqual(output.contents, "2\t2\n4\t4\n6\t6\n8\t8\n10\t10\n12\t12\n")
        let states = await events.value
        XCTAssertTrue(states.contains(2) || states.contains(3), "no job ran in a worker state: \(states)")
    }

    func testWorkersMustBeAtLeastOne() {
        XCTAssertThrowsError(try LuaScheduler(options: RunOptions(workers: 0))) { error in
            XCTAssertEqual("\(error)", "workers must be an integer >= 1 (got 0)")
        }
    }
}
