import CLuaShim
import Foundation

/// The run's time source: real monotonic time, or a simulated clock that
/// jumps to the next timer instead of sleeping (`--virtual-time`).
/// Times are seconds since the run started.
final class RunClock {
    private let virtual: Bool
    /// `prio_monotonic_seconds()` at the start: `now` counts from here.
    let origin: Double
    /// Unchecked: read at every yield, and only the run loop's thread uses it.
    @exclusivity(unchecked) private var virtualNow: Double = 0

    init(virtual: Bool) {
        self.virtual = virtual
        self.origin = prio_monotonic_seconds()
    }

    /// The slicer's clock (CLOCK_MONOTONIC through the vDSO): a few dozen
    /// instructions, which matters at one read per `yield`.
    var now: Double {
        if virtual { return virtualNow }
        return prio_monotonic_seconds() - origin
    }

    /// Waits until `time` (seconds since the start). Under virtual time the
    /// clock simply moves there.
    func wait(until time: Double) {
        if virtual {
            virtualNow = max(virtualNow, time)
            return
        }
        let remaining = time - now
        if remaining > 0 { Thread.sleep(forTimeInterval: min(remaining, RunInbox.longestWait)) }
    }
}
