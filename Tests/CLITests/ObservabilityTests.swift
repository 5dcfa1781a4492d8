import Foundation
import XCTest

/// `--trace` and `--events` on a real run, through the binary.
final class ObservabilityTests: XCTestCase {
    let script = """
        local children = {}
        for i = 1, 6 do
          children[i] = submit(i % 3 + 1, function() sleep(0.01 * i) return i end, {name = "child " .. i})
        end
        local parent = submit(1, function() return await_all(children) end, {name = "parent"})
        children[6]:set_priority(0)
        submit(2, function() error("boom", 0) end, {name = "broken"})
        parent:await()
        """

    func testTraceIsChromeTraceJSONWithSlotTracksSpansInstantsAndCounters() throws {
        let directory = try CLITests.script(script)
        let trace = directory.appendingPathComponent("run.trace.json")
        let result = try CLITests.run(["-j", "3", "--trace", trace.path, "jobs.lua"], in: directory)
        XCTAssertEqual(result.status, 1, result.stderr)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: trace)) as? [String: Any]
        let events = try XCTUnwrap(document?["traceEvents"] as? [[String: Any]])
        let tracks = events.filter { $0["ph"] as? String == "M" && $0["name"] as? String == "thread_name" }
            .compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
        XCTAssertEqual(Set(tracks), ["slot 1", "slot 2", "slot 3"], "one track per slot, -j 3")
        let spans = events.filter { $0["ph"] as? String == "X" }
        XCTAssertEqual(Set(spans.compactMap { $0["name"] as? String }).count, 8, "every job ran at least once")
        for span in spans {
            let args = try XCTUnwrap(span["args"] as? [String: Any])
            XCTAssertNotNil(args["id"])
            XCTAssertNotNil(args["priority"])
            XCTAssertNotNil(args["status"])
        }
        // Spans on one slot never overlap.
        for (_, group) in Dictionary(grouping: spans, by: { $0["tid"] as? Int ?? -1 }) {
            let sorted = group.map { ($0["ts"] as? Double ?? 0, $0["dur"] as? Double ?? 0) }.sorted { $0.0 < $1.0 }
            for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                XCTAssertLessThanOrEqual(earlier.0 + earlier.1, later.0 + 0.001)
            }
        }
        let instants = events.filter { $0["ph"] as? String == "i" }.compactMap { $0["name"] as? String }
        XCTAssertTrue(instants.contains("submit child 1"))
        XCTAssertTrue(instants.contains("priority 0 child 6"))
        XCTAssertTrue(instants.contains("failed broken"))
        let counters = events.filter { $0["ph"] as? String == "C" }
        XCTAssertFalse(counters.isEmpty)
        let last = try XCTUnwrap(counters.last?["args"] as? [String: Int])
        XCTAssertEqual(last, ["pending": 0, "running": 0, "waiting": 0], "the run ends with nothing left")
    }

    func testEventsAreJSONLinesInOrder() throws {
        let directory = try CLITests.script(script)
        let result = try CLITests.run(["-j", "3", "--events", "events.jsonl", "jobs.lua"], in: directory)
        XCTAssertEqual(result.status, 1)
        let text = try String(contentsOf: directory.appendingPathComponent("events.jsonl"), encoding: .utf8)
        let lines = text.split(separator: "\n").map {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertFalse(lines.isEmpty)
        var lastTime = 0.0
        for line in lines {
            let event = try XCTUnwrap(line)
            for key in ["t", "event", "job", "name", "priority"] { XCTAssertNotNil(event[key], "missing \(key)") }
            let time = try XCTUnwrap(event["t"] as? Double)
            XCTAssertGreaterThanOrEqual(time, lastTime)
            lastTime = time
        }
        let parent = lines.compactMap { $0 }.filter { $0["name"] as? String == "parent" }.compactMap {
            $0["event"] as? String
        }
        XCTAssertEqual(parent.first, "submitted")
        XCTAssertEqual(parent.last, "finished")
        XCTAssertTrue(parent.contains("suspended"), "the parent suspends while it awaits")
    }

    func testEventsToStandardError() throws {
        let directory = try CLITests.script("submit(1, function() end, {name = 'only'})")
        let result = try CLITests.run(["--events", "-", "jobs.lua"], in: directory)
        XCTAssertTrue(result.stderr.contains(#""event": "finished", "job": 1, "name": "only""#), result.stderr)
    }

    func testStatsSummarisesCountsAndPercentilesPerPriorityAndGroup() throws {
        let directory = try CLITests.script(
            """
            for i = 1, 4 do submit(1, function() sleep(0.01) end, {group = "net"}) end
            submit(3, function() error("x", 0) end)
            submit(3, function() end, {retries = 1, backoff = 0}):cancel()
            """)
        // Under virtual time: no time slices, so a loaded machine cannot add a preemption.
        let text = try CLITests.run(["--virtual-time", "-j", "2", "--stats", "jobs.lua"], in: directory)
        let lines = text.stderr.split(separator: "\n").map(String.init)
        let summary = try XCTUnwrap(lines.first { $0.hasPrefix("prio-lua: 6 jobs in ") }, text.stderr)
        XCTAssertTrue(summary.hasSuffix("4 done, 1 failed, 1 cancelled; 0 retries, 0 preemptions"), summary)
        XCTAssertTrue(lines.contains { $0.hasPrefix("wait (ms)") && $0.hasSuffix("max") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("priority 1 ") && $0.contains(" 4 ") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("group net ") })

        let json = try CLITests.run(["--stats=json", "jobs.lua"], in: directory)
        let jsonLine = try XCTUnwrap(json.stderr.split(separator: "\n").last)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any])
        XCTAssertEqual(object["counts"] as? [String: Int], ["done": 4, "failed": 1, "cancelled": 1])
        let rows = try XCTUnwrap(object["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["label"] as? String }, ["priority 1", "priority 3", "group net"])
    }

    func testStatsAfterTheScriptBelongsToTheScript() throws {
        let directory = try CLITests.script("print(...)")
        let result = try CLITests.run(["jobs.lua", "--stats"], in: directory)
        XCTAssertEqual(result.stdout, "--stats\n")
        XCTAssertEqual(result.stderr, "")
    }

    func testExplainTellsWhenEachJobRanAndWhatChangedItsPriority() throws {
        let directory = try CLITests.script(
            """
            policy(prio.policies.aging{rate = 1, interval = 5})
            local low = submit(10, function() sleep(1) end, {name = "low"})
            local child = submit(8, function() sleep(2) end, {name = "child"})
            local parent = submit(1, function() sleep(1) child:await() end, {name = "parent"})
            """)
        let started = Date()
        let result = try CLITests.run(["--explain", "jobs.lua"], in: directory)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "--explain runs under virtual time")
        XCTAssertEqual(
            result.stdout,
            """
            == explain (times in seconds of virtual time) ==
            job#1 'low': done
                 0.000  submitted at priority 10
                 3.000  started after waiting 3.000 s, at priority 10
                 4.000  finished: done
            job#2 'child': done
                 0.000  submitted at priority 8
                 1.000  priority 8 -> 1 (inherited from job#3)
                 1.000  started after waiting 1.000 s, at priority 1
                 3.000  finished: done
            job#3 'parent': done
                 0.000  submitted at priority 1
                 0.000  started after waiting 0.000 s, at priority 1
                 3.000  finished: done

            """)
        XCTAssertEqual(result.status, 0)
    }

    /// The events of a run as parsed JSON objects, one per line.
    func events(_ source: String, _ flags: [String]) throws -> [[String: Any]] {
        let directory = try CLITests.script(source)
        let log = directory.appendingPathComponent("events.jsonl")
        _ = try CLITests.run(flags + ["--events", log.path, "jobs.lua"], in: directory)
        return try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    /// A slot preemption says who took the slot; the victim resumes later.
    func testPreemptionIsAnEventWithTheBetterJob() throws {
        let log = try events(
            """
            policy{preempt = true}
            submit(5, function() sleep(2) end, {name = "low"})
            sleep(1)
            submit(0, function() sleep(3) end, {name = "high"})
            """, ["--virtual-time", "-j", "1"])
        let preempted = log.filter { $0["event"] as? String == "preempted" }
        XCTAssertEqual(preempted.count, 1, "\(log)")
        XCTAssertEqual(preempted.first?["job"] as? Int, 1)
        XCTAssertEqual(preempted.first?["by"] as? Int, 2)
        XCTAssertEqual(preempted.first?["reason"] as? String, "slot")
        XCTAssertEqual(preempted.first?["status"] as? String, "pending")
        XCTAssertEqual(preempted.first?["t"] as? Double, 1.0)
        let resumed = log.filter { $0["event"] as? String == "resumed" && $0["job"] as? Int == 1 }
        XCTAssertEqual(resumed.first?["t"] as? Double, 4.0)
    }

    /// A job that computes past its slice while another is ready gives way: a "slice" preemption.
    func testASliceThatLetsAnotherJobRunIsAPreemption() throws {
        let log = try events(
            """
            for _, name in ipairs{"A", "B"} do
              submit(5, function() local t0 = os.clock() while os.clock() - t0 < 0.05 do end end, {name = name})
            end
            """, ["-j", "2", "--slice", "2"])
        let slices = log.filter { $0["event"] as? String == "preempted" && $0["reason"] as? String == "slice" }
        XCTAssertFalse(slices.isEmpty, "\(log)")
        XCTAssertTrue(slices.allSatisfy { $0["by"] == nil })
    }

    /// Each failed attempt that will be retried is an event, with the reasons of priority changes and cancels.
    func testFailedAttemptsAndReasonsAreInTheEvents() throws {
        let log = try events(
            """
            local flaky = submit(3, function() error("flaky", 0) end, {name = "flaky", retries = 2, backoff = 0.5})
            local victim = submit(9, function() sleep(100) end, {name = "victim"})
            submit(8, function()
              sleep(0.2)
              victim:set_priority(7)
              victim:cancel("no longer needed")
              print(victim.cancel_reason)
            end)
            """, ["--virtual-time", "-j", "3"])
        let failed = log.filter { $0["event"] as? String == "failed" }
        XCTAssertEqual(failed.map { $0["attempt"] as? Int }, [1, 2])
        XCTAssertEqual(failed.map { $0["retry_in"] as? Double }, [0.5, 1.0])
        XCTAssertEqual(failed.map { $0["error"] as? String }, ["flaky", "flaky"])
        XCTAssertEqual(failed.map { $0["status"] as? String }, ["pending", "pending"])
        let reprioritized = log.first { $0["event"] as? String == "reprioritized" && $0["job"] as? Int == 2 }
        XCTAssertEqual(reprioritized?["reason"] as? String, "set_priority")
        XCTAssertEqual(reprioritized?["priority"] as? Int, 7)
        let cancelled = log.first { $0["event"] as? String == "finished" && $0["job"] as? Int == 2 }
        XCTAssertEqual(cancelled?["status"] as? String, "cancelled")
        XCTAssertEqual(cancelled?["reason"] as? String, "no longer needed")
    }

    /// At -j 1: "low" is preempted by "high" at 1 s, "flaky" fails twice and is retried.
    static let preemptionAndRetries = """
            policy{preempt = true}
            submit(5, function() sleep(2) end, {name = "low"})
            submit(6, function() error("again", 0) end, {name = "flaky", retries = 2, backoff = 0.1})
            sleep(1)
            submit(0, function() sleep(1) end, {name = "high"})

        """

    /// After preemption and retries, -j 1 draws one slot track, and the
    /// running counter never exceeds the slots.
    func testOneTrackPerSlotAcrossPreemptionAndRetries() throws {
        let directory = try CLITests.script(Self.preemptionAndRetries)
        let trace = directory.appendingPathComponent("run.trace.json")
        _ = try CLITests.run(["--virtual-time", "-j", "1", "--trace", trace.path, "jobs.lua"], in: directory)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: trace)) as? [String: Any]
        let events = try XCTUnwrap(document?["traceEvents"] as? [[String: Any]])
        let tracks = events.filter { $0["ph"] as? String == "M" && $0["name"] as? String == "thread_name" }
            .compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
        XCTAssertEqual(tracks, ["slot 1"])
        let running = events.filter { $0["ph"] as? String == "C" }.compactMap {
            ($0["args"] as? [String: Any])?["running"] as? Int
        }
        XCTAssertFalse(running.isEmpty)
        XCTAssertLessThanOrEqual(running.max() ?? 0, 1, "\(running)")
        let instants = events.filter { $0["ph"] as? String == "i" }.compactMap { $0["name"] as? String }
        XCTAssertTrue(instants.contains("preempted by job#3 low"), "\(instants)")
        XCTAssertTrue(instants.contains { $0.hasPrefix("failed (attempt 1, retry in 0.1 s)") }, "\(instants)")
    }

    /// --stats counts as many retries and preemptions as the events report.
    func testStatsCountRetriesAndPreemptionsAsTheEventsDo() throws {
        let directory = try CLITests.script(
            Self.preemptionAndRetries + """
                for _, name in ipairs{"A", "B"} do
                  submit(9, function() local t0 = os.clock() while os.clock() - t0 < 0.03 do end end, {name = name})
                end
                """)
        let log = directory.appendingPathComponent("events.jsonl")
        let result = try CLITests.run(
            ["-j", "1", "--slice", "2", "--stats=json", "--events", log.path, "jobs.lua"], in: directory)
        let lastLine = try XCTUnwrap(result.stderr.split(separator: "\n").last, "no --stats line")
        let stats = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])
        let kinds = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["event"] as? String
        }
        XCTAssertEqual(stats["retries"] as? Int, kinds.filter { $0 == "failed" }.count)
        XCTAssertEqual(stats["preemptions"] as? Int, kinds.filter { $0 == "preempted" }.count)
        XCTAssertEqual(stats["retries"] as? Int, 2)
        XCTAssertGreaterThanOrEqual(stats["preemptions"] as? Int ?? 0, 2)
    }

    /// The example with retries and a timeout, at -j 4: four slot tracks and
    /// never more than four jobs counted running (it drew a "slot 5").
    func testFetchFanoutDrawsNoMoreTracksThanSlots() throws {
        let example = CLITests.packageRoot.appendingPathComponent("scripts/examples/fetch_fanout.lua")
        let directory = try CLITests.script("")
        let trace = directory.appendingPathComponent("run.trace.json")
        _ = try CLITests.run(["-j", "4", "--trace", trace.path, example.path], in: directory)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: trace)) as? [String: Any]
        let events = try XCTUnwrap(document?["traceEvents"] as? [[String: Any]])
        let tracks = events.filter { $0["ph"] as? String == "M" && $0["name"] as? String == "thread_name" }
        XCTAssertLessThanOrEqual(tracks.count, 4)
        let running = events.filter { $0["ph"] as? String == "C" }.compactMap {
            ($0["args"] as? [String: Any])?["running"] as? Int
        }
        XCTAssertLessThanOrEqual(running.max() ?? 0, 4)
    }

    /// The trace names each event and draws each span with the priority the
    /// job has at that moment, at its virtual time: the submitted priority, a
    /// `set_priority` (also under a policy, which computes from the new base),
    /// what an awaiter lends the job it waits on, and what a policy computes
    /// when it is installed. Under `--virtual-time` the whole list is exact.
    func testTraceEventsCarryTheExactPrioritiesAndTimes() throws {
        let directory = try CLITests.script(
            """
            local low = submit(10, function() sleep(2) end, {name = "low"})
            local mid = submit(5, function() sleep(1) end, {name = "mid"})
            mid:set_priority(7)
            submit(1, function() low:await() end, {name = "high"})
            sleep(0.5)
            policy{priority = function(job) return job.base_priority * 10 end}
            mid:set_priority(3)
            """)
        let trace = directory.appendingPathComponent("run.trace.json")
        let result = try CLITests.run(["--virtual-time", "-j", "2", "--trace", trace.path, "jobs.lua"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: trace)) as? [String: Any]
        let events = try XCTUnwrap(document?["traceEvents"] as? [[String: Any]])
        // Instants: "at µs: name (id, priority)"; spans: "at µs +dur slot N: name (id, priority, status)".
        let described: [String] = events.compactMap { event in
            let args = event["args"] as? [String: Any] ?? [:]
            let ts = event["ts"] as? Double ?? -1
            let name = event["name"] as? String ?? "?"
            let job = "\(args["id"] as? Int ?? -1), priority \(args["priority"] as? Double ?? .nan)"
            switch event["ph"] as? String {
            case "i": return "\(ts): \(name) (#\(job))"
            case "X":
                let dur = event["dur"] as? Double ?? -1
                let slot = event["tid"] as? Int ?? -1
                return "\(ts) +\(dur) slot \(slot): \(name) (#\(job), \(args["status"] as? String ?? "?"))"
            default: return nil
            }
        }
        XCTAssertEqual(
            described,
            [
                "0.0: submit low (#1, priority 10.0)",
                "0.0: submit mid (#2, priority 5.0)",
                "0.0: priority 7 mid (#2, priority 7.0)",
                "0.0: submit high (#3, priority 1.0)",
                "0.0: priority 1 low (#1, priority 1.0)",
                "0.0 +0.0 slot 1: high (#3, priority 1.0, waiting)",
                "0.0 +0.0 slot 1: low (#1, priority 1.0, running)",
                "0.0 +0.0 slot 2: mid (#2, priority 7.0, running)",
                "500000.0: priority 10 low (#1, priority 10.0)",
                "500000.0: priority 70 mid (#2, priority 70.0)",
                "500000.0: priority 10 high (#3, priority 10.0)",
                "500000.0: priority 30 mid (#2, priority 30.0)",
                "1000000.0 +0.0 slot 2: mid (#2, priority 30.0, done)",
                "2000000.0 +0.0 slot 1: low (#1, priority 10.0, done)",
                "2000000.0 +0.0 slot 1: high (#3, priority 10.0, done)",
            ])
    }

    /// --explain says when a job was preempted and by whom, each failed
    /// attempt with its error and delay, and the reason of a cancel.
    func testExplainTellsPreemptionsFailedAttemptsAndCancelReasons() throws {
        let directory = try CLITests.script(
            """
            policy{preempt = true}
            submit(5, function() sleep(2) end, {name = "low"})
            submit(6, function() error("again", 0) end, {name = "flaky", retries = 1, backoff = 0.5})
            local victim = submit(9, function() sleep(10) end, {name = "victim"})
            sleep(1)
            submit(0, function() sleep(1) end, {name = "high"})
            victim:cancel("not needed")
            """)
        let result = try CLITests.run(["--explain", "-j", "1", "jobs.lua"], in: directory)
        XCTAssertEqual(
            result.stdout,
            """
            == explain (times in seconds of virtual time) ==
            job#1 'low': done
                 0.000  submitted at priority 5
                 0.000  started after waiting 0.000 s, at priority 5
                 1.000  preempted by job#4 'high'
                 2.000  resumed
                 2.000  finished: done
            job#2 'flaky': failed
                 0.000  submitted at priority 6
                 2.000  started after waiting 2.000 s, at priority 6
                 2.000  attempt 1 failed: again; retry in 0.500 s
                 2.500  started again (a retry)
                 2.500  finished: failed
            job#3 'victim': cancelled
                 0.000  submitted at priority 9
                 1.000  finished: cancelled (reason: not needed)
            job#4 'high': done
                 1.000  submitted at priority 0
                 1.000  started after waiting 0.000 s, at priority 0
                 2.000  finished: done

            """)
    }
}
