import CLua
import CLuaShim
import PrioCore

/// `policy`, `reprioritize`, `every`: the Lua face of scheduling policy.
extension LuaScheduler {
    /// `policy(tbl)`: installs the hooks given (replacing those installed);
    /// `policy(nil)` restores the default. Re-evaluates every unfinished job.
    func luaPolicy(_ lua: LuaState) -> HostResult {
        switch lua.type(at: 1) {
        case LUA_TNIL, LUA_TNONE:
            resetPolicy()
        case LUA_TTABLE:
            if let problem = validatePolicy(lua, at: 1) { return argumentError(lua, 1, "policy", problem) }
            mergePolicy(from: lua, at: 1)
        default:
            return argumentError(lua, 1, "policy", "table or nil expected, got \(describeArgument(lua, 1))")
        }
        policyInstalled()
        return .values(0)
    }

    /// `reprioritize()`: re-evaluates every unfinished job now.
    func luaReprioritize(_ lua: LuaState) -> HostResult {
        reevaluateAll()
        return .values(0)
    }

    /// Describes the first problem of the policy table at `index`, if any.
    func validatePolicy(_ state: LuaState, at index: Int32) -> String? {
        let table = lua_absindex(state.pointer, index)
        state.pushNil()
        while lua_next(state.pointer, table) != 0 {
            defer { state.pop() }
            guard let key = state.string(at: -2), PolicySettings.fields.contains(key) else {
                let name = state.string(at: -2).map { "'\($0)'" } ?? "(a \(state.typeName(at: -2)) key)"
                state.pop()
                return "unknown policy field \(name)"
            }
            switch key {
            case "interval":
                guard let seconds = state.number(at: -1), seconds > 0, seconds.isFinite else {
                    state.pop()
                    return "field 'interval' must be a positive number of seconds"
                }
            case "preempt":
                guard state.type(at: -1) == LUA_TBOOLEAN else {
                    state.pop()
                    return "field 'preempt' must be a boolean"
                }
            case "fair":
                guard readWeights(state, at: -1) != nil else {
                    state.pop()
                    return "field 'fair' must map group names to positive weights"
                }
            default:
                guard state.type(at: -1) == LUA_TFUNCTION else {
                    let typeName = state.typeName(at: -1)
                    state.pop()
                    return "field '\(key)' must be a function, got \(typeName)"
                }
            }
        }
        return nil
    }

    /// Copies the (valid) fields of the table at `index` into the installed policy.
    func mergePolicy(from state: LuaState, at index: Int32) {
        let table = lua_absindex(state.pointer, index)
        lua_rawgeti(state.pointer, prio_registryindex(), lua_Integer(executor.refs.policy))
        state.pushNil()
        while lua_next(state.pointer, table) != 0 {
            let key = state.string(at: -2) ?? ""
            if let hook = PolicyHook(rawValue: key) { policyRunner.policy.hooks.insert(hook) }
            if key == "interval" { policyRunner.policy.interval = state.number(at: -1) }
            if key == "preempt" { policyRunner.policy.preempt = state.boolean(at: -1) }
            if key == "fair" { policyRunner.policy.fairWeights = readWeights(state, at: -1) }
            state.pushValue(at: -2)
            prio_insert(state.pointer, -2)
            lua_rawset(state.pointer, -4)
        }
        state.pop()
    }

    /// A table of group name -> positive weight, or nil if it is anything else.
    func readWeights(_ state: LuaState, at index: Int32) -> [String: Double]? {
        state.stringKeyedTable(at: index) { state in
            state.number(at: -1).flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        }
    }

    func resetPolicy() {
        prio_newtable(lua.pointer)
        lua_rawseti(lua.pointer, prio_registryindex(), lua_Integer(executor.refs.policy))
        let armed = policyRunner.policy.intervalArmed
        policyRunner.policy = PolicySettings()
        policyRunner.policy.intervalArmed = armed
    }

    /// After any change of policy: fresh failure reports, preemption, the
    /// interval timer, and a re-evaluation of every job.
    func policyInstalled() {
        policyRunner.policy.reportedFailures.removeAll()
        if !policyRunner.policy.hooks.contains(.priority) { unpinAllJobObjects() }
        core.preemptionEnabled = policyRunner.policy.preempt
        let weights = policyRunner.policy.fairWeights.map { named in
            Dictionary(uniqueKeysWithValues: named.map { (index(ofGroup: $0.key), $0.value) })
        }
        core.setFairShare(weights: weights)
        if let interval = policyRunner.policy.interval { armInterval(interval) }
        reevaluateAll()
    }

    /// `every(interval, fn)`: runs `fn(now)` every `interval` seconds, ahead
    /// of all jobs, until the returned handle's `cancel()`.
    func luaEvery(_ lua: LuaState) -> HostResult {
        guard let interval = lua.number(at: 1), interval > 0, interval.isFinite else {
            return argumentError(lua, 1, "every", "positive number expected, got \(describeNumberArgument(lua, 1))")
        }
        guard lua.type(at: 2) == LUA_TFUNCTION else {
            return argumentError(lua, 2, "every", "function expected, got \(describeArgument(lua, 2))")
        }
        let index = policyRunner.rules.count
        let due = clock.now + interval
        policyRunner.rules.append(Rule(interval: interval, nextDue: due))
        lua.pushValue(at: 2)
        lua.popIntoRegistryTable(executor.refs.rules, key: index + 1)
        core.scheduleRule(index, at: due)
        pushHandle(index, metatable: executor.refs.ruleMetatable, on: lua)
        return .values(1)
    }

    /// `handle:cancel()`: the rule never runs again. Returns whether it was active.
    func luaRuleCancel(_ lua: LuaState) -> HostResult {
        guard let index = handleIndex(lua, at: 1, metatable: executor.refs.ruleMetatable),
            index < policyRunner.rules.count
        else {
            return argumentError(lua, 1, "cancel", "rule handle expected, got \(describeArgument(lua, 1))")
        }
        let wasActive = !policyRunner.rules[index].cancelled
        policyRunner.rules[index].cancelled = true
        lua.clearRegistryField(executor.refs.rules, key: index + 1)
        lua.push(wasActive)
        return .values(1)
    }

    /// A rule came due: run it under the hook budget and set its next time.
    func runRule(_ index: Int) {
        guard index < policyRunner.rules.count, !policyRunner.rules[index].cancelled else { return }
        lua.pushField(ofRegistryTable: executor.refs.rules, key: index + 1)
        lua_pushnumber(lua.pointer, clock.now)
        if let failure = budgetedCall(argumentCount: 1, resultCount: 0, context: .rule(index)),
            !policyRunner.rules[index].failureReported
        {
            policyRunner.rules[index].failureReported = true
            report("every rule #\(index + 1) failed: \(failure)")
        }
        guard !policyRunner.rules[index].cancelled else { return }
        var next = policyRunner.rules[index].nextDue + policyRunner.rules[index].interval
        if next <= clock.now { next = clock.now + policyRunner.rules[index].interval }
        policyRunner.rules[index].nextDue = next
        core.scheduleRule(index, at: next)
    }

    /// Pushes a small userdata holding `index`, with the given metatable.
    func pushHandle(_ index: Int, metatable: Int32, on state: LuaState) {
        let block = prio_newuserdata(state.pointer, MemoryLayout<Int64>.size)!
        block.storeBytes(of: Int64(index), as: Int64.self)
        lua_rawgeti(state.pointer, prio_registryindex(), lua_Integer(metatable))
        lua_setmetatable(state.pointer, -2)
    }

    /// The index in a handle made by `pushHandle` with `metatable`, or nil.
    func handleIndex(_ state: LuaState, at index: Int32, metatable: Int32) -> Int? {
        guard state.type(at: index) == LUA_TUSERDATA, lua_getmetatable(state.pointer, index) != 0 else { return nil }
        lua_rawgeti(state.pointer, prio_registryindex(), lua_Integer(metatable))
        let matches = lua_rawequal(state.pointer, -1, -2) != 0
        state.pop(2)
        guard matches, let block = lua_touserdata(state.pointer, index) else { return nil }
        return Int(block.load(as: Int64.self))
    }
}
