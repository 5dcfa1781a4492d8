import CLua
import CLuaShim
import PrioCore

/// The `job` value scripts see: a small userdata holding the job id, with a
/// shared metatable. One object per job while anything references it (a
/// weak cache), so `==` works; fields are read live from the scheduler.
extension LuaScheduler {
    /// Pushes `job`'s object onto `state`, creating it if no script holds it.
    func pushJobObject(_ job: JobID, on state: LuaState) {
        state.pushField(ofRegistryTable: refs.jobObjects, key: job.value)
        if state.type(at: -1) == LUA_TUSERDATA { return }
        state.pop()
        let block = prio_newuserdata(state.pointer, MemoryLayout<Int64>.size)!
        block.storeBytes(of: Int64(job.value), as: Int64.self)
        lua_rawgeti(state.pointer, prio_registryindex(), lua_Integer(refs.jobMetatable))
        lua_setmetatable(state.pointer, -2)
        state.pushValue(at: -1)
        state.popIntoRegistryTable(refs.jobObjects, key: job.value)
    }

    /// The job whose object is at `index`, or nil for any other value.
    func jobID(_ state: LuaState, at index: Int32) -> JobID? {
        guard state.type(at: index) == LUA_TUSERDATA, lua_getmetatable(state.pointer, index) != 0 else { return nil }
        lua_rawgeti(state.pointer, prio_registryindex(), lua_Integer(refs.jobMetatable))
        let isJob = lua_rawequal(state.pointer, -1, -2) != 0
        state.pop(2)
        guard isJob, let block = lua_touserdata(state.pointer, index) else { return nil }
        return JobID(Int(block.load(as: Int64.self)))
    }

    /// `job.field`: the fields of SPEC.md §3, then the methods.
    func luaJobIndex(_ lua: LuaState) -> HostResult {
        guard let job = jobID(lua, at: 1), let key = lua.string(at: 2) else {
            lua.pushNil()
            return .values(1)
        }
        let record = core[job]
        switch key {
        case "id": lua.push(integer: job.value)
        case "name": lua.push(info.name(of: job))
        case "priority": lua.push(number: record.effectivePriority)
        case "base_priority": lua.push(number: record.basePriority)
        case "status": lua.push(record.status.rawValue)
        case "attempt": lua.push(integer: Int(record.attempt))
        case "submitted_at": lua.push(time: record.submittedAt)
        case "started_at": lua.push(time: record.startedAt)
        case "finished_at": lua.push(time: record.finishedAt)
        case "deadline": lua.push(time: record.deadline)
        case "group":
            if record.group >= 0 { lua.push(groupNames[Int(record.group)]) } else { lua.pushNil() }
        case "tags":
            lua.pushField(ofRegistryTable: refs.tags, key: job.value)
            if lua.type(at: -1) == LUA_TNIL {
                lua.pop()
                prio_newtable(lua.pointer)
            }
        case "data": lua.pushField(ofRegistryTable: refs.data, key: job.value)
        case "result":
            if record.state == .done {
                lua.pushField(ofRegistryTable: refs.results, key: job.value)
                if lua.type(at: -1) == LUA_TNIL {
                    lua.pop()
                    prio_newtable(lua.pointer)
                }
            } else {
                lua.pushNil()
            }
        case "error":
            if record.state == .failed { lua.pushField(ofRegistryTable: refs.errors, key: job.value) } else { lua.pushNil() }
        default:
            lua_rawgeti(lua.pointer, prio_registryindex(), lua_Integer(refs.methods))
            _ = lua.rawField(key, ofTableAt: -1)
            prio_remove(lua.pointer, -2)
        }
        return .values(1)
    }

    /// `tostring(job)`: `job#3 'fetch' (priority 5, running)`.
    func luaJobToString(_ lua: LuaState) -> HostResult {
        guard let job = jobID(lua, at: 1) else { return raise(lua, "bad argument #1 to 'tostring' (job expected)") }
        lua.push(describeForScript(job))
        return .values(1)
    }

    func describeForScript(_ job: JobID) -> String {
        let record = core[job]
        return "job#\(job.value) '\(info.name(of: job))' "
            + "(priority \(formatNumber(record.effectivePriority)), \(record.status.rawValue))"
    }
}
