import Foundation

/// Kills a process (SIGKILL: a hung Lua loop must not outlive its test) once
/// its time bound has passed, unless it was disarmed first.
///
/// The bound is on the CPU time the process has used, which a busy machine
/// does not stretch: a Lua loop that never ends reaches it however loaded
/// the machine is, and a legitimate run under eight CPU hogs does not. A
/// process stuck without using the CPU is caught by the wall-clock backstop,
/// `wallFactor` times the bound.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private let process: Process
    private var state = 0  // 0 armed, 1 disarmed, 2 fired

    static let wallFactor = 5.0

    init(_ process: Process) { self.process = process }

    /// Watches the running process from a thread of its own: fires once it
    /// has used `seconds` of CPU time or `wallFactor * seconds` have passed.
    convenience init(_ process: Process, cpuSeconds seconds: Double) {
        self.init(process)
        let pid = process.processIdentifier
        let wallEnd = Date().addingTimeInterval(seconds * Self.wallFactor)
        let thread = Thread { [self] in
            while isArmed {
                if Self.cpuSeconds(of: pid) > seconds || Date() > wallEnd {
                    fire()
                    return
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    private var isArmed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return state == 0
    }

    func fire() {
        lock.lock()
        defer { lock.unlock() }
        guard state == 0 else { return }
        state = 2
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Disarms the watchdog; returns whether it had already fired.
    func disarm() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if state == 0 { state = 1 }
        return state == 2
    }

    /// User plus system CPU time of a live process (0 once it is gone).
    static func cpuSeconds(of pid: pid_t) -> Double {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return 0 }
        let text = String(decoding: data, as: UTF8.self)
        // The name (field 2) may hold spaces: count fields after its ')'.
        guard let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the name: state is field 3, utime 14 and stime 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Reads a pipe to its end on another thread, so that a full stderr pipe
/// never blocks the child while the test reads its stdout.
final class PipeDrain: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    /// `onFirstData` is called on a thread of its own once the first bytes
    /// arrive (a test acting on the run while it goes on).
    init(_ handle: FileHandle, onFirstData: (@Sendable () -> Void)? = nil) {
        let thread = Thread { [self] in
            var pending = onFirstData
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock()
                data.append(chunk)
                lock.unlock()
                if let callback = pending {
                    pending = nil
                    Thread.detachNewThread { callback() }
                }
            }
            done.signal()
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Everything, once the pipe's last writer has closed it.
    func wait() -> Data {
        done.wait()
        return collected
    }

    /// What came within `seconds` after the process exited: a grandchild
    /// left behind by a killed run (a shell from `os.execute`) may hold the
    /// pipe open much longer, and the test must not wait for it.
    func wait(seconds: Double) -> Data {
        _ = done.wait(timeout: .now() + seconds)
        return collected
    }

    private var collected: Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}

/// One run of the built `prio-lua` binary with a wall-time bound: past it the
/// process is killed (SIGKILL) and the run says so instead of hanging the test.
struct BoundedRun {
    var status: Int32
    /// The process ended by a signal it was not sent by the bound.
    var signaled: Bool
    /// It outlived its bound and was killed.
    var killed: Bool
    var seconds: Double
    var stdout: String
    var stderr: String

    /// `environment` adds to (or overrides) this process's environment;
    /// `onFirstOutput` and `onFirstError` run once the first bytes of standard
    /// output or error arrive.
    init(
        arguments: [String], in directory: URL, limit: Double, environment: [String: String] = [:],
        onFirstOutput: (@Sendable () -> Void)? = nil, onFirstError: (@Sendable () -> Void)? = nil
    ) throws {
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.currentDirectoryURL = directory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        let watchdog = Watchdog(process, cpuSeconds: limit)
        let output = PipeDrain(out.fileHandleForReading, onFirstData: onFirstOutput)
        let errors = PipeDrain(err.fileHandleForReading, onFirstData: onFirstError)
        process.waitUntilExit()
        let outData = output.wait(seconds: 2)
        let errData = errors.wait(seconds: 2)
        killed = watchdog.disarm()
        status = process.terminationStatus
        signaled = process.terminationReason == .uncaughtSignal && !killed
        seconds = Date().timeIntervalSince(start)
        stdout = String(decoding: outData, as: UTF8.self)
        stderr = String(decoding: errData, as: UTF8.self)
    }
}
