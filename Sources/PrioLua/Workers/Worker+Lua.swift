import CLua
import CLuaShim
import PrioCore

/// The worker's Lua state: made like the main one, running task jobs'
/// coroutines, and passing every library call to the main state.
extension Worker {
    /// Creates the state with the run's libraries, `--sandbox` and
    /// `--memory-limit` (per state, SPEC §8).
    func makeState() -> Bool {
        guard let state = prio_newstate(nil) else { return false }
        prio_set_dispatch(state, workerDispatch)
        prio_set_host(state, Unmanaged.passUnretained(self).toOpaque())
        let lua = LuaState(state)
        var installer = LibraryInstaller(lua: lua, sandbox: setup.sandbox, memoryLimit: setup.memoryLimit)
        do {
            try installer.install(beforePrelude: {})
        } catch {
            prio_closestate(state)
            return false
        }
        refs = installer.refs
        self.lua = lua
        return true
    }

    /// Refs for moving values to and from the main state: job objects by
    /// id, task functions by name.
    var transferRefs: prio_transfer_refs {
        prio_transfer_refs(jobs: 1, task_names: refs.taskNames, task_functions: refs.taskFunctions, closures: 0)
    }

    func start(_ job: Int, task: String?, args: TransferBytes?, timeoutAt: Double) {
        guard let lua else { return }
        installHostFunctions()
        if let task {
            if let problem = loadModules() {
                post(.cannotRun(job: job, message: problem))
                return
            }
            lua_rawgeti(lua.pointer, prio_registryindex(), lua_Integer(refs.taskFunctions))
            lua.push(task)
            lua_rawget(lua.pointer, -2)
            guard lua.type(at: -1) == LUA_TFUNCTION else {
                lua.pop(2)
                post(.cannotRun(job: job, message: "task '\(task)' is not in its module in worker state \(number)"))
                return
            }
            prio_store_job_body(lua.pointer, lua_Integer(job), -1)
            lua.pop(2)
        }
        if let args {
            guard args.push(on: lua) == 1 else {
                lua.top = 0
                post(.cannotRun(job: job, message: "not enough memory for the arguments in worker state \(number)"))
                return
            }
            lua.popIntoRegistryTable(refs.args, key: job)
        }
        taskNames[job] = task ?? ""
        guard let co = prio_start_job_thread(lua.pointer, lua_Integer(job)) else {
            post(.cannotRun(job: job, message: "not enough memory for a coroutine in worker state \(number)"))
            return
        }
        drive(job, LuaState(co), argumentCount: 1, timeoutAt: timeoutAt)
    }

    /// Makes the host functions registered since the last job globals here
    /// too (and fields of `prio`); their calls go to the main state, which
    /// runs them for the job as it runs its own jobs' calls.
    private func installHostFunctions() {
        guard let lua else { return }
        for function in setup.hostFunctions.elements(from: hostFunctionsInstalled) {
            prio_pushglobaltable(lua.pointer)
            prio_push_host_function(lua.pointer, function.id)
            lua.setRawField(function.name, ofTableAt: -2)
            if lua.rawField("prio", ofTableAt: -1) == LUA_TTABLE {
                prio_push_host_function(lua.pointer, function.id)
                lua.setRawField(function.name, ofTableAt: -2)
            }
            lua.top = 0
            hostFunctionsInstalled += 1
        }
    }

    /// Loads the task modules the main state loaded since the last job.
    /// A module that fails here is reported with the state's number, and
    /// this state runs no more task jobs (they run in the main state).
    private func loadModules() -> String? {
        if let moduleFailure { return moduleFailure }
        guard let lua else { return "no Lua state" }
        for module in setup.modules.elements(from: modulesLoaded) {
            prio_pushglobaltable(lua.pointer)
            _ = lua.rawField("prio", ofTableAt: -1)
            _ = lua.rawField("tasks", ofTableAt: -1)
            lua.push(module.path)
            let status = prio_pcall(lua.pointer, 1, 0, 0)
            if status != LUA_OK {
                var message = lua.string(at: -1) ?? "error"
                let prelude = "task module '\(module.name)' failed to load: "
                if message.hasPrefix(prelude) { message.removeFirst(prelude.count) }
                lua.top = 0
                moduleFailure = "task module '\(module.name)' failed to load in worker state \(number): \(message)"
                return moduleFailure
            }
            lua.top = 0
            modulesLoaded += 1
        }
        return nil
    }

    func resume(_ job: Int, values: TransferBytes, timeoutAt: Double) {
        guard let lua, let co = thread(of: job) else { return }
        guard let count = values.push(on: co, refs: transferRefs) else {
            co.top = 0
            co.push(false)
            co.push("not enough memory in worker state \(number)")
            drive(job, co, argumentCount: 2, timeoutAt: timeoutAt)
            return
        }
        _ = lua
        drive(job, co, argumentCount: count, timeoutAt: timeoutAt)
    }

    private func thread(of job: Int) -> LuaState? {
        guard let lua else { return nil }
        lua.pushField(ofRegistryTable: refs.threads, key: job)
        defer { lua.pop() }
        return lua_tothread(lua.pointer, -1).map(LuaState.init)
    }

    /// Resumes the job's coroutine under a slice and reports how it stopped.
    private func drive(_ job: Int, _ co: LuaState, argumentCount: Int32, timeoutAt: Double) {
        guard let lua else { return }
        suspendedByCall = false
        let began = prio_monotonic_seconds()
        defer { addBusy(prio_monotonic_seconds() - began) }
        setExecuting(job)
        prio_clear_suspending(lua.pointer)
        let now = prio_monotonic_seconds()
        let slice = setup.virtualTime ? 0 : setup.sliceMilliseconds / 1000
        let stopIn = timeoutAt > 0 ? max(timeoutAt - now, 1e-6) : 0
        prio_slice_begin(lua.pointer, co.pointer, now, slice, stopIn)
        if stopJob.load() == job { prio_request_stop(lua.pointer, 2) }
        _ = prio_enforce_memory_limit(lua.pointer, 1)
        var resultCount: Int32 = 0
        var status = lua_resume(co.pointer, lua.pointer, argumentCount, &resultCount)
        var preempted = prio_slice_end(lua.pointer) != 0
        // A slice's end gives way only when the run loop has a job for this
        // state (`giveWay`) or a command waits; a timeout or a stop ends the run.
        while status == LUA_YIELD, preempted, !suspendedByCall, giveWay.load() == 0, stopJob.load() != job,
            !mailWaiting
        {
            let now = prio_monotonic_seconds()
            if timeoutAt > 0 && now >= timeoutAt { break }
            co.pop(resultCount)
            prio_clear_suspending(lua.pointer)
            prio_slice_begin(lua.pointer, co.pointer, now, slice, timeoutAt > 0 ? max(timeoutAt - now, 1e-6) : 0)
            status = lua_resume(co.pointer, lua.pointer, 0, &resultCount)
            preempted = prio_slice_end(lua.pointer) != 0
        }
        _ = prio_enforce_memory_limit(lua.pointer, 0)
        setExecuting(0)
        prio_clear_suspending(lua.pointer)
        let stopping = stopJob.load() == job
        switch status {
        case LUA_YIELD:
            co.pop(resultCount)
            prio_register_job_thread(lua.pointer, co.pointer, lua_Integer(job))
            if stopping {
                closeCoroutine(of: job)
                post(.closed(job: job))
            } else {
                post(.stopped(job: job, preempted: preempted && !suspendedByCall))
            }
        case LUA_OK:
            let results = TransferBytes.encode(co, first: co.top - resultCount + 1, count: resultCount, root: nil)
            co.top = 0
            prio_finish_job_thread(lua.pointer, co.pointer, lua_Integer(job))
            closureJobs.remove(job)
            forget(job)
            switch results {
            case .success(let bytes): post(.returned(job: job, results: bytes))
            case .failure(let failure):
                let message = "cannot transfer result: \(failure.description)"
                post(.raised(job: job, error: TransferBytes.string(message), message: message, traceback: message))
            }
        default:
            reportError(of: job, co)
        }
    }

    /// The body raised: close its coroutine (its `<close>` variables run
    /// now, as in the main state) and report the error value.
    private func reportError(of job: Int, _ co: LuaState) {
        guard let lua else { return }
        let message = co.type(at: -1) == LUA_TSTRING ? co.string(at: -1) ?? "?" : describeError(co)
        var traceback = message
        if prio_traceback_protected(lua.pointer, co.pointer, nil, 0) == LUA_OK, let text = lua.string(at: -1) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter {
                !$0.contains("[prio]") && !$0.contains("[prio.") && !$0.contains("[C]: in ?")
            }
            if lines != ["stack traceback:"] { traceback = message + "\n" + lines.joined(separator: "\n") }
        }
        lua.top = 0
        let error: TransferBytes
        switch TransferBytes.encode(co, first: co.top, count: 1, root: nil) {
        case .success(let bytes): error = bytes
        case .failure: error = TransferBytes.string(message)
        }
        prio_register_job_thread(lua.pointer, co.pointer, lua_Integer(job))
        closeCoroutine(of: job)
        post(.raised(job: job, error: error, message: message, traceback: traceback))
    }

    private func describeError(_ co: LuaState) -> String {
        guard let lua else { return "?" }
        co.pushValue(at: -1)
        co.move(1, to: lua)
        defer { lua.top = 0 }
        guard prio_tostring_protected(lua.pointer, -1) == LUA_OK, let text = lua.string(at: -1) else {
            return "(error object is a \(lua.typeName(at: -1)) value)"
        }
        return text
    }

    /// Keeps the body of a closure job submitted from here (`submit` from a
    /// job of this state): it runs here, on every attempt.
    func keepClosure(_ job: Int, bodyAt index: Int32, on caller: LuaState) {
        prio_store_job_body(caller.pointer, lua_Integer(job), index)
        closureJobs.insert(job)
    }

    func forgetClosure(_ job: Int) {
        guard let lua, closureJobs.remove(job) != nil else { return }
        prio_drop_job_body(lua.pointer, lua_Integer(job))
    }

    /// Closes the job's coroutine: its pending `<close>` variables run, under
    /// the same budget as in the main state. A closure job's body stays for
    /// its next attempt (`forget` drops it).
    func closeCoroutine(of job: Int) {
        guard let lua, let co = thread(of: job) else {
            forget(job)
            return
        }
        setExecuting(job)
        let outer = prio_budget_begin(
            co.pointer, LuaScheduler.hookBudget, LuaScheduler.hookWallBudget, Int32(PRIO_BUDGET_CLOSE))
        _ = lua_resetthread(co.pointer)
        prio_budget_end(co.pointer, outer, 0)
        setExecuting(0)
        co.top = 0
        prio_unregister_job_thread(lua.pointer, co.pointer, lua_Integer(job))
        if !closureJobs.contains(job) { prio_drop_job_body(lua.pointer, lua_Integer(job)) }
        forget(job)
    }

    private func forget(_ job: Int) {
        guard let lua else { return }
        var tables: (Int32, Int32) = (refs.args, refs.results)
        withUnsafePointer(to: &tables) {
            $0.withMemoryRebound(to: Int32.self, capacity: 2) {
                prio_clear_job_entries(lua.pointer, $0, 2, lua_Integer(job))
            }
        }
        taskNames[job] = nil
        if stopJob.load() == job { stopJob.store(0) }
    }
}
