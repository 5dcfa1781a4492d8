import CLuaShim

/// How a run is set up: the same choices as the command line's flags.
public struct RunOptions: Sendable {
    /// How many jobs may hold a slot at once (`-j`), at least 1.
    public var concurrency: Int = 1
    /// Lua states running at once (`--workers`, SPEC §8): the main state
    /// and `workers - 1` worker states, each on a thread of its own.
    public var workers: Int = 1
    /// Simulated clock: waiting for a timer jumps the clock instead of sleeping.
    public var virtualTime: Bool = false
    /// Milliseconds a job may run without suspending before it reaches a
    /// preemption point (`--slice`); 0 turns slicing off.
    public var sliceMilliseconds: Double = 5
    /// Bytes the Lua state may grow to while script code runs, or nil.
    public var memoryLimit: Int?
    /// Run an untrusted script: no io, os beyond time functions, debug, ...
    public var sandbox: Bool = false
    /// Where `print` writes; by default standard output, flushed line by line.
    /// Bytes that are not UTF-8 reach it repaired; see `printBytes`.
    public var output: @Sendable (String) -> Void = RunOptions.writeToStandardOutput
    /// Where `print` writes its lines as bytes, unchanged as `lua` writes
    /// them (a Lua string need not be UTF-8); when set, `output` is not used
    /// for them. The command sets it to `writeBytesToStandardOutput`.
    public var printBytes: (@Sendable ([UInt8]) -> Void)?
    /// Receives every scheduler event, on the run's thread; nil: none.
    public var events: (@Sendable (SchedulerEvent) -> Void)?
    /// Keep every job's wait and run time for `statistics()` (`--stats`).
    /// Off saves a little work per job.
    public var collectsTimings: Bool = true
    /// Where reports (job failures, warnings) go; by default standard error.
    public var diagnostics: @Sendable (String) -> Void = RunOptions.writeToStandardError

    public init(concurrency: Int = 1, virtualTime: Bool = false, workers: Int = 1) {
        self.concurrency = concurrency
        self.virtualTime = virtualTime
        self.workers = workers
    }

    @Sendable public static func writeToStandardOutput(_ text: String) {
        var copy = text
        copy.withUTF8 { prio_write_stdout($0.baseAddress, $0.count) }
    }

    @Sendable public static func writeBytesToStandardOutput(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { prio_write_stdout($0.baseAddress, $0.count) }
        }
    }

    @Sendable public static func writeToStandardError(_ text: String) {
        var copy = text
        copy.withUTF8 { prio_write_stderr($0.baseAddress, $0.count) }
    }
}

/// What a finished run reports: the same facts the CLI turns into its exit status.
public struct RunReport: Sendable, Equatable {
    public struct Failure: Sendable, Equatable {
        public var jobID: Int
        public var name: String
        public var error: String

        public init(jobID: Int, name: String, error: String) {
            self.jobID = jobID
            self.name = name
            self.error = error
        }
    }

    /// Jobs by final status ("done", "failed", "cancelled"; unfinished jobs
    /// dropped after a main-chunk error count as "dropped").
    public var counts: [String: Int]
    /// Failed jobs whose error reached no awaiter, in the order they failed:
    /// the first `FailureLog.keptEntries` (1000), each error cut at 4 KB.
    public var unobservedFailures: [Failure]
    /// How many jobs failed with no awaiter, all of them.
    public var unobservedFailureCount: Int
    /// The main chunk's error, when it raised (exit status 2).
    public var mainError: String?
    /// 0, 1 or 2 as SPEC.md §6 defines them.
    public var exitStatus: Int32
}
