import CLua
import CLuaShim
import Foundation
import PrioCore

/// Runs Lua job scripts under the priority scheduler.
///
/// Owns one `lua_State` and touches it from the thread that calls `run()`
/// only; the type is deliberately not `Sendable`. The properties read on
/// every resume or `yield` are `@exclusivity(unchecked)`: the dynamic
/// checks cost more than the work they guard, and no Swift frame keeps an
/// access to them open across a call into Lua. The scheduling decisions
/// live in `PrioCore.Scheduler`; this class carries them out through Lua.
public final class LuaScheduler {
    let options: RunOptions
    /// `options.events` is set: checked on hot paths without copying the closure out.
    let observed: Bool
    /// The scheduling state lives behind a pointer that this object owns:
    /// read through `unsafeAddress`, a call like `core[job]` borrows the
    /// state in place instead of copying the whole struct (and retaining
    /// every array in it), and accesses skip the dynamic exclusivity checks
    /// a stored class property gets. Only the run loop's thread touches it.
    let coreStorage: UnsafeMutablePointer<Scheduler>
    var core: Scheduler {
        unsafeAddress { UnsafePointer(coreStorage) }
        unsafeMutableAddress { coreStorage }
    }
    let clock: RunClock

    /// The Lua state and its per-state parts (`Components.swift`).
    @exclusivity(unchecked) var executor: Executor
    /// The executor's Lua state (the main thread).
    var lua: LuaState { executor.lua }
    @exclusivity(unchecked) var policyRunner = PolicyRunner()
    @exclusivity(unchecked) var outside = OutsideWork()
    @exclusivity(unchecked) var observation = Observation()
    @exclusivity(unchecked) var jobBook = JobBook()
    @exclusivity(unchecked) var taskModules = TaskModules()
    @exclusivity(unchecked) var workerPool = WorkerPool()
    /// While a worker's call is served: whether its job could suspend there.
    @exclusivity(unchecked) var servingYieldable: Bool?
    var mainError: String?
    /// A clock reading the run loop may take as its next `now` instead of
    /// reading the clock again: taken as a job returned, and dropped as soon
    /// as anything that takes time (a hook, an observer, a sweep) runs.
    var reusableNow: Double?

    /// Creates a scheduler with its own Lua state and the prio-lua library loaded.
    public init(options: RunOptions = RunOptions()) throws {
        guard options.concurrency >= 1 else {
            throw PrioError.invalidOption("concurrency must be an integer >= 1 (got \(options.concurrency))")
        }
        guard options.workers >= 1 else {
            throw PrioError.invalidOption("workers must be an integer >= 1 (got \(options.workers))")
        }
        self.options = options
        self.observed = options.events != nil
        self.coreStorage = UnsafeMutablePointer<Scheduler>.allocate(capacity: 1)
        coreStorage.initialize(to: Scheduler(concurrency: options.concurrency))
        coreStorage.pointee.recordsPreemptions = observed
        self.clock = RunClock(virtual: options.virtualTime)
        Self.ignoreBrokenPipes()
        guard let state = prio_newstate(nil) else { throw PrioError.outOfMemory }
        prio_set_dispatch(state, dispatchHostFunction)
        prio_set_priority_fast_path(state, setPriorityFastPath)
        prio_set_yield_fast_path(state, yieldFastPath)
        self.executor = Executor(lua: LuaState(state))
        prio_set_host(state, Unmanaged.passUnretained(self).toOpaque())
        try installLibrary()
        startWorkers()
    }

    /// A write to a pipe whose reader is gone (an `exec` child that exits
    /// without reading all of its stdin, a closed stdout) must fail with
    /// EPIPE, not kill the process and every job with it. Only a default
    /// disposition is changed: a host that handles SIGPIPE keeps its handler.
    /// Children start with default dispositions again (swift-subprocess
    /// resets them before exec), so their own SIGPIPE behaviour is Lua's.
    private static func ignoreBrokenPipes() {
        var current = sigaction()
        guard sigaction(SIGPIPE, nil, &current) == 0 else { return }
        if current.__sigaction_handler.sa_handler == nil { signal(SIGPIPE, SIG_IGN) }
    }

    /// Closes the Lua state now: pending `<close>` variables of the main
    /// thread and every finalizer run, under the memory limit. If that takes
    /// longer than `timeLimit` seconds (a finalizer that never returns: Lua
    /// runs them with hooks off, so nothing can stop one), the process exits
    /// with `exitStatus` and a message; a scheduler must end. Nothing may be
    /// called on the scheduler afterwards. Without it, `deinit` closes the
    /// state with no time limit.
    public func closeState(timeLimit: Double, exitStatus: Int32) {
        guard !stateClosed else { return }
        stateClosed = true
        prio_closestate_bounded(lua.pointer, timeLimit, exitStatus)
    }

    /// How long closing the state may take when the command closes it.
    public static let closingTimeLimit = 3.0

    deinit {
        stopWorkers()
        if !stateClosed { prio_closestate(lua.pointer) }
        coreStorage.deinitialize(count: 1)
        coreStorage.deallocate()
    }

    /// Loads the script at `path` (`-` reads standard input) as the main
    /// chunk, with `arg` set as `lua` sets it. Throws `PrioError.load` with
    /// `file:line` for a missing file or a syntax error.
    public func loadScript(path: String, arguments: [String] = []) throws {
        try loadScript(pathBytes: Array(path.utf8), argumentBytes: arguments.map { Array($0.utf8) })
    }

    /// `loadScript(path:arguments:)` for names and arguments as the command
    /// line gave them: bytes, which need not be UTF-8 (as `lua` takes them).
    /// The file is read as `lua` reads it (a FIFO or `/dev/null` too, a first
    /// `#` line skipped); under `--sandbox` a precompiled chunk is refused.
    /// With `honoringLuaInit` (the command does; not under `--sandbox`),
    /// `LUA_INIT_5_4` or `LUA_INIT` runs first, as `lua` runs it.
    public func loadScript(pathBytes: [UInt8], argumentBytes: [[UInt8]] = [], honoringLuaInit: Bool = false)
        throws
    {
        guard !executor.mainLoaded else { throw PrioError.load("a script is already loaded") }
        setArgTable(script: pathBytes, arguments: argumentBytes)
        if honoringLuaInit && !options.sandbox { try runLuaInit() }
        let isStdin = pathBytes == Array("-".utf8)
        let status = withCString(pathBytes) { name in
            prio_loadfile_protected(lua.pointer, isStdin ? nil : name, options.sandbox ? 1 : 0)
        }
        if status != LUA_OK, let message = lua.string(at: -1),
            message.hasPrefix("attempt to load a binary chunk")
        {
            lua.pop()  // Lua's message does not say which chunk
            let name = isStdin ? "stdin" : String(decoding: pathBytes, as: UTF8.self)
            lua.push("\(name): \(message): --sandbox runs scripts from source text only")
        }
        try finishLoading(status: status, argumentBytes: argumentBytes)
    }

    /// Loads Lua source text as the main chunk; `name` appears in error messages.
    public func loadScript(source: String, name: String = "script", arguments: [String] = []) throws {
        guard !executor.mainLoaded else { throw PrioError.load("a script is already loaded") }
        let argumentBytes = arguments.map { Array($0.utf8) }
        setArgTable(script: Array(name.utf8), arguments: argumentBytes)
        var text = source
        let status = text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                prio_loadbuffer(lua.pointer, $0.baseAddress, $0.count, "=" + name, options.sandbox ? 1 : 0)
            }
        }
        try finishLoading(status: status, argumentBytes: argumentBytes)
    }

    /// `LUA_INIT_5_4`, else `LUA_INIT`: `@FILE` or a chunk, run before the
    /// script; an error in it is a load error (exit 2), as under `lua`.
    private func runLuaInit() throws {
        for name in ["LUA_INIT_5_4", "LUA_INIT"] {
            guard let value = getenv(name) else { continue }
            let status = prio_run_init_protected(lua.pointer, "=" + name, value)
            guard status == LUA_OK else {
                let message = lua.string(at: -1) ?? "error in \(name)"
                lua.pop()
                throw PrioError.load(message)
            }
            return
        }
    }

    /// Runs until the main chunk has returned and every job has finished
    /// (or the main chunk raised), and reports how it went.
    public func run() -> RunReport {
        if !executor.mainLoaded { core.finished(.main, .done, now: clock.now) }
        while mainError == nil {
            releaseFinishedJobsIfDue()
            stepCollectorForFinishedJobs()
            checkPolicyFile()
            deliverExternalResults()
            if workerPool.active { takeWorkerReports() }
            let now = reusableNow ?? clock.now
            reusableNow = nil
            if workerPool.active { feedFreeWorkers(now: now) }
            let step = core.nextStep(now: now)
            #if DEBUG
            precondition(core.brokenInvariants.isEmpty, core.brokenInvariants.joined(separator: "\n"))
            #endif
            if observed { reportCoreEvents() }
            switch step {
            case .start(let job):
                if !workerPool.active || !startElsewhere(job) { start(job, at: now) }
            case .resume(let job): resume(job)
            case .timedOut(let job):
                // A job executing in a worker stops at its timeout there.
                if workerPool.home[job.value] == nil || core.state(of: job) != .running { stopTimedOut(job) }
            case .deadlinePassed(let job):
                if !core[job].state.isFinished { callNotificationHook(.onDeadline, job: job) }
            case .ruleDue(let index): runRule(index)
            case .intervalDue: intervalDue()
            case .waitUntil(let time): waitForWork(until: time)
            case .idle: waitForWork(until: nil)
            case .finished where workerPool.anyBusy:
                waitForWork(until: nil)
            case .finished:
                stopWorkers()
                let report = makeReport()
                summarizeFailures()
                return report
            }
        }
        stopWorkers()
        return makeReport()
    }

    /// Nothing can run until `time` (nil: until outside work completes).
    /// Outside work wakes the loop early. Under virtual time the clock jumps
    /// to `time`, but only once no job waits on outside work: a subprocess
    /// takes real time, and the simulated clock does not run ahead of it.
    private func waitForWork(until time: Double?) {
        let watchCap = policyRunner.policyWatch == nil ? nil : PolicyFileWatch.checkInterval
        if options.virtualTime, let time, core.blockedCount == 0, !workerPool.anyBusy {
            clock.wait(until: time)
            return
        }
        var seconds = options.virtualTime ? nil : time.map { $0 - clock.now }
        if let cap = watchCap { seconds = min(seconds ?? cap, cap) }
        outside.inbox.wait(seconds: seconds)
    }

    /// Takes the loaded chunk (or its error) on the main state and makes it
    /// the main chunk's thread, with the script's arguments as `...`.
    private func finishLoading(status: Int32, argumentBytes: [[UInt8]]) throws {
        guard status == LUA_OK else {
            let message = lua.string(at: -1) ?? "cannot load the script"
            lua.pop()
            throw PrioError.load(message)
        }
        guard let thread = lua_newthread(lua.pointer) else { throw PrioError.outOfMemory }
        registerThread(at: -1, job: .main)
        lua.pop()
        prio_mark_main_chunk_thread(thread)
        let co = LuaState(thread)
        guard co.reserve(Int32(clamping: argumentBytes.count + 1)) else {
            lua.pop()
            throw PrioError.load("too many script arguments (\(argumentBytes.count))")
        }
        lua.move(1, to: co)
        for argument in argumentBytes { co.push(bytes: argument) }
        mainArgumentCount = Int32(argumentBytes.count)
        executor.mainLoaded = true
    }

    var mainArgumentCount: Int32 = 0
    /// `closeState` (or `os.exit(code, true)`) has closed the Lua state.
    var stateClosed = false

    private func setArgTable(script: [UInt8], arguments: [[UInt8]]) {
        lua_createtable(lua.pointer, Int32(clamping: arguments.count), 2)
        lua.push("prio-lua")
        lua_rawseti(lua.pointer, -2, -1)
        lua.push(bytes: script)
        lua_rawseti(lua.pointer, -2, 0)
        for (index, argument) in arguments.enumerated() {
            lua.push(bytes: argument)
            lua_rawseti(lua.pointer, -2, lua_Integer(index + 1))
        }
        // Raw: a --policy file may have given _G a __newindex.
        prio_pushglobaltable(lua.pointer)
        prio_insert(lua.pointer, -2)
        lua.setRawField("arg", ofTableAt: -2)
        lua.pop()
    }

    func report(_ text: String) {
        options.diagnostics("prio-lua: " + text + "\n")
    }
}

@available(*, unavailable)
extension LuaScheduler: Sendable {}

/// Calls `body` with `bytes` as a NUL-terminated C string.
func withCString<Result>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> Result) -> Result {
    (bytes + [0]).withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
    }
}

/// Errors the library throws before a run starts.
public enum PrioError: Error, CustomStringConvertible, Equatable {
    /// The script could not be read or compiled; the message names `file:line`.
    case load(String)
    case invalidOption(String)
    /// A job submitted from Swift was refused (bad priority, `on_submit`, ...).
    case submission(String)
    case outOfMemory

    public var description: String {
        switch self {
        case .load(let message): return message
        case .invalidOption(let message): return message
        case .submission(let message): return message
        case .outOfMemory: return "not enough memory to create a Lua state"
        }
    }
}
