import Foundation
import XCTest

/// Runs every Lua fixture in `Tests/Fixtures` with the built `prio-lua`
/// binary, exactly as a user would (`prio-lua OPTIONS NAME.lua` from that
/// folder), and compares its whole standard output with `NAME.out`, its whole
/// standard error with `NAME.err` (none when there is no such file) and its
/// exit status with the header's. One test per fixture, so a failure names
/// its fixture and never hides the others; the header rules are in
/// `FixtureHeader` (see `Tests/Fixtures/README.md`).
final class FixtureTests: XCTestCase {
    func test_await_all_already_finished() throws { try check() }
    func test_await_all_first_failure() throws { try check() }
    func test_await_all_first_values() throws { try check() }
    func test_await_all_timeout() throws { try check() }
    func test_await_all_values() throws { try check() }
    func test_await_any() throws { try check() }
    func test_await_any_already_finished() throws { try check() }
    func test_await_any_timeout() throws { try check() }
    func test_await_argument_errors() throws { try check() }
    func test_await_cancelled_raises() throws { try check() }
    func test_await_cycle() throws { try check() }
    func test_await_failed_raises() throws { try check() }
    func test_await_releases_slot() throws { try check() }
    func test_await_self() throws { try check() }
    func test_await_timeout() throws { try check() }
    func test_await_timeout_zero() throws { try check() }
    func test_awaited_failure_unreported() throws { try check() }
    func test_awaiter_resumes_first() throws { try check() }
    func test_bad_input_errors() throws { try check() }
    func test_cancel_pending() throws { try check() }
    func test_cancel_self() throws { try check() }
    func test_cancel_sleeping_closes() throws { try check() }
    func test_close_on_error() throws { try check() }
    func test_coroutine_generator() throws { try check() }
    func test_coroutine_resume_refused() throws { try check() }
    func test_current_job() throws { try check() }
    func test_deadline_option() throws { try check() }
    func test_delay_option() throws { try check() }
    func test_error_values_report() throws { try check() }
    func test_events_await_ends() throws { try check() }
    func test_events_priorities() throws { try check() }
    func test_job_error_isolation() throws { try check() }
    func test_job_fields() throws { try check() }
    func test_job_fields_by_any_key() throws { try check() }
    func test_job_method_errors() throws { try check() }
    func test_job_object_identity_under_churn() throws { try check() }
    func test_job_thread_survives_collection() throws { try check() }
    func test_job_tostring() throws { try check() }
    func test_jobs_snapshot() throws { try check() }
    func test_limit_group() throws { try check() }
    func test_main_chunk_error() throws { try check() }
    func test_main_runs_ahead() throws { try check() }
    func test_now_virtual_time() throws { try check() }
    func test_policy_aging() throws { try check() }
    func test_policy_bad_tables() throws { try check() }
    func test_policy_edf() throws { try check() }
    func test_policy_every_ahead_of_jobs() throws { try check() }
    func test_policy_every_bad_arguments() throws { try check() }
    func test_policy_every_cancel() throws { try check() }
    func test_policy_every_not_keep_alive() throws { try check() }
    func test_policy_every_rule_actions() throws { try check() }
    func test_policy_every_schedule() throws { try check() }
    func test_policy_fair() throws { try check() }
    func test_policy_fair_docs_example() throws { try check() }
    func test_policy_fair_two_slots() throws { try check() }
    func test_policy_fields_merge() throws { try check() }
    func test_policy_hook_cannot_suspend() throws { try check() }
    func test_policy_hook_error() throws { try check() }
    func test_policy_hook_time_budget() throws { try check() }
    func test_policy_hooks_call_api() throws { try check() }
    func test_policy_install_reevaluates() throws { try check() }
    func test_policy_interval() throws { try check() }
    func test_policy_job_object_identity() throws { try check() }
    func test_policy_nil_restores_default() throws { try check() }
    func test_policy_on_deadline_cancel() throws { try check() }
    func test_policy_on_deadline_escalate() throws { try check() }
    func test_policy_on_error_no_retry() throws { try check() }
    func test_policy_on_error_retry() throws { try check() }
    func test_policy_on_start_finish() throws { try check() }
    func test_policy_on_submit_reject() throws { try check() }
    func test_policy_preempt() throws { try check() }
    func test_policy_preempt_worst_holder() throws { try check() }
    func test_policy_priority_on_set_priority() throws { try check() }
    func test_policy_priority_on_submit() throws { try check() }
    func test_policy_reprioritize() throws { try check() }
    func test_policy_virtual_time_hour() throws { try check() }
    func test_prio_table() throws { try check() }
    func test_priority_inheritance() throws { try check() }
    func test_priority_inheritance_chain() throws { try check() }
    func test_priority_order() throws { try check() }
    func test_release_keeps_held_jobs() throws { try check() }
    func test_retries_backoff() throws { try check() }
    func test_retries_succeed() throws { try check() }
    func test_set_priority_argument_shapes() throws { try check() }
    func test_set_priority_reorders() throws { try check() }
    func test_sleep_keeps_slot() throws { try check() }
    func test_sleep_overlap_j3() throws { try check() }
    func test_stats_percentiles() throws { try check() }
    func test_stats_percentiles_json() throws { try check() }
    func test_tasks_basic() throws { try check() }
    func test_tasks_errors() throws { try check() }
    func test_tasks_module_fails_to_load() throws { try check() }
    func test_thread_reuse_never_seen() throws { try check() }
    func test_timeout_option() throws { try check() }
    func test_workers_busy_main() throws { try check() }
    func test_workers_cancel_timeout() throws { try check() }
    func test_workers_limits() throws { try check() }
    func test_workers_module_fails_in_worker() throws { try check() }
    func test_workers_tasks() throws { try check() }
    func test_yield_j1_pending_waits() throws { try check() }
    func test_yield_round_robin() throws { try check() }

    /// Task modules the fixtures load (`tasks("task_modules/...")`).
    static let taskModulesFolder = "task_modules"

    /// Every fixture has a test above and every test a fixture; every file
    /// in the folder belongs to a fixture, and every fixture has its `.out`.
    func testEveryFixtureHasATestAndItsExpectedOutput() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
        let names = Set(files.filter { $0.hasSuffix(".lua") }.map { String($0.dropLast(4)) })
        XCTAssertFalse(names.isEmpty, "no fixtures in \(Self.folder.path)")
        let tested = Set(Self.testedFixtures)
        for name in names.subtracting(tested).sorted() {
            XCTFail("Tests/Fixtures/\(name).lua has no test_\(name) method in FixtureTests")
        }
        for name in tested.subtracting(names).sorted() {
            XCTFail("FixtureTests tests \(name), which is not in Tests/Fixtures")
        }
        for file in files.sorted() where file != "README.md" && file != Self.taskModulesFolder {
            let name = (file as NSString).deletingPathExtension
            let suffix = (file as NSString).pathExtension
            if ["out", "err"].contains(suffix) && names.contains(name) { continue }
            if suffix == "lua" {
                if !files.contains(name + ".out") { XCTFail("\(file) has no \(name).out (expected output)") }
                continue
            }
            XCTFail("Tests/Fixtures/\(file) belongs to no fixture")
        }
    }

    /// Every option word a header may use is one `prio-lua --help` lists.
    func testHeaderOptionsAreTheCommandLineOnes() throws {
        let help = try CLITests.run(["--help"]).stdout
        for flag in FixtureHeader.valueOptions.keys.sorted() + FixtureHeader.flagOptions.sorted() {
            let word = flag.split(separator: "=").first.map(String.init) ?? flag
            XCTAssertTrue(help.contains(word), "\(word) is not in prio-lua --help")
        }
    }

    static let folder = CLITests.packageRoot.appendingPathComponent("Tests/Fixtures")

    /// The fixtures the methods above run.
    static let testedFixtures: [String] = {
        let source = (try? String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)) ?? ""
        return source.split(separator: "\n").compactMap { line in
            guard line.hasSuffix("() throws { try check() }"),
                let start = line.range(of: "func test_"), let end = line.range(of: "() throws")
            else { return nil }
            return String(line[start.upperBound..<end.lowerBound])
        }
    }()

    /// Runs the fixture `test_NAME` names and compares everything it printed.
    private func check(function: String = #function, file: StaticString = #filePath, line: UInt = #line) throws {
        var name = function
        if name.hasPrefix("test_") { name.removeFirst("test_".count) }
        if let parenthesis = name.firstIndex(of: "(") { name = String(name[..<parenthesis]) }
        let base = Self.folder.appendingPathComponent(name)
        let source = try String(contentsOf: base.appendingPathExtension("lua"), encoding: .utf8)
        let header: FixtureHeader
        do {
            header = try FixtureHeader(parsing: source)
        } catch {
            XCTFail("\(name).lua: \(error)", file: file, line: line)
            return
        }
        guard let expectedOutput = try? String(contentsOf: base.appendingPathExtension("out"), encoding: .utf8)
        else {
            XCTFail("\(name).lua has no \(name).out; an empty file says it prints nothing", file: file, line: line)
            return
        }
        let expectedErrors = (try? String(contentsOf: base.appendingPathExtension("err"), encoding: .utf8)) ?? ""
        // Once as users run it, once with every layout probe failed, so the
        // C fast paths (lua_mirror.h) and the API path must agree.
        let environments = Array(repeating: [[:], ["PRIO_LUA_SLOW_PATHS": "1"]], count: header.repetitions).joined()
        for environment in environments {
            let prefix = environment.map { "\($0.key)=\($0.value) " }.joined()
            let command = prefix + (["prio-lua"] + header.options + [name + ".lua"]).joined(separator: " ")
            let run = try BoundedRun(
                arguments: header.options + [name + ".lua"], in: Self.folder,
                limit: header.maxSeconds * HostileRuns.timeScale, environment: environment)
            if run.killed {
                XCTFail(
                    "`\(command)` used \(header.maxSeconds) s of CPU time or ran \(header.maxSeconds * Watchdog.wallFactor) s"
                        + ", killed", file: file, line: line)
                continue
            }
            if run.signaled { XCTFail("`\(command)` crashed with signal \(run.status)", file: file, line: line) }
            XCTAssertEqual(run.stdout, expectedOutput, "`\(command)`: standard output differs", file: file, line: line)
            XCTAssertEqual(run.stderr, expectedErrors, "`\(command)`: standard error differs", file: file, line: line)
            XCTAssertEqual(run.status, header.exit, "`\(command)`: exit status differs", file: file, line: line)
        }
    }
}

/// A fixture's `--!` header, parsed strictly: an unknown key, an option word
/// the CLI does not have, a value that is not a number where one is wanted or
/// a repeated key is an error, never a silent default.
struct FixtureHeader {
    var options: [String] = []
    var exit: Int32 = 0
    var maxSeconds: Double = 60
    /// Runs of each kind (`repeat: N`): a fixture whose jobs run on several
    /// threads must give its output every time, not once.
    var repetitions = 1

    /// Options that take a value, with a check of that value.
    static let valueOptions: [String: @Sendable (String) -> Bool] = [
        "-j": { Int($0).map { $0 >= 1 } ?? false },
        "--concurrency": { Int($0).map { $0 >= 1 } ?? false },
        "-w": { Int($0).map { $0 >= 1 } ?? false },
        "--workers": { Int($0).map { $0 >= 1 } ?? false },
        "--slice": { Double($0).map { $0 >= 0 } ?? false },
        "--memory-limit": { !$0.isEmpty },
        "--policy": { !$0.isEmpty },
        "--trace": { !$0.isEmpty },
        "--events": { !$0.isEmpty },
    ]

    /// Options that stand alone.
    static let flagOptions: Set<String> = [
        "--sandbox", "--virtual-time", "--explain", "--stats", "--stats=json", "--progress", "--no-progress",
    ]

    struct BadHeader: Error, CustomStringConvertible {
        var description: String
    }

    init(parsing source: String) throws {
        var seen: Set<String> = []
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) where rawLine.hasPrefix("--!") {
            guard rawLine.hasPrefix("--! "), let colon = rawLine.firstIndex(of: ":") else {
                throw BadHeader(description: "header line is not '--! key: value': \(rawLine)")
            }
            let key = String(rawLine[rawLine.index(rawLine.startIndex, offsetBy: 4)..<colon])
            let value = rawLine[rawLine.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard seen.insert(key).inserted else { throw BadHeader(description: "header key '\(key)' repeated") }
            switch key {
            case "options": options = try Self.parseOptions(value)
            case "exit":
                guard let status = Int32(value), (0...255).contains(status) else {
                    throw BadHeader(description: "exit status '\(value)' is not a number in 0...255")
                }
                exit = status
            case "max-seconds":
                guard let seconds = Double(value), seconds > 0 else {
                    throw BadHeader(description: "max-seconds '\(value)' is not a positive number")
                }
                maxSeconds = seconds
            case "repeat":
                guard let count = Int(value), (1...100).contains(count) else {
                    throw BadHeader(description: "repeat '\(value)' is not a number in 1...100")
                }
                repetitions = count
            default:
                throw BadHeader(description: "unknown header key '\(key)' (options, exit, max-seconds, repeat)")
            }
        }
    }

    private static func parseOptions(_ text: String) throws -> [String] {
        let words = text.split(separator: " ").map(String.init)
        var index = 0
        while index < words.count {
            let word = words[index]
            if let valid = valueOptions[word] {
                guard index + 1 < words.count, valid(words[index + 1]) else {
                    let value = index + 1 < words.count ? "'\(words[index + 1])'" : "nothing"
                    throw BadHeader(description: "option \(word) has a bad value: \(value)")
                }
                index += 2
            } else if flagOptions.contains(word) {
                index += 1
            } else {
                throw BadHeader(description: "unknown option word '\(word)'")
            }
        }
        return words
    }
}
