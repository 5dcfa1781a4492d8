import Foundation

/// Buffered output to a file (or standard error) that several event sinks
/// share: the run's thread writes, `close()` flushes at the end.
final class BufferedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle
    private let ownsHandle: Bool
    private var buffer = Data()

    /// `-` is standard error; anything else a file, created or truncated.
    init(path: String) throws {
        if path == "-" {
            handle = FileHandle.standardError
            ownsHandle = false
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw PrioError.invalidOption("cannot create \(path)")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            ownsHandle = true
        }
    }

    func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flushLocked() }
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        flushLocked()
        if ownsHandle { try? handle.close() }
    }

    private func flushLocked() {
        guard !buffer.isEmpty else { return }
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// JSON text for a string (quotes and escapes included).
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// A number as JSON allows it (no NaN or infinities).
func jsonNumber(_ value: Double) -> String {
    value.isFinite ? formatNumber(value) : "null"
}

/// `--events FILE`: every scheduler event as one JSON line.
public final class EventLogWriter: Sendable {
    private let output: BufferedOutput

    /// Writes to `path` (`-` for standard error).
    public init(path: String) throws { output = try BufferedOutput(path: path) }

    public func record(_ event: SchedulerEvent) {
        var line =
            "{\"t\": \(String(format: "%.6f", event.time)), \"event\": \"\(event.kind.rawValue)\", "
            + "\"job\": \(event.jobID), \"name\": \(jsonString(event.name)), "
            + "\"priority\": \(jsonNumber(event.priority)), \"status\": \"\(event.status)\""
        if let by = event.by { line += ", \"by\": \(by)" }
        if let reason = event.reason { line += ", \"reason\": \(jsonString(reason))" }
        if let attempt = event.attempt { line += ", \"attempt\": \(attempt)" }
        if let retryIn = event.retryIn { line += ", \"retry_in\": \(jsonNumber(retryIn))" }
        if let error = event.error { line += ", \"error\": \(jsonString(error))" }
        if let worker = event.worker { line += ", \"worker\": \(worker)" }
        output.write(line + "}\n")
    }

    public func close() { output.close() }
}
