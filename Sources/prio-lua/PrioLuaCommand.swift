import ArgumentParser
import Foundation
import PrioLua

/// The `prio-lua` command: parses and validates the command line, builds a
/// scheduler, runs the script, and exits with the run's status. No logic of
/// its own lives here.
struct PrioLuaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prio-lua",
        abstract: "Run Lua job scripts under a priority scheduler.",
        usage: "prio-lua [options] SCRIPT [ARGS...]",
        discussion: """
            SCRIPT may be '-' to read standard input. ARGS reach the script as arg[1..].

            Example (jobs.lua):
              submit(1, function() print("urgent") end)
              submit(5, function() sleep(0.1); print("background") end)
            Run it with two slots:
              prio-lua -j 2 jobs.lua

            Also: --stats[=json]  print a summary to stderr at the end (counts; wait and run
                                  time percentiles per priority): text, or one JSON object.

            Exit status: 0 all jobs done or cancelled (or their failure reached an
            awaiter), 1 a job failed unobserved, 2 the script failed to load or its
            main chunk raised, 64 bad command line.
            """,
        version: "prio-lua \(PrioLuaVersion.string) (Lua 5.4)"
    )

    @Option(
        name: [.customShort("j"), .customLong("concurrency")], help: "Slots: how many jobs may run at once (>= 1).")
    var concurrency: Int?

    @Option(
        name: [.customShort("w"), .customLong("workers")],
        help: "Lua states running at once, each on a thread of its own (>= 1); -j defaults to it.")
    var workers: Int = 1

    @Option(name: .customLong("slice"), help: "Preemption time slice in milliseconds, >= 0 (0 = off).")
    var slice: Double = 5

    @Option(
        name: .customLong("memory-limit"),
        help: "Cap on the Lua state's memory: bytes, with an optional K, M or G suffix.")
    var memoryLimit: String?

    @Flag(name: .customLong("sandbox"), help: "Run an untrusted script (no io, os beyond time, debug, require, ...).")
    var sandbox = false

    @Flag(name: .customLong("virtual-time"), help: "Simulated clock: sleeps and delays take no real time.")
    var virtualTime = false

    @Flag(
        name: .customLong("progress"), inversion: .prefixedNo,
        help: "Live progress line on a terminal (default: on when stderr is a terminal).")
    var progress: Bool?

    @Flag(
        name: .customLong("explain"),
        help:
            "Run under --virtual-time and print, per job, when it was submitted, started and finished, and what changed its priority."
    )
    var explain = false

    /// Options that take a value, for `commandLineArguments` to skip over.
    static let optionsWithValues: Set<String> = [
        "-j", "--concurrency", "-w", "--workers", "--slice", "--memory-limit", "--policy", "--trace", "--events",
    ]

    /// Parses; a command line that lacks its script but has an option the
    /// parser does not know (`prio-lua -v`) is reported for the unknown
    /// option, not for the missing script.
    static func parseNamingUnknownOptions(_ arguments: [String]) throws -> PrioLuaCommand {
        do {
            return try parse(arguments)
        } catch {
            guard scriptIndex(arguments) == arguments.count, arguments.contains(where: { $0.hasPrefix("-") }) else {
                throw error
            }
            _ = try parse(arguments + ["script.lua"])  // throws the unknown option, if that is the problem
            throw error
        }
    }

    /// The long name of each option that takes a value.
    static let longNames: [String: String] = ["-j": "--concurrency", "-w": "--workers"]

    /// The command line as the parser should read it; arguments from the
    /// script on are left alone. A bare `--stats` becomes `--stats=text` (its
    /// value is optional), and a value that looks like an option (`-j -1`)
    /// is joined to its option (`--concurrency=-1`), so that validation says
    /// what the allowed range is instead of "missing value". `--stats json`
    /// is refused: `json` would be read as the script.
    static func commandLineArguments(_ raw: [String]) throws -> [String] {
        let end = scriptIndex(raw)
        var arguments: [String] = []
        var index = 0
        while index < raw.count {
            let argument = raw[index]
            guard index < end else {
                arguments.append(argument)
                index += 1
                continue
            }
            if argument == "--stats" {
                if index + 1 < raw.count, ["json", "text"].contains(raw[index + 1]) {
                    throw ValidationError(
                        "--stats takes its format after '=': write --stats=\(raw[index + 1]) (a bare --stats prints text)"
                    )
                }
                arguments.append("--stats=text")
            } else if optionsWithValues.contains(argument), index + 1 < raw.count, raw[index + 1].hasPrefix("-"),
                raw[index + 1] != "-"
            {
                arguments.append("\(longNames[argument] ?? argument)=\(raw[index + 1])")
                index += 1
            } else {
                arguments.append(argument)
            }
            index += 1
        }
        return arguments
    }

    /// Where the script's name is in the command line (after the options
    /// and an optional `--`); `arguments.count` when there is none.
    static func scriptIndex(_ arguments: [String]) -> Int {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { return index + 1 }
            if argument == "-" || !argument.hasPrefix("-") { return index }
            if optionsWithValues.contains(argument) { index += 1 }
            index += 1
        }
        return arguments.count
    }

    /// The script's name and its arguments as bytes, exactly as the command
    /// line gave them (Swift's `CommandLine.arguments` repairs bytes that are
    /// not UTF-8, which would name another file); set by main.swift.
    nonisolated(unsafe) static var rawScriptAndArguments: [[UInt8]] = []

    @Option(name: .customLong("policy"), help: "Install the policy FILE returns; reloaded when it changes.")
    var policyFile: String?

    @Option(
        name: .customLong("trace"), help: "Write a Chrome trace-event JSON of every job to FILE (open in Perfetto).")
    var traceFile: String?

    @Option(name: .customLong("events"), help: "Write every scheduler event as a JSON line to FILE ('-' = stderr).")
    var eventsFile: String?

    /// Listed in the discussion as `--stats[=json]`: the parser would show
    /// `--stats <format>`, inviting `--stats json`.
    @Option(name: .customLong("stats"), help: ArgumentHelp(visibility: .hidden))
    var stats: String?

    @Argument(help: "The Lua script to run ('-' for standard input).")
    var script: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the script (arg[1..]).")
    var arguments: [String] = []

    /// `-1` rather than `-1.0`, as the user wrote it.
    private func formatted(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    func validate() throws {
        if let concurrency, concurrency < 1 {
            throw ValidationError("--concurrency must be an integer >= 1 (got \(concurrency))")
        }
        guard workers >= 1 else {
            throw ValidationError("--workers must be an integer >= 1 (got \(workers))")
        }
        if let memoryLimit, MemorySize.parse(memoryLimit) == nil {
            throw ValidationError(
                "--memory-limit must be a byte count with an optional K, M or G suffix (got \(memoryLimit))")
        }
        if let stats, stats != "text", stats != "json" {
            throw ValidationError("--stats takes no value or =json (got \(stats))")
        }
        guard slice >= 0, slice.isFinite else {
            throw ValidationError("--slice must be a number of milliseconds >= 0 (got \(formatted(slice)))")
        }
    }

    func execute() -> Int32 {
        var options = RunOptions(concurrency: concurrency ?? workers, virtualTime: virtualTime || explain)
        options.workers = workers
        options.sliceMilliseconds = slice
        options.memoryLimit = memoryLimit.flatMap(MemorySize.parse)
        options.sandbox = sandbox
        options.collectsTimings = stats != nil
        options.output = RunOptions.writeToStandardOutput
        options.printBytes = RunOptions.writeBytesToStandardOutput
        let trace: TraceWriter?
        let log: EventLogWriter?
        let explainer = explain ? ExplainRecorder() : nil
        // On a terminal unless --no-progress; elsewhere only when asked for, as plain lines.
        let terminal = ProgressLine.standardErrorIsTerminal
        let progressLine =
            (progress ?? true) && terminal ? ProgressLine() : progress == true ? ProgressLine(plain: true) : nil
        if let progressLine {
            options.output = { text in progressLine.clearing { RunOptions.writeToStandardOutput(text) } }
            options.printBytes = { bytes in progressLine.clearing { RunOptions.writeBytesToStandardOutput(bytes) } }
            options.diagnostics = { text in progressLine.clearing { RunOptions.writeToStandardError(text) } }
        }
        do {
            trace = try traceFile.map { try TraceWriter(path: $0) }
            log = try eventsFile.map { try EventLogWriter(path: $0) }
        } catch {
            RunOptions.writeToStandardError("prio-lua: \(error)\n")
            return 2
        }
        defer {
            progressLine?.finish()
            trace?.close()
            log?.close()
        }
        if trace != nil || log != nil || explainer != nil || progressLine != nil {
            options.events = { event in
                trace?.record(event)
                log?.record(event)
                explainer?.record(event)
                progressLine?.record(event)
            }
        }
        SignalExit.install()
        do {
            let scheduler = try LuaScheduler(options: options)
            if let policyFile { try scheduler.usePolicyFile(policyFile) }
            let raw = Self.rawScriptAndArguments
            if raw.count == arguments.count + 1 {
                try scheduler.loadScript(
                    pathBytes: raw[0], argumentBytes: Array(raw.dropFirst()), honoringLuaInit: true)
            } else {
                try scheduler.loadScript(
                    pathBytes: Array(script.utf8), argumentBytes: arguments.map { Array($0.utf8) },
                    honoringLuaInit: true)
            }
            let report = scheduler.run()
            if let explainer { RunOptions.writeToStandardOutput(explainer.text) }
            if let stats {
                let summary = scheduler.statistics()
                RunOptions.writeToStandardError(stats == "json" ? summary.json : summary.text)
            }
            scheduler.closeState(timeLimit: LuaScheduler.closingTimeLimit, exitStatus: report.exitStatus)
            return report.exitStatus
        } catch {
            RunOptions.writeToStandardError("prio-lua: \(error)\n")
            return 2
        }
    }
}
