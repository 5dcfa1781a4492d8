import Foundation
import XCTest

/// The script is read as `lua` reads it (any file it can read, a first `#`
/// line skipped, names and arguments as bytes), `LUA_INIT` runs first, and
/// `--sandbox` takes source text only.
final class ScriptLoadingTests: XCTestCase {
    /// Runs the binary with arguments given as bytes (which need not be
    /// UTF-8: `sh` builds each one with `printf` from octal escapes).
    func run(_ arguments: [[UInt8]], environment: [String: String] = [:], in directory: URL) throws
        -> CLITests.Result
    {
        let words = arguments.map { bytes in
            "\"$(printf '" + bytes.map { "\\" + String($0, radix: 8) }.joined() + "')\""
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \"$0\" " + words.joined(separator: " "), CLITests.binary.path]
        process.currentDirectoryURL = directory
        var variables = ProcessInfo.processInfo.environment
        variables["LUA_INIT"] = nil
        variables["LUA_INIT_5_4"] = nil
        variables.merge(environment) { _, new in new }
        process.environment = variables
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errors = PipeDrain(err.fileHandleForReading)
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLITests.Result(
            status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errors.wait(), as: UTF8.self))
    }

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testDevNullAFifoAndAFirstHashLineRun() throws {
        let directory = try CLITests.script("#!/usr/bin/env prio-lua\nprint('shebang skipped', ...)\n")
        var result = try run([bytes("jobs.lua"), bytes("a")], in: directory)
        XCTAssertEqual(result.stdout, "shebang skipped\ta\n")
        result = try run([bytes("/dev/null")], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let fifo = directory.appendingPathComponent("pipe.lua").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        DispatchQueue.global().async {
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
            handle.write(Data("print('from a fifo')\n".utf8))
            try? handle.close()
        }
        result = try run([bytes("pipe.lua")], in: directory)
        XCTAssertEqual(result.stdout, "from a fifo\n", result.stderr)
    }

    func testANameAndArgumentsThatAreNotUTF8() throws {
        let directory = try CLITests.script("")
        // A file named with byte 0xFF, which no Swift String can name.
        let name: [UInt8] = [0xFF] + bytes("name.lua")
        let path = bytes(directory.path) + [UInt8(ascii: "/")] + name + [0]
        let descriptor = path.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o600) }
        }
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        let source = "io.write(arg[0] == '\\255name.lua' and 'name ok' or 'name differs', ' ', arg[1]:byte(2), '\\n')"
        _ = source.withCString { write(descriptor, $0, strlen($0)) }
        close(descriptor)
        let result = try run([name, bytes("x") + [0xFE]], in: directory)
        XCTAssertEqual(result.stdout, "name ok 254\n", result.stderr)
    }

    func testTheSandboxRefusesAPrecompiledScript() throws {
        let luac = "/usr/bin/luac5.4"
        guard FileManager.default.isExecutableFile(atPath: luac) else { throw XCTSkip("luac5.4 is not installed") }
        let directory = try CLITests.script("print('compiled ran')", name: "source.lua")
        let compile = Process()
        compile.executableURL = URL(fileURLWithPath: luac)
        compile.arguments = ["-o", "chunk.luac", "source.lua"]
        compile.currentDirectoryURL = directory
        try compile.run()
        compile.waitUntilExit()
        var result = try run([bytes("chunk.luac")], in: directory)
        XCTAssertEqual(result.stdout, "compiled ran\n", result.stderr)
        result = try run([bytes("--sandbox"), bytes("chunk.luac")], in: directory)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(
            result.stderr.contains("chunk.luac: attempt to load a binary chunk (mode is 't')"), result.stderr)
    }

    func testLuaInitRunsFirstExceptUnderTheSandbox() throws {
        let directory = try CLITests.script("print('script', seen)")
        var result = try run([bytes("jobs.lua")], environment: ["LUA_INIT": "seen = 'init'"], in: directory)
        XCTAssertEqual(result.stdout, "script\tinit\n")
        try "seen = 'from file'".write(
            to: directory.appendingPathComponent("init.lua"), atomically: true, encoding: .utf8)
        result = try run(
            [bytes("jobs.lua")], environment: ["LUA_INIT_5_4": "@init.lua", "LUA_INIT": "seen = 'no'"],
            in: directory)
        XCTAssertEqual(result.stdout, "script\tfrom file\n")
        result = try run([bytes("jobs.lua")], environment: ["LUA_INIT": "error('bad init')"], in: directory)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("LUA_INIT:1: bad init"), result.stderr)
        result = try run(
            [bytes("--sandbox"), bytes("jobs.lua")], environment: ["LUA_INIT": "seen = 'init'"], in: directory)
        XCTAssertEqual(result.stdout, "script\tnil\n")
    }
}
