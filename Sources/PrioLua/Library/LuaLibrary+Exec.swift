import CLua
import CLuaShim
import Foundation
import PrioCore
import Subprocess
import SystemPackage

/// `exec(cmd [, opts])`: a subprocess that runs while other jobs go on.
extension LuaScheduler {
    struct ExecRequest: Sendable {
        var executable: String
        var arguments: [String]
        var viaShell: Bool
        var stdin: [UInt8]?
        var cwd: String?
        var environment: [String: String] = [:]
        /// Bytes of output (stdout and stderr together) the job may take in:
        /// the room left under `--memory-limit` when the call is made.
        var outputLimit = Int.max
    }

    /// Room left under the memory limit, for a subprocess's output: the
    /// output becomes Lua strings, so it counts against the limit, and
    /// past it the call fails instead of buffering without bound.
    private func outputRoom() -> Int {
        let limit = prio_memory_limit(lua.pointer)
        let allocated = prio_memory_allocated(lua.pointer)
        guard limit > 0 else { return Int.max }
        return limit > allocated ? Int(limit - allocated) : 0
    }

    /// `exec(cmd [, opts]) -> {status, stdout, stderr [, signal]}`
    func luaExec(_ lua: LuaState) -> HostResult {
        var request: ExecRequest
        switch readCommand(lua) {
        case .failure(let message): return argumentError(lua, 1, "exec", message)
        case .success(let command): request = command
        }
        if !lua.isNoneOrNil(2) {
            if let problem = readExecOptions(lua, at: 2, into: &request) {
                return argumentError(lua, 2, "exec", problem)
            }
        }
        guard let job = executor.running, policyRunner.hookContexts.isEmpty, canSuspend(lua) else {
            return suspend(lua, .external)  // reports why it cannot suspend here
        }
        request.outputLimit = outputRoom()
        let handle = ProcessHandle()
        startExternalWork(for: job, process: handle) { [request] in try await Self.runProcess(request, handle: handle) }
        return suspend(lua, .external)
    }

    private enum Command { case success(ExecRequest), failure(String) }

    private func readCommand(_ lua: LuaState) -> Command {
        if let line = lua.string(at: 1) {
            return .success(ExecRequest(executable: "/bin/sh", arguments: ["-c", line], viaShell: true))
        }
        guard lua.type(at: 1) == LUA_TTABLE else {
            return .failure("argv array or command string expected, got \(describeArgument(lua, 1))")
        }
        var words: [String] = []
        let count = lua_rawlen(lua.pointer, 1)
        var index: lua_Integer = 1
        while index <= count {
            lua_rawgeti(lua.pointer, 1, index)
            defer { lua.pop() }
            guard let word = lua.string(at: -1) ?? lua.number(at: -1).map(formatNumber) else {
                return .failure("argv item \(index) must be a string, got \(lua.typeName(at: -1))")
            }
            words.append(word)
            index += 1
        }
        guard let program = words.first, !program.isEmpty else { return .failure("argv array is empty") }
        return .success(ExecRequest(executable: program, arguments: Array(words.dropFirst()), viaShell: false))
    }

    private func readExecOptions(_ lua: LuaState, at index: Int32, into request: inout ExecRequest) -> String? {
        guard lua.type(at: index) == LUA_TTABLE else {
            return "options table expected, got \(describeArgument(lua, index))"
        }
        let table = lua_absindex(lua.pointer, index)
        lua.pushNil()
        while lua_next(lua.pointer, table) != 0 {
            defer { lua.pop() }
            switch lua.string(at: -2) {
            case "stdin":
                guard let text = lua.string(at: -1) else { lua.pop(); return "option 'stdin' must be a string" }
                request.stdin = Array(text.utf8)
            case "cwd":
                guard let text = lua.string(at: -1) else { lua.pop(); return "option 'cwd' must be a string" }
                request.cwd = text
            case "env":
                guard let environment = readStringMap(lua, at: -1) else {
                    lua.pop()
                    return "option 'env' must map names to strings"
                }
                request.environment = environment
            case let key?:
                lua.pop()
                return "unknown option '\(key)'"
            case nil:
                lua.pop()
                return "unknown option (a \(lua.typeName(at: -1)) key)"
            }
        }
        return nil
    }

    private func readStringMap(_ lua: LuaState, at index: Int32) -> [String: String]? {
        lua.stringKeyedTable(at: index) { state in state.string(at: -1) ?? state.number(at: -1).map(formatNumber) }
    }

    /// Starts `work` on a Swift task; its result wakes the job through the inbox.
    func startExternalWork(
        for job: JobID, process: ProcessHandle? = nil, _ work: @escaping @Sendable () async throws -> ExternalResult
    ) {
        let inbox = self.outside.inbox
        let completion = TaskCompletion()
        let task = Task.detached {
            let result: ExternalResult
            do {
                result = try await work()
            } catch {
                result = .failure(describeExternalError(error))
            }
            inbox.post(job, result)
            completion.finished()
        }
        outside.externalWork[job.value] = ExternalWork(task: task, completion: completion, process: process)
    }

    /// Takes the completions posted so far and makes their jobs runnable.
    func deliverExternalResults() {
        // Only jobs with outside work in flight take results (the loop below
        // drops any other), so the inbox's lock is skipped when there are none.
        guard !outside.externalWork.isEmpty else { return }
        for (job, result) in outside.inbox.drain() {
            guard outside.externalWork.removeValue(forKey: job.value) != nil, core[job].state == .blocked else {
                continue
            }
            outside.externalResults[job.value] = result
            core.unblocked(job)
        }
    }

    /// Stops the outside work of a job that is being cancelled or timed out,
    /// and waits (briefly) until its process has been terminated and reaped.
    func stopExternalWork(of job: JobID) {
        guard let work = outside.externalWork.removeValue(forKey: job.value) else { return }
        outside.externalResults[job.value] = nil
        guard let process = work.process else {
            work.task.cancel()
            work.completion.wait(seconds: 3)
            return
        }
        process.signal(SIGTERM)
        if !work.completion.wait(seconds: 0.5) {
            process.signal(SIGKILL)
            _ = work.completion.wait(seconds: 3)
        }
    }

    /// Pushes what the job's `exec` returns, or its error (then returns false).
    func pushExternalResult(_ result: ExternalResult?, on state: LuaState) -> Bool {
        switch result {
        case .exec(let status, let signal, let stdout, let stderr)?:
            lua_createtable(state.pointer, 0, 4)
            state.push(integer: status)
            state.setRawField("status", ofTableAt: -2)
            state.push(bytes: stdout)
            state.setRawField("stdout", ofTableAt: -2)
            state.push(bytes: stderr)
            state.setRawField("stderr", ofTableAt: -2)
            if let signal {
                state.push(integer: signal)
                state.setRawField("signal", ofTableAt: -2)
            }
            return true
        case .values(let values)?:
            guard state.reserve(Int32(clamping: values.count)) else {
                state.push(LuaState.tooManyValuesMessage(Int32(clamping: values.count)))
                return false
            }
            for value in values { state.push(value) }
            return true
        case .failure(let message)?:
            state.push(message)
            return false
        case nil:
            state.push("exec: no result")
            return false
        }
    }
}

/// How a failure of outside work reads as a Lua error.
func describeExternalError(_ error: any Error) -> String {
    if error is CancellationError { return "cancelled" }
    if let subprocessError = error as? SubprocessError { return "exec: \(subprocessError)" }
    return "\(error)"
}

/// The outside work a blocked job waits on.
struct ExternalWork {
    var task: Task<Void, Never>
    var completion: TaskCompletion
    /// Set for `exec`: the process to signal when the job is stopped.
    var process: ProcessHandle?
}
