import Foundation
import XCTest

@testable import PrioLua

/// `lua-types/prio.lua` (definitions for lua-language-server) declares what
/// the runtime registers, no more and no less: the functions of `prio` and
/// the globals, the built-in policies, the job's methods and fields, and
/// the fields of a policy table.
final class TypeDefinitionTests: XCTestCase {
    static let definitions: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let url = root.appendingPathComponent("lua-types/prio.lua")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// The first capture of `pattern` in every line of `text` that matches it.
    func names(_ pattern: String, in text: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: pattern, options: .anchorsMatchLines)
        let range = NSRange(text.startIndex..., in: text)
        return Set(
            regex.matches(in: text, range: range).compactMap {
                Range($0.range(at: 1), in: text).map { String(text[$0]) }
            })
    }

    /// The lines of the class `name`'s block: from its `---@class` line to the next code line.
    func classBlock(_ name: String) -> String {
        guard let start = Self.definitions.range(of: "---@class \(name)\n") else { return "" }
        let rest = Self.definitions[start.upperBound...]
        let end = rest.range(of: "\n[^-]", options: .regularExpression)?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// What the runtime's `prio` table holds: function names, then the policies'.
    func runtimeTables() throws -> (functions: Set<String>, policies: Set<String>, globals: Set<String>) {
        let output = OutputCollector()
        var options = RunOptions(virtualTime: true)
        options.output = { output.append($0) }
        let scheduler = try LuaScheduler(options: options)
        try scheduler.loadScript(
            source: """
                local function keys(t, only_functions)
                  local list = {}
                  for k, v in pairs(t) do
                    if not only_functions or type(v) == "function" then list[#list + 1] = k end
                  end
                  table.sort(list)
                  return table.concat(list, " ")
                end
                print(keys(prio, true))
                print(keys(prio.policies))
                local globals = {}
                for k in pairs(prio) do if _G[k] == prio[k] then globals[#globals + 1] = k end end
                table.sort(globals)
                print(table.concat(globals, " "))
                """)
        _ = scheduler.run()
        let lines = output.contents.split(separator: "\n", omittingEmptySubsequences: false).map {
            Set($0.split(separator: " ").map(String.init))
        }
        guard lines.count >= 3 else {
            XCTFail("expected three lines of globals, got: \(output.contents)")
            return ([], [], [])
        }
        return (lines[0], lines[1], lines[2])
    }

    func testFunctionsAndPoliciesMatchTheRuntime() throws {
        XCTAssertFalse(Self.definitions.isEmpty, "lua-types/prio.lua is missing")
        let runtime = try runtimeTables()
        XCTAssertEqual(names(#"^prio\.(\w+) = \w+$"#, in: Self.definitions), runtime.functions)
        XCTAssertEqual(names(#"^function prio\.policies\.(\w+)\("#, in: Self.definitions), runtime.policies)
        XCTAssertEqual(names(#"^function (\w+)\("#, in: Self.definitions), runtime.globals.subtracting(["policies"]))
    }

    func testJobMethodsAndFieldsMatchTheRuntime() {
        XCTAssertEqual(
            names(#"^function job:(\w+)\("#, in: Self.definitions),
            Set(
                HostFunction.allCases.filter { $0.luaName.hasPrefix("job_") && $0 != .jobIndex && $0 != .jobToString }
                    .map(\.shortName)))
        XCTAssertEqual(
            names(#"^---@field (\w+)"#, in: classBlock("prio.job")), Set(JobField.allCases.map(\.luaName)))
    }

    func testPolicyFieldsMatchTheRuntime() {
        XCTAssertEqual(
            names(#"^---@field (\w+)\?"#, in: classBlock("prio.policy")),
            Set(PolicyHook.allCases.map(\.rawValue)).union(["interval", "preempt", "fair"]))
    }
}
