import Foundation
import XCTest

/// `exec` through the built binary, with real processes.
final class ExecTests: XCTestCase {
    func run(_ source: String, _ arguments: [String] = []) throws -> CLITests.Result {
        let directory = try CLITests.script(source)
        return try CLITests.run(arguments + ["jobs.lua"], in: directory)
    }

    func testExitStatusOutputAndErrorsOfACommand() throws {
        let result = try run(
            """
            local r = exec({"echo", "hello", "world"})
            print(r.status, r.stdout, r.stderr == "", r.signal)
            r = exec("echo out; echo err >&2; exit 3")
            print(r.status, r.stdout, r.stderr)
            """)
        XCTAssertEqual(result.stdout, "0\thello world\n\ttrue\tnil\n3\tout\n\terr\n\n")
        XCTAssertEqual(result.status, 0)
    }

    func testStandardInputWorkingDirectoryAndEnvironment() throws {
        let result = try run(
            """
            print(exec({"cat"}, {stdin = "piped"}).stdout)
            print(exec("pwd", {cwd = "/tmp"}).stdout)
            print(exec("printf %s \\"$PRIO_TEST\\"", {env = {PRIO_TEST = "set"}}).stdout)
            """)
        XCTAssertEqual(result.stdout, "piped\n/tmp\n\nset\n")
    }

    func testAProcessKilledByASignalReportsIt() throws {
        let result = try run("local r = exec('kill -9 $$')\nprint(r.status, r.signal)")
        XCTAssertEqual(result.stdout, "137\t9\n")
    }

    func testMissingProgramAndBadDirectoryAreErrorsInTheJob() throws {
        let result = try run(
            """
            print(pcall(exec, {"no-such-program-for-prio-lua"}))
            print(pcall(exec, "true", {cwd = "/nonexistent/dir"}))
            print(pcall(exec, {}))
            print(pcall(exec, "true", {bogus = 1}))
            """)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 4, result.stdout)
        XCTAssertTrue(lines[0].hasPrefix("false\texec: ") && lines[0].contains("no-such-program-for-prio-lua"))
        XCTAssertEqual(lines[1], "false\texec: cannot change to directory '/nonexistent/dir'")
        XCTAssertTrue(lines[2].hasSuffix("bad argument #1 to 'exec' (argv array is empty)"), String(lines[2]))
        XCTAssertTrue(lines[3].hasSuffix("bad argument #2 to 'exec' (unknown option 'bogus')"), String(lines[3]))
    }

    func testProcessesRunInParallelWithoutBlockingOtherJobs() throws {
        let started = Date()
        let result = try run(
            """
            local a = submit(1, function() return exec("sleep 0.5").status end)
            local b = submit(1, function() return exec("sleep 0.5").status end)
            local ticks = submit(1, function() for i = 1, 3 do sleep(0.1) end return "ticked" end)
            print(a:await(), b:await(), ticks:await())
            """, ["-j", "3"])
        XCTAssertEqual(result.stdout, "0\t0\tticked\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.0, "two 0.5 s processes under -j 3 overlap")
    }

    func testCancellingAJobStopsItsProcessAndRunsItsCloseHandlers() throws {
        let started = Date()
        let result = try run(
            """
            local closed = false
            local long = submit(1, function()
              local guard <close> = setmetatable({}, {__close = function() closed = true end})
              exec({"sleep", "31.7"})
            end)
            sleep(0.2)
            print(long:cancel(), long.status, closed)
            local timed = submit(1, function() exec("sleep 31.7") end, {timeout = 0.2})
            print(pcall(timed.await, timed))
            print(exec("pgrep -f 'sleep 31[.]7' || echo none").stdout)
            """, ["-j", "2"])
        XCTAssertEqual(result.stdout, "true\tcancelled\ttrue\nfalse\ttimeout\nnone\n\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testLargeOutputIsCapturedWhole() throws {
        let result = try run("print(#exec('head -c 100000000 /dev/zero').stdout)")
        XCTAssertEqual(result.stdout, "100000000\n")
    }

    func testExecIsAbsentInTheSandbox() throws {
        let result = try run("print(exec, prio.exec)", ["--sandbox"])
        XCTAssertEqual(result.stdout, "nil\tnil\n")
    }
}

/// The example host (Sources/embed-example) runs and reports.
final class EmbedExampleTests: XCTestCase {
    func testTheExampleHostRunsItsScript() throws {
        let directory = try CLITests.script("hello", name: "hello.txt")
        let path = directory.appendingPathComponent("hello.txt").path
        let process = Process()
        process.executableURL = CLITests.binary.deletingLastPathComponent().appendingPathComponent("embed-example")
        process.arguments = [path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(
            String(decoding: data, as: UTF8.self),
            """
            fetch 1\thttps://example.test/a -> 200 OK (22 bytes)
            fetch 2\thttps://example.test/bb -> 200 OK (23 bytes)
            sum \(path)\t\(path) a430d84680aabd0b
            missing:\tfalse\tchecksum: cannot read /nonexistent/file
            report: exit 0, done 3, failed 1

            """)
        XCTAssertEqual(process.terminationStatus, 0)
    }
}
