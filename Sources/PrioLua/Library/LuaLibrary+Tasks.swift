import CLua
import CLuaShim
import Foundation
import PrioCore

/// The task modules a run loaded (SPEC §8), in load order: what every
/// worker state loads before it takes a job.
struct TaskModules {
    var modules: [(name: String, path: String)] = []
    /// Whether any module was loaded: until then `submit` skips the task lookup.
    var any: Bool { !modules.isEmpty }

    /// `host.task_module(path) -> absolute path, name, load mode`, or
    /// `nil, message` when the file cannot be found (every state answers it
    /// itself).
    static func resolve(_ lua: LuaState, sandbox: Bool) -> HostResult {
        guard let path = lua.string(at: 1) else {
            lua.push("task module path expected")
            return .raiseWithPosition
        }
        guard let resolved = realpath(path, nil) else {
            lua.pushNil()
            lua.push("cannot open task module \(path): \(String(cString: strerror(errno)))")
            return .values(2)
        }
        let absolute = String(cString: resolved)
        free(resolved)
        var name = (absolute as NSString).lastPathComponent
        if name.hasSuffix(".lua") { name.removeLast(4) }
        lua.push(absolute)
        lua.push(name)
        lua.push(sandbox ? "t" : "bt")
        return .values(3)
    }
}

/// Task jobs: `tasks(path)`, recognising a task at submit, `args` and
/// results copied as transferable values. Most of `tasks` is Lua (the
/// prelude); these are its host halves.
extension LuaScheduler {
    /// `host.task_module(path) -> absolute path, name, load mode`, or
    /// `nil, message` when the file cannot be found.
    func luaTaskModule(_ lua: LuaState) -> HostResult {
        TaskModules.resolve(lua, sandbox: options.sandbox)
    }

    /// `host.task_module_loaded(name, path)`: the prelude loaded a new module.
    func luaTaskModuleLoaded(_ lua: LuaState) -> HostResult {
        guard let name = lua.string(at: 1), let path = lua.string(at: 2) else { return .values(0) }
        taskModules.modules.append((name, path))
        // Workers load it by the name the script gave, so that messages and
        // tracebacks name the file alike in every state (they share the cwd).
        workerPool.modules.append(name: name, path: lua.string(at: 3) ?? path)
        return .values(0)
    }

    /// The task name of the function at `index` of `lua` (`module.field`),
    /// or nil for a closure.
    func taskName(ofFunctionAt index: Int32, _ lua: LuaState) -> String? {
        guard taskModules.any else { return nil }
        lua_rawgeti(lua.pointer, prio_registryindex(), lua_Integer(executor.refs.taskNames))
        lua.pushValue(at: index)
        lua_rawget(lua.pointer, -2)
        defer { lua.pop(2) }
        return lua.string(at: -1)
    }

    /// Keeps the copy of `opts.args` (at `index`) as the job's `args`.
    func storeArgs(of job: JobID, from index: Int32, _ lua: LuaState) {
        jobBook.submittedWithArgs += 1
        lua.pushValue(at: index)
        lua.popIntoRegistryTable(executor.refs.args, key: job.value)
    }

    /// A task job's return values, copied as a transfer to another state
    /// would copy them; nil when one cannot be transferred, with the reason.
    func copyTaskResults(of job: JobID, _ co: LuaState, count: Int32) -> String? {
        guard jobBook.info.tasks[job.value] != nil, count > 0 else { return nil }
        guard let problem = co.copyTransferable(first: co.top - count + 1, count: count, root: nil) else {
            return nil
        }
        return "cannot transfer result: \(problem)"
    }
}
