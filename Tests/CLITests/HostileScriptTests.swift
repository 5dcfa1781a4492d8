import Foundation
import XCTest

/// Runs every hostile script in `Tests/Hostile` with the built `prio-lua`
/// binary and enforces the expectations in its `--!` header (see
/// `Tests/Hostile/README.md`): exit status, standard output, substrings of
/// standard error, and a time bound past which the run is killed (CPU time,
/// with a wall-clock backstop: see `Watchdog`). Any
/// crash (a signal, Swift's crash report, a Lua PANIC, a sanitizer report)
/// fails the script's test.
///
/// The scripts run in the background, `PRIO_HOSTILE_JOBS` (default 2) at a
/// time, as soon as the first test asks for one; each test waits for its
/// own script. Scripts that hang until their bound is reached would
/// otherwise make the class take minutes.
final class HostileScriptTests: XCTestCase {
    func test_await_storm() throws { try check() }
    func test_c_stack_overflow() throws { try check() }
    func test_cancel_chain_through_close_handlers() throws { try check() }
    func test_cancel_from_own_close_handler() throws { try check() }
    func test_cancel_self_in_sort_comparator() throws { try check() }
    func test_cancel_self_then_loop() throws { try check() }
    func test_cancel_self_tight_loop() throws { try check() }
    func test_close_handler_cancels_self_after_error() throws { try check() }
    func test_close_handler_cancels_self_after_timeout() throws { try check() }
    func test_close_handler_current_during_cancel() throws { try check() }
    func test_close_handler_loops_after_error() throws { try check() }
    func test_close_handler_loops_after_timeout() throws { try check() }
    func test_close_handler_loops_on_cancel() throws { try check() }
    func test_close_handler_spins_in_own_coroutine() throws { try check() }
    func test_coroutine_close_chain() throws { try check() }
    func test_coroutine_close_chain_on_cancel() throws { try check() }
    func test_error_nil() throws { try check() }
    func test_error_tostring_loops() throws { try check() }
    func test_error_tostring_raises() throws { try check() }
    func test_finalizer_allocates_at_close() throws { try check() }
    func test_finalizer_calls_scheduler() throws { try check() }
    func test_finalizer_spins_at_close() throws { try check() }
    func test_hook_budget_survives_nested_calls() throws { try check() }
    func test_hook_resumes_coroutine_mid_slice() throws { try check() }
    func test_infinite_loop() throws { try check() }
    func test_infinite_loop_pcall() throws { try check() }
    func test_long_waits() throws { try check() }
    func test_many_return_values() throws { try check() }
    func test_many_slot_holders() throws { try check() }
    func test_memory_huge_string() throws { try check() }
    func test_memory_huge_table() throws { try check() }
    func test_on_submit_recursion() throws { try check() }
    func test_pattern_backtracking() throws { try check() }
    func test_pcall_loop_forever() throws { try check() }
    func test_policy_hook_budget_is_cpu_time() throws { try check() }
    func test_policy_hook_coroutine_work() throws { try check() }
    func test_policy_hook_error_tostring_loops() throws { try check() }
    func test_policy_hook_errors() throws { try check() }
    func test_policy_hook_loops() throws { try check() }
    func test_policy_hook_loops_in_coroutine() throws { try check() }
    func test_policy_hook_xpcall_handler_loops() throws { try check() }
    func test_priority_hook_loops_in_coroutine_mid_slice() throws { try check() }
    func test_resume_other_jobs_inner_coroutine() throws { try check() }
    func test_resume_other_jobs_thread() throws { try check() }
    func test_runaway_recursion() throws { try check() }
    func test_sandbox_escapes() throws { try check() }
    func test_sort_comparator_loops_timeout() throws { try check() }
    func test_sort_comparator_sleeps() throws { try check() }
    func test_submit_storm() throws { try check() }
    func test_submit_storm_memory_limit() throws { try check() }
    func test_workers_call_storm() throws { try check() }
    func test_workers_cancel_storm() throws { try check() }
    func test_workers_close_handler_never_returns() throws { try check() }
    func test_workers_main_raises_while_worker_spins() throws { try check() }
    func test_xpcall_handler_loops() throws { try check() }

    /// Every script in the folder has a test above, and every test a script.
    func testEveryScriptHasATest() throws {
        let names = try HostileRuns.scriptNames()
        let tested = Set(Self.testedScripts)
        for name in names where !tested.contains(name) {
            XCTFail("Tests/Hostile/\(name) has no test_... method in HostileScriptTests")
        }
        for name in tested where !names.contains(name) {
            XCTFail("HostileScriptTests tests \(name), which is not in Tests/Hostile")
        }
    }

    /// The scripts the methods above check, for `testEveryScriptHasATest`.
    static let testedScripts: [String] = {
        let source = (try? String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)) ?? ""
        var names: [String] = []
        for line in source.split(separator: "\n") where line.hasSuffix(" throws { try check() }") {
            guard let start = line.range(of: "func "), let end = line.range(of: "() throws") else { continue }
            names.append(scriptName(forTest: String(line[start.upperBound..<end.lowerBound])))
        }
        return names
    }()

    /// `test_infinite_loop()` checks `infinite_loop.lua`.
    static func scriptName(forTest function: String) -> String {
        var name = function
        if name.hasPrefix("test_") { name.removeFirst("test_".count) }
        if let parenthesis = name.firstIndex(of: "(") { name = String(name[..<parenthesis]) }
        return name + ".lua"
    }

    override class func tearDown() {
        HostileRuns.shared.waitForAll()
        super.tearDown()
    }

    /// Waits for the run of the calling test's script (`test_NAME` checks
    /// `NAME.lua`) and checks it against its header.
    private func check(function: String = #function, file: StaticString = #filePath, line: UInt = #line) throws {
        let name = Self.scriptName(forTest: function)
        if HostileRuns.skipped.contains(name) { throw XCTSkip("\(name) is listed in PRIO_HOSTILE_SKIP") }
        let run: HostileRun
        switch HostileRuns.shared.outcome(of: name) {
        case .failure(let error):
            XCTFail("\(name): \(error)", file: file, line: line)
            return
        case .success(let value):
            run = value
        }
        let expected = run.expectations
        let command = (["prio-lua"] + expected.options + [name]).joined(separator: " ")
        print("\(name): exit \(run.status), \(String(format: "%.2f", run.seconds)) s")
        let stderrTail = "\n--- stderr (tail) ---\n" + tail(run.stderr)
        if run.killed {
            XCTFail(
                "\(name): used \(formatted(run.limit)) s of CPU time or ran \(formatted(run.limit * Watchdog.wallFactor)) s"
                    + " (max-seconds \(formatted(expected.maxSeconds))), killed; `\(command)` hangs\n--- stdout (tail) ---\n\(tail(run.stdout))\(stderrTail)",
                file: file, line: line)
            return
        }
        if run.signaled {
            XCTFail("\(name): crashed with signal \(run.status) (`\(command)`)\(stderrTail)", file: file, line: line)
        }
        for marker in Self.crashMarkers where run.stderr.contains(marker) {
            XCTFail("\(name): stderr reports a crash (\"\(marker)\")\(stderrTail)", file: file, line: line)
        }
        if let status = expected.exit, !run.signaled, status != run.status {
            XCTFail("\(name): exit status \(run.status), expected \(status)\(stderrTail)", file: file, line: line)
        }
        if let stdout = expected.stdout, stdout != run.stdout {
            XCTFail(
                "\(name): stdout differs\n--- expected ---\n\(stdout)--- actual ---\n\(tail(run.stdout))",
                file: file, line: line)
        }
        for text in expected.stdoutContains where !run.stdout.contains(text) {
            XCTFail(
                "\(name): stdout lacks \"\(escaped(text))\"\n--- stdout (tail) ---\n\(tail(run.stdout))",
                file: file, line: line)
        }
        for text in expected.stderrContains where !run.stderr.contains(text) {
            XCTFail("\(name): stderr lacks \"\(escaped(text))\"\(stderrTail)", file: file, line: line)
        }
        for text in expected.stderrLacks where run.stderr.contains(text) {
            XCTFail("\(name): stderr has \"\(escaped(text))\"\(stderrTail)", file: file, line: line)
        }
    }

    /// Text on stderr that means the process crashed or a sanitizer objected.
    static let crashMarkers = [
        "*** Program crashed", "PANIC", "AddressSanitizer", "LeakSanitizer", "ThreadSanitizer",
        "UndefinedBehaviorSanitizer", "runtime error:", "Fatal error:",
    ]

    private func tail(_ text: String, limit: Int = 3000) -> String {
        text.count <= limit ? text : "..." + String(text.suffix(limit))
    }

    private func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
    }

    private func formatted(_ seconds: Double) -> String { String(format: "%g", seconds) }
}

/// What a hostile script's `--!` header promises.
struct HostileExpectations {
    var options: [String] = []
    var exit: Int32?
    var stdout: String?
    var stdoutContains: [String] = []
    var stderrContains: [String] = []
    var stderrLacks: [String] = []
    var maxSeconds: Double = 10

    struct BadHeader: Error, CustomStringConvertible {
        var description: String
    }

    init(parsing source: String) throws {
        var sawMaxSeconds = false
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            guard rawLine.hasPrefix("--!") else { continue }
            let body = rawLine.dropFirst(3)
            guard let colon = body.firstIndex(of: ":") else {
                throw BadHeader(description: "header line without a key: \(rawLine)")
            }
            let key = body[..<colon].trimmingCharacters(in: .whitespaces)
            var value = String(body[body.index(after: colon)...])
            if value.hasPrefix(" ") { value.removeFirst() }
            switch key {
            case "options": options = value.split(separator: " ").map(String.init)
            case "exit":
                guard let status = Int32(value.trimmingCharacters(in: .whitespaces)) else {
                    throw BadHeader(description: "bad exit status: \(value)")
                }
                exit = status
            case "stdout": stdout = Self.unescape(value)
            case "stdout-contains": stdoutContains.append(Self.unescape(value))
            case "stderr-contains": stderrContains.append(Self.unescape(value))
            case "stderr-lacks": stderrLacks.append(Self.unescape(value))
            case "max-seconds":
                guard let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds > 0 else {
                    throw BadHeader(description: "bad max-seconds: \(value)")
                }
                maxSeconds = seconds
                sawMaxSeconds = true
            default:
                throw BadHeader(description: "unknown header key '\(key)'")
            }
        }
        guard exit != nil else { throw BadHeader(description: "no '--! exit:' line") }
        guard sawMaxSeconds else { throw BadHeader(description: "no '--! max-seconds:' line") }
    }

    /// `\n`, `\t` and `\\` as in a Lua or C string; anything else stays.
    static func unescape(_ text: String) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        if escaping { result.append("\\") }
        return result
    }
}

/// How one run of a hostile script went: the run's own fields (`status`,
/// `signaled`, `killed`, `stdout`, ...) with what its header promised.
@dynamicMemberLookup
struct HostileRun {
    var expectations: HostileExpectations
    var limit: Double
    var run: BoundedRun

    subscript<Value>(dynamicMember field: KeyPath<BoundedRun, Value>) -> Value { run[keyPath: field] }
}

/// Runs the hostile scripts in the background, a few at a time, and hands
/// each test its script's outcome when it is ready.
final class HostileRuns: @unchecked Sendable {
    static let shared = HostileRuns()

    static let folder = CLITests.packageRoot.appendingPathComponent("Tests/Hostile")

    /// The binary `CLITests` runs: `PRIO_LUA_BINARY`, or the one beside the tests.
    static var binary: URL { CLITests.binary }

    /// Scripts named in `PRIO_HOSTILE_SKIP` (comma-separated) are not run.
    static var skipped: Set<String> {
        let list = ProcessInfo.processInfo.environment["PRIO_HOSTILE_SKIP"] ?? ""
        return Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// `PRIO_TEST_TIME_SCALE` multiplies every bound (sanitizer builds are slower).
    static var timeScale: Double {
        ProcessInfo.processInfo.environment["PRIO_TEST_TIME_SCALE"].flatMap(Double.init) ?? 1
    }

    static func scriptNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".lua") }
            .sorted()
    }

    private let condition = NSCondition()
    private var outcomes: [String: Result<HostileRun, Error>] = [:]
    private var queue: [String] = []
    private var known: Set<String> = []
    private var started = false
    private var running = 0

    func outcome(of name: String) -> Result<HostileRun, Error> {
        startIfNeeded()
        condition.lock()
        defer { condition.unlock() }
        guard known.contains(name) else {
            return .failure(HostileExpectations.BadHeader(description: "no such script in \(Self.folder.path)"))
        }
        while outcomes[name] == nil { condition.wait() }
        return outcomes[name]!
    }

    /// Blocks until every script has run (so nothing runs beside later tests).
    func waitForAll() {
        condition.lock()
        defer { condition.unlock() }
        while started && (running > 0 || !queue.isEmpty) { condition.wait() }
    }

    private func startIfNeeded() {
        condition.lock()
        defer { condition.unlock() }
        guard !started else { return }
        started = true
        let names = ((try? Self.scriptNames()) ?? []).filter { !Self.skipped.contains($0) }
        known = Set(names)
        // The longest bounds first, so the slowest runs overlap the rest.
        let bounds = Dictionary(uniqueKeysWithValues: names.map { ($0, Self.bound(of: $0)) })
        queue = names.sorted { (bounds[$0]!, $1) > (bounds[$1]!, $0) }
        let workers = ProcessInfo.processInfo.environment["PRIO_HOSTILE_JOBS"].flatMap(Int.init) ?? 2
        for _ in 0..<max(1, workers) {
            running += 1
            Thread { self.work() }.start()
        }
    }

    private static func bound(of name: String) -> Double {
        let source = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        return source.flatMap { try? HostileExpectations(parsing: $0) }?.maxSeconds ?? 0
    }

    private func work() {
        while true {
            condition.lock()
            guard !queue.isEmpty else {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let name = queue.removeFirst()
            condition.unlock()
            let result = Result { try Self.run(name) }
            condition.lock()
            outcomes[name] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Runs `prio-lua OPTIONS NAME` in `Tests/Hostile`, killing it past its bound.
    static func run(_ name: String) throws -> HostileRun {
        let source = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        let expectations = try HostileExpectations(parsing: source)
        let limit = expectations.maxSeconds * timeScale
        let run = try BoundedRun(arguments: expectations.options + [name], in: folder, limit: limit)
        return HostileRun(expectations: expectations, limit: limit, run: run)
    }
}
