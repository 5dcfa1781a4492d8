import Foundation
import XCTest

/// Outside its own rules, a script's Lua behaves exactly as under `lua5.4`
/// (SPEC.md §5): each snippet runs under both, as a script, and the bytes
/// on stdout and the exit status must be the same.
final class LuaFidelityTests: XCTestCase {
    /// Runs `source` under prio-lua and stock lua5.4; returns both outputs.
    func bothRuns(_ source: String) throws -> (prio: (Data, Int32), lua: (Data, Int32)) {
        let directory = try CLITests.script(source)
        let lua = ["/usr/bin/lua5.4", "/usr/local/bin/lua5.4"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let lua else { throw XCTSkip("lua5.4 is not installed (scripts/install-deps installs it)") }
        return (try Self.run(CLITests.binary.path, in: directory), try Self.run(lua, in: directory))
    }

    static func run(_ executable: String, in directory: URL) throws -> (Data, Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["jobs.lua"]
        process.currentDirectoryURL = directory
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (data, process.terminationStatus)
    }

    func assertSameAsLua(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let runs = try bothRuns(source)
        XCTAssertEqual(
            String(decoding: runs.prio.0, as: UTF8.self), String(decoding: runs.lua.0, as: UTF8.self), file: file,
            line: line)
        XCTAssertEqual(runs.prio.0, runs.lua.0, "stdout bytes differ", file: file, line: line)
        XCTAssertEqual(runs.prio.1, runs.lua.1, "exit status differs", file: file, line: line)
    }

    func testPrintWritesBytesThatAreNotUTF8Unchanged() throws {
        try assertSameAsLua(#"print("\xff\xfe ok \x80", "\0tab")"#)
    }

    func testCoroutineCloseReturnsOneValueOnSuccess() throws {
        try assertSameAsLua(
            """
            print(select('#', coroutine.close(coroutine.create(print))))
            local co = coroutine.create(function() local x <close> = setmetatable({}, {__close = function() error('e', 0) end}) coroutine.yield() end)
            coroutine.resume(co)
            print(coroutine.close(co))
            """)
    }

    func testACloseErrorReplacesTheErrorAWrappedCoroutineDiedOf() throws {
        try assertSameAsLua(
            """
            local co = coroutine.wrap(function ()
              local x <close> = setmetatable({}, {__close = function () error("from __close", 0) end})
              coroutine.yield(); error("original", 0)
            end)
            co(); print(pcall(co))
            local co2 = coroutine.wrap(function ()
              local x <close> = setmetatable({}, {__close = function () error("XXX") end})
              local y <close> = setmetatable({}, {__close = function () error("YYY") end})
              return 1
            end)
            print(pcall(co2))
            """)
    }

    func testTheMainChunkIsLuasMainThread() throws {
        try assertSameAsLua(
            """
            print(coroutine.isyieldable())
            local main, is_main = coroutine.running()
            print(type(main), is_main, coroutine.status(main))
            print(pcall(coroutine.yield, 1))
            print(pcall(coroutine.close, main))
            print(coroutine.resume(main))
            print(coroutine.wrap(function()
              return coroutine.isyieldable(), coroutine.status(main), pcall(coroutine.close, main)
            end)())
            """)
    }

    func testOsExitWithCloseRunsPendingCloseHandlersAndFinalizers() throws {
        try assertSameAsLua(
            """
            local x <close> = setmetatable({}, {__close = function() print("closed main tbc") end})
            setmetatable({}, {__gc = function() print("finalizer ran") end})
            io.stdout:setvbuf("no")
            os.exit(3, true)
            """)
    }

    /// `--virtual-time` runs of the same script print the same bytes, on
    /// stdout and stderr: tracebacks name a function the same way every time.
    func testVirtualTimeRunsAreDeterministic() throws {
        let directory = try CLITests.script(
            """
            local j = submit(1, function() error("boom") end)
            print(pcall(await_any, 5))
            print(debug.traceback("here"))
            submit(2, function() local x = await_any(7) end)
            submit(3, function() prio.await_all("x") end)
            """)
        var outputs = Set<String>()
        for _ in 0..<8 {
            let result = try CLITests.run(["--virtual-time", "jobs.lua"], in: directory)
            outputs.insert(result.stdout + "\u{0}" + result.stderr)
            XCTAssertTrue(result.stderr.contains("in function 'await_any'"), result.stderr)
            XCTAssertTrue(result.stderr.contains("in function 'await_all'"), result.stderr)
        }
        XCTAssertEqual(outputs.count, 1, "runs differ:\n\(outputs.joined(separator: "\n----\n"))")
    }
}
