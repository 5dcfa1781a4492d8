import CLuaShim
import Foundation
import PrioCore
import Synchronization

/// What outside work (a subprocess, a Swift async function) hands back to
/// the run loop for a blocked job.
enum ExternalResult: Sendable {
    /// `exec` finished: exit status (128 + signal when killed), the signal, and the output.
    case exec(status: Int, signal: Int?, stdout: [UInt8], stderr: [UInt8])
    /// A Swift host function returned these values.
    case values([LuaValue])
    /// The work failed; the job's call raises this message.
    case failure(String)
}

/// Completions posted by worker tasks, taken by the run loop on its thread.
/// The run loop waits here instead of sleeping, so a completion wakes it.
final class RunInbox: @unchecked Sendable {
    /// Checks of `posted` before a wait sleeps (some tens of microseconds).
    static let spins = 2000
    /// The longest single wait, in seconds (see `wait(seconds:)`).
    static let longestWait = 3600.0
    private let condition = NSCondition()
    private var completions: [(JobID, ExternalResult)] = []
    /// Reports of the worker states (SPEC §8), by worker number.
    private var reports: [(worker: Int, report: WorkerReport)] = []
    /// Whether something was posted and not yet taken: read without the
    /// lock by `wait`, which spins on it briefly before sleeping.
    private let posted = Atomic<Bool>(false)

    func post(worker: Int, _ report: WorkerReport) {
        condition.lock()
        reports.append((worker, report))
        posted.store(true, ordering: .releasing)
        condition.signal()
        condition.unlock()
    }

    /// Takes the workers' reports, oldest first.
    func drainReports() -> [(worker: Int, report: WorkerReport)] {
        condition.lock()
        defer { condition.unlock() }
        let taken = reports
        reports.removeAll(keepingCapacity: true)
        if completions.isEmpty { posted.store(false, ordering: .relaxed) }
        return taken
    }

    func post(_ job: JobID, _ result: ExternalResult) {
        condition.lock()
        completions.append((job, result))
        posted.store(true, ordering: .releasing)
        condition.signal()
        condition.unlock()
    }

    /// Waits until something is posted or `seconds` pass (nil: no limit).
    /// A wait longer than `longestWait` ends early: a script may sleep for
    /// any length (`sleep(1e300)`, `math.huge`), but a date that far out
    /// traps in Foundation. The run loop just waits again.
    func wait(seconds: Double?) {
        // A worker state's report often comes within microseconds: a short
        // spin saves the two context switches of sleeping on the condition.
        if seconds.map({ $0 > 0 }) ?? true {
            for _ in 0..<Self.spins where !posted.load(ordering: .acquiring) { prio_cpu_relax() }
        }
        condition.lock()
        defer { condition.unlock() }
        guard completions.isEmpty && reports.isEmpty else { return }
        if let seconds {
            guard seconds > 0 else { return }
            _ = condition.wait(until: Date(timeIntervalSinceNow: min(seconds, Self.longestWait)))
        } else {
            condition.wait()
        }
    }

    func drain() -> [(JobID, ExternalResult)] {
        condition.lock()
        defer { condition.unlock() }
        let taken = completions
        completions.removeAll()
        if reports.isEmpty { posted.store(false, ordering: .relaxed) }
        return taken
    }
}

/// Lets the run loop wait, with a bound, for a cancelled task to wind down
/// (a subprocess to be terminated and reaped) before the job's status changes.
final class TaskCompletion: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func finished() { semaphore.signal() }
    /// Returns whether the task finished within `seconds`.
    @discardableResult
    func wait(seconds: Double) -> Bool { semaphore.wait(timeout: .now() + seconds) == .success }
}
