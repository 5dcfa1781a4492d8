import CLua
import CLuaShim
import Foundation
import PrioCore

extension LuaScheduler {
    /// The coroutine raised. The main chunk's error ends the run (exit 2);
    /// a job's error fails that job alone, or schedules a retry.
    func raised(_ job: JobID, _ co: LuaState) {
        // The error value is described on the main state: a coroutine that
        // died takes no calls, and its stack has no room guaranteed.
        co.move(1, to: lua)
        let message = errorText(lua, at: -1)
        let traceback = trimmedTraceback(co, message: message)
        if job.isMain {
            lua.pop()
            mainError = message
            report(traceback)
            return
        }
        prio_register_job_thread(lua.pointer, co.pointer, lua_Integer(job.value))  // closed by id below
        if core.isCancelRequested(job) {
            lua.pop()
            close(job, afterError: true)
            recordCancelled(job)
            return
        }
        jobBook.releaseQueue.retainedBytes +=
            lua.type(at: -1) == LUA_TSTRING ? Int(lua_rawlen(lua.pointer, -1)) : 0
        lua.popIntoRegistryTable(executor.refs.errors, key: job.value)
        close(job, afterError: true)
        fail(job, message: message, traceback: traceback)
    }

    /// A suspended job's `timeout` passed: close it and fail it with "timeout".
    func stopTimedOut(_ job: JobID) {
        close(job)
        failTimedOut(job)
    }

    /// Fails the job (whose coroutine is gone) with "timeout".
    func failTimedOut(_ job: JobID) {
        fail(job, withMessage: "timeout")
    }

    /// Fails the job (whose coroutine is gone) with `message` as its error.
    func fail(_ job: JobID, withMessage message: String) {
        lua.push(message)
        lua.popIntoRegistryTable(executor.refs.errors, key: job.value)
        fail(job, message: message, traceback: message)
    }

    /// Retries the job if its policy says so; otherwise it fails, and the
    /// error goes to its awaiters or, if none, is reported now.
    func fail(_ job: JobID, message: String, traceback: String) {
        if let delay = retryDelay(for: job) {
            let attempt = Int(core[job].attempt)
            let retries = jobBook.info.retries[job.value].map { " of \($0 + 1)" } ?? ""
            report(
                "\(describeForReport(job)) failed (attempt \(attempt)\(retries)), "
                    + "retrying in \(formatSeconds(delay)): \(message)")
            core.retry(job, after: delay, now: clock.now)
            observation.retryCount += 1
            if observed {
                emit(
                    SchedulerEvent(
                        time: 0, kind: .failed, jobID: job.value, name: "", priority: 0, status: "",
                        attempt: attempt, retryIn: delay, error: message))
            }
            return
        }
        markFinished(job)
        let awaited = core.finished(job, .failed, now: clock.now)
        emit(.finished, job)
        defer { callNotificationHook(.onFinish, job: job) }
        if !awaited {
            jobBook.unobservedFailures.insert(job.value)
            let description = describeForReport(job)
            jobBook.failureLog.record(
                RunReport.Failure(jobID: job.value, name: jobBook.info.name(of: job), error: message),
                description: description)
            report("\(description) failed: \(traceback)")
        }
    }

    /// Seconds until the failed job runs again, or nil: the policy's
    /// `on_error` decides, else `retries` with `backoff * 2^(attempt-1)`.
    private func retryDelay(for job: JobID) -> Double? {
        switch retryDecision(for: job) {
        case .retry(let seconds): return seconds
        case .noRetry: return nil
        case .useDefault:
            let attempt = Int(core[job].attempt)
            guard attempt <= jobBook.info.retries[job.value] ?? 0 else { return nil }
            return (jobBook.info.backoff[job.value] ?? 0) * pow(2, Double(attempt - 1))
        }
    }

    /// `job 'fetch' (#3, priority 5)`, as failure reports name a job.
    func describeForReport(_ job: JobID) -> String {
        "job '\(jobBook.info.name(of: job))' (#\(job.value), priority \(formatNumber(core[job].effectivePriority)))"
    }

    /// The error value at `index` as text: strings and numbers as they are,
    /// `__tostring` when it has one (run under protection), else its type.
    func errorText(_ state: LuaState, at relativeIndex: Int32) -> String {
        let index = lua_absindex(state.pointer, relativeIndex)
        switch state.type(at: index) {
        case LUA_TSTRING:
            // Read as it is: no call, which could fail where the error came
            // from (a C stack or a Lua stack at its limit).
            return state.string(at: index) ?? "?"
        case LUA_TNUMBER:
            if let integer = state.integer(at: index) { return String(integer) }
            return formatNumber(state.number(at: index) ?? .nan)
        default:
            guard lua_getmetatable(state.pointer, index) != 0 else {
                return "(error object is a \(state.typeName(at: index)) value)"
            }
            let hasToString = state.rawField("__tostring", ofTableAt: -1) != LUA_TNIL
            state.pop(2)
            guard hasToString else { return "(error object is a \(state.typeName(at: index)) value)" }
            let outer = prio_budget_begin(
                state.pointer, Self.hookBudget, Self.hookWallBudget, Int32(PRIO_BUDGET_TOSTRING))
            let described = state.describe(at: index)
            prio_budget_end(state.pointer, outer, 0)
            if let text = described.text { return text }
            return "(error object is a \(state.typeName(at: index)) value; its __tostring failed: "
                + "\(described.failure ?? "?"))"
        }
    }

    /// The error and a traceback of the job's own frames: the prelude's
    /// frames and the coroutine entry are scheduler internals, so they go.
    func trimmedTraceback(_ co: LuaState, message: String) -> String {
        // The message is joined after: a long one is not split into lines.
        guard prio_traceback_protected(lua.pointer, co.pointer, nil, 0) == LUA_OK,
            let full = lua.string(at: -1)
        else {
            lua.pop()
            return message
        }
        lua.pop()
        let lines = full.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            !line.contains("[prio]") && !line.contains("[prio.") && !line.contains("[C]: in ?")
        }
        if lines == ["stack traceback:"] { return message }
        return message + "\n" + lines.joined(separator: "\n")
    }

    /// At the end of a run, each job whose failure reached no awaiter, once,
    /// with the first line of its error: the reports above may be far back.
    func summarizeFailures() {
        guard jobBook.failureLog.count > 0 else { return }
        let total = jobBook.failureLog.count
        var text = "prio-lua: \(total) \(total == 1 ? "job" : "jobs") failed:\n"
        for (description, error) in jobBook.failureLog.described {
            let firstLine = error.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            text += "  \(description): \(firstLine)\n"
        }
        if jobBook.failureLog.uncounted > 0 { text += "  ... and \(jobBook.failureLog.uncounted) more\n" }
        options.diagnostics(text)
    }

    /// A failure an awaiter took: it reached someone, so it is not reported.
    func failureObserved(_ job: JobID) {
        guard !jobBook.unobservedFailures.isEmpty, jobBook.unobservedFailures.remove(job.value) != nil else { return }
        jobBook.failureLog.remove(job.value)
    }

    func makeReport() -> RunReport {
        let counts = ledgerOfAllJobs().counts
        let exit: Int32 = mainError != nil ? 2 : (jobBook.failureLog.count == 0 ? 0 : 1)
        return RunReport(
            counts: counts, unobservedFailures: jobBook.failureLog.failures,
            unobservedFailureCount: jobBook.failureLog.count,
            mainError: mainError, exitStatus: exit)
    }
}

/// A number as Lua's `%.14g` prints it.
func formatNumber(_ value: Double) -> String {
    if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    if value.isNaN { return "nan" }
    return String(format: "%.14g", value)
}

/// Seconds for a message: `0.5s`, `2s`.
func formatSeconds(_ value: Double) -> String { formatNumber(value) + "s" }
