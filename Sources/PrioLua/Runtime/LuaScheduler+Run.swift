import CLua
import CLuaShim
import PrioCore

extension LuaScheduler {
    /// Creates the job's coroutine and runs its body: `fn(job)`. `now` is
    /// the run loop's reading for this step: the slice starts from it
    /// unless an `on_start` hook or an observer ran in between.
    func start(_ job: JobID, at now: Double) {
        if job.isMain {
            guard let co = thread(of: .main) else { return }
            drive(.main, co, argumentCount: mainArgumentCount)
            return
        }
        let sliceStart = observed || policyRunner.policy.hooks.contains(.onStart) ? nil : now
        callNotificationHook(.onStart, job: job)
        guard core[job].state == .running else { return }  // on_start cancelled it
        emit(.started, job, worker: mainStateNumber)
        guard let co = prio_start_job_thread(lua.pointer, lua_Integer(job.value)) else { return }
        if let next = core.likelyNextToStart { prio_prefetch_job_body(lua.pointer, lua_Integer(next.value)) }
        drive(job, LuaState(co), argumentCount: 1, sliceStart: sliceStart)
    }

    /// Resumes a suspended job with what its suspending call returns.
    func resume(_ job: JobID) {
        if workerPool.active, resumeElsewhere(job) { return }
        guard let co = thread(of: job) else { return }
        let suspension = executor.suspensions.removeValue(forKey: job.value)
        emit(.resumed, job, worker: mainStateNumber)
        drive(job, co, argumentCount: pushResumeValues(of: job, suspension, on: co))
    }

    /// Pushes what the job's suspending call returns onto `co`; returns how many.
    func pushResumeValues(of job: JobID, _ suspension: Suspension?, on co: LuaState) -> Int32 {
        switch suspension {
        case .yield?:
            co.push(true)  // the continuation's "ok", then yield()'s own `true`
            co.push(true)
            return 2
        case .sleep?:
            co.push(true)
            return 1
        case .preempted?, nil:
            return 0
        case .external?:
            let mark = co.top
            co.push(true)
            if !pushExternalResult(outside.externalResults.removeValue(forKey: job.value), on: co) {
                co.push(false)
                prio_replace(co.pointer, mark + 1)
            }
            return co.top - mark
        case .await(let request)?:
            let wake = core[job].wakeReason
            let mark = co.top
            co.push(true)
            let ok = pushAwaitResult(request, timedOut: wake == .awaitTimedOut, on: co)
            if !ok { co.push(false); prio_replace(co.pointer, mark + 1) }
            return co.top - mark
        }
    }

    /// Resumes `co` and acts on how it stopped: suspended, returned or raised.
    private func drive(_ job: JobID, _ co: LuaState, argumentCount: Int32, sliceStart: Double? = nil) {
        executor.running = job
        executor.drivenThread = (job, co)
        defer { executor.drivenThread = nil }
        executor.requested = nil
        prio_clear_suspending(lua.pointer)
        beginSlice(job, co, now: sliceStart)
        _ = prio_enforce_memory_limit(lua.pointer, 1)
        var resultCount: Int32 = 0
        let began = workerPool.active ? prio_monotonic_seconds() : 0
        let status = lua_resume(co.pointer, lua.pointer, argumentCount, &resultCount)
        if workerPool.active { workerPool.busySeconds[0] += prio_monotonic_seconds() - began }
        _ = prio_enforce_memory_limit(lua.pointer, 0)
        let preempted = prio_slice_end(lua.pointer) != 0
        executor.running = nil
        prio_clear_suspending(lua.pointer)
        switch status {
        case LUA_YIELD:
            co.pop(resultCount)
            if preempted && executor.requested == nil {
                executor.requested = .preempted
                if !job.isMain { observation.slicePreemptions += 1 }  // the main chunk is no job: no event, no count
            }
            suspended(job, co)
        case LUA_OK:
            returned(job, co, resultCount: resultCount)
        default:
            if status == LUA_ERRMEM { executor.collectFully = true }
            raised(job, co)
        }
    }

    /// Starts watching this resume: the slice, the next timer and the job's
    /// timeout bring it to a preemption point (SPEC.md §4). Under virtual
    /// time none of them applies: simulated time stands still while Lua
    /// runs, and real-time slices would make a simulated run depend on the
    /// machine's load, so jobs there give way only where they suspend.
    /// `reading` is a clock reading still current (the run loop's), or nil
    /// to read the clock.
    private func beginSlice(_ job: JobID, _ co: LuaState, now reading: Double?) {
        var wakeIn = options.virtualTime ? 0 : options.sliceMilliseconds / 1000
        var stopIn = 0.0
        var monotonic = 0.0  // one clock read serves here and in C
        if !options.virtualTime {
            let now = reading ?? (prio_monotonic_seconds() - clock.origin)
            monotonic = now + clock.origin
            if wakeIn > 0, let due = core.nextTimerDue { wakeIn = min(wakeIn, max(due - now, 1e-6)) }
            if !job.isMain, core.hasLimits {
                let timeout = core.timeout(of: job)
                let startedAt = core.attemptStartedAt(of: job)
                if timeout.isFinite, !startedAt.isNaN { stopIn = max(startedAt + timeout - now, 1e-6) }
            }
        }
        prio_slice_begin(lua.pointer, co.pointer, monotonic, wakeIn, stopIn)
        if core.isCancelRequested(job) { prio_request_stop(lua.pointer, 2) }
    }

    /// The job's coroutine yielded: record what it waits for in the core.
    private func suspended(_ job: JobID, _ co: LuaState) {
        prio_register_job_thread(lua.pointer, co.pointer, lua_Integer(job.value))
        let request = executor.requested ?? .yield
        executor.requested = nil
        if core.isCancelRequested(job) {
            cancel(job)
            return
        }
        recordSuspension(of: job, request)
    }

    /// Tells the core what the suspended job waits for, and the observers.
    func recordSuspension(of job: JobID, _ request: Suspension) {
        executor.suspensions[job.value] = request
        switch request {
        case .yield, .preempted:
            core.yielded(job)
        case .external:
            core.blocked(job)
        case .sleep(let until):
            core.sleeping(job, until: until)
        case .await(let awaitRequest):
            // The library asked the core (`awaitOutcome`) before the job suspended.
            let outcome = core.await(
                job, on: awaitRequest.targets, mode: awaitRequest.mode, until: awaitRequest.deadline)
            precondition(outcome == .suspended, "job \(job) suspended for an await the core did not allow: \(outcome)")
            reportPriorityChanges(of: awaitRequest.targets, reason: "inherited from job#\(job.value)")
        }
        if case .preempted = request {
            emit(.preempted, job, reason: "slice")
        } else {
            emit(.suspended, job)
        }
    }

    /// The body returned: keep its results and wake its awaiters.
    private func returned(_ job: JobID, _ co: LuaState, resultCount: Int32) {
        if job.isMain {
            co.top = 0
            unregisterThread(job: .main)
            core.finished(.main, .done, now: clock.now)
            return
        }
        if timeoutPassed(for: job), !core.isCancelRequested(job) {
            co.top = 0  // it ran past its timeout in C, where no preemption point is: not done
            prio_finish_job_thread(lua.pointer, co.pointer, lua_Integer(job.value))
            failTimedOut(job)
            return
        }
        if taskModules.any, let problem = copyTaskResults(of: job, co, count: resultCount) {
            co.top = 0
            prio_finish_job_thread(lua.pointer, co.pointer, lua_Integer(job.value))
            fail(job, withMessage: problem)
            return
        }
        storeResults(of: job, co, count: resultCount)
        prio_finish_job_thread(lua.pointer, co.pointer, lua_Integer(job.value))
        if core.isCancelRequested(job) {
            recordCancelled(job)
            return
        }
        markFinished(job, bodyDropped: true)
        let now = clock.now
        core.finished(job, .done, now: now)
        emit(.finished, job)
        callNotificationHook(.onFinish, job: job)
        if !observed, !policyRunner.policy.hooks.contains(.onFinish) { reusableNow = now }
    }

    /// Whether the job's `timeout` has passed in this attempt (real time
    /// only: simulated time stands still while Lua runs).
    func timeoutPassed(for job: JobID) -> Bool {
        guard !options.virtualTime, core.hasLimits else { return false }
        let timeout = core.timeout(of: job)
        let startedAt = core.attemptStartedAt(of: job)
        return timeout.isFinite && !startedAt.isNaN && clock.now >= startedAt + timeout
    }

    /// Moves the collector on by a small step per job finished since the
    /// last call (from the top of the run loop, once the jobs' coroutines
    /// are gone). A run with many queued jobs has a large live heap (their
    /// bodies and job objects), and the collector only starts a cycle
    /// once the heap has grown by as much again, so the objects of finished
    /// jobs would pile up to that size (+30 MB at a million queued jobs).
    /// Stepping per finished job reclaims them at the pace jobs finish; a
    /// script's own allocation keeps Lua's usual pacing. Each step is work
    /// on the whole live heap, so its size trades time for memory: at 256 B
    /// per job (measured with scripts/bench spawn, a million queued jobs) a
    /// queued job costs about 5 B more at peak than at 1 KB, and the run
    /// about 3% fewer instructions; with no step at all finished jobs are
    /// never released in time and the run takes four times as long.
    ///
    /// After a job ran out of memory the collector runs a full cycle
    /// instead: the heap is at `--memory-limit`, mostly the failed job's
    /// garbage, and the other jobs need that room now.
    func stepCollectorForFinishedJobs() {
        if executor.collectFully {
            executor.collectFully = false
            reusableNow = nil
            executor.finishedSinceCollectorStep = 0
            _ = prio_gc_collect(lua.pointer)
            return
        }
        guard executor.finishedSinceCollectorStep >= Self.collectorStepBatch else { return }
        let kilobytes = Int32(clamping: executor.finishedSinceCollectorStep * Self.collectorBytesPerFinishedJob / 1024)
        executor.finishedSinceCollectorStep = 0
        _ = prio_gc_step(lua.pointer, kilobytes)
    }

    /// Allocation each finished job counts as, for the collector.
    static let collectorBytesPerFinishedJob = 256
    /// Finished jobs per step: one call per job would cost more than the step.
    static let collectorStepBatch = 64

    /// Moves the `count` values on top of `co` into a table kept as `results[job]`.
    func storeResults(of job: JobID, _ co: LuaState, count: Int32) {
        guard count > 0 else { return }  // `job.result` makes the empty table on demand
        guard co.reserve(3) else { return }  // the table, a value, and the key "n": Lua keeps more spare
        let base = co.top - count
        lua_createtable(co.pointer, count, 1)
        var index: Int32 = 1
        while index <= count {
            co.pushValue(at: base + index)
            lua_rawseti(co.pointer, -2, lua_Integer(index))
            index += 1
        }
        co.push(integer: Int(count))
        co.setRawField("n", ofTableAt: -2)
        co.move(1, to: lua)
        lua.popIntoRegistryTable(executor.refs.results, key: job.value)
        jobBook.jobsWithResults += 1
        co.top = 0
    }

    /// Closes the job's coroutine: its pending `<close>` variables run now.
    /// After an error, `lua_resetthread` answers with that error again, so
    /// only a suspended coroutine's close can report a `__close` failure.
    ///
    /// A close requested from inside a `__close` handler (a handler that
    /// cancels another job) is queued and done right after the current one,
    /// so chains of such cancels never nest on the C stack. Each close runs
    /// its handlers under the hook time budget: a handler cannot stall the run.
    func close(_ job: JobID, afterError: Bool = false) {
        stopExternalWork(of: job)
        if workerPool.active, closeElsewhere(job) { return }
        guard thread(of: job) != nil else { return }
        executor.suspensions[job.value] = nil
        guard core.queueClose(job, afterError: afterError) else { return }
        while let next = core.nextClose() {
            resetCoroutine(of: next.job, afterError: next.afterError)
            core.closeDone(next.job)
        }
    }

    private func resetCoroutine(of job: JobID, afterError: Bool) {
        guard let co = thread(of: job) else { return }
        // The job's own code runs in its handlers: current() is the job.
        let caller = executor.running
        executor.running = job
        let wasExecuting = prio_hook_enter(lua.pointer)
        let outer = prio_budget_begin(co.pointer, Self.hookBudget, Self.hookWallBudget, Int32(PRIO_BUDGET_CLOSE))
        let status = lua_resetthread(co.pointer)
        prio_budget_end(co.pointer, outer, 0)
        executor.running = caller
        prio_hook_leave(lua.pointer, caller.flatMap { thread(of: $0)?.pointer }, wasExecuting)
        if !afterError, status != LUA_OK, status != LUA_YIELD {
            let message = errorText(co, at: -1)
            report("job '\(jobBook.info.name(of: job))' (#\(job.value)): error while closing: \(message)")
        }
        co.top = 0
        unregisterThread(job: job)
    }

    /// Bookkeeping for a job that reached its final status: drop its body
    /// (unless `prio_finish_job_thread` did), and release the rest once
    /// nothing can ask about the job.
    func markFinished(_ job: JobID, bodyDropped: Bool = false) {
        if !bodyDropped { prio_drop_job_body(lua.pointer, lua_Integer(job.value)) }
        if workerPool.active, let index = workerPool.bound.removeValue(forKey: job.value) {
            workerPool.workers[index].send(.forget(job: job.value))
        }
        unpinJobObject(job)
        noteFinished(job)
        executor.finishedSinceCollectorStep += 1
    }
}
