import Foundation
import XCTest

/// Runs each example in `scripts/examples` with the built `prio-lua` binary,
/// as the README shows them (`prio-lua -j 4 scripts/examples/NAME.lua`), and
/// pins its whole standard output and exit status. The examples are written
/// so that no two steps finish at the same moment, which makes their output
/// the same on every run in real time.
final class ExampleScriptTests: XCTestCase {
    typealias Result = CLITests.Result
    static var packageRoot: URL { CLITests.packageRoot }
    static var binary: URL { CLITests.binary }

    /// Runs `prio-lua --virtual-time -j 4 scripts/examples/<name>` from the
    /// package root. Virtual time gives the same output as a real run (the
    /// examples keep their events apart), without depending on the load of
    /// a shared machine.
    /// A run still going after `limit` seconds is terminated (and then fails).
    func runExample(_ name: String, limit: TimeInterval = 30, options: [String] = []) throws -> Result {
        let script = "scripts/examples/" + name
        let path = Self.packageRoot.appendingPathComponent(script).path
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "missing \(path)")
        let run = try BoundedRun(
            arguments: ["--virtual-time", "-j", "4"] + options + [script], in: Self.packageRoot, limit: limit)
        XCTAssertFalse(
            run.killed,
            "\(name) used more than \(limit) s of CPU time (or took \(limit * Watchdog.wallFactor) s) and was killed")
        return Result(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }

    /// The README's example of worker states: the same output with any number of them.
    func testScoreDocumentsGivesTheSameOutputWithAnyNumberOfWorkers() throws {
        for workers in ["1", "4"] {
            let result = try runExample("score_documents.lua", options: ["-w", workers])
            XCTAssertEqual(
                result.stdout, "scored 120 documents; best: document 10 (score 997664); checksum 521143\n",
                "-w \(workers)")
            XCTAssertEqual(result.stderr, "")
            XCTAssertEqual(result.status, 0)
        }
    }

    func testBuildGraph() throws {
        let result = try runExample("build_graph.lua")
        XCTAssertEqual(result.stdout, Self.buildGraphOutput)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.status, 0)
    }

    func testFetchFanout() throws {
        let result = try runExample("fetch_fanout.lua")
        XCTAssertEqual(result.stdout, Self.fetchFanoutOutput)
        XCTAssertEqual(result.status, 0)
        // A one-line notice per failed attempt that is retried (two for
        // img/avatar, one for api/feed); the awaited failures are not reported.
        let notices = result.stderr.split(separator: "\n")
        XCTAssertEqual(notices.count, 3, result.stderr)
        XCTAssertEqual(notices.filter { $0.hasPrefix("prio-lua: job 'img/avatar'") }.count, 2, result.stderr)
        XCTAssertEqual(notices.filter { $0.hasPrefix("prio-lua: job 'api/feed'") }.count, 1, result.stderr)
    }

    func testInteractiveBackground() throws {
        let result = try runExample("interactive_background.lua")
        XCTAssertEqual(result.stdout, Self.interactiveBackgroundOutput)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.status, 0)
    }

    static let buildGraphOutput = """
        make all
        [wait] all        needs test_lexer test_eval test_cli
        [wait] test_lexer needs calc
        [wait] calc       needs parser.o eval.o lexer.o util.o main.o
        [wait] parser.o   needs tables.c
        [run ] gen  tables.c   priority 1, 4 of 4 slots busy
        [run ] cc   eval.o     priority 2, 4 of 4 slots busy
        [wait] test_eval  needs calc
        [run ] cc   lexer.o    priority 3, 4 of 4 slots busy
        [wait] test_cli   needs calc
        [run ] cc   util.o     priority 4, 4 of 4 slots busy
        [done] util.o
        [run ] cc   main.o     priority 5, 4 of 4 slots busy
        [done] tables.c
        [run ] cc   parser.o   priority 1, 4 of 4 slots busy
        [done] lexer.o
        [done] main.o
        [done] eval.o
        [done] parser.o
        [run ] link calc       priority 7, 1 of 4 slots busy
        [done] calc
        [run ] test test_lexer priority 8, 3 of 4 slots busy
        [run ] test test_eval  priority 8, 3 of 4 slots busy
        [run ] test test_cli   priority 8, 3 of 4 slots busy
        [done] test_lexer
        [done] test_eval
        [done] test_cli
        11 of 11 targets done; they finished in this order:
          util.o tables.c lexer.o main.o eval.o parser.o calc test_lexer test_eval test_cli all

        """

    static let fetchFanoutOutput = """
        fetching 6 resources, best priority first
        [get ] api/config     priority 1, attempt 1
        [get ] api/user       priority 1, attempt 1
        [get ] api/feed       priority 2, attempt 1
        [get ] search/suggest priority 3, attempt 1
        [ok  ] api/config     1000 bytes
        [get ] img/avatar     priority 5, attempt 1
        [fail] img/avatar     connection reset
        [get ] ads/banner     priority 9, attempt 1
        [ok  ] api/user       800 bytes
        [get ] img/avatar     priority 5, attempt 2
        [fail] img/avatar     connection reset
        [fail] api/feed       503 Service Unavailable
        [get ] img/avatar     priority 5, attempt 3
        [get ] api/feed       priority 2, attempt 2
        [ok  ] img/avatar     1000 bytes
        [fail] ads/banner     404 Not Found
        [ok  ] api/feed       800 bytes
        await_all raised "timeout": the first failed fetch in array order
        summary:
          api/config     done    after 1 attempt(s)
          api/user       done    after 1 attempt(s)
          api/feed       done    after 2 attempt(s)
          search/suggest failed  after 1 attempt(s): timeout
          img/avatar     done    after 3 attempt(s)
          ads/banner     failed  after 1 attempt(s): 404 Not Found
        4 of 6 fetched, 3600 bytes

        """

    static let interactiveBackgroundOutput = """
        queued 8 background jobs at priority 10
        2 interactive requests will arrive at priority 1
        [bg] reindex shard 1 started (priority 10)
        [bg] reindex shard 2 started (priority 10)
        [bg] reindex shard 3 started (priority 10)
        [bg] reindex shard 4 started (priority 10)
        [bg] shard 1 reindexed
        [ui] GET /search started, ahead of 4 queued background jobs
        [bg] shard 2 reindexed
        [ui] GET /dashboard started, ahead of 4 queued background jobs
        [ui] the dashboard shows shard 8: promoted to job#8 'reindex shard 8' (priority 5, pending)
        [ui] GET /search answered
        [bg] reindex shard 8 started (priority 5)
        [bg] shard 3 reindexed
        [bg] reindex shard 5 started (priority 10)
        [bg] shard 8 reindexed
        [bg] reindex shard 6 started (priority 10)
        [ui] GET /dashboard answered
        all requests answered: /search, /dashboard
        [bg] reindex shard 7 started (priority 10)
        [bg] shard 4 reindexed
        [bg] shard 5 reindexed
        [bg] shard 6 reindexed
        [bg] shard 7 reindexed
        background reindex order: shard 1, 2, 3, 4, 8, 5, 6, 7

        """
}
