import Foundation
import PrioLua

// An example host: a Swift program that embeds prio-lua, gives Lua two
// async Swift functions, and runs a prioritised Lua script that uses them.
//
//   swift run embed-example [FILE...]
//
// `fetch(url)` simulates a network request (latency from the URL's length);
// `checksum(path)` reads a file and returns an FNV-1a hash of its bytes.

/// FNV-1a, 64-bit: a small, dependency-free checksum.
func fnv1a(_ bytes: Data) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
}

let files = CommandLine.arguments.dropFirst().isEmpty ? ["Package.swift"] : Array(CommandLine.arguments.dropFirst())

let script = """
    local files = {...}
    local results = {}
    -- Checksums are urgent (priority 1); fetches are background work (priority 5).
    for i, url in ipairs({"https://example.test/a", "https://example.test/bb"}) do
      results[#results + 1] = submit(5, function() return url .. " -> " .. fetch(url) end, {name = "fetch " .. i})
    end
    for _, path in ipairs(files) do
      results[#results + 1] = submit(1, function() return path .. " " .. checksum(path) end, {name = "sum " .. path})
    end
    for _, job in ipairs(results) do print(job.name, job:await()) end
    local bad = submit(2, function() return checksum("/nonexistent/file") end, {name = "missing"})
    print("missing:", pcall(bad.await, bad))
    """

let runtime = try await PrioRuntime(options: RunOptions(concurrency: 2))
await runtime.register("fetch") { arguments in
    guard case .string(let url)? = arguments.first else { throw HostError("fetch: url string expected") }
    try await Task.sleep(for: .milliseconds(20 * url.count / 10))
    return [.string("200 OK (\(url.count) bytes)")]
}
await runtime.register("checksum") { arguments in
    guard case .string(let path)? = arguments.first else { throw HostError("checksum: path string expected") }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw HostError("checksum: cannot read \(path)")
    }
    return [.string(fnv1a(data))]
}

struct HostError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

try await runtime.loadScript(source: script, name: "embedded.lua", arguments: files)
let report = await runtime.run()
print(
    "report: exit \(report.exitStatus), done \(report.counts["done", default: 0]), failed \(report.counts["failed", default: 0])"
)
exit(report.exitStatus)
