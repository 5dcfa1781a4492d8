import CLua
import CLuaShim
import Foundation
import PrioCore

/// The run loop's side of the worker states (SPEC §8): it hands task jobs
/// to free workers, serves the library calls their jobs make, and turns
/// their reports into the same core transitions a job in the main state
/// makes. The core never learns where a job runs.
extension LuaScheduler {
    /// Starts the worker threads (`--workers N`: N - 1 of them).
    func startWorkers() {
        guard options.workers > 1 else { return }
        let setup = WorkerSetup(
            sandbox: options.sandbox, memoryLimit: options.memoryLimit, sliceMilliseconds: options.sliceMilliseconds,
            virtualTime: options.virtualTime, modules: workerPool.modules, hostFunctions: workerPool.hostFunctions,
            inbox: outside.inbox,
            mainState: options.virtualTime ? nil : MainStateHandle(pointer: lua.pointer))
        for number in 2...options.workers {
            let worker = Worker(number: number, setup: setup)
            workerPool.workers.append(worker)
            workerPool.outstanding.append(0)
            workerPool.running.append(0)
            worker.startThread()
        }
        workerPool.busySeconds = Array(repeating: 0, count: options.workers)
        workerPool.startedAt = prio_monotonic_seconds()
    }

    /// Ends the worker threads (each after its current run).
    func stopWorkers() {
        guard workerPool.active else { return }
        for worker in workerPool.workers { worker.shutdown(waiting: Self.closingTimeLimit) }
        for (index, worker) in workerPool.workers.enumerated() {
            workerPool.busySeconds[index + 1] = worker.busySeconds
        }
        workerPool.stoppedAt = prio_monotonic_seconds()
        workerPool.workers.removeAll()
        workerPool.outstanding.removeAll()
    }

    /// Gives each free worker the best ready task job not started yet, if
    /// any: at every turn of the run loop, the main chunk's preemption
    /// points included, so a busy main state does not keep workers idle.
    func feedFreeWorkers(now: Double) {
        while workerPool.freeWorker() != nil {
            let isTask = { (job: JobID) in self.jobBook.info.tasks[job.value] != 0 }
            guard let job = core.startBestReady(now: now, accepting: isTask) else { return }
            if !startElsewhere(job) { start(job, at: now) }
        }
    }

    /// Hands a task job to a free worker; false when it runs here instead
    /// (a closure job, or no worker free).
    func startElsewhere(_ job: JobID) -> Bool {
        if let bound = workerPool.bound[job.value] { return start(job, task: nil, on: bound) }
        guard let task = taskName(jobBook.info.tasks[job.value]), let index = workerPool.freeWorker() else {
            return false
        }
        return start(job, task: task, on: index)
    }

    /// Starts the job in worker `index`: `on_start`, then the command.
    private func start(_ job: JobID, task: String?, on index: Int) -> Bool {
        callNotificationHook(.onStart, job: job)
        guard core[job].state == .running else { return true }  // on_start cancelled it
        emit(.started, job, worker: index + 2)
        workerPool.home[job.value] = index
        let args = jobBook.info.args[job.value]
        send(.start(job: job.value, task: task, args: args, timeoutAt: timeoutAt(job)), to: index)
        return true
    }

    /// Resumes a job whose coroutine lives in a worker; false for one here.
    func resumeElsewhere(_ job: JobID) -> Bool {
        guard let index = workerPool.home[job.value] else { return false }
        let suspension = executor.suspensions.removeValue(forKey: job.value)
        emit(.resumed, job, worker: index + 2)
        let values = withScratchThread { co in
            let count = pushResumeValues(of: job, suspension, on: co)
            return TransferBytes.encode(co, first: co.top - count + 1, count: count, root: nil, refs: transferRefs)
        }
        switch values {
        case .success(let bytes):
            send(.resume(job: job.value, values: bytes, timeoutAt: timeoutAt(job)), to: index)
        case .failure(let failure):
            let message = "cannot pass the result to worker state \(index + 2): \(failure)"
            send(.resume(job: job.value, values: .refusal(message), timeoutAt: timeoutAt(job)), to: index)
        }
        return true
    }

    private func send(_ command: WorkerCommand, to index: Int) {
        switch command {
        case .start(let job, _, _, _), .resume(let job, _, _): workerPool.running[index] = job
        case .close, .forget, .shutdown: break
        }
        workerPool.outstanding[index] += 1
        workerPool.workers[index].send(command)
    }

    private func ended(_ index: Int) {
        workerPool.outstanding[index] -= 1
    }

    /// Each state's share of the run's real time spent running jobs' Lua
    /// code, the main state first; empty without worker states.
    var busyFractions: [Double] {
        guard !workerPool.busySeconds.isEmpty else { return [] }
        let end = workerPool.stoppedAt > 0 ? workerPool.stoppedAt : prio_monotonic_seconds()
        let elapsed = max(end - workerPool.startedAt, 1e-9)
        return workerPool.busySeconds.map { min($0 / elapsed, 1) }
    }

    /// The job's timeout as a monotonic time, or 0 for none.
    private func timeoutAt(_ job: JobID) -> Double {
        guard !options.virtualTime, core.hasLimits else { return 0 }
        let timeout = core.timeout(of: job)
        let startedAt = core.attemptStartedAt(of: job)
        return timeout.isFinite && !startedAt.isNaN ? startedAt + timeout + clock.origin : 0
    }

    var transferRefs: prio_transfer_refs {
        prio_transfer_refs(
            jobs: 1, task_names: executor.refs.taskNames, task_functions: executor.refs.taskFunctions, closures: 0)
    }

    /// Runs `body` with a thread of the main state for building values.
    func withScratchThread<Result>(_ body: (LuaState) -> Result) -> Result {
        let depth = workerPool.servingDepth
        if depth == workerPool.scratchThreads.count {
            let thread = LuaState(lua_newthread(lua.pointer))
            _ = luaL_ref(lua.pointer, prio_registryindex())  // kept for the run
            workerPool.scratchThreads.append(thread)
        }
        let co = workerPool.scratchThreads[depth]
        workerPool.servingDepth += 1
        defer {
            co.top = 0
            workerPool.servingDepth -= 1
        }
        return body(co)
    }

    // MARK: Reports

    /// Takes what the workers reported since the last turn of the run loop,
    /// and tells each busy worker whether its job should give way.
    func takeWorkerReports() {
        var reports = workerPool.deferred
        workerPool.deferred.removeAll()
        reports += outside.inbox.drainReports()
        for (number, report) in reports { handle(report, from: WorkerPool.index(ofState: number)) }
        let best = core.bestReady
        // A ready job takes a worker's turn only if it can run there: it
        // lives there, or it is a task job not started anywhere yet.
        let homeOfBest = best.flatMap { workerPool.home[$0.job.value] }
        let bestIsNewTask = best.map { !core[$0.job].hasStarted && jobBook.info.tasks[$0.job.value] != 0 } ?? false
        for index in workerPool.workers.indices where workerPool.outstanding[index] > 0 {
            let job = JobID(workerPool.running[index])
            var yields = false
            if let best, homeOfBest == index || bestIsNewTask, core.contains(job) {
                yields = best.priority <= core[job].effectivePriority
            }
            workerPool.workers[index].giveWay.store(yields ? 1 : 0)
        }
    }

    func handle(_ report: WorkerReport, from index: Int) {
        switch report {
        case .call(let job, let function, let args, let yieldable, let closureSubmit):
            serveCall(
                of: JobID(job), function: function, args: args, yieldable: yieldable, worker: index,
                closureSubmit: closureSubmit)
        case .returned(let job, let results):
            ended(index)
            returnedElsewhere(JobID(job), results: results)
        case .raised(let job, let error, let message, let traceback):
            ended(index)
            raisedElsewhere(JobID(job), error: error, message: message, traceback: traceback)
        case .stopped(let job, let preempted):
            ended(index)
            stoppedElsewhere(JobID(job), preempted: preempted)
        case .closed(let job):
            if workerPool.home.removeValue(forKey: job) != nil, core[JobID(job)].state == .running {
                ended(index)  // a stop while it executed ended its run
                recordCancelled(JobID(job))
            }
        case .cannotRun(let job, let message):
            ended(index)
            workerPool.home[job] = nil
            if !workerPool.unusable.contains(index) {
                workerPool.unusable.insert(index)
                self.report("\(message); its task jobs run in the other states")
            }
            start(JobID(job), at: clock.now)
        }
    }

    /// A worker's job ended (returned or raised) after it was cancelled or
    /// its timeout passed: it ends so, whatever its body did. True if so.
    private func endedCancelledOrTimedOut(_ job: JobID) -> Bool {
        workerPool.home[job.value] = nil
        if core.isCancelRequested(job) {
            recordCancelled(job)
            return true
        }
        if timeoutPassed(for: job) {
            failTimedOut(job)
            return true
        }
        return false
    }

    private func returnedElsewhere(_ job: JobID, results: TransferBytes) {
        guard !endedCancelledOrTimedOut(job) else { return }
        let stored = withScratchThread { co -> Bool in
            guard let count = results.push(on: co, refs: transferRefs) else { return false }
            storeResults(of: job, co, count: count)
            return true
        }
        guard stored else {
            fail(job, withMessage: "not enough memory for the job's results")
            return
        }
        markFinished(job)
        core.finished(job, .done, now: clock.now)
        emit(.finished, job)
        callNotificationHook(.onFinish, job: job)
    }

    private func raisedElsewhere(_ job: JobID, error: TransferBytes, message: String, traceback: String) {
        guard !endedCancelledOrTimedOut(job) else { return }
        if error.push(on: lua, refs: transferRefs) != 1 { lua.push(message) }
        lua.popIntoRegistryTable(executor.refs.errors, key: job.value)
        fail(job, message: message, traceback: traceback)
    }

    private func stoppedElsewhere(_ job: JobID, preempted: Bool) {
        if core.isCancelRequested(job) {
            cancel(job)
            return
        }
        guard preempted else { return }  // a call suspended it: recorded when the call was served
        if timeoutPassed(for: job) {
            close(job)
            failTimedOut(job)
            return
        }
        if !job.isMain { observation.slicePreemptions += 1 }
        recordSuspension(of: job, .preempted)
    }
}

/// Serving the calls of jobs in worker states, and waiting for a worker.
extension LuaScheduler {
    /// Runs the library function a worker's job called, on its behalf (the
    /// job is `current()` meanwhile), and answers the worker.
    func serveCall(
        of job: JobID, function: Int32, args: TransferBytes, yieldable: Bool, worker index: Int, closureSubmit: Bool
    ) {
        let worker = workerPool.workers[index]
        // A job being stopped or closed is served too: a stop takes effect
        // where it next stops, and its `<close>` handlers may call the library.
        guard workerPool.home[job.value] == index, core.contains(job) else {
            worker.answer(.failure(TransferBytes.string("cancelled"), withPosition: false))
            return
        }
        let reply = withScratchThread { co -> CallReply in
            guard let count = args.push(on: co, refs: transferRefs) else {
                return .failure(TransferBytes.string("not enough memory"), withPosition: true)
            }
            let (caller, callerRequest, callerYieldable) = (executor.running, executor.requested, servingYieldable)
            executor.running = job
            executor.requested = nil
            servingYieldable = yieldable
            var hostStatus: Int32 = 0
            let status = prio_serve_host_call(co.pointer, function, count, &hostStatus)
            let request = executor.requested
            (executor.running, executor.requested, servingYieldable) = (caller, callerRequest, callerYieldable)
            if status != LUA_OK {
                return .failure(encodeTop(of: co, describing: "error"), withPosition: false)
            }
            switch hostStatus {
            case Int32(PRIO_SUSPEND):
                if !core.isCancelRequested(job) { recordSuspension(of: job, request ?? .yield) }
                return .suspend
            case Int32(PRIO_RAISE), Int32(PRIO_RAISE_WHERE):
                return .failure(encodeTop(of: co, describing: "error"), withPosition: hostStatus == PRIO_RAISE_WHERE)
            default:
                let count = min(hostStatus, co.top)
                if closureSubmit, count >= 1 {
                    // The job's body stays in the worker that submitted it: so does the job.
                    let submitted = Int(prio_job_object_id(co.pointer, co.top - count + 1))
                    if submitted > 0 { workerPool.bound[submitted] = index }
                }
                switch TransferBytes.encode(co, first: co.top - count + 1, count: count, root: nil, refs: transferRefs)
                {
                case .success(let bytes): return .values(bytes)
                case .failure(let failure):
                    let message = "cannot pass the result to worker state \(index + 2): \(failure)"
                    return .failure(TransferBytes.string(message), withPosition: true)
                }
            }
        }
        worker.answer(reply)
    }

    private func encodeTop(of co: LuaState, describing fallback: String) -> TransferBytes {
        guard co.top > 0,
            case .success(let bytes) = TransferBytes.encode(
                co, first: co.top, count: 1, root: nil, refs: transferRefs)
        else {
            return TransferBytes.string(co.top > 0 ? errorText(co, at: -1) : fallback)
        }
        return bytes
    }

    /// Closes the coroutine of a suspended job that lives in a worker, and
    /// waits until its `<close>` variables have run. False for a job here.
    func closeElsewhere(_ job: JobID) -> Bool {
        guard let index = workerPool.home[job.value] else { return false }
        executor.suspensions[job.value] = nil
        workerPool.workers[index].send(.close(job: job.value))
        waitForWorker(index) { report in
            if case .closed(let closed) = report, closed == job.value { return true }
            return false
        }
        workerPool.home[job.value] = nil
        return true
    }

    /// Stops a job executing in a worker (a cancel from another job): it is
    /// stopped, its coroutine closed, and its cancellation recorded before
    /// this returns, as for a job here.
    func stopElsewhere(_ job: JobID, waiting: Bool) {
        guard let index = workerPool.home[job.value] else { return }
        _ = workerPool.workers[index].stopIfExecuting(job.value)
        guard waiting else { return }
        waitForWorker(index) { _ in workerPool.home[job.value] == nil }
    }

    /// Handles the worker's reports until `done` says so: the job being
    /// waited for ends, and calls from that worker are served (it may be
    /// waiting for one); other workers' reports wait for the run loop.
    private func waitForWorker(_ index: Int, until done: (WorkerReport) -> Bool) {
        while true {
            for (number, report) in outside.inbox.drainReports() {
                let from = WorkerPool.index(ofState: number)
                guard from == index else {
                    workerPool.deferred.append((number, report))
                    continue
                }
                if done(report) { return }
                handle(report, from: from)
                if done(report) { return }
            }
            outside.inbox.wait(seconds: 0.05)
        }
    }
}
