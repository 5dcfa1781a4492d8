/// The failures the end of a run reports: jobs whose error reached no
/// awaiter. Only those are kept, and only what the report needs, so memory
/// stays flat however many jobs fail: an entry holds the job's description
/// and its error text cut at `longestError` bytes, at most
/// `keptEntries` entries are kept (the rest are counted), and a failure
/// that an awaiter takes later leaves the log.
struct FailureLog {
    static let keptEntries = 1000
    static let longestError = 4096

    private struct Entry {
        var failure: RunReport.Failure
        var description: String
    }

    private var entries: [Int: Entry] = [:]
    /// Job ids in the order they failed; ids taken out of `entries` are
    /// dropped here when the list grows past twice the live entries.
    private var order: [Int] = []
    /// Unobserved failures beyond `keptEntries`: counted, not kept.
    private(set) var uncounted = 0

    /// Every unobserved failure, kept or only counted.
    var count: Int { entries.count + uncounted }

    mutating func record(_ failure: RunReport.Failure, description: String) {
        guard entries.count < Self.keptEntries else {
            uncounted += 1
            return
        }
        var kept = failure
        if kept.error.utf8.count > Self.longestError {
            kept.error = String(decoding: kept.error.utf8.prefix(Self.longestError), as: UTF8.self) + "..."
        }
        entries[failure.jobID] = Entry(failure: kept, description: description)
        order.append(failure.jobID)
    }

    /// An awaiter took the failure of `job`: it is no longer reported.
    mutating func remove(_ job: Int) {
        guard entries.removeValue(forKey: job) != nil else { return }
        if order.count > 2 * entries.count + 64 { order.removeAll { entries[$0] == nil } }
    }

    var failures: [RunReport.Failure] { order.compactMap { entries[$0]?.failure } }

    /// `job 'fetch' (#3, priority 5)`, as it read when the job failed.
    var described: [(description: String, error: String)] {
        order.compactMap { entries[$0].map { ($0.description, $0.failure.error) } }
    }
}
