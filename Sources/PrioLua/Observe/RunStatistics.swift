import Foundation
import Histogram
import PrioCore

/// `--stats`: what a run did, per priority level (and per group when groups
/// are used): how long jobs waited from submission to their first start,
/// and how long they ran from start to finish (suspensions included).
/// Percentiles come from HDR histograms (microsecond values, 2 significant
/// digits), so memory stays fixed however many jobs ran.
public struct RunStatistics: Sendable {
    public struct Percentiles: Sendable, Equatable {
        public var count: Int
        /// Milliseconds.
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var max: Double
    }

    public struct Row: Sendable, Equatable {
        /// "priority 5" or "group net".
        public var label: String
        public var wait: Percentiles
        public var run: Percentiles
    }

    public var counts: [String: Int]
    public var elapsed: Double
    public var retries: Int
    public var preemptions: Int
    public var rows: [Row]
    /// With worker states (`--workers`): each state's busy fraction, the
    /// share of the run's real time it spent running jobs' Lua code (the
    /// main state first); empty without them.
    public var busy: [Double] = []

    /// Jobs finished per second of the run.
    public var throughput: Double {
        let finished = Double(counts.values.reduce(0, +))
        return elapsed > 0 ? finished / elapsed : 0
    }
}

/// Collects wait and run times into histograms per key (a priority level,
/// a group); labels are made only when the rows are.
struct TimingHistograms<Key: Hashable> {
    private var wait: [Key: Histogram<UInt64>] = [:]
    private var run: [Key: Histogram<UInt64>] = [:]
    private var order: [Key] = []
    static var highest: UInt64 { 36_000_000_000 }  // 10 hours in µs

    mutating func record(_ key: Key, wait waitSeconds: Double?, run runSeconds: Double?) {
        if wait[key] == nil {
            order.append(key)
            wait[key] = Histogram(highestTrackableValue: Self.highest, numberOfSignificantValueDigits: .two)
            run[key] = Histogram(highestTrackableValue: Self.highest, numberOfSignificantValueDigits: .two)
        }
        if let waitSeconds { _ = wait[key]?.record(Self.micros(waitSeconds)) }
        if let runSeconds { _ = run[key]?.record(Self.micros(runSeconds)) }
    }

    private static func micros(_ seconds: Double) -> UInt64 {
        UInt64(Swift.min(Swift.max(seconds * 1e6, 0), Double(highest)))
    }

    func rows(label: (Key) -> String, sortedBy sortKey: (Key) -> Double) -> [RunStatistics.Row] {
        let rows: [(sort: Double, row: RunStatistics.Row)] = order.map { key in
            let row = RunStatistics.Row(label: label(key), wait: Self.summary(wait[key]!), run: Self.summary(run[key]!))
            return (sortKey(key), row)
        }
        let sorted = rows.sorted { (a, b) -> Bool in
            if a.sort != b.sort { return a.sort < b.sort }
            return a.row.label < b.row.label
        }
        return sorted.map(\.row)
    }

    private static func summary(_ histogram: Histogram<UInt64>) -> RunStatistics.Percentiles {
        func ms(_ value: UInt64) -> Double { Double(value) / 1000 }
        guard histogram.totalCount > 0 else { return .init(count: 0, p50: 0, p90: 0, p99: 0, max: 0) }
        return .init(
            count: Int(histogram.totalCount), p50: ms(histogram.valueAtPercentile(50)),
            p90: ms(histogram.valueAtPercentile(90)), p99: ms(histogram.valueAtPercentile(99)),
            max: ms(histogram.maxRecorded))
    }
}

/// What a run keeps of its jobs once it has released them (see
/// `LuaScheduler+Release`): counts by final status and, unless
/// `RunOptions.collectsTimings` is off, their wait and run times.
struct JobLedger {
    /// Jobs by status (`JobStatus.allCases` order); unfinished ones count as dropped.
    private var countsByStatus = [Int](repeating: 0, count: JobStatus.allCases.count)
    var byPriority = TimingHistograms<Double>()
    var byGroup = TimingHistograms<Int32>()

    /// Counts by status name, "dropped" for jobs unfinished at the end.
    var counts: [String: Int] {
        var counts: [String: Int] = [:]
        for (index, status) in JobStatus.allCases.enumerated() where countsByStatus[index] > 0 {
            counts[status.isFinished ? status.rawValue : "dropped", default: 0] += countsByStatus[index]
        }
        return counts
    }

    /// Adds `job` (not a rejected one) as it is now.
    mutating func record(_ job: JobID, of scheduler: LuaScheduler) {
        countsByStatus[scheduler.core.status(of: job).ordinal] += 1
        guard scheduler.options.collectsTimings else { return }
        let record = scheduler.core[job]
        let wait = record.startedAt.isNaN ? nil : record.startedAt - record.submittedAt
        let run = record.startedAt.isNaN || record.finishedAt.isNaN ? nil : record.finishedAt - record.startedAt
        byPriority.record(record.basePriority, wait: wait, run: run)
        if record.group >= 0 { byGroup.record(record.group, wait: wait, run: run) }
    }
}

extension JobStatus {
    /// The status's place in `allCases`.
    fileprivate var ordinal: Int {
        switch self {
        case .pending: return 0
        case .running: return 1
        case .waiting: return 2
        case .done: return 3
        case .failed: return 4
        case .cancelled: return 5
        }
    }
}

extension LuaScheduler {
    /// The released jobs' ledger plus every job still known, rejected ones left out.
    func ledgerOfAllJobs() -> JobLedger {
        var all = jobBook.ledger
        for job in core.knownJobIDs() where !jobBook.rejected.contains(job.value) { all.record(job, of: self) }
        return all
    }

    /// The statistics of the run so far (call after `run()`). The timing
    /// rows need `RunOptions.collectsTimings` (on by default).
    public func statistics() -> RunStatistics {
        let all = ledgerOfAllJobs()
        let priorityRows = all.byPriority.rows(label: { "priority \(formatNumber($0))" }, sortedBy: { $0 })
        let groupRows = all.byGroup.rows(label: { "group \(jobBook.groupNames[Int($0)])" }, sortedBy: { _ in 0 })
        return RunStatistics(
            counts: all.counts, elapsed: clock.now, retries: observation.retryCount,
            preemptions: core.preemptionCount + observation.slicePreemptions, rows: priorityRows + groupRows,
            busy: busyFractions)
    }
}

extension RunStatistics {
    /// The summary as aligned columns a person can read.
    public var text: String {
        var lines: [String] = []
        let statuses = ["done", "failed", "cancelled", "dropped"].compactMap { status in
            counts[status].map { "\($0) \(status)" }
        }
        let total = counts.values.reduce(0, +)
        lines.append(
            "prio-lua: \(total) jobs in \(String(format: "%.3f", elapsed)) s (\(String(format: "%.1f", throughput)) jobs/s): "
                + statuses.joined(separator: ", ") + "; \(retries) retries, \(preemptions) preemptions")
        if !busy.isEmpty {
            let states = busy.enumerated().map { "\($0.offset + 1) \(String(format: "%.1f", $0.element * 100))%" }
            lines.append("busy per state (worker 1 is the main state): " + states.joined(separator: ", "))
        }
        let width = max(12, rows.map(\.label.count).max() ?? 0)
        func pad(_ text: String, _ count: Int) -> String {
            String(repeating: " ", count: max(count - text.count, 0)) + text
        }
        func left(_ text: String) -> String { text + String(repeating: " ", count: max(width - text.count, 0)) }
        for (title, pick) in [("wait (ms)", \Row.wait), ("run (ms)", \Row.run)] as [(String, KeyPath<Row, Percentiles>)]
        {
            lines.append(
                left(title) + pad("jobs", 8) + pad("p50", 10) + pad("p90", 10) + pad("p99", 10) + pad("max", 10))
            for row in rows {
                let values = row[keyPath: pick]
                let cells = [values.p50, values.p90, values.p99, values.max].map { pad(String(format: "%.3f", $0), 10) }
                lines.append(left(row.label) + pad(String(values.count), 8) + cells.joined())
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The summary as one JSON object (`--stats=json`).
    public var json: String {
        func percentiles(_ value: Percentiles) -> String {
            "{\"count\": \(value.count), \"p50_ms\": \(value.p50), \"p90_ms\": \(value.p90), "
                + "\"p99_ms\": \(value.p99), \"max_ms\": \(value.max)}"
        }
        let countText = counts.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)): \($0.value)" }
        let rowText = rows.map {
            "{\"label\": \(jsonString($0.label)), \"wait\": \(percentiles($0.wait)), \"run\": \(percentiles($0.run))}"
        }
        return "{\"counts\": {\(countText.joined(separator: ", "))}, \"elapsed_s\": \(elapsed), "
            + "\"throughput_per_s\": \(throughput), \"retries\": \(retries), \"preemptions\": \(preemptions), "
            + "\"rows\": [\(rowText.joined(separator: ", "))]"
            + (busy.isEmpty ? "" : ", \"busy\": [\(busy.map { String($0) }.joined(separator: ", "))]") + "}\n"
    }
}
