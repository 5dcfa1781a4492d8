import CLua
import CLuaShim
import PrioCore

/// The Swift functions Lua can call. Each is pushed as a C closure around the
/// trampoline in CLuaShim, which calls `dispatchHostFunction` with the case's
/// raw value and then returns, raises or yields as the Swift side asked.
enum HostFunction: Int32, CaseIterable {
    case submit, sleep, yield, now, current, jobs, limit, awaitAll, awaitAny, print
    case jobIndex, jobToString, jobAwait, jobCancel, jobSetPriority
    case policy, reprioritize, every, ruleCancel, exec, osExit, taskModule, taskModuleLoaded

    /// The name a script calls it by (`cancel`, not the internal `job_cancel`).
    var shortName: String {
        luaName.hasPrefix("job_") ? String(luaName.dropFirst(4)) : luaName == "os_exit" ? "exit" : luaName
    }

    /// Whether a `__gc` finalizer may call it. A finalizer runs wherever the
    /// collector steps, which may be in the middle of a host function or a
    /// scheduler transition: only calls that change nothing are allowed.
    var mayRunInFinalizer: Bool {
        switch self {
        case .print, .now, .current, .jobs, .jobIndex, .jobToString: return true
        case .submit, .sleep, .yield, .limit, .awaitAll, .awaitAny, .jobAwait, .jobCancel, .jobSetPriority,
            .policy, .reprioritize, .every, .ruleCancel, .exec, .osExit, .taskModule, .taskModuleLoaded:
            return false
        }
    }

    /// Functions registered from Swift (`LuaScheduler.register`) get ids from here on.
    static let firstRegisteredID: Int32 = 1000

    /// The key in the `host` table the prelude receives.
    var luaName: String {
        switch self {
        case .submit: return "submit"
        case .sleep: return "sleep"
        case .yield: return "yield"
        case .now: return "now"
        case .current: return "current"
        case .jobs: return "jobs"
        case .limit: return "limit"
        case .awaitAll: return "await_all"
        case .awaitAny: return "await_any"
        case .print: return "print"
        case .jobIndex: return "job_index"
        case .jobToString: return "job_tostring"
        case .jobAwait: return "job_await"
        case .jobCancel: return "job_cancel"
        case .jobSetPriority: return "job_set_priority"
        case .policy: return "policy"
        case .reprioritize: return "reprioritize"
        case .every: return "every"
        case .ruleCancel: return "rule_cancel"
        case .exec: return "exec"
        case .osExit: return "os_exit"
        case .taskModule: return "task_module"
        case .taskModuleLoaded: return "task_module_loaded"
        }
    }
}

/// What a host function tells the trampoline to do.
enum HostResult {
    /// Return this many values from the top of the stack.
    case values(Int32)
    /// Raise the value on top of the stack as it is.
    case raise
    /// Raise the message on top of the stack, prefixed with the caller's `file:line:`.
    case raiseWithPosition
    /// Suspend the job; the run loop resumes it with `(ok, values...)`.
    case suspend

    var status: Int32 {
        switch self {
        case .values(let count): return count
        case .raise: return Int32(PRIO_RAISE)
        case .raiseWithPosition: return Int32(PRIO_RAISE_WHERE)
        case .suspend: return Int32(PRIO_SUSPEND)
        }
    }
}

/// The trampoline's entry into Swift: finds the scheduler that owns the state
/// and runs the host function. Never raises; errors travel back as statuses.
let dispatchHostFunction: prio_dispatch_fn = { pointer, functionID in
    guard let pointer, let host = prio_host(pointer) else {
        return Int32(PRIO_RAISE)
    }
    let scheduler = Unmanaged<LuaScheduler>.fromOpaque(host).takeUnretainedValue()
    if functionID >= HostFunction.firstRegisteredID {
        return scheduler.callRegistered(Int(functionID - HostFunction.firstRegisteredID), LuaState(pointer)).status
    }
    guard let function = HostFunction(rawValue: functionID) else { return Int32(PRIO_RAISE) }
    if !function.mayRunInFinalizer, prio_in_finalizer(pointer) != 0 {
        return scheduler.raise(LuaState(pointer), "cannot call '\(function.shortName)' from a __gc finalizer").status
    }
    return scheduler.call(function, LuaState(pointer)).status
}

/// The C fast path of `job:set_priority` (see `prio_set_priority_fast_path`).
let setPriorityFastPath: prio_set_priority_fn = { host, id, priority in
    guard let host else { return 0 }
    // The state's owner outlives every call from its Lua code: no retain needed.
    return Unmanaged<LuaScheduler>.fromOpaque(host)._withUnsafeGuaranteedRef {
        $0.setPriorityWithoutPolicy(JobID(Int(id)), priority) ? 1 : 0
    }
}

/// The C check of `yield()` (see `prio_set_yield_fast_path`).
let yieldFastPath: prio_yield_check_fn = { host in
    guard let host else { return 0 }
    return Unmanaged<LuaScheduler>.fromOpaque(host).takeUnretainedValue().yieldWouldChangeNothing() ? 1 : 0
}

extension LuaScheduler {
    func call(_ function: HostFunction, _ lua: LuaState) -> HostResult {
        switch function {
        case .submit: return luaSubmit(lua)
        case .sleep: return luaSleep(lua)
        case .yield: return luaYield(lua)
        case .now: return luaNow(lua)
        case .current: return luaCurrent(lua)
        case .jobs: return luaJobs(lua)
        case .limit: return luaLimit(lua)
        case .awaitAll: return luaAwaitAll(lua)
        case .awaitAny: return luaAwaitAny(lua)
        case .print: return luaPrint(lua)
        case .jobIndex: return luaJobIndex(lua)
        case .jobToString: return luaJobToString(lua)
        case .jobAwait: return luaJobAwait(lua)
        case .jobCancel: return luaJobCancel(lua)
        case .jobSetPriority: return luaJobSetPriority(lua)
        case .policy: return luaPolicy(lua)
        case .reprioritize: return luaReprioritize(lua)
        case .every: return luaEvery(lua)
        case .ruleCancel: return luaRuleCancel(lua)
        case .exec: return luaExec(lua)
        case .osExit: return luaOsExit(lua)
        case .taskModule: return luaTaskModule(lua)
        case .taskModuleLoaded: return luaTaskModuleLoaded(lua)
        }
    }

    /// Pushes `message` and asks the trampoline to raise it with the caller's position.
    func raise(_ lua: LuaState, _ message: String) -> HostResult {
        lua.push(message)
        return .raiseWithPosition
    }

    /// `bad argument #n to 'fn' (detail)`, as luaL_argerror words it.
    /// `bad argument #N to 'f' (detail)`, numbered as Lua numbers them: a
    /// method call (`job:set_priority(p)`) counts `self` out, and a bad
    /// `self` reads `calling 'f' on bad self (detail)`, as luaL_argerror says.
    func argumentError(_ lua: LuaState, _ position: Int, _ function: String, _ detail: String) -> HostResult {
        guard prio_called_as_method(lua.pointer) != 0 else {
            return raise(lua, "bad argument #\(position) to '\(function)' (\(detail))")
        }
        if position == 1 { return raise(lua, "calling '\(function)' on bad self (\(detail))") }
        return raise(lua, "bad argument #\(position - 1) to '\(function)' (\(detail))")
    }

    /// How an argument reads in an error message: its value for odd numbers, else its type.
    func describeArgument(_ lua: LuaState, _ index: Int32) -> String {
        if let number = lua.number(at: index), !number.isFinite {
            return number.isNaN ? "nan" : (number > 0 ? "inf" : "-inf")
        }
        return lua.isNoneOrNil(index) && lua.type(at: index) == LUA_TNONE ? "no value" : lua.typeName(at: index)
    }
}
