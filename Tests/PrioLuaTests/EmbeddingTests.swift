import Foundation
import PrioLua
import XCTest

/// The embedding API (SPEC.md §7) through `PrioRuntime`.
final class EmbeddingTests: XCTestCase {
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    struct Boom: Error, CustomStringConvertible {
        var description: String { "boom from Swift" }
    }

    func makeRuntime(_ output: OutputCollector, concurrency: Int = 1) async throws -> PrioRuntime {
        var options = RunOptions(concurrency: concurrency)
        options.output = { output.append($0) }
        options.diagnostics = { output.append($0) }
        return try await PrioRuntime(options: options)
    }

    func testValuesRoundTripBetweenLuaAndSwift() async throws {
        let output = OutputCollector()
        let runtime = try await makeRuntime(output)
        let seen = OutputCollector()
        await runtime.register("echo") { arguments in
            seen.append(arguments.map(\.description).joined(separator: " | "))
            return arguments
        }
        try await runtime.loadScript(
            source: """
                local a, b, c, d, e, f, g = echo(nil, true, 42, 2.5, "text", {1, 2, {3}}, {name = "x", n = 1})
                print(a, b, c, math.type(c), d, e, f[3][1], #f, g.name, g.n)
                """)
        let report = await runtime.run()
        XCTAssertEqual(seen.contents, "nil | true | 42 | 2.5 | text | [1, 2, [3]] | {n = 1, name = x}")
        XCTAssertEqual(output.contents, "nil\ttrue\t42\tinteger\t2.5\ttext\t3\t3\tx\t1\n")
        XCTAssertEqual(report.exitStatus, 0)
    }

    /// A number keeps its subtype both ways: a whole float stays a float.
    func testNumbersKeepTheirSubtypeBothWays() async throws {
        let output = OutputCollector()
        let runtime = try await makeRuntime(output)
        let seen = OutputCollector()
        await runtime.register("echo") { arguments in
            seen.append(
                arguments.map { value -> String in
                    switch value {
                    case .integer(let n): return "integer \(n)"
                    case .number(let x) where x.isNaN: return "float nan"
                    case .number(let x): return "float \(x.sign == .minus ? "-" : "")\(abs(x))"
                    default: return "other"
                    }
                }.joined(separator: ", "))
            return arguments
        }
        try await runtime.loadScript(
            source: """
                local values = table.pack(echo(3.0, 0.0, -0.0, 2^53, math.maxinteger, 0/0, math.huge, -math.huge, 7))
                local line = {}
                for i = 1, values.n do line[i] = math.type(values[i]) .. " " .. tostring(values[i]) end
                print(table.concat(line, ", "))
                print(1 / values[3])
                """)
        _ = await runtime.run()
        XCTAssertEqual(
            seen.contents,
            "float 3.0, float 0.0, float -0.0, float 9007199254740992.0, integer 9223372036854775807, "
                + "float nan, float inf, float -inf, integer 7")
        XCTAssertEqual(
            output.contents,
            "float 3.0, float 0.0, float -0.0, float 9.007199254741e+15, integer 9223372036854775807, "
                + "float \(Self.luaNaN), float inf, float -inf, integer 7\n-inf\n")
    }

    /// `tostring(0/0)` on this platform: Lua prints the C library's text for a NaN.
    static let luaNaN: String = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/lua5.4")
        process.arguments = ["-e", "io.write(tostring(0/0))"]
        let out = Pipe()
        process.standardOutput = out
        guard (try? process.run()) != nil else { return "-nan" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }()

    func testASwiftErrorIsRaisedInTheJobAndALuaErrorReachesTheReport() async throws {
        let output = OutputCollector()
        let runtime = try await makeRuntime(output)
        await runtime.register("explode") { _ in throw Boom() }
        try await runtime.loadScript(
            source: """
                print(pcall(explode))
                submit(1, function() error("lua side", 0) end, {name = "bad"})
                """)
        let report = await runtime.run()
        XCTAssertTrue(output.contents.hasPrefix("false\tboom from Swift\n"), output.contents)
        XCTAssertEqual(report.unobservedFailures.map(\.error), ["lua side"])
        XCTAssertEqual(report.exitStatus, 1)
    }

    func testCancellingAJobCancelsItsSwiftTask() async throws {
        let output = OutputCollector()
        let runtime = try await makeRuntime(output, concurrency: 2)
        let cancelled = Flag()
        await runtime.register("wait_forever") { _ in
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.set()
                throw error
            }
            return []
        }
        try await runtime.loadScript(
            source: """
                local job = submit(1, function() wait_forever() end)
                sleep(0.1)
                print(job:cancel(), job.status)
                """)
        let started = Date()
        _ = await runtime.run()
        XCTAssertEqual(output.contents, "true\tcancelled\n")
        XCTAssertTrue(cancelled.isSet, "the Swift task saw its cancellation")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    func testJobsSubmittedFromSwiftCallLuaGlobals() async throws {
        let output = OutputCollector()
        let runtime = try await makeRuntime(output)
        try await runtime.loadScript(
            source: "function greet(who, times) for i = 1, times do print('hi ' .. who) end end")
        let second = try await runtime.submit(
            priority: 5, calling: "greet", arguments: [.string("later"), .integer(1)])
        let first = try await runtime.submit(priority: 1, calling: "greet", arguments: [.string("first"), .integer(2)])
        XCTAssertEqual([second, first], [1, 2])
        do {
            _ = try await runtime.submit(priority: .nan, calling: "greet")
            XCTFail("a NaN priority is refused")
        } catch let error as PrioError {
            XCTAssertTrue(error.description.contains("finite number expected"), error.description)
        }
        let report = await runtime.run()
        XCTAssertEqual(output.contents, "hi first\nhi first\nhi later\n")
        XCTAssertEqual(report.counts["done"], 2)
    }

    /// Every argument reaches the Lua function, trailing nils included.
    func testArgumentsFromSwiftKeepTrailingNils() async throws {
        let output = OutputCollector()
        let runtime = try await makeRuntime(output)
        try await runtime.loadScript(source: "function count(...) print(select('#', ...), ...) end")
        try await runtime.submit(priority: 1, calling: "count", arguments: [.integer(1), .nil, .nil])
        _ = await runtime.run()
        XCTAssertEqual(output.contents, "3\t1\tnil\tnil\n")
    }

    func testEventsArriveInOrder() async throws {
        let output = OutputCollector()
        let runtime = try await makeRuntime(output)
        try await runtime.loadScript(
            source: """
                local j = submit(3, function() sleep(0.01) end, {name = "worker"})
                j:set_priority(2)
                """)
        let collector = Task { () -> [String] in
            var seen: [String] = []
            for await event in runtime.events { seen.append("\(event.kind.rawValue) \(event.name) \(event.status)") }
            return seen
        }
        _ = await runtime.run()
        let events = await collector.value
        XCTAssertEqual(
            events,
            [
                "submitted worker pending", "reprioritized worker pending", "started worker running",
                "suspended worker running", "resumed worker running", "finished worker done",
            ])
    }

    func testDeeplyNestedAndCyclicTablesAreRefusedNotACrash() async throws {
        let output = OutputCollector()
        let runtime = try await makeRuntime(output)
        await runtime.register("take") { _ in [] }
        await runtime.register("give") { _ in
            var value = LuaValue.string("leaf")
            for _ in 0..<60 { value = .table(["x": value]) }
            return [value]
        }
        try await runtime.loadScript(
            source: """
                local t = {} local cur = t
                for i = 1, 40 do cur.x = {} cur = cur.x end
                print(pcall(take, t))
                local deep = {} cur = deep
                for i = 1, 300 do cur.x = {} cur = cur.x end
                print((select(2, pcall(take, deep)):gsub("^.-: ", "")))
                local cyclic = {} cyclic.self = cyclic
                print((select(2, pcall(take, cyclic)):gsub("^.-: ", "")))
                local got, depth = give(), 0
                while type(got) == "table" do got, depth = got.x, depth + 1 end
                print(depth, got)
                """)
        let report = await runtime.run()
        XCTAssertEqual(
            output.contents,
            """
            true
            bad argument to 'take' (table nested too deeply (or cyclic) to pass to Swift)
            bad argument to 'take' (table nested too deeply (or cyclic) to pass to Swift)
            60	leaf

            """)
        XCTAssertEqual(report.exitStatus, 0)
    }
}
