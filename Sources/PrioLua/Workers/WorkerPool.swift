import PrioCore

/// The worker states of a run (SPEC §8) as the run loop sees them: which
/// are free, and where each job's coroutine lives.
struct WorkerPool {
    var workers: [Worker] = []
    /// Per worker: commands sent whose run has not ended yet (a free worker has none).
    var outstanding: [Int] = []
    /// The worker (its index here) holding each job's coroutine.
    var home: [Int: Int] = [:]
    /// Closure jobs submitted in a worker, bound to it (its index) for life.
    var bound: [Int: Int] = [:]
    /// Per worker: the job it was last asked to run.
    var running: [Int] = []
    /// Workers that cannot run task jobs (a task module failed to load there).
    var unusable: Set<Int> = []
    /// Reports taken while the run loop waited for one job, kept for the loop.
    var deferred: [(worker: Int, report: WorkerReport)] = []
    /// Scratch threads of the main state that serve calls, one per nesting level.
    var scratchThreads: [LuaState] = []
    var servingDepth = 0
    /// Seconds each state spent running jobs' Lua code (index 0: the main
    /// state), and the monotonic times the workers started and stopped, for
    /// `--stats` (real time, also under `--virtual-time`).
    var busySeconds: [Double] = []
    var startedAt = 0.0
    var stoppedAt = 0.0
    let modules = SharedTaskModules()
    let hostFunctions = SharedHostFunctions()

    var active: Bool { !workers.isEmpty }
    var anyBusy: Bool { outstanding.contains { $0 > 0 } }

    /// A worker with nothing to do, if any.
    func freeWorker() -> Int? {
        outstanding.indices.first { outstanding[$0] == 0 && !unusable.contains($0) }
    }

    /// The worker index behind a state number (workers are 2...N).
    static func index(ofState number: Int) -> Int { number - 2 }
}
