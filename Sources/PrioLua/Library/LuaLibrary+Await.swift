import CLua
import CLuaShim
import PrioCore

/// `job:await`, `await_all`, `await_any`: wait for jobs, without a slot.
extension LuaScheduler {
    /// `job:await([timeout])`: the job's return values, or its error raised.
    func luaJobAwait(_ lua: LuaState) -> HostResult {
        guard let target = jobID(lua, at: 1) else {
            return argumentError(lua, 1, "await", "job expected, got \(describeArgument(lua, 1))")
        }
        return awaitJobs(
            lua, AwaitRequest(kind: .one, targets: [target], deadline: nil), function: "await", timeoutAt: 2)
    }

    /// `await_all(jobs [, timeout])`: an array of each job's first return value.
    func luaAwaitAll(_ lua: LuaState) -> HostResult {
        switch readJobArray(lua, function: "await_all") {
        case .failure(let result): return result
        case .success(let targets):
            return awaitJobs(
                lua, AwaitRequest(kind: .all, targets: targets, deadline: nil), function: "await_all", timeoutAt: 2)
        }
    }

    /// `await_any(jobs [, timeout])`: the first job to finish, or nil on timeout.
    func luaAwaitAny(_ lua: LuaState) -> HostResult {
        switch readJobArray(lua, function: "await_any") {
        case .failure(let result): return result
        case .success(let targets):
            return awaitJobs(
                lua, AwaitRequest(kind: .any, targets: targets, deadline: nil), function: "await_any", timeoutAt: 2)
        }
    }

    private enum JobArray { case success([JobID]), failure(HostResult) }

    private func readJobArray(_ lua: LuaState, function: String) -> JobArray {
        guard lua.type(at: 1) == LUA_TTABLE else {
            return .failure(argumentError(lua, 1, function, "array of jobs expected, got \(describeArgument(lua, 1))"))
        }
        var targets: [JobID] = []
        let count = lua_rawlen(lua.pointer, 1)
        var position: lua_Integer = 1
        while position <= count {
            lua_rawgeti(lua.pointer, 1, position)
            let job = jobID(lua, at: -1)
            let typeName = lua.typeName(at: -1)
            lua.pop()
            guard let job else {
                return .failure(
                    argumentError(lua, 1, function, "array of jobs expected, item \(position) is a \(typeName)"))
            }
            targets.append(job)
            position += 1
        }
        return .success(targets)
    }

    /// Returns at once when nothing is left to wait for; otherwise checks for
    /// self-awaits and cycles and suspends the caller.
    private func awaitJobs(_ lua: LuaState, _ request: AwaitRequest, function: String, timeoutAt index: Int32)
        -> HostResult
    {
        var request = request
        if !lua.isNoneOrNil(index) {
            guard let seconds = lua.number(at: index), seconds >= 0, !seconds.isNaN else {
                return argumentError(
                    lua, Int(index), function, "non-negative number expected, got \(describeNumberArgument(lua, index))"
                )
            }
            request.deadline = clock.now + seconds
        }
        if let context = policyRunner.hookContexts.last { return raise(lua, context.suspendError) }
        guard let me = executor.running else {
            return raise(lua, "cannot suspend here (inside a __close handler)")
        }
        switch core.awaitOutcome(me, on: request.targets, mode: request.mode) {
        case .selfAwait:
            lua.push("cannot await itself")
            return .raise
        case .satisfied:
            let mark = lua.top
            let ok = pushAwaitResult(request, timedOut: false, on: lua)
            return ok ? .values(lua.top - mark) : .raise
        case .cycle:
            lua.push("await cycle")
            return .raise
        case .suspended:
            return suspend(lua, .await(request))
        }
    }

    /// Pushes what an await returns: its values (true), or the error to raise (false).
    func pushAwaitResult(_ request: AwaitRequest, timedOut: Bool, on state: LuaState) -> Bool {
        switch request.kind {
        case .one:
            if timedOut { state.push("timeout"); return false }
            return pushOutcome(of: request.targets[0], on: state)
        case .all:
            if timedOut { state.push("timeout"); return false }
            for job in request.targets where core[job].state != .done {
                _ = pushOutcome(of: job, on: state)
                for other in request.targets { failureObserved(other) }
                return false
            }
            lua_createtable(state.pointer, Int32(request.targets.count), 0)
            for (position, job) in request.targets.enumerated() {
                state.pushField(ofRegistryTable: executor.refs.results, key: job.value)
                if state.type(at: -1) == LUA_TTABLE { lua_rawgeti(state.pointer, -1, 1) } else { state.pushNil() }
                prio_remove(state.pointer, -2)
                lua_rawseti(state.pointer, -2, lua_Integer(position + 1))
            }
            return true
        case .any:
            let first = request.targets.filter { core[$0].state.isFinished }
                .min { core[$0].order < core[$1].order }  // a finished job's order is its place in finishing
            if let first { pushJobObject(first, on: state) } else { state.pushNil() }  // nil: timed out
            return true
        }
    }

    /// Pushes a finished job's return values, or its error (then returns false).
    private func pushOutcome(of job: JobID, on state: LuaState) -> Bool {
        switch core[job].state {
        case .done:
            state.pushField(ofRegistryTable: executor.refs.results, key: job.value)
            if state.type(at: -1) == LUA_TNIL {
                state.pop()
                return true
            }
            // `n` is what the body returned, but the table is the script's
            // too (`job.result`): a count it wrote is taken within 0...Int32.max - 1.
            let count = Int64(lua_rawlen(state.pointer, -1))
            _ = state.rawField("n", ofTableAt: -1)
            let n = Int32(clamping: min(max(state.integer(at: -1) ?? count, 0), Int64(Int32.max) - 1))
            state.pop()
            guard state.reserve(n + 1) else {
                state.pop()
                state.push(LuaState.tooManyValuesMessage(n))
                return false
            }
            var index: Int32 = 1
            while index <= n {
                lua_rawgeti(state.pointer, -Int32(index), lua_Integer(index))
                index += 1
            }
            prio_remove(state.pointer, -(n + 1))
            return true
        case .failed:
            failureObserved(job)
            state.pushField(ofRegistryTable: executor.refs.errors, key: job.value)
            return false
        case .cancelled:
            state.push("cancelled")
            return false
        case .delayed, .queued, .parked, .ready, .running, .sleeping, .blocked, .awaiting:
            preconditionFailure("the outcome of job \(job) is read before it finished")
        }
    }
}
