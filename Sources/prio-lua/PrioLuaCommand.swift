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

            Exit status: 0 all jobs done or cancelled (or their failure reached an
            awaiter), 1 a job failed unobserved, 2 the script failed to load or its
            main chunk raised, 64 bad command line.
            """,
        version: "prio-lua \(PrioLuaVersion.string) (Lua 5.4)"
    )

    @Option(
        name: [.customShort("j"), .customLong("concurrency")], help: "Slots: how many jobs may run at once (>= 1).")
    var concurrency: Int = 1

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
        "-j", "--concurrency", "--slice", "--memory-limit", "--policy", "--trace", "--events",
    ]

    /// The command line with a bare `--stats` written as `--stats=text`
    /// (its value is optional); arguments from the script on are left alone.
    static func commandLineArguments(_ raw: [String]) -> [String] {
        var arguments = raw
        for index in 0..<scriptIndex(raw) where arguments[index] == "--stats" { arguments[index] = "--stats=text" }
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

    @Option(
        name: .customLong("stats"),
        help: ArgumentHelp(
            "Print a summary to stderr at the end: --stats (text) or --stats=json.", valueName: "format"))
    var stats: String?

    @Argument(help: "The Lua script to run ('-' for standard input).")
    var script: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the script (arg[1..]).")
    var arguments: [String] = []

    func validate() throws {
        guard concurrency >= 1 else {
            throw ValidationError("--concurrency must be an integer >= 1 (got \(concurrency))")
        }
        if let memoryLimit, MemorySize.parse(memoryLimit) == nil {
            throw ValidationError(
                "--memory-limit must be a byte count with an optional K, M or G suffix (got \(memoryLimit))")
        }
        if let stats, stats != "text", stats != "json" {
            throw ValidationError("--stats takes no value or =json (got \(stats))")
        }
        guard slice >= 0, slice.isFinite else {
            throw ValidationError("--slice must be a number of milliseconds >= 0 (got \(slice))")
        }
    }

    func execute() -> Int32 {
        var options = RunOptions(concurrency: concurrency, virtualTime: virtualTime || explain)
        options.sliceMilliseconds = slice
        options.memoryLimit = memoryLimit.flatMap(MemorySize.parse)
        options.sandbox = sandbox
        options.collectsTimings = stats != nil
        options.output = RunOptions.writeToStandardOutput
        options.printBytes = RunOptions.writeBytesToStandardOutput
        let trace: TraceWriter?
        let log: EventLogWriter?
        let explainer = explain ? ExplainRecorder() : nil
        let progressLine = (progress ?? true) && ProgressLine.standardErrorIsTerminal ? ProgressLine() : nil
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
