import CLua
import CLuaShim
import PrioCore

/// The job API of SPEC.md §3: submission, suspension, time, introspection.
extension LuaScheduler {
    /// `submit(priority, fn [, opts]) -> job`
    func luaSubmit(_ lua: LuaState) -> HostResult {
        // Queued jobs count against --memory-limit, but submit stops at 90%
        // of it: the rest is headroom so queued and other jobs can still run.
        // When the per-job tables are about to double (at a power of two),
        // the new arrays are counted first: host code cannot fail mid-way.
        let limit = prio_memory_limit(lua.pointer)
        let next = core.jobCount
        let growth = next & (next - 1) == 0 ? next * 48 : 0
        if limit > 0, prio_memory_allocated(lua.pointer) + growth > limit / 10 * 9 {
            lua.push("not enough memory")
            return .raise
        }
        guard let priority = lua.number(at: 1), priority.isFinite else {
            return argumentError(lua, 1, "submit", "finite number expected, got \(describeArgument(lua, 1))")
        }
        guard lua.type(at: 2) == LUA_TFUNCTION else {
            return argumentError(lua, 2, "submit", "function expected, got \(describeArgument(lua, 2))")
        }
        let job: JobID
        let task = taskNumber(ofFunctionAt: 2, lua)
        if lua.isNoneOrNil(3) {
            // The common case, with no options to read or keep.
            job = core.submit(
                priority: priority, group: nil, delay: 0, timeout: .infinity, deadline: .nan, now: clock.now)
            publishJobRecords()
            prio_store_job_body(lua.pointer, lua_Integer(job.value), 2)
        } else {
            guard lua.type(at: 3) == LUA_TTABLE else {
                return argumentError(lua, 3, "submit", "table expected, got \(describeArgument(lua, 3))")
            }
            var options = SubmitOptions()
            if let problem = options.read(from: lua, at: 3) {
                return argumentError(lua, 3, "submit", problem)
            }
            var args: TransferBytes?
            if options.hasArgs {
                switch TransferBytes.encode(lua, first: options.argsIndex, count: 1, root: "args") {
                case .success(let bytes): args = bytes
                case .failure(let failure):
                    return argumentError(lua, 3, "submit", "args: cannot transfer \(failure)")
                }
            }
            job = submit(priority: priority, with: options, lua)
            if let args { jobBook.info.setArgs(args, of: job) }
        }
        if task != 0 { jobBook.info.setTask(task, of: job) }
        if let reason = submissionRejection(of: job) {
            jobBook.rejected.insert(job.value)
            recordCancelled(job)
            lua.push("rejected: \(reason)")
            return .raise
        }
        if policyRunner.policy.hooks.contains(.priority) {
            core.setPriority(job, base: priority, policy: policyPriority(of: job))
        }
        emit(.submitted, job)
        // `submit(p, fn)` as a statement: no one can see an object made now.
        if prio_results_discarded(lua.pointer) != 0 { return .values(0) }
        pushJobObject(job, on: lua)
        return .values(1)
    }

    /// Queues a job whose options table was read into `options`, and keeps them.
    private func submit(priority: Double, with options: SubmitOptions, _ lua: LuaState) -> JobID {
        let now = clock.now
        let group = options.group.map { index(ofGroup: $0) }
        let job = core.submit(
            priority: priority, group: group, delay: options.delay ?? 0, timeout: options.timeout ?? .infinity,
            deadline: options.deadline.map { now + $0 } ?? .nan, now: now)
        publishJobRecords()
        prio_store_job_body(lua.pointer, lua_Integer(job.value), 2)
        if let name = options.name { jobBook.info.names[job.value] = name }
        if let retries = options.retries { jobBook.info.retries[job.value] = retries }
        if let backoff = options.backoff { jobBook.info.backoff[job.value] = backoff }
        if options.hasTags {
            jobBook.submittedWithTags += 1
            lua.pushValue(at: options.tagsIndex)
            lua.popIntoRegistryTable(executor.refs.tags, key: job.value)
        }
        if options.hasData {
            jobBook.submittedWithData += 1
            lua.pushValue(at: options.dataIndex)
            lua.popIntoRegistryTable(executor.refs.data, key: job.value)
        }
        return job
    }

    func index(ofGroup name: String) -> Int {
        if let index = jobBook.groupIndex[name] { return index }
        jobBook.groupNames.append(name)
        jobBook.groupIndex[name] = jobBook.groupNames.count - 1
        return jobBook.groupNames.count - 1
    }

    /// `sleep(seconds)`: suspends the running job; it keeps its slot.
    func luaSleep(_ lua: LuaState) -> HostResult {
        guard let seconds = lua.number(at: 1), seconds >= 0, !seconds.isNaN else {
            return argumentError(lua, 1, "sleep", "non-negative number expected, got \(describeNumberArgument(lua, 1))")
        }
        return suspend(lua, .sleep(until: clock.now + seconds))
    }

    /// `yield()`: gives way to ready jobs of equal or better priority, once
    /// its C fast path (`yieldWouldChangeNothing`) has said that giving way
    /// would change something.
    func luaYield(_ lua: LuaState) -> HostResult {
        suspend(lua, .yield)
    }

    /// Whether the running job's `yield()` can just return `true`: giving
    /// way would pick it again at once. The C `yield` asks this first (when
    /// the coroutine can yield at all) and skips the coroutine switch. The
    /// scheduler's check, plus the runtime's own reasons to go round the run
    /// loop: an observer sees every suspension, a policy file may be due for
    /// a reload, outside work may have completed, a self-cancel stops at the
    /// next suspension, and a hook cannot suspend.
    func yieldWouldChangeNothing() -> Bool {
        guard let job = executor.running else { return false }
        return !observed && policyRunner.policyWatch == nil && !core.hasCancelRequests && core.blockedCount == 0
            && policyRunner.hookContexts.isEmpty && core.yieldWouldChangeNothing(job, now: clock.now)
    }

    /// Asks the trampoline to yield, once it is sure the yield can happen.
    func suspend(_ lua: LuaState, _ suspension: Suspension) -> HostResult {
        if let context = policyRunner.hookContexts.last { return raise(lua, context.suspendError) }
        guard executor.running != nil, canSuspend(lua) else {
            return raise(
                lua,
                "cannot suspend here (inside a C call such as a metamethod, a sort comparator or a __close handler)")
        }
        executor.requested = suspension
        return .suspend
    }

    /// Whether the calling job can suspend here: its coroutine can yield
    /// (for a call served for a worker's job, the worker said so).
    func canSuspend(_ lua: LuaState) -> Bool {
        servingYieldable ?? (lua_isyieldable(lua.pointer) != 0)
    }

    func describeNumberArgument(_ lua: LuaState, _ index: Int32) -> String {
        if let number = lua.number(at: index), number.isFinite { return formatNumber(number) }
        return describeArgument(lua, index)
    }

    /// `now()`: seconds since the run started (simulated under virtual time).
    func luaNow(_ lua: LuaState) -> HostResult {
        lua_pushnumber(lua.pointer, clock.now)
        return .values(1)
    }

    /// `current()`: the running job, or nil in the main chunk.
    func luaCurrent(_ lua: LuaState) -> HostResult {
        if let job = executor.running, !job.isMain { pushJobObject(job, on: lua) } else { lua.pushNil() }
        return .values(1)
    }

    /// `limit(group, n)`: at most `n` jobs of the group hold slots at once.
    func luaLimit(_ lua: LuaState) -> HostResult {
        guard let group = lua.string(at: 1) else {
            return argumentError(lua, 1, "limit", "string expected, got \(describeArgument(lua, 1))")
        }
        guard let count = lua.integer(at: 2), count >= 1, count <= Int64(Int32.max) else {
            return argumentError(lua, 2, "limit", "integer >= 1 expected, got \(describeNumberArgument(lua, 2))")
        }
        core.setLimit(group: index(ofGroup: group), to: Int(count))
        return .values(0)
    }

    /// `print(...)`: as Lua's, through the run's output.
    func luaPrint(_ lua: LuaState) -> HostResult {
        var line: [UInt8] = []
        let count = lua.top
        var index: Int32 = 1
        while index <= count {
            let described = lua.describeBytes(at: index)
            guard let bytes = described.bytes else {
                lua.push(described.failure ?? "'__tostring' failed")
                return .raise
            }
            if index > 1 { line.append(9) }  // \t
            line += bytes
            index += 1
        }
        line.append(10)  // \n
        if let printBytes = options.printBytes {
            printBytes(line)
        } else {
            options.output(String(decoding: line, as: UTF8.self))
        }
        return .values(0)
    }

    /// `jobs([filter])`: unfinished jobs, best priority first.
    func luaJobs(_ lua: LuaState) -> HostResult {
        var status: JobStatus?
        var tag: String?
        switch lua.type(at: 1) {
        case LUA_TNONE, LUA_TNIL: break
        case LUA_TSTRING:
            status = JobStatus(rawValue: lua.string(at: 1) ?? "")
            if status == nil { return argumentError(lua, 1, "jobs", "unknown status '\(lua.string(at: 1) ?? "")'") }
        case LUA_TTABLE:
            if lua.rawField("status", ofTableAt: 1) != LUA_TNIL {
                status = JobStatus(rawValue: lua.string(at: -1) ?? "")
                if status == nil { return argumentError(lua, 1, "jobs", "unknown status in filter") }
            }
            lua.pop()
            if lua.rawField("tag", ofTableAt: 1) != LUA_TNIL {
                tag = lua.string(at: -1)
                if tag == nil { return argumentError(lua, 1, "jobs", "tag must be a string") }
            }
            lua.pop()
        default:
            return argumentError(
                lua, 1, "jobs", "status string or filter table expected, got \(describeArgument(lua, 1))")
        }
        var selected = core.unfinishedJobs(status: status)
        if let tag { selected.removeAll { !hasTag($0, tag) } }
        // Each object is pinned while its job is unfinished: a policy loop
        // over jobs() would otherwise make them all anew at every pass.
        for job in selected where !policyRunner.pinnedJobs.contains(job) {
            pushJobObject(job, on: lua)
            pinJobObject(job)
            lua.pop()
        }
        let ids = selected.map { Int32(truncatingIfNeeded: $0.value) }
        ids.withUnsafeBufferPointer { prio_push_job_objects(lua.pointer, $0.baseAddress, $0.count) }
        return .values(1)
    }

    private func hasTag(_ job: JobID, _ tag: String) -> Bool {
        lua.pushField(ofRegistryTable: executor.refs.tags, key: job.value)
        defer { lua.pop() }
        guard lua.type(at: -1) == LUA_TTABLE else { return false }
        var index: lua_Integer = 1
        while lua_rawgeti(lua.pointer, -1, index) != LUA_TNIL {
            defer { lua.pop() }
            if lua.string(at: -1) == tag { return true }
            index += 1
        }
        lua.pop()
        return false
    }

    /// The common case of `job:set_priority(p)`, called straight from C
    /// with a valid job object and a finite number (`setPriorityFastPath`):
    /// nothing to tell an observer and no policy to consult. Returns false
    /// to have `luaJobSetPriority` do it.
    func setPriorityWithoutPolicy(_ job: JobID, _ priority: Double) -> Bool {
        guard !policyRunner.policy.hooks.contains(.priority), !observed else { return false }
        return core.setPriorityIfKnown(job, base: priority)
    }

    /// `job:set_priority(p)`: a new base priority, effective at once.
    func luaJobSetPriority(_ lua: LuaState) -> HostResult {
        guard let job = jobID(lua, at: 1) else {
            return argumentError(lua, 1, "set_priority", "job expected, got \(describeArgument(lua, 1))")
        }
        guard let priority = lua.number(at: 2), priority.isFinite else {
            return argumentError(lua, 2, "set_priority", "finite number expected, got \(describeArgument(lua, 2))")
        }
        let hasPriorityHook = policyRunner.policy.hooks.contains(.priority)
        guard hasPriorityHook || observed else {
            core.setPriority(job, base: priority)
            return .values(0)
        }
        let before = core[job].effectivePriority
        core.setPriority(job, base: priority)
        if hasPriorityHook { core.setPriority(job, base: priority, policy: policyPriority(of: job)) }
        if core[job].effectivePriority != before {
            emit(.reprioritized, job, reason: hasPriorityHook ? "set_priority, policy" : "set_priority")
        }
        return .values(0)
    }

    /// `job:cancel([reason])`: true if the job had not finished. A suspended
    /// job's coroutine is closed before this returns; a job cancelling itself
    /// stops at its next suspension.
    func luaJobCancel(_ lua: LuaState) -> HostResult {
        guard let job = jobID(lua, at: 1) else {
            return argumentError(lua, 1, "cancel", "job expected, got \(describeArgument(lua, 1))")
        }
        let elsewhere = workerPool.home[job.value] != nil && core.state(of: job) == .running
        let action = core.requestCancel(job, executing: executor.running == job || elsewhere)
        if action != .refused, let reason = lua.describe(at: 2).text, !lua.isNoneOrNil(2) {
            jobBook.info.cancelReasons[job.value] = reason
        }
        switch action {
        case .refused:
            lua.push(false)
            return .values(1)
        case .stopExecutingJob where elsewhere:
            stopElsewhere(job, waiting: executor.running != job)
        case .stopExecutingJob:
            prio_request_stop(self.lua.pointer, 2)
        case .cancelNow:
            cancel(job)
        }
        lua.push(true)
        return .values(1)
    }

    /// Cancels a job that is not running: the scheduler first, then its coroutine.
    func cancel(_ job: JobID) {
        recordCancelled(job)
        close(job)
    }

    /// Marks the job cancelled in the scheduler, which wakes its awaiters.
    func recordCancelled(_ job: JobID) {
        markFinished(job)
        _ = core.cancel(job, now: clock.now)
        guard !jobBook.rejected.contains(job.value) else { return }
        emit(.finished, job)
        callNotificationHook(.onFinish, job: job)
    }
}
