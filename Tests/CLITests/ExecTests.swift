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

    /// A child that exits without reading its stdin: its status comes back;
    /// prio-lua never dies of SIGPIPE (it used to exit 141, losing every job).
    func testAChildThatIgnoresItsStandardInputReturnsItsStatus() throws {
        let result = try run(
            """
            local big = string.rep("x", 4 * 1024 * 1024)
            submit(1, function()
              print("true", exec({"true"}, {stdin = big}).status)
              print("head", exec("head -c 10 >/dev/null; exit 3", {stdin = big}).status)
            end)
            submit(2, function() print("others go on") end)
            """)
        XCTAssertEqual(result.stdout, "true\t0\nhead\t3\nothers go on\n")
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    /// Output counts against `--memory-limit`: past it the call fails with
    /// an error naming the limit, and the process is stopped, even one that
    /// ignores SIGPIPE and would otherwise sleep on.
    func testOutputPastTheMemoryLimitFailsTheCallAndStopsTheProcess() throws {
        let started = Date()
        let result = try run(
            """
            submit(1, function()
              local ok, err = pcall(exec, "head -c 250000000 /dev/zero")
              print("big", ok, (err:gsub("%(%d+ bytes", "(N bytes")))
              print("small", #exec("head -c 1000 /dev/zero").stdout)
              ok = pcall(exec, {"sh", "-c", "trap '' PIPE; head -c 30000000 /dev/zero; sleep 100"})
              print("ignores SIGPIPE", ok)
            end)
            """, ["--memory-limit", "20M"])
        XCTAssertEqual(
            result.stdout,
            "big\tfalse\texec: output exceeded the memory limit (N bytes were left for it); "
                + "the process was stopped\nsmall\t1000\nignores SIGPIPE\tfalse\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 60)
    }

    /// SIGINT and SIGTERM end the run with 130 / 143 and take every `exec`
    /// child's process group down, even a child that ignores SIGTERM.
    func testSignalsTerminateEveryChildProcessGroup() throws {
        for (signal, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let marker = "\(Int.random(in: 100_000...999_999))"  // in each child's command line
            let directory = try CLITests.script(
                """
                submit(1, function() exec({"sleep", "30.\(marker)"}) end)
                submit(1, function() exec({"sh", "-c", "trap '' TERM; sleep 31.\(marker); :"}) end)
                submit(1, function() print("started") while true do end end)
                """)
            let process = Process()
            process.executableURL = CLITests.binary
            process.arguments = ["-j", "3", "jobs.lua"]
            process.currentDirectoryURL = directory
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let watchdog = Watchdog(process)
            DispatchQueue.global().asyncAfter(deadline: .now() + 20) { watchdog.fire() }
            var line = Data()
            while !String(decoding: line, as: UTF8.self).contains("started") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            // Both children spawned: wait for them to show up, not for a time.
            let spawnDeadline = Date().addingTimeInterval(10)
            while !(Self.anyProcessMentions("30.\(marker)") && Self.anyProcessMentions("31.\(marker)"))
                && Date() < spawnDeadline
            {
                Thread.sleep(forTimeInterval: 0.01)
            }
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            XCTAssertFalse(watchdog.disarm(), "prio-lua did not exit on signal \(signal)")
            XCTAssertEqual(process.terminationStatus, status)
            XCTAssertEqual(process.terminationReason, .exit)
            // A killed child is gone once the kernel has scheduled its exit:
            // wait for that (a busy machine can take a while), not a fixed time.
            let exitDeadline = Date().addingTimeInterval(10)
            while Self.anyProcessMentions("." + marker) && Date() < exitDeadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
            XCTAssertFalse(Self.anyProcessMentions("." + marker), "an exec child outlived prio-lua")
        }
    }

    /// Whether any process's command line contains `text` (reads /proc).
    static func anyProcessMentions(_ text: String) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries where entry.allSatisfy(\.isNumber) {
            guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            if line.contains(text) { return true }
        }
        return false
    }
}
