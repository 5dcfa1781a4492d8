import Foundation

/// The run's time source: real monotonic time, or a simulated clock that
/// jumps to the next timer instead of sleeping (`--virtual-time`).
/// Times are seconds since the run started.
final class RunClock {
    private let virtual: Bool
    private let origin: UInt64
    private var virtualNow: Double = 0

    init(virtual: Bool) {
        self.virtual = virtual
        self.origin = DispatchTime.now().uptimeNanoseconds
    }

    var now: Double {
        if virtual { return virtualNow }
        return Double(DispatchTime.now().uptimeNanoseconds - origin) / 1e9
    }

    /// Waits until `time` (seconds since the start). Under virtual time the
    /// clock simply moves there.
    func wait(until time: Double) {
        if virtual {
            virtualNow = max(virtualNow, time)
            return
        }
        let remaining = time - now
        if remaining > 0 { Thread.sleep(forTimeInterval: remaining) }
    }
}
