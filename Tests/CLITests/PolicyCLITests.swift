import Foundation
import XCTest

/// Policies through the command line: the policy examples in
/// `scripts/examples` under `--virtual-time`, and `--policy FILE` (loaded at
/// startup, reloaded when it changes, the last good version kept when a
/// change is broken). See docs/policies.md.
final class PolicyCLITests: XCTestCase {
    typealias Result = CLITests.Result
    static var packageRoot: URL { CLITests.packageRoot }
    static var binary: URL { CLITests.binary }

    /// Runs the binary with `arguments` in `directory`. `onFirstOutput` is
    /// called (on another thread) once the first bytes of standard output
    /// arrive, `onFirstError` likewise for standard error. A run past its
    /// bound (`BoundedRun`: `limit` seconds of CPU time) is killed, and the
    /// test fails.
    func run(
        _ arguments: [String], in directory: URL, limit: TimeInterval = 30,
        onFirstOutput: (@Sendable () -> Void)? = nil, onFirstError: (@Sendable () -> Void)? = nil
    ) throws -> Result {
        let run = try BoundedRun(
            arguments: arguments, in: directory, limit: limit, onFirstOutput: onFirstOutput, onFirstError: onFirstError)
        XCTAssertFalse(run.killed, "prio-lua \(arguments.joined(separator: " ")) ran past its bound and was killed")
        return Result(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }

    /// A fresh temporary directory holding the given files.
    func directory(with files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("prio-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, contents) in files {
            try contents.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    // MARK: - The policy examples

    func runExample(_ name: String, concurrency: Int?) throws -> Result {
        let script = "scripts/examples/" + name
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.packageRoot.appendingPathComponent(script).path))
        var arguments = ["--virtual-time"]
        if let concurrency { arguments += ["-j", String(concurrency)] }
        return try run(arguments + [script], in: Self.packageRoot)
    }

    func testAgingExample() throws {
        let result = try runExample("policy_aging.lua", concurrency: nil)
        XCTAssertEqual(result.stdout, Self.agingOutput)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.status, 0)
    }

    func testDeadlinesExample() throws {
        let result = try runExample("policy_deadlines.lua", concurrency: 2)
        XCTAssertEqual(result.stdout, Self.deadlinesOutput)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.status, 0)
    }

    func testDemoteBackgroundExample() throws {
        let result = try runExample("policy_demote_background.lua", concurrency: 2)
        XCTAssertEqual(result.stdout, Self.demoteBackgroundOutput)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.status, 0)
    }

    static let agingOutput = """
        aging: priority = base - 0.1 * seconds waited, re-evaluated every second
        [0:00.5] request 1 starts at priority  1.00   report waits at 10.00
        [0:20.5] request 2 starts at priority  1.00   report waits at 8.05
        [0:40.5] request 3 starts at priority  1.00   report waits at 6.05
        [1:00.5] request 4 starts at priority  1.00   report waits at 4.05
        [1:20.5] request 5 starts at priority  1.00   report waits at 2.05
        [1:40.5] report starts at priority  0.05 after waiting 100.0 s
        [2:10.5] report done
        [2:10.5] request 6 starts at priority -1.95
        [2:30.5] request 7 starts at priority -1.95
        [2:50.5] request 8 starts at priority -1.95

        """

    static let deadlinesOutput = """
        [ 0:00] analytics starts (priority 4)
        [ 0:00] backup starts (priority 5)
        [ 3:20] invoices is still pending at its deadline: escalated to priority 0
        [ 3:20] invoices starts (priority 0); backup is suspended
        [ 4:10] preview missed its deadline and is optional: cancelled
        [ 4:10] preview cancelled
        [ 5:00] analytics done, deadline met
        [ 5:00] cleanup starts (priority 4.5); backup is suspended
        [ 5:20] invoices done, 120 s after its deadline
        [ 6:00] cleanup done
        [ 6:40] backup done

        """

    static let demoteBackgroundOutput = """
        [0:00] reindex 1 starts
        [0:00] reindex 2 starts
        [0:42] search arrives
        [0:47] report arrives
        [0:50] 2 interactive request(s) waiting: demoting background work
        [0:50] search starts
        [0:50] report starts
        [1:00] no interactive request waiting: background work restored
        [1:05] report done
        [1:11] search done
        [1:14] reindex 1: half done
        [1:20] reindex 2: half done
        [2:05] profile arrives
        [2:10] 1 interactive request(s) waiting: demoting background work
        [2:10] profile starts
        [2:14] reindex 1 done
        [2:20] no interactive request waiting: background work restored
        [2:22] profile done
        [2:22] reindex 3 starts
        [2:23] reindex 2 done
        [3:22] reindex 3: half done
        [4:22] reindex 3 done

        """

    // MARK: - --policy FILE

    /// Ten jobs of priority 1...10 on one slot, each printing its base and
    /// effective priority when it starts. The first to start then waits (up
    /// to 20 s) until `ready` says the policy the test writes meanwhile is in
    /// place, so the order is decided by the event, not by timing.
    static func queueScript(jobs: Int, ready: String) -> String {
        """
        local function ready() \(ready) end
        for p = 1, \(jobs) do
          submit(p, function(job)
            print(job.base_priority, job.priority)
            if p == 1 or p == \(jobs) then
              local waited = 0
              while not ready() and waited < 20 do sleep(0.02); waited = waited + 0.02 end
            end
          end)
        end
        """
    }

    static let ascendingPolicy = "return {priority = function(job) return job.base_priority end}\n"
    static let descendingPolicy = "return {priority = function(job) return 100 - job.base_priority end}\n"

    /// The (base, effective) priority pairs the queue script printed.
    func startedJobs(_ stdout: String) -> [(base: Int, effective: Int)] {
        stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t").compactMap { Int($0) }
            return fields.count == 2 ? (fields[0], fields[1]) : nil
        }
    }

    func testPolicyFileChangeIsPickedUpDuringTheRun() throws {
        // The first job waits until every pending job has the new policy's priority.
        let newPolicyInPlace = """
            for _, j in ipairs(jobs("pending")) do if j.priority ~= 100 - j.base_priority then return false end end
            return true
            """
        let dir = try directory(with: [
            "policy.lua": Self.ascendingPolicy, "jobs.lua": Self.queueScript(jobs: 10, ready: newPolicyInPlace),
        ])
        let policy = dir.appendingPathComponent("policy.lua")
        // Once the first job has started, switch the policy.
        let result = try run(["--policy", "policy.lua", "jobs.lua"], in: dir) {
            try? Self.descendingPolicy.write(to: policy, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        // The first job ran under the old policy; every job after it under the
        // new one, in the new order.
        let expected = ["1\t1"] + (2...10).reversed().map { "\($0)\t\(100 - $0)" }
        XCTAssertEqual(result.stdout, expected.joined(separator: "\n") + "\n")
    }

    func testBrokenPolicyFileChangeIsReportedAndTheLastGoodOneStays() throws {
        // The first job (base 10 under the descending policy) waits until the
        // broken version has been read and reported (a marker file the test
        // writes after its check would come too late: the report is the event).
        let dir = try directory(with: [
            "policy.lua": Self.descendingPolicy,
            "jobs.lua": Self.queueScript(jobs: 10, ready: "return io.open('reported') ~= nil"),
        ])
        let policy = dir.appendingPathComponent("policy.lua")
        let reported = dir.appendingPathComponent("reported").path
        let result = try run(["--policy", "policy.lua", "jobs.lua"], in: dir) {
            try? "return {priority = function(job) return job.base_priority end\n"
                .write(to: policy, atomically: true, encoding: .utf8)
        } onFirstError: {
            _ = FileManager.default.createFile(atPath: reported, contents: nil)
        }
        XCTAssertEqual(result.status, 0, result.stderr)
        // The broken version is reported once, naming the file...
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("prio-lua: --policy policy.lua: "), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix("; keeping the last good version\n"), result.stderr)
        // ...and every job, before and after it, follows the last good version.
        let started = startedJobs(result.stdout)
        XCTAssertEqual(started.map(\.base), Array((1...10).reversed()), result.stdout)
        XCTAssertTrue(started.allSatisfy { $0.effective == 100 - $0.base }, result.stdout)
    }

    func testPolicyFileThatFailsAtStartupExitsTwoNamingTheFile() throws {
        let broken: [String: String] = [
            "syntax.lua": "return {priority = function(job) return 1 end\n",
            "raises.lua": "error('no policy today')\n",
            "number.lua": "return 42\n",
            "unknown.lua": "return {prioritty = function(job) return 1 end}\n",
        ]
        var files = broken
        files["jobs.lua"] = "print('main ran')\nsubmit(1, function() print('job ran') end)\n"
        let dir = try directory(with: files)
        for name in broken.keys.sorted() {
            let result = try run(["--policy", name, "jobs.lua"], in: dir)
            XCTAssertEqual(result.status, 2, "\(name): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", "\(name): the script must not run")
            XCTAssertTrue(result.stderr.hasPrefix("prio-lua: "), "\(name): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(name), "\(name): \(result.stderr)")
        }
        let missing = try run(["--policy", "missing.lua", "jobs.lua"], in: dir)
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertEqual(missing.stdout, "")
        XCTAssertTrue(missing.stderr.contains("missing.lua"), missing.stderr)
    }

    func testPolicyFileIsInstalledBeforeTheScriptRuns() throws {
        let dir = try directory(with: [
            "policy.lua": Self.descendingPolicy,
            "jobs.lua": "local j = submit(3, function() end)\nprint(j.base_priority, j.priority)\n",
        ])
        let result = try run(["--policy", "policy.lua", "jobs.lua"], in: dir)
        XCTAssertEqual(result.stdout, "3\t97\n")
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.status, 0)
    }

    // MARK: - every

    /// More `every` rules than jobs: each rule runs when due, and the run
    /// ends with the main chunk (rules alone do not keep it alive).
    func testMoreRulesThanJobs() throws {
        let dir = try directory(with: [
            "rules.lua": """
            every(1, function(t) print("first", t) end)
            every(1, function(t) print("second", t) end)
            local third = every(0.5, function(t) print("third", t) end)
            third:cancel()
            sleep(1.5)
            print("main", now())
            """
        ])
        let result = try run(["--virtual-time", "rules.lua"], in: dir)
        XCTAssertEqual(result.stdout, "first\t1.0\nsecond\t1.0\nmain\t1.5\n")
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.status, 0)
    }
}
