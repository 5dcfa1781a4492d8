import Foundation

/// `--explain`: for every job, when it was submitted, started and finished,
/// and each change of its priority with what caused it. The answer to
/// "why did my job wait?", printed after the run.
public final class ExplainRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [Int: [String]] = [:]
    private var titles: [Int: String] = [:]
    private var submittedAt: [Int: Double] = [:]
    private var started: Set<Int> = []
    private var lastPriority: [Int: Double] = [:]
    private var names: [Int: String] = [:]
    private var preempted: Set<Int> = []

    public init() {}

    public func record(_ event: SchedulerEvent) {
        lock.lock()
        defer { lock.unlock() }
        let job = event.jobID
        let time = String(format: "%10.3f", event.time)
        switch event.kind {
        case .submitted:
            submittedAt[job] = event.time
            lastPriority[job] = event.priority
            lines[job, default: []].append("\(time)  submitted at priority \(formatNumber(event.priority))")
        case .started where !started.contains(job):
            started.insert(job)
            let waited = event.time - (submittedAt[job] ?? event.time)
            let worker = event.worker.map { " on worker \($0)" } ?? ""
            lines[job, default: []].append(
                "\(time)  started after waiting \(String(format: "%.3f", waited)) s, at priority \(formatNumber(event.priority))"
                    + worker)
        case .started:
            let worker = event.worker.map { " on worker \($0)" } ?? ""
            lines[job, default: []].append("\(time)  started again (a retry)\(worker)")
        case .reprioritized:
            let old = lastPriority[job].map(formatNumber) ?? "?"
            lastPriority[job] = event.priority
            lines[job, default: []].append(
                "\(time)  priority \(old) -> \(formatNumber(event.priority)) (\(event.reason ?? "changed"))")
        case .finished:
            let reason = event.reason.map { " (reason: \($0))" } ?? ""
            titles[job] = "job#\(job) '\(event.name)': \(event.status)"
            lines[job, default: []].append("\(time)  finished: \(event.status)\(reason)")
        case .preempted:
            preempted.insert(job)
            let by = event.by.map { "by job#\($0) '\(names[$0] ?? "?")'" } ?? "at the end of its time slice"
            lines[job, default: []].append("\(time)  preempted \(by)")
        case .resumed where preempted.contains(job):
            preempted.remove(job)
            lines[job, default: []].append("\(time)  resumed" + (event.worker.map { " on worker \($0)" } ?? ""))
        case .failed:
            let retry = event.retryIn.map { "; retry in \(String(format: "%.3f", $0)) s" } ?? ""
            lines[job, default: []].append(
                "\(time)  attempt \(event.attempt ?? 0) failed: \(event.error ?? "?")\(retry)")
        case .suspended, .resumed, .woken:
            break
        }
        names[job] = event.name
        if titles[job] == nil { titles[job] = "job#\(job) '\(event.name)'" }
    }

    /// The explanation, job by job in id order.
    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        var out = "== explain (times in seconds of virtual time) ==\n"
        for job in lines.keys.sorted() {
            out += (titles[job] ?? "job#\(job)") + "\n"
            for line in lines[job] ?? [] { out += line + "\n" }
        }
        return out
    }
}
