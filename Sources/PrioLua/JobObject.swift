import CLua
import CLuaShim
import PrioCore

/// The `job` value scripts see: a small full userdata holding the job id,
/// under the job metatable. A job has one object at a time, kept in a
/// weak-valued cache by id, so `==` and table keys work. When the script
/// has dropped every reference and the collector has cleared the cache
/// entry, nothing can ask about a finished job any more, and the runtime
/// releases what it kept for it (see `LuaScheduler+Release`): memory stays
/// flat over a long run. Fields are read live from the scheduler.
extension LuaScheduler {
    /// Pushes `job`'s object onto `state`.
    func pushJobObject(_ job: JobID, on state: LuaState) {
        prio_push_job_object(state.pointer, refs.jobObjects, refs.jobMetatable, lua_Integer(job.value))
    }

    /// The job whose object is at `index`, or nil for any other value.
    func jobID(_ state: LuaState, at index: Int32) -> JobID? {
        let id = prio_job_object_id(state.pointer, index)
        guard id > 0 else { return nil }
        let job = JobID(Int(id))
        return core.contains(job) ? job : nil
    }

    /// `job.field`: the fields of SPEC.md §3, then the methods. The key is
    /// looked up in a table of field codes, so no Swift string is made: a
    /// policy's `priority` hook reads fields of every job, often.
    func luaJobIndex(_ lua: LuaState) -> HostResult {
        guard let job = jobID(lua, at: 1) else {
            lua.pushNil()
            return .values(1)
        }
        lua_rawgeti(lua.pointer, prio_registryindex(), lua_Integer(refs.fieldCodes))
        lua.pushValue(at: 2)
        lua_rawget(lua.pointer, -2)
        let code = lua.integer(at: -1).flatMap { JobField(rawValue: Int($0)) }
        lua.pop(2)
        guard let code else {
            lua_rawgeti(lua.pointer, prio_registryindex(), lua_Integer(refs.methods))
            lua.pushValue(at: 2)
            lua_rawget(lua.pointer, -2)
            prio_remove(lua.pointer, -2)
            return .values(1)
        }
        pushField(code, of: job, on: lua)
        return .values(1)
    }

    private func pushField(_ field: JobField, of job: JobID, on lua: LuaState) {
        let record = core[job]
        switch field {
        case .id: lua.push(integer: job.value)
        case .name: lua.push(info.name(of: job))
        case .priority: lua.push(number: record.effectivePriority)
        case .basePriority: lua.push(number: record.basePriority)
        case .status: lua.push(record.status.rawValue)
        case .attempt: lua.push(integer: Int(record.attempt))
        case .submittedAt: lua.push(time: record.submittedAt)
        case .startedAt: lua.push(time: record.startedAt)
        case .finishedAt: lua.push(time: record.finishedAt)
        case .deadline: lua.push(time: core.deadline(of: job))
        case .group:
            if record.group >= 0 { lua.push(groupNames[Int(record.group)]) } else { lua.pushNil() }
        case .tags: pushStored(refs.tags, job, on: lua, emptyTableIfMissing: true)
        case .data: pushStored(refs.data, job, on: lua, emptyTableIfMissing: false)
        case .result:
            if record.state == .done {
                pushStored(refs.results, job, on: lua, emptyTableIfMissing: true)
            } else {
                lua.pushNil()
            }
        case .error:
            if record.state == .failed {
                lua.pushField(ofRegistryTable: refs.errors, key: job.value)
            } else {
                lua.pushNil()
            }
        }
    }

    private func pushStored(_ table: Int32, _ job: JobID, on lua: LuaState, emptyTableIfMissing: Bool) {
        lua.pushField(ofRegistryTable: table, key: job.value)
        if emptyTableIfMissing, lua.type(at: -1) == LUA_TNIL {
            lua.pop()
            prio_newtable(lua.pointer)
        }
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

/// The fields a job object has, by the code `RegistryRefs.fieldCodes` maps their names to.
enum JobField: Int, CaseIterable {
    case id = 1, name, priority, basePriority, status, attempt, submittedAt, startedAt, finishedAt, deadline
    case group, tags, data, result, error

    var luaName: String {
        switch self {
        case .id: return "id"
        case .name: return "name"
        case .priority: return "priority"
        case .basePriority: return "base_priority"
        case .status: return "status"
        case .attempt: return "attempt"
        case .submittedAt: return "submitted_at"
        case .startedAt: return "started_at"
        case .finishedAt: return "finished_at"
        case .deadline: return "deadline"
        case .group: return "group"
        case .tags: return "tags"
        case .data: return "data"
        case .result: return "result"
        case .error: return "error"
        }
    }
}
