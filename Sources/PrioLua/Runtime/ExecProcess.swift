import CLuaShim
import Foundation
import Subprocess
import SystemPackage

extension LuaScheduler {
    /// Runs the process to completion in its own process group. It is never
    /// stopped by cancelling this task (swift-subprocess 1.0.2 can leave a
    /// process running when its task is cancelled just after the spawn):
    /// `stopExternalWork` signals the group through `handle` instead, and
    /// this call returns once the process has exited and been reaped.
    ///
    /// Standard input is fed from a thread of its own (`StdinFeeder`), so a
    /// child that exits without reading it all ends the feeding with EPIPE
    /// instead of an error that loses the child's status. The output is
    /// collected up to `request.outputLimit` bytes; past it the process
    /// group is killed and the call fails, naming the limit.
    static func runProcess(_ request: ExecRequest, handle: ProcessHandle) async throws -> ExternalResult {
        var platform = PlatformOptions()
        platform.processGroupID = 0
        let executable: Executable =
            request.executable.contains("/") ? .path(FilePath(request.executable)) : .name(request.executable)
        if let cwd = request.cwd {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: cwd, isDirectory: &isDirectory), isDirectory.boolValue else {
                return .failure("exec: cannot change to directory '\(cwd)'")
            }
        }
        let feeder = try StdinFeeder(request.stdin ?? [])
        defer { feeder.closeUnusedEnds() }
        let limit = request.outputLimit
        guard handle.spawning() else { return .failure("exec: the run is stopping on a signal") }
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(request.arguments), environment: environment(of: request),
                workingDirectory: request.cwd.map { FilePath($0) }, platformOptions: platform,
                input: .fileDescriptor(feeder.childEnd, closeAfterSpawningProcess: false),
                output: .bytes(limit: limit), error: .bytes(limit: limit)
            ) { execution in
                handle.started(execution.processIdentifier.value)
                feeder.start()
            }
            handle.finished()
            let stdout = result.standardOutput
            let stderr = result.standardError
            guard limit == Int.max || stdout.count + stderr.count <= limit else {
                return .failure(outputLimitMessage(limit))
            }
            switch result.terminationStatus {
            case .exited(let code):
                return .exec(status: Int(code), signal: nil, stdout: stdout, stderr: stderr)
            case .signaled(let signal):
                return .exec(status: 128 + Int(signal), signal: Int(signal), stdout: stdout, stderr: stderr)
            }
        } catch let error as SubprocessError where error.code == .outputLimitExceeded {
            handle.signal(SIGKILL)
            handle.finished()
            return .failure(outputLimitMessage(limit))
        } catch {
            handle.signal(SIGKILL)
            handle.finished()
            throw error
        }
    }

    private static func outputLimitMessage(_ limit: Int) -> String {
        "exec: output exceeded the memory limit (\(limit) bytes were left for it); the process was stopped"
    }

    private static func environment(of request: ExecRequest) -> Environment {
        guard !request.environment.isEmpty else { return .inherit }
        var updates: [Environment.Key: String?] = [:]
        for (name, value) in request.environment { updates[Environment.Key(stringLiteral: name)] = value }
        return Environment.inherit.updating(updates)
    }
}

/// A subprocess's standard input: a pipe whose read end the child gets and
/// whose write end a thread of its own fills with the bytes, then closes.
/// A write to a child that stopped reading fails with EPIPE (the run
/// ignores SIGPIPE), which just ends the feeding: the child's exit status
/// is what the job gets. A blocking thread, not a Swift task, so a child
/// that never reads cannot hold a cooperative thread.
final class StdinFeeder: @unchecked Sendable {
    let childEnd: FileDescriptor
    private let parentEnd: Int32
    private let bytes: [UInt8]
    private let lock = NSLock()
    private var started = false
    private var childEndClosed = false

    init(_ bytes: [UInt8]) throws {
        var ends: [Int32] = [-1, -1]
        guard prio_pipe_cloexec(&ends) == 0 else { throw Errno(rawValue: errno) }
        childEnd = FileDescriptor(rawValue: ends[0])
        parentEnd = ends[1]
        self.bytes = bytes
    }

    /// The child has been spawned with its copy of the read end: feed it.
    func start() {
        lock.lock()
        started = true
        closeChildEndLocked()
        lock.unlock()
        let thread = Thread { [self] in feed() }
        thread.stackSize = 64 * 1024
        thread.start()
    }

    /// After the run: closes what `start` did not take over (the spawn failed).
    func closeUnusedEnds() {
        lock.lock()
        defer { lock.unlock() }
        closeChildEndLocked()
        if !started {
            started = true
            close(parentEnd)
        }
    }

    private func closeChildEndLocked() {
        guard !childEndClosed else { return }
        childEndClosed = true
        try? childEnd.close()
    }

    private func feed() {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(parentEnd, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    break  // EPIPE: the child is not reading any more
                }
            }
        }
        close(parentEnd)
    }
}

/// The process group an `exec` runs in, once it has started; a stop
/// requested before that is carried out as soon as it starts. Every live
/// group is also listed in `LiveProcessGroups`, so that SIGINT or SIGTERM
/// can take them all down before the process exits.
final class ProcessHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var processGroup: pid_t?
    private var pendingSignal: Int32?
    private var spawnAnnounced = false

    /// About to spawn: tells `LiveProcessGroups`, which waits for the spawn
    /// before it terminates the groups. False once the run is stopping.
    func spawning() -> Bool {
        guard LiveProcessGroups.shared.beginSpawn() else { return false }
        lock.lock()
        spawnAnnounced = true
        lock.unlock()
        return true
    }

    func started(_ pid: pid_t) {
        lock.lock()
        processGroup = pid
        spawnAnnounced = false
        let pending = pendingSignal
        lock.unlock()
        LiveProcessGroups.shared.insert(pid)
        if let pending { kill(-pid, pending) }
    }

    /// The process has exited and been reaped (or never started): its group
    /// id may be reused.
    func finished() {
        lock.lock()
        let group = processGroup
        let spawnFailed = spawnAnnounced
        processGroup = nil
        spawnAnnounced = false
        lock.unlock()
        if let group { LiveProcessGroups.shared.remove(group) }
        if spawnFailed { LiveProcessGroups.shared.endSpawn() }
    }

    func signal(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if let processGroup { kill(-processGroup, signal) } else { pendingSignal = signal }
    }
}

/// Every `exec` child's process group while it lives, for a process going
/// down on a signal. A child exists before its group is listed (the spawn
/// returns first), so spawns in flight are counted too: termination waits
/// for them, and a group listed once termination began is killed at once.
public final class LiveProcessGroups: @unchecked Sendable {
    public static let shared = LiveProcessGroups()
    private let lock = NSLock()
    private var groups: Set<pid_t> = []
    private var spawnsInFlight = 0
    private var terminating = false

    /// A spawn begins; false once termination has begun (no new children).
    func beginSpawn() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !terminating else { return false }
        spawnsInFlight += 1
        return true
    }

    /// A spawn that began failed: no group will be listed for it.
    func endSpawn() {
        lock.lock()
        spawnsInFlight -= 1
        lock.unlock()
    }

    /// A spawn that began has started `group`.
    func insert(_ group: pid_t) {
        lock.lock()
        spawnsInFlight -= 1
        groups.insert(group)
        let late = terminating
        lock.unlock()
        if late { kill(-group, SIGKILL) }
    }

    func remove(_ group: pid_t) {
        lock.lock()
        groups.remove(group)
        lock.unlock()
    }

    /// Terminates every group: waits (up to `grace`) for spawns in flight to
    /// list theirs, then TERM, then, once each group's leader has exited or
    /// `grace` seconds have passed, KILL for whatever is left of the group
    /// (a grandchild that ignores TERM), and waits up to `grace` more for the
    /// leaders. For a process that is going down on a signal.
    public func terminateAll(grace: Double = 0.5) {
        lock.lock()
        terminating = true
        lock.unlock()
        let end = Date().addingTimeInterval(grace)
        while Date() < end {
            lock.lock()
            let inFlight = spawnsInFlight
            lock.unlock()
            if inFlight <= 0 { break }
            usleep(1000)
        }
        lock.lock()
        let targets = groups
        lock.unlock()
        guard !targets.isEmpty else { return }
        for group in targets { kill(-group, SIGTERM) }
        _ = waitForLeaders(targets, seconds: grace)
        for group in targets { kill(-group, SIGKILL) }
        _ = waitForLeaders(targets, seconds: grace)
    }

    /// Whether every group's leader (our child) has exited within `seconds`.
    /// Looks without reaping (WNOWAIT): the child's monitor in
    /// swift-subprocess reaps it and would report an error otherwise.
    private func waitForLeaders(_ targets: Set<pid_t>, seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while true {
            let running = targets.filter { leader in
                var info = siginfo_t()
                let answer = waitid(P_PID, id_t(leader), &info, WEXITED | WNOHANG | WNOWAIT)
                return answer == 0 && info._sifields._sigchld.si_pid == 0
            }
            if running.isEmpty { return true }
            if Date() >= end { return false }
            usleep(5000)
        }
    }
}
