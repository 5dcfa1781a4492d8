import CLua
import CLuaShim
import Foundation

/// `--policy FILE`: a Lua file returning a policy table, installed before
/// the script runs and installed again whenever it changes while the run
/// goes on. A version that fails keeps the last good one in place.
struct PolicyFileWatch {
    let path: String
    var lastContents: Data
    var lastCheck: Double

    /// How often the file is looked at (real time, whatever the clock).
    static let checkInterval = 0.25
}

extension LuaScheduler {
    /// Loads and installs the policy that `path` returns, and watches it.
    /// Throws `PrioError.load` naming the file when it cannot be used.
    public func usePolicyFile(_ path: String) throws {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw PrioError.load("--policy \(path): cannot open \(path)")
        }
        if let problem = installPolicy(source: contents, path: path) {
            throw PrioError.load("--policy \(path): \(problem)")
        }
        policyRunner.policyWatch = PolicyFileWatch(
            path: path, lastContents: contents, lastCheck: prio_monotonic_seconds())
    }

    /// Reloads the policy file if it changed since the last look.
    func checkPolicyFile() {
        guard var watch = policyRunner.policyWatch else { return }
        let now = prio_monotonic_seconds()
        guard now - watch.lastCheck >= PolicyFileWatch.checkInterval else { return }
        watch.lastCheck = now
        reusableNow = nil
        defer { policyRunner.policyWatch = watch }
        guard let contents = FileManager.default.contents(atPath: watch.path), contents != watch.lastContents else {
            return
        }
        watch.lastContents = contents
        if let problem = installPolicy(source: contents, path: watch.path) {
            report("--policy \(watch.path): \(problem); keeping the last good version")
        }
    }

    /// Runs the file's chunk and installs the table it returns, replacing
    /// the whole policy. Returns a description of the problem instead.
    private func installPolicy(source: Data, path: String) -> String? {
        let status = source.withUnsafeBytes { buffer in
            prio_loadbuffer(
                lua.pointer, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count, "@" + path,
                1)
        }
        guard status == LUA_OK else {
            defer { lua.pop() }
            return lua.string(at: -1) ?? "cannot load"
        }
        if let failure = budgetedCall(argumentCount: 0, resultCount: 1, context: .policyFile) { return failure }
        defer { lua.pop() }
        guard lua.type(at: -1) == LUA_TTABLE else {
            return "the file must return a policy table, got \(lua.typeName(at: -1))"
        }
        if let problem = validatePolicy(lua, at: -1) { return problem }
        resetPolicy()
        mergePolicy(from: lua, at: -1)
        policyInstalled()
        return nil
    }
}
