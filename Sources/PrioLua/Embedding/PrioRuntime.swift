import Foundation

/// prio-lua for Swift programs: a `LuaScheduler` that lives on a thread of
/// its own, so the Lua state is only ever touched from that one thread,
/// while this object can be used from any task.
///
/// ```swift
/// let runtime = try await PrioRuntime(options: RunOptions(concurrency: 4))
/// await runtime.register("fetch") { args in
///     try await Task.sleep(for: .milliseconds(50))
///     return [.string("body of \(args.first ?? .nil)")]
/// }
/// try await runtime.loadScript(source: "submit(1, function() print(fetch('a')) end)")
/// let report = await runtime.run()
/// ```
public final class PrioRuntime: Sendable {
    private let thread: RuntimeThread
    private let engine: EngineBox
    /// Every scheduler event of the run, in order; finishes when `run()` returns.
    public let events: AsyncStream<SchedulerEvent>
    private let eventsContinuation: AsyncStream<SchedulerEvent>.Continuation

    /// Creates the scheduler and its Lua state on a new thread.
    public init(options: RunOptions = RunOptions()) async throws {
        let (stream, continuation) = AsyncStream<SchedulerEvent>.makeStream(bufferingPolicy: .unbounded)
        events = stream
        eventsContinuation = continuation
        thread = RuntimeThread()
        engine = EngineBox()
        var observed = options
        observed.events = { event in continuation.yield(event) }
        let configured = observed
        let box = engine
        let created: Result<Void, PrioError> = await thread.perform {
            do {
                box.scheduler = try LuaScheduler(options: configured)
                return .success(())
            } catch let error as PrioError {
                return .failure(error)
            } catch {
                return .failure(.load("\(error)"))
            }
        }
        try created.get()
    }

    deinit {
        let box = engine
        thread.enqueue { box.scheduler = nil }
        thread.stop()
    }

    /// Makes `function` callable from Lua as the global `name`.
    public func register(_ name: String, _ function: @escaping HostFunctionBody) async {
        let box = engine
        await thread.perform { box.scheduler?.register(name, function) }
    }

    /// Loads the script at `path` as the main chunk.
    public func loadScript(path: String, arguments: [String] = []) async throws {
        let box = engine
        try await thread.perform { () -> Result<Void, PrioError> in
            Result { try box.required.loadScript(path: path, arguments: arguments) }.mapError(asPrioError)
        }.get()
    }

    /// Loads Lua source text as the main chunk.
    public func loadScript(source: String, name: String = "script", arguments: [String] = []) async throws {
        let box = engine
        try await thread.perform { () -> Result<Void, PrioError> in
            Result { try box.required.loadScript(source: source, name: name, arguments: arguments) }
                .mapError(asPrioError)
        }.get()
    }

    /// Submits a job that calls the Lua global `function` with `arguments`; returns its id.
    @discardableResult
    public func submit(priority: Double, calling function: String, arguments: [LuaValue] = [], name: String? = nil)
        async throws -> Int
    {
        let box = engine
        return try await thread.perform { () -> Result<Int, PrioError> in
            Result {
                try box.required.submit(priority: priority, calling: function, arguments: arguments, name: name)
            }.mapError(asPrioError)
        }.get()
    }

    /// Runs until the run ends (SPEC.md §6) and reports how it went.
    public func run() async -> RunReport {
        let box = engine
        let continuation = eventsContinuation
        let report = await thread.perform { () -> RunReport in
            let report = box.required.run()
            continuation.finish()
            return report
        }
        return report
    }
}

private func asPrioError(_ error: any Error) -> PrioError {
    (error as? PrioError) ?? .load("\(error)")
}

/// Holds the scheduler; only ever dereferenced on the runtime's thread.
private final class EngineBox: @unchecked Sendable {
    var scheduler: LuaScheduler?
    var required: LuaScheduler {
        guard let scheduler else { preconditionFailure("PrioRuntime used after it was released") }
        return scheduler
    }
}

/// A thread that runs closures one at a time, in order.
private final class RuntimeThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []
    private var stopped = false

    init() {
        let thread = Thread { [self] in loop() }
        thread.name = "prio-lua"
        thread.stackSize = 16 << 20  // deep Lua recursion stays on this stack
        thread.start()
    }

    func enqueue(_ body: @escaping @Sendable () -> Void) {
        condition.lock()
        work.append(body)
        condition.signal()
        condition.unlock()
    }

    func perform<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            enqueue { continuation.resume(returning: body()) }
        }
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while work.isEmpty && !stopped { condition.wait() }
            if work.isEmpty && stopped {
                condition.unlock()
                return
            }
            let next = work.removeFirst()
            condition.unlock()
            next()
        }
    }
}
