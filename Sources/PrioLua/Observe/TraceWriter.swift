import Foundation

/// `--trace FILE`: a Chrome trace-event JSON file (open it in Perfetto or
/// chrome://tracing), written as the run goes, never held in memory.
///
/// Tracks: one per slot ("slot 1", "slot 2", ...) with a span for every
/// stretch a job ran (with worker states: one per state, "worker 1" being
/// the main state); instant events for submissions, priority changes,
/// and failures or cancellations; counter tracks for how many jobs are
/// pending, running and waiting. The main chunk and rules are not jobs and
/// have no events of their own.
public final class TraceWriter: @unchecked Sendable {
    private let lock = NSLock()
    private let output: BufferedOutput
    private var first = true
    /// The slot track each running job is drawn on.
    private var slotOfJob: [Int: Int] = [:]
    private var freeSlots: [Int] = []
    private var slotCount = 0
    /// When the current stretch of each running job began (µs).
    private var spanStart: [Int: Double] = [:]
    /// With worker states: the state each running job's stretch is on; its
    /// span goes on that state's track ("worker N") instead of a slot's.
    private var workerOfSpan: [Int: Int] = [:]
    private var namedWorkerTracks: Set<Int> = []
    private var statusOfJob: [Int: String] = [:]
    private var counts: [String: Int] = ["pending": 0, "running": 0, "waiting": 0]

    public init(path: String) throws {
        output = try BufferedOutput(path: path)
        output.write("{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n")
        emit(#"{"name": "process_name", "ph": "M", "pid": 1, "args": {"name": "prio-lua"}}"#)
    }

    public func record(_ event: SchedulerEvent) {
        lock.lock()
        defer { lock.unlock() }
        let micros = event.time * 1e6
        switch event.kind {
        case .submitted:
            instant("submit", event, micros)
        case .reprioritized:
            instant("priority \(formatNumber(event.priority))", event, micros)
        case .started, .resumed:
            spanStart[event.jobID] = micros
            if let worker = event.worker { workerOfSpan[event.jobID] = worker }
        case .suspended, .finished:
            closeSpan(event, micros)
            if event.kind == .finished, event.status != "done" {
                instant(event.status + (event.reason.map { " (\($0))" } ?? ""), event, micros)
            }
        case .preempted:
            closeSpan(event, micros)
            if event.status != "running" { releaseSlot(of: event.jobID) }  // a sleeping holder lost its slot
            instant(event.by.map { "preempted by job#\($0)" } ?? "preempted (slice)", event, micros)
        case .failed:
            closeSpan(event, micros)
            releaseSlot(of: event.jobID)
            let retry = event.retryIn.map { ", retry in \(formatNumber($0)) s" } ?? ""
            instant("failed (attempt \(event.attempt ?? 0)\(retry))", event, micros)
        case .woken:
            break  // only the counters change: waiting to pending
        }
        updateCounters(event, micros)
    }

    /// Ends the JSON document; call once the run is over.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        output.write("\n]}\n")
        output.close()
    }

    private func closeSpan(_ event: SchedulerEvent, _ micros: Double) {
        guard let start = spanStart.removeValue(forKey: event.jobID) else { return }
        let slot = workerOfSpan.removeValue(forKey: event.jobID).map(workerTrack) ?? slot(for: event.jobID)
        emit(
            "{\"name\": \(jsonString(event.name)), \"cat\": \"job\", \"ph\": \"X\", \"pid\": 1, \"tid\": \(slot), "
                + "\"ts\": \(String(format: "%.3f", start)), \"dur\": \(String(format: "%.3f", max(micros - start, 0))), "
                + "\"args\": {\"id\": \(event.jobID), \"priority\": \(jsonNumber(event.priority)), "
                + "\"status\": \"\(event.status)\"}}")
        if event.status != "running" { releaseSlot(of: event.jobID) }  // gave its slot up
    }

    /// The track of worker state `number` (ids from 1001 on, beside the slots).
    private func workerTrack(_ number: Int) -> Int {
        let track = 1000 + number
        if namedWorkerTracks.insert(number).inserted {
            emit(
                "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": \(track), "
                    + "\"args\": {\"name\": \"worker \(number)\"}}")
        }
        return track
    }

    private func slot(for job: Int) -> Int {
        if let slot = slotOfJob[job] { return slot }
        let slot: Int
        if let reused = freeSlots.min() {
            freeSlots.removeAll { $0 == reused }
            slot = reused
        } else {
            slotCount += 1
            slot = slotCount
            emit(
                "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": \(slot), "
                    + "\"args\": {\"name\": \"slot \(slot)\"}}")
        }
        slotOfJob[job] = slot
        return slot
    }

    private func releaseSlot(of job: Int) {
        if let slot = slotOfJob.removeValue(forKey: job) { freeSlots.append(slot) }
    }

    private func instant(_ name: String, _ event: SchedulerEvent, _ micros: Double) {
        emit(
            "{\"name\": \(jsonString(name + " " + event.name)), \"cat\": \"event\", \"ph\": \"i\", \"s\": \"g\", "
                + "\"pid\": 1, \"tid\": 0, \"ts\": \(String(format: "%.3f", micros)), "
                + "\"args\": {\"id\": \(event.jobID), \"priority\": \(jsonNumber(event.priority))}}")
    }

    private func updateCounters(_ event: SchedulerEvent, _ micros: Double) {
        let old = statusOfJob[event.jobID]
        guard old != event.status else { return }
        if let old, counts[old] != nil { counts[old, default: 0] -= 1 }
        if counts[event.status] != nil { counts[event.status, default: 0] += 1 }
        statusOfJob[event.jobID] = event.status.isEmpty || event.kind == .finished ? nil : event.status
        emit(
            "{\"name\": \"jobs\", \"ph\": \"C\", \"pid\": 1, \"ts\": \(String(format: "%.3f", micros)), "
                + "\"args\": {\"pending\": \(counts["pending"] ?? 0), \"running\": \(counts["running"] ?? 0), "
                + "\"waiting\": \(counts["waiting"] ?? 0)}}")
    }

    private func emit(_ json: String) {
        output.write(first ? json : ",\n" + json)
        first = false
    }
}
