import Foundation
import XCTest

/// Time slicing seen from outside (SPEC.md section 4), through the built
/// binary in real time: `--virtual-time` runs unsliced, so none of this can
/// be checked there. CPU-bound Lua here burns `os.clock()` time, so a
/// loaded machine stretches the runs but does not change what they show.
final class PreemptionTests: XCTestCase {
    /// A job that falls due (its `delay` ends) while 20 CPU-bound jobs of a
    /// worse priority hold slots starts at once: the timer brings the running
    /// job to a preemption point without waiting for the slice to end.
    func testBetterJobThatFallsDueStartsWithinMilliseconds() throws {
        let result = try runLua(
            """
            \(Self.spin)
            for i = 1, 20 do submit(5, function() spin(0.05) end, {name = 'spinner' .. i}) end
            submit(1, function()
              local late = now() - (current().submitted_at + 0.005)
              print(string.format('latency\\t%.6f', late))
            end, {name = 'better', delay = 0.005})
            """, options: ["-j", "64"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let figure = result.stdout.split(separator: "\n").first { $0.hasPrefix("latency\t") }
        let latency = figure.flatMap { Double($0.dropFirst("latency\t".count)) }
        guard let latency else { return XCTFail("no latency line in \(result.stdout)") }
        print(
            "PreemptionTests: the better job started \(String(format: "%.3f", latency * 1000)) ms "
                + "after it fell due (20 CPU-bound jobs, -j 64)")
        XCTAssertGreaterThanOrEqual(latency, 0, "started before its delay ended")
        XCTAssertLessThan(latency, 0.05, "a job that fell due waited \(latency * 1000) ms for the running job")
    }

    /// A timer that falls due cuts the running job's slice short: with a
    /// 400 ms slice, a job whose `sleep(0.02)` ends, and one whose
    /// `delay = 0.03` ends, start well within 200 ms of falling due, while a
    /// CPU-bound job that never suspends holds the CPU. (A job that waited
    /// for the slice to end would start about 380 ms late.) Slice and bound
    /// scale together with `PRIO_TEST_TIME_SCALE`, so the gap stays wide.
    func testTimerFallingDueCutsTheSliceShort() throws {
        let scale = ProcessInfo.processInfo.environment["PRIO_TEST_TIME_SCALE"].flatMap(Double.init) ?? 1
        let slice = 0.4 * scale
        let bound = 0.2 * scale
        let result = try runLua(
            """
            \(Self.spin)
            submit(1, function()
              local due = now() + 0.02
              sleep(0.02)
              print(string.format('sleeper\\t%.6f', now() - due))
            end, {name = 'sleeper'})
            submit(1, function()
              print(string.format('delayed\\t%.6f', now() - (current().submitted_at + 0.03)))
            end, {name = 'delayed', delay = 0.03})
            submit(5, function() spin(\(slice * 2.5)) end, {name = 'spinner'})
            """, options: ["-j", "3", "--slice", String(Int(slice * 1000))])
        XCTAssertEqual(result.status, 0, result.stderr)
        for name in ["sleeper", "delayed"] {
            let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("\(name)\t") }
            guard let late = line.flatMap({ Double($0.dropFirst(name.count + 1)) }) else {
                return XCTFail("no \(name) line in \(result.stdout)")
            }
            let milliseconds = String(format: "%.3f", late * 1000)
            print("PreemptionTests: the \(name) job started \(milliseconds) ms late (slice \(slice * 1000) ms)")
            XCTAssertGreaterThanOrEqual(late, 0, "\(name) started before it fell due")
            XCTAssertLessThan(late, bound, "\(name) waited \(late * 1000) ms: for the slice, not the timer")
        }
    }

    /// Equal-priority CPU-bound jobs share the CPU round-robin: their
    /// progress interleaves.
    func testEqualPriorityCPUBoundJobsInterleave() throws {
        let log = try roundRobinLog(options: ["-j", "3"])
        XCTAssertEqual(log.filter { $0 == "a" }.count, 20)
        XCTAssertEqual(log.filter { $0 == "b" }.count, 20)
        XCTAssertEqual(log.filter { $0 == "c" }.count, 20)
        XCTAssertGreaterThanOrEqual(switches(in: log), 6, "no round-robin: \(log)")
    }

    /// `--slice 0` turns slicing off: each job runs to its end.
    func testSliceZeroTurnsSlicingOff() throws {
        let log = try roundRobinLog(options: ["-j", "3", "--slice", "0"])
        let serial = ["a", "b", "c"].map { String(repeating: $0, count: 20) }.joined()
        XCTAssertEqual(log, serial)
    }

    /// A preemption inside a coroutine the job made itself (a generator
    /// doing CPU work) passes up to the job and resumes back down: the other
    /// job runs in between, and the generator's values arrive intact.
    // The logs use table.insert, a C function, so an append is atomic: with
    // `log[#log + 1] = x` a preemption between the length and the store lets
    // two jobs write the same slot (as any preemptive scheduler would).
    func testPreemptionInsideTheScriptsOwnCoroutine() throws {
        let result = try runLua(
            """
            \(Self.spin)
            local log = {}
            local generator = submit(1, function()
              local gen = coroutine.wrap(function()
                for i = 1, 10 do
                  for k = 1, 4 do spin(0.001) table.insert(log, 'g') end
                  coroutine.yield(i)
                end
                return 'end'
              end)
              local got = {}
              for i = 1, 11 do got[i] = gen() end
              return table.concat(got, ',')
            end)
            local other = submit(1, function() for k = 1, 40 do spin(0.001) table.insert(log, 'o') end end)
            print('values', await_all({generator, other})[1])
            print(table.concat(log))
            """, options: ["-j", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "values\t1,2,3,4,5,6,7,8,9,10,end")
        let log = lines.count > 1 ? lines[1] : ""
        XCTAssertEqual(log.count, 80, log)
        XCTAssertGreaterThanOrEqual(switches(in: log), 4, "the generator was never preempted: \(log)")
    }

    /// Preemption inside `pcall`: the protected function is suspended and
    /// resumed, and `pcall` returns its result.
    func testPreemptionInsidePcall() throws {
        let result = try runLua(
            """
            \(Self.spin)
            local log = {}
            local protected = submit(1, function()
              return pcall(function()
                for k = 1, 40 do spin(0.001) table.insert(log, 'p') end
                return 42
              end)
            end)
            local other = submit(1, function() for k = 1, 40 do spin(0.001) table.insert(log, 'o') end end)
            await_all({protected, other})
            print('pcall', table.unpack(protected.result))
            print(table.concat(log))
            """, options: ["-j", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "pcall\ttrue\t42")
        let log = lines.count > 1 ? lines[1] : ""
        XCTAssertGreaterThanOrEqual(switches(in: log), 4, "the pcall body was never preempted: \(log)")
    }

    /// Preemption inside a Lua metamethod (an `__index` function doing CPU
    /// work, called by the VM, where a yield is allowed).
    func testPreemptionInsideAMetamethod() throws {
        let result = try runLua(
            """
            \(Self.spin)
            local log = {}
            local indexer = submit(1, function()
              local t = setmetatable({}, {__index = function(t, key)
                for k = 1, 40 do spin(0.001) table.insert(log, 'm') end
                return key * 2
              end})
              return t[21]
            end)
            local other = submit(1, function() for k = 1, 40 do spin(0.001) table.insert(log, 'o') end end)
            print('index', await_all({indexer, other})[1])
            print(table.concat(log))
            """, options: ["-j", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "index\t42")
        let log = lines.count > 1 ? lines[1] : ""
        XCTAssertGreaterThanOrEqual(switches(in: log), 4, "the metamethod was never preempted: \(log)")
    }

    /// `timeout` stops `while true do end`; the next job runs.
    func testTimeoutStopsAnEndlessLoop() throws {
        let started = Date()
        let result = try runLua(
            """
            submit(1, function() while true do end end, {name = 'spin', timeout = 0.1})
            submit(2, function() print('after') end)
            """)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "after\n")
        XCTAssertTrue(result.stderr.contains("job 'spin' (#1, priority 1) failed: timeout"), result.stderr)
        XCTAssertGreaterThanOrEqual(elapsed, 0.1)
        XCTAssertLessThan(elapsed, 5)
    }

    /// A CPU-bound job that never suspends is cancelled by a better job that
    /// runs at one of its preemption points: it ends cancelled, with its
    /// `<close>` handler run before `cancel` returns.
    func testCancelACPUBoundJobFromABetterJob() throws {
        let result = try runLua(
            """
            local closed = false
            local victim = submit(5, function()
              local guard <close> = setmetatable({}, {__close = function() closed = true end})
              while true do end
            end, {name = 'victim'})
            submit(1, function()
              print('victim before', victim.status)
              print('cancel', victim:cancel())
              print('victim after', victim.status, 'closed', closed)
            end, {delay = 0.02, name = 'killer'})
            """, options: ["-j", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout, "victim before\trunning\ncancel\ttrue\nvictim after\tcancelled\tclosed\ttrue\n")
    }

    /// The main chunk is not a job: while it can continue it runs ahead of
    /// all jobs (SPEC.md section 6), so slicing it must not hand slots to the
    /// jobs it has submitted so far. Under `-j 1` the better job submitted
    /// after 50 ms of work in the main chunk still runs first, and the
    /// earlier job has not taken the slot meanwhile.
    func testBusyMainChunkDoesNotHandOutSlots() throws {
        let result = try runLua(
            """
            \(Self.spin)
            local b = submit(2, function() print('b (priority 2)') end)
            spin(0.05)
            print('b while the main chunk runs', b.status)
            submit(1, function() print('a (priority 1)') end)
            """)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "b while the main chunk runs\tpending\na (priority 1)\nb (priority 2)\n")
    }

    // MARK: - Helpers

    /// `spin(seconds)`: burns CPU time without suspending.
    static let spin = "local function spin(s) local t = os.clock() while os.clock() - t < s do end end"

    /// Three equal-priority jobs, each doing 20 steps of 2 ms CPU work and
    /// logging its letter per step; returns the log (e.g. `aabbcc...`).
    private func roundRobinLog(options: [String]) throws -> String {
        let result = try runLua(
            """
            \(Self.spin)
            local log, jobs = {}, {}
            for _, letter in ipairs{'a', 'b', 'c'} do
              jobs[#jobs + 1] = submit(1, function()
                for i = 1, 20 do spin(0.002) table.insert(log, letter) end
              end)
            end
            await_all(jobs)
            print(table.concat(log))
            """, options: options)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// How often the log changes letter: `aabba` has 2 switches.
    private func switches(in log: String) -> Int {
        zip(log, log.dropFirst()).filter { $0 != $1 }.count
    }

    typealias Result = CLITests.Result

    /// Runs `prio-lua OPTIONS jobs.lua` on `source` in a fresh directory. A
    /// run still going after `limit` seconds (scaled by
    /// `PRIO_TEST_TIME_SCALE`) is killed and the test fails.
    private func runLua(_ source: String, options: [String] = [], limit: Double = 20) throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("prio-preemption-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try source.write(to: directory.appendingPathComponent("jobs.lua"), atomically: true, encoding: .utf8)
        let scale = HostileRuns.timeScale
        let run = try BoundedRun(arguments: options + ["jobs.lua"], in: directory, limit: limit * scale)
        XCTAssertFalse(
            run.killed, "used more than \(limit * scale) s of CPU time (or took \(Watchdog.wallFactor)× that); killed")
        XCTAssertFalse(run.signaled, "crashed with signal \(run.status)\n\(run.stderr)")
        for marker in HostileScriptTests.crashMarkers where run.stderr.contains(marker) {
            XCTFail("stderr reports \(marker):\n\(run.stderr)")
        }
        return Result(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }
}
