/// Cancelling and closing: the rules of `job:cancel()` live here, decided
/// once, and the runtime carries out the action a transition returns.
extension Scheduler {
    /// What the runtime must do for `job:cancel()`.
    public enum CancelAction: Equatable, Sendable {
        /// The job has finished, or is being closed after it failed, timed
        /// out or was cancelled: `cancel` returns false.
        case refused
        /// The job's own code is executing: it is cancelled where that code
        /// next stops (a suspension, its return, its error). The runtime
        /// requests the stop; `cancel` returns true.
        case stopExecutingJob
        /// Cancel it now (`cancel(_:now:)`) and close its coroutine.
        case cancelNow
    }

    /// Decides `job:cancel()`. `executing` says whether the job's own code is
    /// the code running now (the runtime knows which coroutine it drives).
    public mutating func requestCancel(_ job: JobID, executing: Bool) -> CancelAction {
        defer { checkInvariantsAfterMutation() }
        guard contains(job), !records[job.value].state.isFinished, !records[job.value].closing else {
            return .refused
        }
        guard executing else { return .cancelNow }
        if !records[job.value].cancelRequested {
            records[job.value].cancelRequested = true
            cancelRequestCount += 1
        }
        return .stopExecutingJob
    }

    /// Whether some job asked to be cancelled while it executed.
    public var hasCancelRequests: Bool { cancelRequestCount > 0 }

    /// Whether `job` asked to be cancelled while it executed (cheap when no
    /// job did: the runtime asks at every resume).
    @inline(__always)
    public func isCancelRequested(_ job: JobID) -> Bool {
        cancelRequestCount > 0 && records[job.value].cancelRequested
    }

    /// Forgets a cancel request: the job finished, or was cancelled.
    mutating func clearCancelRequest(_ id: Int32) {
        guard cancelRequestCount > 0, records[Int(id)].cancelRequested else { return }
        records[Int(id)].cancelRequested = false
        cancelRequestCount -= 1
    }

    /// The runtime is about to close `job`'s coroutine (after `afterError`,
    /// its error is already reported). Returns true when the caller must run
    /// the closes (`nextClose`) until none is left; false when a close is
    /// already under way (a `__close` handler cancelled another job): this
    /// one is queued behind it, so closes never nest on the C stack.
    public mutating func queueClose(_ job: JobID, afterError: Bool) -> Bool {
        pendingCloses.append((job, afterError))
        guard !closesRunning else { return false }
        closesRunning = true
        return true
    }

    /// The next close to run, marked `closing` until `closeDone`; nil when
    /// none is left (the caller stops running closes).
    public mutating func nextClose() -> (job: JobID, afterError: Bool)? {
        defer { checkInvariantsAfterMutation() }
        guard !pendingCloses.isEmpty else {
            closesRunning = false
            return nil
        }
        let next = pendingCloses.removeFirst()
        if contains(next.job) { records[next.job.value].closing = true }
        return next
    }

    /// The close of `job`'s coroutine is over.
    public mutating func closeDone(_ job: JobID) {
        defer { checkInvariantsAfterMutation() }
        if contains(job) { records[job.value].closing = false }
    }
}
