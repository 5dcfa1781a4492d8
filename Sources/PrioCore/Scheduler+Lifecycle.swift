extension Scheduler {
    public enum Ending: Sendable { case done, failed }

    /// The job's body returned or raised for good. Frees its slot and wakes its
    /// waiters. Returns whether anyone was waiting for it (a failure then
    /// reaches an awaiter instead of being reported).
    @discardableResult
    public mutating func finished(_ job: JobID, _ ending: Ending, now: Double) -> Bool {
        defer { checkInvariantsAfterMutation() }
        lastNow = max(lastNow, now)
        let id = Int32(job.value)
        guard !records[job.value].state.isFinished else { return false }
        removeFromQueues(id)
        dropAwait(id)
        releaseSlot(id)
        clearCancelRequest(id)
        records[job.value].state = ending == .done ? .done : .failed
        records[job.value].finishedAt = now
        records[job.value].hasStarted = false
        records[job.value].order = takeOrder()
        if !job.isMain { unfinishedCount -= 1 }
        return notifyWaiters(of: id)
    }

    /// Cancels an unfinished job wherever it is. Returns the state it was in
    /// (the runtime closes its coroutine if it had started), or nil when it
    /// had already finished.
    public mutating func cancel(_ job: JobID, now: Double) -> JobState? {
        defer { checkInvariantsAfterMutation() }
        lastNow = max(lastNow, now)
        guard contains(job) else { return nil }
        let id = Int32(job.value)
        let before = records[job.value].state
        guard !before.isFinished else { return nil }
        removeFromQueues(id)
        dropAwait(id)
        releaseSlot(id)
        clearCancelRequest(id)
        records[job.value].state = .cancelled
        records[job.value].finishedAt = now
        records[job.value].hasStarted = false
        records[job.value].order = takeOrder()
        records[job.value].generation &+= 1
        unfinishedCount -= 1
        notifyWaiters(of: id)
        return before
    }

    /// A failed attempt will run again after `delay` seconds: the job gives
    /// up its slot and is pending meanwhile; awaiters keep waiting.
    public mutating func retry(_ job: JobID, after delay: Double, now: Double) {
        defer { checkInvariantsAfterMutation() }
        lastNow = max(lastNow, now)
        let id = Int32(job.value)
        guard !records[job.value].state.isFinished else { return }
        removeFromQueues(id)
        dropAwait(id)
        releaseSlot(id)
        records[job.value].hasStarted = false
        records[job.value].generation &+= 1
        records[job.value].order = takeOrder()
        if delay > 0 {
            records[job.value].state = .delayed
            timers.schedule(job: id, kind: .wake, due: now + delay, generation: records[job.value].generation)
        } else {
            enqueuePending(id)
        }
    }

    /// Unfinished jobs in id order.
    /// - Complexity: O(jobs not released), and pages of released jobs are skipped.
    public func unfinishedJobIDs() -> [JobID] {
        var list: [JobID] = []
        list.reserveCapacity(unfinishedCount)
        records.forEachLive(from: 1) { index in
            if !records[index].state.isFinished { list.append(JobID(index)) }
        }
        return list
    }

    /// Every job not released yet, finished or not, in id order.
    public func knownJobIDs() -> [JobID] {
        var list: [JobID] = []
        records.forEachLive(from: 1) { list.append(JobID($0)) }
        return list
    }

    /// Forgets a finished job: `contains` turns false and its record may be
    /// freed. The runtime calls this once nothing can ask about the job any
    /// more, so a long run keeps no memory per finished job. Returns whether
    /// that freed the page of records holding it (every job of the page,
    /// `JobRecordLayout.pageShift`, is released): per-job data the runtime
    /// pages the same way can go too.
    @discardableResult
    public mutating func release(_ job: JobID) -> Bool {
        defer { checkInvariantsAfterMutation() }
        guard contains(job), records[job.value].state.isFinished else { return false }
        let id = Int32(job.value)
        if !limits.isEmpty { limits[id] = nil }
        if !waiters.isEmpty { waiters[id] = nil }
        return records.release(job.value)
    }

    /// Whether any job has a timeout or a deadline (else the lookups below need not run).
    public var hasLimits: Bool { !limits.isEmpty }

    /// The best ready job and its effective priority, if any: a job running
    /// in another Lua state gives way at its next preemption point only
    /// when this is as good as its own.
    public var bestReady: (job: JobID, priority: Double)? {
        ready.min.map { (JobID(Int($0.job)), $0.key.priority) }
    }
    /// The job's `timeout` in seconds, or `.infinity`.
    public func timeout(of job: JobID) -> Double { limits[Int32(job.value)]?.timeout ?? .infinity }
    /// The job's deadline in `now` seconds, or NaN.
    public func deadline(of job: JobID) -> Double { limits[Int32(job.value)]?.deadline ?? .nan }
    /// When the job's current attempt started, if it has a timeout (else NaN).
    public func attemptStartedAt(of job: JobID) -> Double { limits[Int32(job.value)]?.attemptStartedAt ?? .nan }

    /// Unfinished jobs, best effective priority first (then queue order);
    /// with `status`, only the jobs with that status.
    /// - Complexity: O(n log n) for the n jobs selected, after one O(jobs) scan.
    public func unfinishedJobs(status: JobStatus? = nil) -> [JobID] {
        var list: [SnapshotEntry] = []
        list.reserveCapacity(unfinishedCount)
        records.forEachLive(from: 1) { index in
            let record = records[index]
            guard !record.state.isFinished, status == nil || record.status == status else { return }
            list.append(SnapshotEntry(priority: record.effectivePriority, order: record.order, index: Int32(index)))
        }
        list.withUnsafeMutableBufferPointer { SnapshotEntry.sort($0) }
        return list.map { JobID(Int($0.index)) }
    }
}
