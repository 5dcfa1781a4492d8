import CLua
import CLuaShim
import PrioCore

/// The `job` value scripts see: a small full userdata holding the job id,
/// under the job metatable. A job has one object at a time, kept in a
/// weak-valued table (CLuaShim `job_objects.c`), so `==` and table keys
/// work. When the script
/// has dropped every reference and the collector has cleared the cache
/// entry, nothing can ask about a finished job any more, and the runtime
/// releases what it kept for it (see `LuaScheduler+Release`): memory stays
/// flat over a long run. Fields are read live from the scheduler.
extension LuaScheduler {
    /// Tells the C `__index` of job objects where job records are and how
    /// they are laid out (once, at setup).
    func describeJobRecordLayout() {
        var layout = prio_job_layout(
            page_shift: Int32(JobRecordLayout.pageShift), stride: JobRecordLayout.stride,
            effective_priority: JobRecordLayout.effectivePriority, base_priority: JobRecordLayout.basePriority,
            submitted_at: JobRecordLayout.submittedAt, started_at: JobRecordLayout.startedAt,
            finished_at: JobRecordLayout.finishedAt, attempt: JobRecordLayout.attempt, flags: JobRecordLayout.flags,
            released_bit: Int32(JobRecordLayout.releasedBit))
        precondition(JobRecordLayout.pageShift == PRIO_JOB_PAGE_SHIFT, "job object slots are paged like the records")
        prio_set_job_layout(lua.pointer, &layout)
        publishJobRecords()
    }

    /// Tells it where the record pages are now: a submit may have moved them.
    func publishJobRecords() {
        let pages = core.recordPages
        prio_set_job_view(lua.pointer, pages.pages, pages.count)
    }

    /// Pushes `job`'s object onto `state`.
    func pushJobObject(_ job: JobID, on state: LuaState) {
        prio_push_job_object(state.pointer, lua_Integer(job.value))
    }

    /// The job whose object is at `index`, or nil for any other value.
    func jobID(_ state: LuaState, at index: Int32) -> JobID? {
        let id = prio_job_object_id(state.pointer, index)
        guard id > 0 else { return nil }
        let job = JobID(Int(id))
        return core.contains(job) ? job : nil
    }

    /// `job.field` for the fields the C `__index` of job objects (CLuaShim
    /// `job_index`) leaves to Swift. It looks the key up in one table (field
    /// name -> code, method name -> function), answers methods, `id` and the
    /// numeric fields itself, and calls this with `(job, key, code)`: no
    /// Swift string is made, since a policy hook reads fields of every job.
    func luaJobIndex(_ lua: LuaState) -> HostResult {
        guard let job = jobID(lua, at: 1), let code = lua.integer(at: 3).flatMap({ JobField(rawValue: Int($0)) })
        else {
            lua.pushNil()
            return .values(1)
        }
        pushField(code, of: job, on: lua)
        return .values(1)
    }

    private func pushField(_ field: JobField, of job: JobID, on lua: LuaState) {
        let record = core[job]
        switch field {
        case .id: lua.push(integer: job.value)
        case .name: lua.push(jobBook.info.name(of: job))
        case .priority: lua.push(number: record.effectivePriority)
        case .basePriority: lua.push(number: record.basePriority)
        case .status: lua.push(record.status.rawValue)
        case .attempt: lua.push(integer: Int(record.attempt))
        case .submittedAt: lua.push(time: record.submittedAt)
        case .startedAt: lua.push(time: record.startedAt)
        case .finishedAt: lua.push(time: record.finishedAt)
        case .deadline: lua.push(time: core.deadline(of: job))
        case .group:
            if record.group >= 0 { lua.push(jobBook.groupNames[Int(record.group)]) } else { lua.pushNil() }
        case .cancelReason:
            if record.state == .cancelled, let reason = jobBook.info.cancelReasons[job.value] {
                lua.push(reason)
            } else {
                lua.pushNil()
            }
        case .tags: pushStored(executor.refs.tags, job, on: lua, emptyTableIfMissing: true)
        case .data: pushStored(executor.refs.data, job, on: lua, emptyTableIfMissing: false)
        case .args: pushArgs(of: job, on: lua)
        case .task:
            if let task = taskName(jobBook.info.tasks[job.value]) { lua.push(task) } else { lua.pushNil() }
        case .result:
            if record.state == .done {
                pushResults(of: job, on: lua)
            } else {
                lua.pushNil()
            }
        case .error:
            if record.state == .failed {
                lua.pushField(ofRegistryTable: executor.refs.errors, key: job.value)
            } else {
                lua.pushNil()
            }
        }
    }

    /// `job.result`: the table of return values with its `n`. A job that
    /// returned nothing gets `{n = 0}` when first asked, kept from then on.
    private func pushResults(of job: JobID, on lua: LuaState) {
        lua.pushField(ofRegistryTable: executor.refs.results, key: job.value)
        guard lua.type(at: -1) == LUA_TNIL else { return }
        lua.pop()
        prio_newtable(lua.pointer)
        lua.push(integer: 0)
        lua.setRawField("n", ofTableAt: -2)
        lua.pushValue(at: -1)
        lua.popIntoRegistryTable(executor.refs.results, key: job.value)
        jobBook.jobsWithResults += 1
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
        return "job#\(job.value) '\(jobBook.info.name(of: job))' "
            + "(priority \(formatNumber(record.effectivePriority)), \(record.status.rawValue))"
    }
}

/// The fields a job object has, by the code `RegistryRefs.jobKeys` maps their names to.
enum JobField: Int, CaseIterable {
    /// `id` must be `PRIO_FIELD_ID`: the C `__index` answers it.
    case id = 1, name, priority, basePriority, status, attempt, submittedAt, startedAt, finishedAt, deadline
    case group, tags, data, result, error, cancelReason, task, args

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
        case .cancelReason: return "cancel_reason"
        case .task: return "task"
        case .args: return "args"
        }
    }
}
