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
