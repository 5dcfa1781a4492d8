import Foundation

/// Kills a process (SIGKILL: a hung Lua loop must not outlive its test) once
/// its time bound has passed, unless it was disarmed first.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private let process: Process
    private var state = 0  // 0 armed, 1 disarmed, 2 fired

    init(_ process: Process) { self.process = process }

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
}

/// Reads a pipe to its end on another thread, so that a full stderr pipe
/// never blocks the child while the test reads its stdout.
final class PipeDrain: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
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

    /// `environment` adds to (or overrides) this process's environment.
    init(arguments: [String], in directory: URL, limit: Double, environment: [String: String] = [:]) throws {
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
        let watchdog = Watchdog(process)
        DispatchQueue.global().asyncAfter(deadline: .now() + limit) { watchdog.fire() }
        let errors = PipeDrain(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.wait()
        process.waitUntilExit()
        killed = watchdog.disarm()
        status = process.terminationStatus
        signaled = process.terminationReason == .uncaughtSignal && !killed
        seconds = Date().timeIntervalSince(start)
        stdout = String(decoding: outData, as: UTF8.self)
        stderr = String(decoding: errData, as: UTF8.self)
    }
}
