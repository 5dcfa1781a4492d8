import Foundation
import XCTest

/// `--progress` in a real pseudo-terminal (util-linux `script` provides one).
final class ProgressTests: XCTestCase {
    let source = """
        for i = 1, 20 do submit(i % 3, function() sleep(0.1) end) end
        sleep(1.3)
        print("halfway")
        """

    /// Runs the binary with its standard streams on a pseudo-terminal; returns what the terminal showed.
    func runInTerminal(_ arguments: [String]) throws -> String {
        let directory = try CLITests.script(source)
        let command = ([CLITests.binary.path] + arguments + ["jobs.lua"]).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", command, "/dev/null"]
        process.currentDirectoryURL = directory
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: data, as: UTF8.self)
    }

    func testTheLineIsDrawnOnATerminalAndClearedBeforeOutputAndAtTheEnd() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux script")
        let screen = try runInTerminal(["-j", "2"])
        XCTAssertTrue(screen.contains("\r\u{1b}[2Kprio-lua: pending "), screen.debugDescription)
        XCTAssertTrue(screen.contains("done 20  failed 0"), screen.debugDescription)
        XCTAssertTrue(
            screen.contains("\r\u{1b}[2Khalfway"), "cleared before the script's output: \(screen.debugDescription)")
        XCTAssertTrue(screen.hasSuffix("halfway\r\n"), "nothing drawn after the run: \(screen.debugDescription)")
    }

    func testNoProgressTurnsItOff() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux script")
        XCTAssertEqual(try runInTerminal(["--no-progress", "-j", "2"]), "halfway\r\n")
    }

    func testNothingIsWrittenByDefaultWhenStandardErrorIsNotATerminal() throws {
        let directory = try CLITests.script(source)
        let result = try CLITests.run(["-j", "2", "jobs.lua"], in: directory)
        XCTAssertEqual(result.stdout, "halfway\n")
        XCTAssertEqual(result.stderr, "")
    }

    /// `--progress` where stderr is no terminal (a CI log): plain lines,
    /// at most one a second, no carriage returns or escapes.
    func testProgressForcesPlainLinesWhereStandardErrorIsNotATerminal() throws {
        let directory = try CLITests.script("for i = 1, 5 do submit(i, function() sleep(0.6) end) end")
        let result = try CLITests.run(["--progress", "-j", "1", "jobs.lua"], in: directory)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertGreaterThanOrEqual(lines.count, 1, result.stderr)
        XCTAssertLessThanOrEqual(lines.count, 4, result.stderr)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("prio-lua: pending ") }, result.stderr)
        XCTAssertFalse(result.stderr.contains("\r") || result.stderr.contains("\u{1b}"), result.stderr)
    }
}
