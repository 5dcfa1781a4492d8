import Synchronization

/// The scheduling state machine: job records, the pending and ready queues,
/// slots and groups, timers, awaiting and priority inheritance.
///
/// It knows nothing of Lua. The runtime reports what a job did (it yielded,
/// slept, awaited, finished…) through the transition methods, and asks
/// `nextStep(now:)` what to do next. Time comes in as a parameter, so tests
/// drive it with a manual clock.
///
/// Two queues order the jobs, both by `QueueKey`:
/// - **pending**: jobs that want a slot (never started, or woken from an
///   await). The best one takes the next free slot, unless its group is at
///   its limit; then it is parked with its group until a group slot frees.
/// - **ready**: slot holders that can run. Only one runs at a time; the best
///   goes first. The main chunk is always ready first (priority -infinity).
public struct Scheduler: ~Copyable, Sendable {
    public enum Step: Equatable, Sendable {
        /// Create the job's coroutine and run its body (first run or a retry).
        case start(JobID)
        /// Resume the job's suspended coroutine.
        case resume(JobID)
        /// The job's `timeout` passed while it was suspended: stop it.
        case timedOut(JobID)
        /// The job is still unfinished at its deadline (`on_deadline`).
        case deadlinePassed(JobID)
        /// Periodic rule number `n` is due; it runs ahead of all jobs.
        case ruleDue(Int)
        /// The policy's periodic re-evaluation of every job is due.
        case intervalDue
        /// Nothing can run before this time.
        case waitUntil(Double)
        /// Nothing can run until outside work completes (`unblock`).
        case idle
        /// The run is over: the main chunk has returned and no job is unfinished.
        case finished
    }

    /// Makes the scheduler address-only, which changes no behaviour but how
    /// it is passed: a host keeps it behind a pointer (`LuaScheduler.core`),
    /// and to call a non-mutating method on a big loadable struct there,
    /// Swift copies all of it (some 260 bytes) to the stack first; an
    /// address-only one is borrowed in place. The spawn benchmark made
    /// about fourteen such copies per job. Never read or written.
    private let passedInPlace = Atomic<Int>(0)
    /// Every job's record by id (the main chunk is 0), until released.
    var records = JobTable()
    /// Timeouts and deadlines, for the jobs that have them.
    var limits: [Int32: JobLimits] = [:]
    /// When each slot holder took its slot (fair-share accounting), in `slotHolders` order.
    var slotTakenAt: [Double] = []
    public let concurrency: Int
    public internal(set) var slotsHeld = 0
    /// Jobs not yet done, failed or cancelled (the main chunk not counted).
    public internal(set) var unfinishedCount = 0
    public internal(set) var blockedCount = 0

    var pending = PendingQueue()
    var ready = IndexedHeap()
    var timers = TimerQueue()
    var groups: [GroupSlots] = []
    /// Timer events for the runtime, in the order they fell due.
    var dueEvents: [Step] = []
    var nextDueEvent = 0
    /// Jobs holding a slot (at most `concurrency`); each knows its index here
    /// (`JobRecord.holderIndex`).
    var slotHolders: [Int32] = []
    /// With a `preempt` policy, a pending job strictly better than the worst
    /// slot holder takes that holder's slot.
    public var preemptionEnabled = false
    public internal(set) var preemptionCount = 0
    /// Slot preemptions since the runtime last took them (`takePreemptions`),
    /// and awaits that ended (`takeAwaitEnds`), recorded only while
    /// `recordsPreemptions` (an observer wants events).
    public var recordsPreemptions = false
    var preemptionLog: [(victim: JobID, by: JobID)] = []
    var awaitEndLog: [(waiter: JobID, targets: [JobID])] = []
    /// Invariants found broken after a mutation, in debug builds (first 16).
    public internal(set) var brokenInvariants: [String] = []
    /// Jobs with `cancelRequested` set (`Scheduler+Cancel`).
    var cancelRequestCount = 0
    /// Coroutine closes waiting to run, and whether some are running.
    var pendingCloses: [(job: JobID, afterError: Bool)] = []
    var closesRunning = false
    /// The time of the latest `nextStep`: when slots change hands between steps.
    var lastNow: Double = 0
    /// Slot time per group under fair sharing; nil when it is off.
    var fairShare: FairShare?
    /// The order counter: `takeOrder` hands out the next value (a resuming
    /// job gets `Int32.min` plus it). After a renumbering it restarts at the
    /// number of live jobs.
    var nextOrder: Int32 = 0
    /// Where `takeOrder` renumbers first; lowered by tests to get there.
    var orderCeiling: Int32 = .max - 1
    /// What each awaiting job waits for.
    var awaits: [Int32: AwaitRecord] = [:]
    /// Who waits for each job.
    var waiters: [Int32: [Int32]] = [:]

    public init(concurrency: Int) {
        precondition(concurrency >= 1, "concurrency must be at least 1")
        self.concurrency = concurrency
        _ = records.append(
            JobRecord(
                state: .ready, priority: -.infinity, policyPriority: -.infinity, order: 1, group: -1, submittedAt: 0))
        nextOrder = 1
        ready.insert(0, key: key(of: 0), positions: &records)
    }

    public subscript(id: JobID) -> JobRecord {
        // An addressor: `core[job].basePriority` reads one field in place
        // instead of copying the 72-byte record out of the table first.
        unsafeAddress { records.address(of: id.value) }
    }
    /// The job's state, read without copying its whole record.
    public func state(of id: JobID) -> JobState { records[id.value].state }
    /// The job's status, read without copying its whole record.
    public func status(of id: JobID) -> JobStatus {
        JobRecord.status(state: records[id.value].state, holdsSlot: records[id.value].holdsSlot)
    }
    public var lastJobID: JobID { JobID(records.count - 1) }
    /// Ids handed out so far, the main chunk's included: jobs are 1..<jobCount.
    public var jobCount: Int { records.count }
    /// Whether `id` is a job this scheduler still knows (submitted, not released).
    public func contains(_ id: JobID) -> Bool { id.value >= 1 && records.isLive(id.value) }

    // MARK: Submission

    /// Adds a job. It is queued for a slot at once, or after `delay` seconds.
    /// - Complexity: O(log n)
    public mutating func submit(
        priority: Double, policyPriority: Double? = nil, group: Int? = nil, delay: Double = 0,
        timeout: Double = .infinity, deadline: Double = .nan, now: Double
    ) -> JobID {
        defer { checkInvariantsAfterMutation() }
        let id = Int32(
            records.append(
                JobRecord(
                    state: .delayed, priority: priority, policyPriority: policyPriority ?? priority,
                    order: takeOrder(), group: Int32(group ?? -1), submittedAt: now)))
        if timeout.isFinite || !deadline.isNaN {
            limits[id] = JobLimits(timeout: timeout, deadline: deadline)
        }
        if let group { ensureGroup(group) }
        unfinishedCount += 1
        if deadline.isFinite {
            timers.schedule(job: id, kind: .deadline, due: deadline, generation: 0)
        }
        if delay > 0 {
            timers.schedule(job: id, kind: .wake, due: now + delay, generation: 0)
        } else {
            enqueuePending(id)
        }
        return JobID(Int(id))
    }

    // MARK: Dispatch

    /// Fires due timers, fills free slots, and says what the runtime does next.
    public mutating func nextStep(now: Double) -> Step {
        defer { checkInvariantsAfterMutation() }
        lastNow = now
        fireDueTimers(now: now)
        while nextDueEvent < dueEvents.count {
            let event = dueEvents[nextDueEvent]
            nextDueEvent += 1
            if nextDueEvent == dueEvents.count {
                dueEvents.removeAll(keepingCapacity: true)
                nextDueEvent = 0
            }
            if isStillDue(event) { return event }
        }
        // The main chunk goes on before any slot changes hands: a preemption
        // point in a busy main chunk is not the end of its turn.
        if ready.min?.job == 0, let main = ready.popMin(positions: &records) {
            return run(main, now: now)
        }
        fillSlots()
        if let best = ready.popMin(positions: &records) {
            return run(best, now: now)
        }
        if records[0].state.isFinished && unfinishedCount == 0 { return .finished }
        if let due = timers.nextDue { return .waitUntil(due) }
        if blockedCount > 0 { return .idle }
        return .finished
    }

    mutating func run(_ id: Int32, now: Double) -> Step {
        records[Int(id)].state = .running
        if records[Int(id)].hasStarted { return .resume(JobID(Int(id))) }
        records[Int(id)].hasStarted = true
        records[Int(id)].attempt += 1
        if records[Int(id)].startedAt.isNaN { records[Int(id)].startedAt = now }
        if let timeout = limits[id]?.timeout, timeout.isFinite {
            limits[id]?.attemptStartedAt = now
            timers.schedule(
                job: id, kind: .jobTimeout, due: now + timeout, generation: UInt32(records[Int(id)].attempt))
        }
        return .start(JobID(Int(id)))
    }

    /// Moves pending jobs into free slots, best first (or by fair share),
    /// skipping full groups; with preemption on, a pending job strictly
    /// better than the worst holder then takes that holder's slot.
    mutating func fillSlots() {
        unparkWhereGroupsHaveRoom()
        while true {
            while slotsHeld < concurrency, let best = bestPending() {
                leavePending(best.job)
                if groupIsFull(best.job) {
                    park(best.job)
                    continue
                }
                takeSlot(best.job)
                makeReady(best.job, keepOrder: true)
            }
            guard preemptionEnabled, slotsHeld >= concurrency, let best = bestPending() else { return }
            if groupIsFull(best.job) {
                leavePending(best.job)
                park(best.job)
                continue
            }
            guard let victim = worstSlotHolder(),
                best.key.priority < records[Int(victim)].effectivePriority
            else { return }
            // The better job takes the victim's slot itself: handing the slot
            // to whatever dispatch would pick (fair sharing may pick the
            // victim) could undo the preemption forever. Each swap lowers the
            // holders' priorities, so this loop ends.
            preempt(victim)
            if recordsPreemptions { preemptionLog.append((JobID(Int(victim)), JobID(Int(best.job)))) }
            leavePending(best.job)
            takeSlot(best.job)
            makeReady(best.job, keepOrder: true)
        }
    }

    private func groupIsFull(_ id: Int32) -> Bool {
        let group = Int(records[Int(id)].group)
        return group >= 0 && groups[group].held >= groups[group].limit
    }

    private mutating func park(_ id: Int32) {
        records[Int(id)].state = .parked
        groups[Int(records[Int(id)].group)].parked.insert(id, key: key(of: id), positions: &records)
    }

    // MARK: Transitions of the running job

    /// The running job gives way: it goes behind the ready jobs of equal priority.
    public mutating func yielded(_ job: JobID) {
        defer { checkInvariantsAfterMutation() }
        expect(job, in: .running)
        makeReady(Int32(job.value), keepOrder: false)
    }

    /// Whether a `yield` of the running job would change nothing: no ready job
    /// of equal or better priority, no timer due, no timer event waiting,
    /// every slot held, and no pending job that could preempt. Then the job
    /// keeps running without a round trip through the ready queue (the
    /// runtime skips the coroutine switch), exactly as if it had yielded and
    /// been picked again.
    /// - Complexity: O(1)
    public func yieldWouldChangeNothing(_ job: JobID, now: Double) -> Bool {
        guard records[job.value].state == .running, records[job.value].holdsSlot, slotsHeld >= concurrency,
            nextDueEvent >= dueEvents.count
        else { return false }
        if let best = ready.min, best.key.priority <= records[job.value].effectivePriority { return false }
        if let due = timers.nextDue, due <= now { return false }
        return !(preemptionEnabled && !pending.isEmpty)
    }

    /// The running job sleeps until `until`, keeping its slot.
    public mutating func sleeping(_ job: JobID, until: Double) {
        defer { checkInvariantsAfterMutation() }
        expect(job, in: .running)
        let id = Int32(job.value)
        records[job.value].state = .sleeping
        timers.schedule(job: id, kind: .wake, due: until, generation: records[job.value].generation)
    }

    /// The running job waits on outside work, keeping its slot.
    public mutating func blocked(_ job: JobID) {
        defer { checkInvariantsAfterMutation() }
        expect(job, in: .running)
        records[job.value].state = .blocked
        blockedCount += 1
    }

    /// The outside work of a blocked job completed; it can run again (at
    /// once if it kept its slot, else once it gets one back).
    public mutating func unblocked(_ job: JobID) {
        defer { checkInvariantsAfterMutation() }
        guard records[job.value].state == .blocked else { return }
        blockedCount -= 1
        continueAfterSuspension(Int32(job.value))
    }

    /// A job whose sleep or outside work ended runs again: at once if it
    /// still holds its slot, otherwise (preempted meanwhile) once it gets one
    /// back, ahead of the newcomers of equal priority.
    mutating func continueAfterSuspension(_ id: Int32) {
        if records[Int(id)].holdsSlot || id == 0 {
            makeReady(id, keepOrder: false)
        } else {
            records[Int(id)].generation &+= 1
            enqueueResuming(id)
        }
    }

    // MARK: Helpers shared by the extensions

    /// A new order, after every order handed out so far (renumbering them
    /// first when the 32 bits would run out).
    mutating func takeOrder() -> Int32 {
        if nextOrder >= orderCeiling { renumberOrders() }
        nextOrder += 1
        return nextOrder
    }

    func key(of id: Int32) -> QueueKey {
        QueueKey(priority: records[Int(id)].effectivePriority, order: records[Int(id)].order)
    }

    /// Queues `id` for a slot as a newcomer (behind resuming jobs of equal priority).
    mutating func enqueuePending(_ id: Int32) {
        records[Int(id)].state = .queued
        enterPending(id)
    }

    /// Queues a job that was already running (woken from an await) for a slot,
    /// ahead of the newcomers of equal priority.
    mutating func enqueueResuming(_ id: Int32) {
        records[Int(id)].order = Int32.min &+ takeOrder()  // below every newcomer's order
        records[Int(id)].state = .queued
        enterPending(id)
    }

    mutating func makeReady(_ id: Int32, keepOrder: Bool) {
        if !keepOrder { records[Int(id)].order = takeOrder() }
        records[Int(id)].state = .ready
        records[Int(id)].generation &+= 1
        ready.insert(id, key: key(of: id), positions: &records)
    }

    mutating func takeSlot(_ id: Int32) {
        records[Int(id)].holdsSlot = true
        slotsHeld += 1
        records[Int(id)].holderIndex = Int32(slotHolders.count)
        slotHolders.append(id)
        slotTakenAt.append(lastNow)
        let group = Int(records[Int(id)].group)
        if group >= 0 { groups[group].held += 1 }
    }

    /// Frees the job's slot (its group's parked jobs may queue again at the
    /// next `fillSlots`).
    mutating func releaseSlot(_ id: Int32) {
        guard records[Int(id)].holdsSlot else { return }
        records[Int(id)].holdsSlot = false
        slotsHeld -= 1
        let index = Int(records[Int(id)].holderIndex)
        accountSlotTime(of: id, holderIndex: index)
        let last = slotHolders.removeLast()
        let lastTakenAt = slotTakenAt.removeLast()
        if last != id {
            slotHolders[index] = last
            slotTakenAt[index] = lastTakenAt
            records[Int(last)].holderIndex = Int32(index)
        }
        records[Int(id)].holderIndex = -1
        let group = Int(records[Int(id)].group)
        guard group >= 0 else { return }
        groups[group].held -= 1
    }

    /// Takes the job out of whichever queue holds it.
    mutating func removeFromQueues(_ id: Int32) {
        switch records[Int(id)].state {
        case .queued: leavePending(id)
        case .ready: ready.remove(id, positions: &records)
        case .parked: groups[Int(records[Int(id)].group)].parked.remove(id, positions: &records)
        case .blocked: blockedCount -= 1
        case .delayed, .running, .sleeping, .awaiting, .done, .failed, .cancelled: break
        }
    }

    func expect(_ job: JobID, in state: JobState) {
        precondition(records[job.value].state == state, "job \(job) is \(records[job.value].state), expected \(state)")
    }
}
