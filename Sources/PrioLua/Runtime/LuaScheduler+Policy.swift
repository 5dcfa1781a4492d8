import CLua
import CLuaShim
import PrioCore

/// Policy hooks: calling them safely (protected, time-budgeted, never
/// suspending) and applying what they return.
extension LuaScheduler {
    /// The CPU time a hook or rule may use before it is stopped. CPU time,
    /// not wall-clock time: on a busy machine a hook that does 20 ms of
    /// work may take far longer than 100 ms to get it done.
    static let hookBudget = 0.1

    /// The wall-clock time a hook or rule may take: the backstop for one
    /// blocked in C (`os.execute`, `io.read`), which uses no CPU time.
    static let hookWallBudget = 2.0

    /// Calls `fn` (below its `argumentCount` arguments on the main state)
    /// under protection and a time budget. On success leaves `resultCount`
    /// values on the stack; on failure leaves nothing and returns the error text.
    func budgetedCall(argumentCount: Int32, resultCount: Int32, context: HookContext) -> String? {
        let outermost = policyRunner.hookContexts.isEmpty
        let outerBudget =
            outermost
            ? prio_budget_begin(lua.pointer, Self.hookBudget, Self.hookWallBudget, Int32(PRIO_BUDGET_HOOK))
            : nil
        policyRunner.hookContexts.append(context)
        let wasExecuting = prio_hook_enter(lua.pointer)
        let enforcing = prio_enforce_memory_limit(lua.pointer, 1)
        let status = prio_pcall(lua.pointer, argumentCount, resultCount, 0)
        _ = prio_enforce_memory_limit(lua.pointer, enforcing)
        // The job's thread is looked up only when a preemption was deferred meanwhile.
        let deferred = prio_preemption_deferred(lua.pointer) != 0
        prio_hook_leave(
            lua.pointer, deferred ? executor.running.flatMap { thread(of: $0)?.pointer } : nil, wasExecuting)
        policyRunner.hookContexts.removeLast()
        if let outerBudget {
            prio_budget_end(lua.pointer, outerBudget, policyRunner.batchingHookCalls ? 1 : 0)
        }
        guard status == LUA_OK else {
            let message = errorText(lua, at: -1)
            lua.pop()
            return message
        }
        return nil
    }

    /// Pushes the installed function for `hook` and returns true, or pushes nothing.
    func pushHook(_ hook: PolicyHook) -> Bool {
        guard policyRunner.policy.hooks.contains(hook) else { return false }
        lua_rawgeti(lua.pointer, prio_registryindex(), lua_Integer(executor.refs.policy))
        _ = lua.rawField(hook.rawValue, ofTableAt: -1)
        prio_remove(lua.pointer, -2)
        return true
    }

    /// Reports a hook's failure once per hook until a policy is installed again.
    func reportHookFailure(_ hook: PolicyHook, _ message: String) {
        guard policyRunner.policy.reportedFailures.insert(hook.rawValue).inserted else { return }
        report("policy hook '\(hook.rawValue)' failed: \(message)")
    }

    /// Calls a hook whose results are ignored (`on_start`, `on_finish`, `on_deadline`).
    func callNotificationHook(_ hook: PolicyHook, job: JobID) {
        guard pushHook(hook) else { return }
        pushJobObject(job, on: lua)
        if let failure = budgetedCall(argumentCount: 1, resultCount: 0, context: .hook(hook)) {
            reportHookFailure(hook, failure)
        }
    }

    /// The policy's priority for `job`: `priority(job, now)`, or the base
    /// priority when there is no hook or it fails.
    func policyPriority(of job: JobID) -> Double {
        guard pushHook(.priority) else { return core[job].basePriority }
        return callPriorityHook(for: job, now: clock.now)
    }

    /// Calls the `priority` hook already pushed, for `job`.
    private func callPriorityHook(for job: JobID, now: Double) -> Double {
        let base = core[job].basePriority
        pushJobObject(job, on: lua)
        pinJobObject(job)
        lua_pushnumber(lua.pointer, now)
        if let failure = budgetedCall(argumentCount: 2, resultCount: 1, context: .hook(.priority)) {
            reportHookFailure(.priority, failure)
            return base
        }
        defer { lua.pop() }
        guard let value = lua.number(at: -1), value.isFinite else {
            reportHookFailure(.priority, "returned \(describeArgument(lua, -1)), not a finite number")
            return base
        }
        return value
    }

    /// Keeps the object on top of the stack alive until `job` finishes. A
    /// `priority` hook is called with every unfinished job at each
    /// re-evaluation; without this the object the script dropped would be
    /// made anew (and collected again) every time, which is most of the cost
    /// of an evaluation. So with a `priority` hook installed, an unfinished
    /// job costs its object too (about 64 bytes). `pinnedJobs` says it is
    /// pinned: a table store per evaluation was a tenth of its cost.
    /// A finished job's object is not pinned (`markFinished` has let go of
    /// it, and `job:set_priority` on a done job still asks the hook).
    /// `jobs()` pins the objects it hands out for the same reason: a policy
    /// loop over `jobs("pending")` would otherwise make them all anew.
    func pinJobObject(_ job: JobID) {
        guard !policyRunner.pinnedJobs.contains(job), !core[job].state.isFinished else { return }
        lua.pushValue(at: -1)
        lua.popIntoRegistryTable(executor.refs.pinnedObjects, key: job.value)
        policyRunner.pinnedJobs.insert(job)
    }

    /// Lets go of a finished job's pinned object.
    func unpinJobObject(_ job: JobID) {
        guard !policyRunner.pinnedJobs.isEmpty, policyRunner.pinnedJobs.contains(job) else { return }
        lua.clearRegistryField(executor.refs.pinnedObjects, key: job.value)
        policyRunner.pinnedJobs.remove(job)
    }

    /// Lets go of every pinned object (the `priority` hook is gone).
    func unpinAllJobObjects() {
        guard !policyRunner.pinnedJobs.isEmpty else { return }
        prio_newtable(lua.pointer)
        lua_rawseti(lua.pointer, prio_registryindex(), lua_Integer(executor.refs.pinnedObjects))
        policyRunner.pinnedJobs.removeAll()
    }

    /// `on_submit(job)`: nil when accepted, else the reason it was rejected.
    func submissionRejection(of job: JobID) -> String? {
        guard pushHook(.onSubmit) else { return nil }
        pushJobObject(job, on: lua)
        if let failure = budgetedCall(argumentCount: 1, resultCount: 2, context: .hook(.onSubmit)) {
            reportHookFailure(.onSubmit, failure)
            return nil
        }
        defer { lua.pop(2) }
        guard lua.type(at: -2) == LUA_TBOOLEAN, !lua.boolean(at: -2) else { return nil }
        return lua.describe(at: -1).text ?? "no reason given"
    }

    /// `on_error(job, err)`: seconds until a retry, nil for none, or
    /// `.useDefault` when there is no hook or it failed.
    func retryDecision(for job: JobID) -> RetryDecision {
        guard pushHook(.onError) else { return .useDefault }
        pushJobObject(job, on: lua)
        lua.pushField(ofRegistryTable: executor.refs.errors, key: job.value)
        if let failure = budgetedCall(argumentCount: 2, resultCount: 1, context: .hook(.onError)) {
            reportHookFailure(.onError, failure)
            return .useDefault
        }
        defer { lua.pop() }
        switch lua.type(at: -1) {
        case LUA_TNIL: return .noRetry
        case LUA_TBOOLEAN where !lua.boolean(at: -1): return .noRetry
        default:
            guard let seconds = lua.number(at: -1), seconds >= 0, seconds.isFinite else {
                reportHookFailure(.onError, "returned \(describeArgument(lua, -1)), not seconds until a retry")
                return .useDefault
            }
            return .retry(after: seconds)
        }
    }

    /// Re-evaluates every unfinished job's priority and reorders the queues
    /// once: one Lua call per job, then one O(n) reorder.
    func reevaluateAll() {
        let jobs = core.unfinishedJobIDs()
        var updates: [(JobID, Double)] = []
        updates.reserveCapacity(jobs.count)
        guard pushHook(.priority) else {
            core.setPolicyPriorities(jobs.map { ($0, core[$0].basePriority) })
            reportPriorityChanges(of: jobs, reason: "policy")
            return
        }
        let hook = lua.top
        let now = clock.now
        policyRunner.batchingHookCalls = true  // keep the budget hook set between the calls
        for job in jobs {
            lua.pushValue(at: hook)
            updates.append((job, callPriorityHook(for: job, now: now)))
        }
        policyRunner.batchingHookCalls = false
        prio_budget_drop_idle_hook(lua.pointer)
        lua.pop()
        core.setPolicyPriorities(updates)
        reportPriorityChanges(of: jobs, reason: "policy")
    }

    /// The policy's `interval` came due: re-evaluate, then set the next one.
    func intervalDue() {
        policyRunner.policy.intervalArmed = false
        guard let interval = policyRunner.policy.interval else { return }
        reevaluateAll()
        armInterval(interval)
    }

    func armInterval(_ interval: Double) {
        guard !policyRunner.policy.intervalArmed else { return }
        policyRunner.policy.intervalArmed = true
        core.scheduleInterval(at: clock.now + interval)
    }
}

enum RetryDecision {
    case useDefault
    case noRetry
    case retry(after: Double)
}
