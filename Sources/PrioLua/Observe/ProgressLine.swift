import CLuaShim
import Foundation

/// `--progress`: a live status line on a terminal (pending, running,
/// waiting, done, failed, rate, elapsed), redrawn five times a second once
/// the run has lasted a second. Anything else written to the terminal
/// clears it first (`clearing`), and `finish()` clears it for good.
/// `plain` (asked for with `--progress` where stderr is no terminal, as in
/// a CI log): the same line as text, once a second, without carriage returns.
public final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let started = DispatchTime.now()
    private var statusOfJob: [Int: String] = [:]
    private var counts: [String: Int] = [:]
    private var shown = false
    private var finished = false
    private let timer: DispatchSourceTimer
    private let plain: Bool

    /// Whether standard error is a terminal.
    public static var standardErrorIsTerminal: Bool { isatty(2) != 0 }

    public init(delay: Double = 1.0, plain: Bool = false) {
        self.plain = plain
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        timer.schedule(deadline: .now() + delay, repeating: plain ? 1.0 : 0.2)
        timer.setEventHandler { [weak self] in self?.redraw() }
        timer.resume()
    }

    public func record(_ event: SchedulerEvent) {
        lock.lock()
        defer { lock.unlock() }
        if let old = statusOfJob[event.jobID] { counts[old, default: 0] -= 1 }
        counts[event.status, default: 0] += 1
        statusOfJob[event.jobID] = event.kind == .finished ? nil : event.status
        if event.kind == .finished { statusOfJob.removeValue(forKey: event.jobID) }
    }

    /// Runs `write` with the line cleared; it is drawn again at the next tick.
    public func clearing(_ write: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        eraseLocked()
        write()
    }

    /// Stops redrawing and clears the line.
    public func finish() {
        timer.cancel()
        lock.lock()
        defer { lock.unlock() }
        finished = true
        eraseLocked()
    }

    private func redraw() {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let ended = (counts["done"] ?? 0) + (counts["failed"] ?? 0) + (counts["cancelled"] ?? 0)
        let line =
            "prio-lua: pending \(counts["pending"] ?? 0)  running \(counts["running"] ?? 0)  "
            + "waiting \(counts["waiting"] ?? 0)  done \(counts["done"] ?? 0)  failed \(counts["failed"] ?? 0)  "
            + String(format: "%.1f jobs/s  %.1f s", elapsed > 0 ? Double(ended) / elapsed : 0, elapsed)
        if plain {
            write(line + "\n")
            return
        }
        write("\r\u{1b}[2K" + line)
        shown = true
    }

    private func eraseLocked() {
        guard shown, !plain else { return }
        write("\r\u{1b}[2K")
        shown = false
    }

    private func write(_ text: String) {
        var copy = text
        copy.withUTF8 { prio_write_stderr($0.baseAddress, $0.count) }
    }
}
