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

    /// Jobs finished per second of the run.
    public var throughput: Double {
        let finished = Double(counts.values.reduce(0, +))
        return elapsed > 0 ? finished / elapsed : 0
    }
}

/// Collects wait and run times into histograms per label.
struct TimingHistograms {
    private var wait: [String: Histogram<UInt64>] = [:]
    private var run: [String: Histogram<UInt64>] = [:]
    private var order: [String] = []
    static let highest: UInt64 = 36_000_000_000  // 10 hours in µs

    mutating func record(label: String, wait waitSeconds: Double?, run runSeconds: Double?) {
        if wait[label] == nil {
            order.append(label)
            wait[label] = Histogram(highestTrackableValue: Self.highest, numberOfSignificantValueDigits: .two)
            run[label] = Histogram(highestTrackableValue: Self.highest, numberOfSignificantValueDigits: .two)
        }
        if let waitSeconds { _ = wait[label]?.record(Self.micros(waitSeconds)) }
        if let runSeconds { _ = run[label]?.record(Self.micros(runSeconds)) }
    }

    private static func micros(_ seconds: Double) -> UInt64 {
        UInt64(Swift.min(Swift.max(seconds * 1e6, 0), Double(highest)))
    }

    func rows(sortedBy key: (String) -> Double) -> [RunStatistics.Row] {
        order.sorted { key($0) < key($1) || (key($0) == key($1) && $0 < $1) }.map { label in
            RunStatistics.Row(label: label, wait: Self.summary(wait[label]!), run: Self.summary(run[label]!))
        }
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

extension LuaScheduler {
    /// The statistics of the run so far (call after `run()`).
    public func statistics() -> RunStatistics {
        var byPriority = TimingHistograms()
        var byGroup = TimingHistograms()
        var counts: [String: Int] = [:]
        for index in 1..<core.records.count where !rejected.contains(index) {
            let record = core.records[index]
            let status = record.state.status
            counts[status.isFinished ? status.rawValue : "dropped", default: 0] += 1
            let wait = record.startedAt.isNaN ? nil : record.startedAt - record.submittedAt
            let run = record.startedAt.isNaN || record.finishedAt.isNaN ? nil : record.finishedAt - record.startedAt
            byPriority.record(label: "priority \(formatNumber(record.basePriority))", wait: wait, run: run)
            if record.group >= 0 {
                byGroup.record(label: "group \(groupNames[Int(record.group)])", wait: wait, run: run)
            }
        }
        let priorityRows = byPriority.rows { Double($0.dropFirst("priority ".count)) ?? 0 }
        return RunStatistics(
            counts: counts, elapsed: clock.now, retries: retryCount,
            preemptions: core.preemptionCount + slicePreemptions, rows: priorityRows + byGroup.rows { _ in 0 })
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
            + "\"rows\": [\(rowText.joined(separator: ", "))]}\n"
    }
}
