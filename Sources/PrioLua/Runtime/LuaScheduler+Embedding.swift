import CLua
import CLuaShim
import PrioCore

/// A Swift function Lua can call: it receives the call's arguments and
/// returns its results. A job that calls it suspends (other jobs run) until
/// it returns; a thrown error is raised in the job; cancelling the job
/// cancels the task running it.
public typealias HostFunctionBody = @Sendable ([LuaValue]) async throws -> [LuaValue]

extension LuaScheduler {
    /// Makes `function` callable from Lua as the global `name` (and `prio.name`),
    /// in every Lua state of the run (worker states too). Call before
    /// `loadScript` or `run`.
    public func register(_ name: String, _ function: @escaping HostFunctionBody) {
        outside.registered.append((name, function))
        workerPool.hostFunctions.append(
            (name: name, id: HostFunction.firstRegisteredID + Int32(outside.registered.count - 1)))
        prio_push_host_function(
            lua.pointer, HostFunction.firstRegisteredID + Int32(outside.registered.count - 1))
        prio_pushglobaltable(lua.pointer)
        lua.pushValue(at: -2)
        lua.setRawField(name, ofTableAt: -2)
        lua.pop()  // globals
        prio_pushglobaltable(lua.pointer)
        if lua.rawField("prio", ofTableAt: -1) == LUA_TTABLE {
            lua.pushValue(at: -3)
            lua.setRawField(name, ofTableAt: -2)
        }
        lua.pop(3)
    }

    /// Runs registered function `index` for the calling job, on a Swift task.
    func callRegistered(_ index: Int, _ lua: LuaState) -> HostResult {
        guard index < outside.registered.count else { return raise(lua, "unknown host function") }
        let (name, function) = outside.registered[index]
        var arguments: [LuaValue] = []
        do {
            for position in 1...max(lua.top, 1) where position <= lua.top {
                arguments.append(try lua.value(at: position))
            }
        } catch {
            return raise(lua, "bad argument to '\(name)' (\(error))")
        }
        guard let job = executor.running, policyRunner.hookContexts.isEmpty, canSuspend(lua) else {
            return suspend(lua, .external)  // raises the reason it cannot suspend here
        }
        startExternalWork(for: job) { [arguments] in .values(try await function(arguments)) }
        return suspend(lua, .external)
    }

    /// Submits a job that calls the Lua global function `function` with
    /// `arguments`, exactly as `submit(priority, fn, {name = name})` would
    /// from Lua (policies apply). Returns the job's id.
    @discardableResult
    public func submit(
        priority: Double, calling function: String, arguments: [LuaValue] = [], name: String? = nil
    ) throws -> Int {
        let L = lua.pointer
        let base = lua.top
        defer { lua.top = base }
        prio_pushglobaltable(L)
        _ = lua.rawField("prio", ofTableAt: -1)
        _ = lua.rawField("submit", ofTableAt: -1)
        lua_pushnumber(L, priority)
        lua.push(function)
        lua.push(LuaValue.array(arguments))
        lua.push(integer: arguments.count)  // trailing nils count too
        lua.setRawField("n", ofTableAt: -2)
        let status = Prelude.callGlobalSource.withCString { text in
            prio_loadbuffer(L, text, Prelude.callGlobalSource.utf8.count, "=[prio.embed]", 1)
        }
        guard status == LUA_OK else {
            throw PrioError.submission(lua.string(at: -1) ?? "cannot build the job body")
        }
        prio_insert(L, -3)
        guard prio_pcall(L, 2, 1, 0) == LUA_OK else {
            throw PrioError.submission(lua.string(at: -1) ?? "cannot build the job body")
        }
        lua_createtable(L, 0, 1)
        if let name {
            lua.push(name)
            lua.setRawField("name", ofTableAt: -2)
        }
        guard prio_pcall(L, 3, 1, 0) == LUA_OK else {
            throw PrioError.submission(errorText(lua, at: -1))
        }
        guard let job = jobID(lua, at: -1) else { throw PrioError.submission("submit returned no job") }
        mainLoadedOrEmpty()
        return job.value
    }

    /// A run with jobs submitted from Swift but no script still has a main chunk (an empty one).
    private func mainLoadedOrEmpty() {
        if !executor.mainLoaded { try? loadScript(source: "", name: "(embedded)") }
    }
}
