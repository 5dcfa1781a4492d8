/// A job's identity: 1, 2, 3… in submission order. `JobID.main` (0) stands
/// for the script's main chunk, which the scheduler runs like a job that
/// holds no slot and always goes first.
public struct JobID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: Int

    public init(_ value: Int) { self.value = value }

    public static let main = JobID(0)
    public var isMain: Bool { value == 0 }
    public var description: String { "#\(value)" }
    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.value < rhs.value }
}

/// The status a script sees (SPEC.md §3, job fields).
public enum JobStatus: String, Sendable, CaseIterable {
    case pending, running, waiting, done, failed, cancelled

    public var isFinished: Bool {
        switch self {
        case .done, .failed, .cancelled: return true
        case .pending, .running, .waiting: return false
        }
    }
}

/// Where a job is in the scheduler's state machine. Finer than `JobStatus`:
/// the scheduler needs to know which queue or timer holds a job.
public enum JobState: UInt8, Sendable {
    /// Not runnable until a timer fires (`delay`, retry backoff).
    case delayed
    /// Wants a slot; in the pending queue.
    case queued
    /// Wants a slot, but its group is at its `limit`.
    case parked
    /// Holds a slot and can run; in the ready queue.
    case ready
    /// Executing Lua right now (at most one job at a time).
    case running
    /// Holds a slot, suspended until a timer fires.
    case sleeping
    /// Holds a slot, suspended until outside work (a subprocess, a host function) completes.
    case blocked
    /// Holds no slot, suspended until the jobs it awaits finish.
    case awaiting
    case done, failed, cancelled

    public var status: JobStatus {
        switch self {
        case .delayed, .queued, .parked: return .pending
        case .ready, .running, .sleeping, .blocked: return .running
        case .awaiting: return .waiting
        case .done: return .done
        case .failed: return .failed
        case .cancelled: return .cancelled
        }
    }

    public var isFinished: Bool { status.isFinished }
}

/// Why a job that was suspended is running again; the runtime reads it to
/// decide what the suspended call returns.
public enum WakeReason: UInt8, Sendable {
    case none
    /// The jobs it awaited finished (all of them, or one for `await_any`).
    case awaitSatisfied
    /// The `await` timeout passed first.
    case awaitTimedOut
}

/// Everything the scheduler keeps for every job, in 72 bytes: a queued job
/// costs this record plus its Lua function. What few jobs have (a timeout,
/// a deadline) is kept beside it (`Scheduler.limits`).
public struct JobRecord: Sendable {
    /// What was submitted or last set.
    public internal(set) var basePriority: Double
    /// What the policy computed from the base (equal to it by default).
    public internal(set) var policyPriority: Double
    /// What orders the job: the policy priority, lowered by inheritance.
    public internal(set) var effectivePriority: Double
    public internal(set) var submittedAt: Double
    /// NaN until the job first starts.
    public internal(set) var startedAt: Double
    /// NaN until the job finishes.
    public internal(set) var finishedAt: Double
    /// Place among equal priorities (see `QueueKey`); once the job has
    /// finished, its place in the order jobs finished in. (Declared among
    /// the 32-bit fields, so that none of them leaves a gap.)
    public internal(set) var order: Int32
    /// Index of the job's group, or -1.
    public internal(set) var group: Int32
    /// 1 on the first run; 0 before the job has started.
    public internal(set) var attempt: Int32
    /// Bumped whenever the job leaves a suspension, so timers set for an
    /// earlier one are recognised as stale.
    var generation: UInt32
    public internal(set) var state: JobState
    public internal(set) var wakeReason: WakeReason
    /// `holdsSlot`, `hasStarted`, `released`, `cancelRequested` and `closing`,
    /// one bit each (so a record is 72 bytes).
    var flags: UInt8 = 0
    /// While the job holds a slot: its index in `Scheduler.slotHolders`, so
    /// giving the slot back finds it at once (at `-j 64` a search cost more
    /// than the rest of releasing). It fits in what was padding.
    var holderIndex: Int32 = -1

    // Always inlined: a call would copy the whole record to pass it as `self`.
    public internal(set) var holdsSlot: Bool {
        @inline(__always) get { flags & Self.holdsSlotBit != 0 }
        @inline(__always) set { set(Self.holdsSlotBit, newValue) }
    }
    /// The runtime has a live coroutine for this job.
    public internal(set) var hasStarted: Bool {
        @inline(__always) get { flags & Self.hasStartedBit != 0 }
        @inline(__always) set { set(Self.hasStartedBit, newValue) }
    }
    /// Released by the runtime (`Scheduler.release`): the id is free of meaning.
    var released: Bool {
        @inline(__always) get { flags & Self.releasedBit != 0 }
        @inline(__always) set { set(Self.releasedBit, newValue) }
    }

    /// `job:cancel()` was called while the job's own code was executing: it
    /// is cancelled where its code next stops (`Scheduler.requestCancel`).
    public internal(set) var cancelRequested: Bool {
        @inline(__always) get { flags & Self.cancelRequestedBit != 0 }
        @inline(__always) set { set(Self.cancelRequestedBit, newValue) }
    }
    /// Its coroutine is being closed (its `<close>` handlers run): it has
    /// already failed, timed out or been cancelled, whatever its state says
    /// until the close is over, so it cannot be cancelled.
    public internal(set) var closing: Bool {
        @inline(__always) get { flags & Self.closingBit != 0 }
        @inline(__always) set { set(Self.closingBit, newValue) }
    }

    static let holdsSlotBit: UInt8 = 1
    static let hasStartedBit: UInt8 = 2
    static let releasedBit: UInt8 = 4
    static let cancelRequestedBit: UInt8 = 16
    static let closingBit: UInt8 = 32

    @inline(__always)
    private mutating func set(_ bit: UInt8, _ on: Bool) {
        if on { flags |= bit } else { flags &= ~bit }
    }

    init(
        state: JobState, priority: Double, policyPriority: Double, order: Int32, group: Int32, submittedAt: Double
    ) {
        self.basePriority = priority
        self.policyPriority = policyPriority
        self.effectivePriority = policyPriority
        self.order = order
        self.submittedAt = submittedAt
        self.startedAt = .nan
        self.finishedAt = .nan
        self.group = group
        self.attempt = 0
        self.generation = 0
        self.state = state
        self.wakeReason = .none
    }
}

/// A job's `timeout` and `deadline`, kept only for the jobs that have one.
struct JobLimits: Sendable {
    /// Seconds of wall time an attempt may run, or `.infinity`.
    var timeout: Double = .infinity
    /// Absolute time in `now()` seconds, NaN when unset.
    var deadline: Double = .nan
    /// When the current attempt started (its `timeout` counts from here).
    var attemptStartedAt: Double = .nan
}
