import PrioCore

/// What the run loop asks a worker state to do (SPEC §8). A worker takes
/// its commands in the order they were sent.
enum WorkerCommand: Sendable {
    /// Run task `task` as job `job`: `fn(job)`, with `job.args` decoded from `args`.
    /// (`task` nil: a closure job submitted here, whose body this state keeps.)
    case start(job: Int, task: String?, args: TransferBytes?, timeoutAt: Double)
    /// Resume the job's coroutine with what its suspending call returns.
    case resume(job: Int, values: TransferBytes, timeoutAt: Double)
    /// Close the suspended job's coroutine (cancelled, timed out): its
    /// `<close>` variables run, then the worker answers `.closed`.
    case close(job: Int)
    /// A closure job submitted here finished for good: drop its body.
    case forget(job: Int)
    /// Close the state and end the thread.
    case shutdown
}

/// What the main state answers to a call a worker's job made.
enum CallReply: Sendable {
    /// The call's return values.
    case values(TransferBytes)
    /// The call raised this error value (`withPosition`: a message to
    /// which the caller's `file:line:` is added).
    case failure(TransferBytes, withPosition: Bool)
    /// The job suspends; the run loop resumes it later with `.resume`.
    case suspend
}

/// What a worker tells the run loop, through its inbox.
enum WorkerReport: Sendable {
    /// A job called a library or host function: the main state runs it on
    /// the job's behalf (the worker waits for the reply).
    /// `closureSubmit`: a `submit` of a closure, whose job the main state
    /// binds to this worker.
    case call(job: Int, function: Int32, args: TransferBytes, yieldable: Bool, closureSubmit: Bool)
    /// The job's body returned these values.
    case returned(job: Int, results: TransferBytes)
    /// The job's body raised; its coroutine is closed already.
    case raised(job: Int, error: TransferBytes, message: String, traceback: String)
    /// The job's coroutine yielded: at a preemption point (`preempted`),
    /// or because a call suspended it (already recorded by the run loop).
    case stopped(job: Int, preempted: Bool)
    /// The job's coroutine was closed as asked (`.close`, or a stop).
    case closed(job: Int)
    /// The job cannot run in this state (a task module failed to load
    /// there): it runs in the main state instead.
    case cannotRun(job: Int, message: String)
}
