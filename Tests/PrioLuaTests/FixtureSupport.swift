import Foundation
import PrioLua
import XCTest

/// Collects what a run prints, from whichever thread prints it.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""

    func append(_ piece: String) {
        lock.lock()
        text += piece
        lock.unlock()
    }

    var contents: String {
        lock.lock()
        defer { lock.unlock() }
        return text
    }
}

/// A Lua fixture script and what it must print. Header lines of the script
/// set the run: `--! options: -j 2 --virtual-time` and `--! exit: 1`.
/// `NAME.out` holds the whole expected standard output; `NAME.err`, if
/// present, the whole expected diagnostics (otherwise there must be none).
struct Fixture {
    let name: String
    let source: String
    let expectedOutput: String
    let expectedDiagnostics: String
    let expectedExit: Int32
    let options: RunOptions

    static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    static func all() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".lua") }
            .map { String($0.dropLast(4)) }
            .sorted()
    }

    init(named name: String) throws {
        self.name = name
        let base = Fixture.directory.appendingPathComponent(name)
        source = try String(contentsOf: base.appendingPathExtension("lua"), encoding: .utf8)
        expectedOutput = (try? String(contentsOf: base.appendingPathExtension("out"), encoding: .utf8)) ?? ""
        expectedDiagnostics = (try? String(contentsOf: base.appendingPathExtension("err"), encoding: .utf8)) ?? ""
        var options = RunOptions()
        var exit: Int32 = 0
        for line in source.split(separator: "\n") where line.hasPrefix("--! ") {
            let parts = line.dropFirst(4).split(separator: ":", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "exit": exit = Int32(parts[1]) ?? 0
            case "options":
                let words = parts[1].split(separator: " ").map(String.init)
                var index = 0
                while index < words.count {
                    switch words[index] {
                    case "-j":
                        index += 1
                        options.concurrency = Int(words[index]) ?? 1
                    case "--virtual-time": options.virtualTime = true
                    default: break
                    }
                    index += 1
                }
            default: break
            }
        }
        expectedExit = exit
        self.options = options
    }

    /// Runs the fixture in-process and returns (stdout, diagnostics, exit status).
    func run() throws -> (output: String, diagnostics: String, exit: Int32) {
        let output = OutputCollector()
        let diagnostics = OutputCollector()
        var options = self.options
        options.output = { output.append($0) }
        options.diagnostics = { diagnostics.append($0) }
        let scheduler = try LuaScheduler(options: options)
        do {
            try scheduler.loadScript(source: source, name: name + ".lua")
        } catch {
            diagnostics.append("prio-lua: \(error)\n")
            return (output.contents, diagnostics.contents, 2)
        }
        let report = scheduler.run()
        return (output.contents, diagnostics.contents, report.exitStatus)
    }
}
