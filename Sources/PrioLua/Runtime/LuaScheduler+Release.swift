import CLua
import CLuaShim
import PrioCore

/// Finished jobs waiting to be released, and when to look at them again.
struct ReleaseQueue {
    /// Finished jobs whose object may still be alive.
    var candidates: [Int32] = []
    /// Sweep once this many have gathered: twice the survivors of the last
    /// sweep, so each candidate is looked at an amortized O(1) times.
    var threshold = ReleaseQueue.minimumBatch
    /// Bytes of error text that jobs failed with since the last sweep: a
    /// few large errors hold as much memory as thousands of small jobs, so
    /// they bring the sweep forward (`retainedBytesTrigger`).
    var retainedBytes = 0

    static let minimumBatch = 1024
    static let retainedBytesTrigger = 2 << 20
}

/// A long run must not keep anything per finished job (a server that runs
/// millions of jobs cannot grow without bound). A finished job is released
/// once nothing can ask about it: its object is gone from the weak table
/// of job objects (the script holds no reference, and the collector has
/// cleared the entry).
/// Releasing folds it into the run's counts and timings, drops its Lua
/// values (body, results, error, data, tags) and its Swift-side options,
/// and frees its scheduler record.
///
/// Sweeps run at the top of the run loop only, never inside a host function
/// or a transition that may still be using a finished job's values.
extension LuaScheduler {
    /// The job reached its final status (done, failed, cancelled).
    func noteFinished(_ job: JobID) {
        jobBook.releaseQueue.candidates.append(Int32(job.value))
    }

    /// Releases the finished jobs nothing can ask about, once enough have gathered.
    /// Objects go only when a collector cycle ends, so a sweep waits for one.
    func releaseFinishedJobsIfDue() {
        guard
            jobBook.releaseQueue.candidates.count >= jobBook.releaseQueue.threshold
                || jobBook.releaseQueue.retainedBytes >= ReleaseQueue.retainedBytesTrigger,
            prio_collector_cycle_passed(lua.pointer) != 0
        else { return }
        reusableNow = nil
        jobBook.releaseQueue.retainedBytes = 0
        releaseFinishedJobs()
    }

    /// Looks at every candidate now (also at the end of a run).
    func releaseFinishedJobs() {
        let candidates = jobBook.releaseQueue.candidates
        var objectAlive = [UInt8](repeating: 0, count: candidates.count)
        candidates.withUnsafeBufferPointer { ids in
            objectAlive.withUnsafeMutableBufferPointer { alive in
                prio_job_objects_alive(lua.pointer, ids.baseAddress, ids.count, alive.baseAddress)
            }
        }
        var survivors: [Int32] = []
        for (index, id) in candidates.enumerated() {
            let job = JobID(Int(id))
            if objectAlive[index] != 0 {
                survivors.append(id)  // its record is not even read: most candidates are here
            } else if core.contains(job) {
                if mayRelease(job) { release(job) } else { survivors.append(id) }
            }
        }
        jobBook.releaseQueue.candidates = survivors
        jobBook.releaseQueue.threshold = max(ReleaseQueue.minimumBatch, survivors.count * 2)
    }

    /// Finished, and its object is gone: nothing can ask about it any more.
    /// An unobserved failure is released too (nothing can await it now): the
    /// failure log keeps what the end-of-run summary says of it.
    private func mayRelease(_ job: JobID) -> Bool {
        guard core.state(of: job).isFinished else { return false }
        if !jobBook.unobservedFailures.isEmpty { jobBook.unobservedFailures.remove(job.value) }
        return true
    }

    /// Most jobs have none of the sparse per-job entries: every lookup is
    /// skipped while its table is empty (this runs once per job).
    private func release(_ job: JobID) {
        if jobBook.rejected.isEmpty || jobBook.rejected.remove(job.value) == nil {
            jobBook.ledger.record(job, of: self)
        }
        // Its body and coroutine went when it finished; the rest only some
        // jobs have (a 0 table is skipped).
        let outcome =
            core.state(of: job) != .done
            ? executor.refs.errors : jobBook.jobsWithResults > 0 ? executor.refs.results : 0
        var tables = (
            outcome, jobBook.submittedWithData > 0 ? executor.refs.data : 0,
            jobBook.submittedWithTags > 0 ? executor.refs.tags : 0,
            jobBook.submittedWithArgs > 0 ? executor.refs.args : 0
        )
        if tables != (0, 0, 0, 0) {
            withUnsafePointer(to: &tables) {
                $0.withMemoryRebound(to: Int32.self, capacity: 4) {
                    prio_clear_job_entries(lua.pointer, $0, 4, lua_Integer(job.value))
                }
            }
        }
        jobBook.info.forget(job)
        if !observation.reportedPriority.isEmpty { observation.reportedPriority[job.value] = nil }
        let pageFreed = core.release(job)
        if pageFreed { jobBook.info.dropPages(of: job) }
        prio_release_job_word(lua.pointer, lua_Integer(job.value), pageFreed ? 1 : 0)
    }
}
