import PrioCore

/// The worker states of a run (SPEC §8) as the run loop sees them: which
/// are free, and where each job's coroutine lives.
struct WorkerPool {
    var workers: [Worker] = []
    /// Per worker: commands sent whose run has not ended yet (a free worker has none).
    var outstanding: [Int] = []
    /// The worker (its index here) holding each job's coroutine.
    var home: [Int: Int] = [:]
    /// Per worker: the job it was last asked to run.
    var running: [Int] = []
    /// Workers that cannot run task jobs (a task module failed to load there).
    var unusable: Set<Int> = []
    /// Reports taken while the run loop waited for one job, kept for the loop.
    var deferred: [(worker: Int, report: WorkerReport)] = []
    /// Scratch threads of the main state that serve calls, one per nesting level.
    var scratchThreads: [LuaState] = []
    var servingDepth = 0
    /// Busy time per state (index 0: the main state), for `--stats`.
    var busySeconds: [Double] = []
    var busySince: [Double] = []
    let modules = SharedTaskModules()

    var active: Bool { !workers.isEmpty }
    var anyBusy: Bool { outstanding.contains { $0 > 0 } }

    /// A worker with nothing to do, if any.
    func freeWorker() -> Int? {
        outstanding.indices.first { outstanding[$0] == 0 && !unusable.contains($0) }
    }

    /// The worker index behind a state number (workers are 2...N).
    static func index(ofState number: Int) -> Int { number - 2 }
}
