import CLua
import CLuaShim
import Foundation
import PrioCore

/// The task modules a run loaded (SPEC §8), in load order: what every
/// worker state loads before it takes a job.
struct TaskModules {
    var modules: [(name: String, path: String)] = []
    /// Whether any module was loaded: until then `submit` skips the task lookup.
    /// Every task's name (`module.field`), by task number - 1.
    var names: [String] = []
    var any: Bool { !modules.isEmpty }

    /// Takes the names the prelude added to its list since the last call.
    mutating func readNames(_ lua: LuaState, from list: Int32) {
        lua_rawgeti(lua.pointer, prio_registryindex(), lua_Integer(list))
        while lua_rawgeti(lua.pointer, -1, lua_Integer(names.count + 1)) == LUA_TSTRING {
            names.append(lua.string(at: -1) ?? "")
            lua.pop()
        }
        lua.pop(2)
    }

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
        taskModules.readNames(lua, from: executor.refs.taskList)
        // Workers load it by the name the script gave, so that messages and
        // tracebacks name the file alike in every state (they share the cwd).
        workerPool.modules.append((name: name, path: lua.string(at: 3) ?? path))
        return .values(0)
    }

    /// The task number of the function at `index` of `lua` (its place in
    /// `TaskModules.names`, from 1), or 0 for a closure.
    func taskNumber(ofFunctionAt index: Int32, _ lua: LuaState) -> Int32 {
        guard taskModules.any else { return 0 }
        lua_rawgeti(lua.pointer, prio_registryindex(), lua_Integer(executor.refs.taskIDs))
        lua.pushValue(at: index)
        lua_rawget(lua.pointer, -2)
        defer { lua.pop(2) }
        return Int32(truncatingIfNeeded: lua.integer(at: -1) ?? 0)
    }

    /// The name of task `number` (`module.field`), or nil for a closure job.
    func taskName(_ number: Int32) -> String? {
        guard number > 0 else { return nil }
        return taskModules.names[Int(number) - 1]
    }

    /// `job.args` in the main state: the copy made at submit, decoded the
    /// first time it is asked for here (a job run by a worker never is).
    func pushArgs(of job: JobID, on lua: LuaState) {
        lua.pushField(ofRegistryTable: executor.refs.args, key: job.value)
        guard lua.type(at: -1) == LUA_TNIL, let bytes = jobBook.info.args[job.value] else { return }
        lua.pop()
        guard bytes.push(on: lua) == 1 else {
            lua.top -= 1  // the memory error: the job has no args to show
            lua.pushNil()
            return
        }
        jobBook.submittedWithArgs += 1
        lua.pushValue(at: -1)
        lua.popIntoRegistryTable(executor.refs.args, key: job.value)
    }

    /// A task job's return values, copied as a transfer to another state
    /// would copy them; nil when one cannot be transferred, with the reason.
    func copyTaskResults(of job: JobID, _ co: LuaState, count: Int32) -> String? {
        guard jobBook.info.tasks[job.value] != 0, count > 0 else { return nil }
        guard let problem = co.copyTransferable(first: co.top - count + 1, count: count, root: nil) else {
            return nil
        }
        return "cannot transfer result: \(problem)"
    }
}
