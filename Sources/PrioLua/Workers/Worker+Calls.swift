import CLua
import CLuaShim
import PrioCore

/// The trampoline's entry into Swift in a worker state: every library call
/// goes to the main state, except the fields a worker keeps for its own
/// jobs (`job.args`, `job.task`).
let workerDispatch: prio_dispatch_fn = { pointer, functionID in
    guard let pointer, let host = prio_host(pointer) else { return Int32(PRIO_RAISE) }
    let worker = Unmanaged<Worker>.fromOpaque(host).takeUnretainedValue()
    return worker.call(functionID, LuaState(pointer)).status
}

extension Worker {
    func call(_ function: Int32, _ lua: LuaState) -> HostResult {
        if function == HostFunction.jobIndex.rawValue, let answered = answerJobField(lua) { return answered }
        // Loading task modules is this state's own business.
        if function == HostFunction.taskModule.rawValue { return TaskModules.resolve(lua, sandbox: setup.sandbox) }
        if function == HostFunction.taskModuleLoaded.rawValue { return .values(0) }
        let name = HostFunction(rawValue: function)?.shortName ?? "host function"
        let job = currentJob
        guard job != 0 else {
            lua.push(
                "'\(name)' cannot be called here: in worker state \(number), only a task job's code calls the library")
            return .raiseWithPosition
        }
        // A closure submitted here stays here: the main state gets a stand-in.
        let closureSubmit = function == HostFunction.submit.rawValue && lua.type(at: 2) == LUA_TFUNCTION
        var refs = transferRefs
        refs.closures = closureSubmit ? 1 : 0
        let args: TransferBytes
        switch TransferBytes.encode(lua, first: 1, count: lua.top, root: nil, refs: refs) {
        case .success(let bytes): args = bytes
        case .failure(let failure):
            lua.push("bad argument to '\(name)' (cannot pass \(failure) from worker state \(number))")
            return .raiseWithPosition
        }
        post(
            .call(
                job: job, function: function, args: args, yieldable: lua_isyieldable(lua.pointer) != 0,
                closureSubmit: closureSubmit))
        switch waitForReply() {
        case .values(let bytes):
            let base = lua.top
            guard let count = bytes.push(on: lua, refs: transferRefs) else { return .raise }
            if closureSubmit, count >= 1 {
                let submitted = Int(prio_job_object_id(lua.pointer, base + 1))
                if submitted > 0 { keepClosure(submitted, bodyAt: 2, on: lua) }
            }
            return .values(count)
        case .failure(let bytes, let withPosition):
            lua.top = 0
            if bytes.push(on: lua, refs: transferRefs) != 1 {
                lua.top = 0
                lua.push("error")
            }
            return withPosition ? .raiseWithPosition : .raise
        case .suspend:
            suspendedByCall = true
            return .suspend
        }
    }

    /// `job.args` and `job.task` of a job running here, without a round trip.
    private func answerJobField(_ lua: LuaState) -> HostResult? {
        let id = Int(prio_job_object_id(lua.pointer, 1))
        guard id > 0, let task = taskNames[id], let code = lua.integer(at: 3) else { return nil }
        switch JobField(rawValue: Int(code)) {
        case .args?: lua.pushField(ofRegistryTable: refs.args, key: id)
        case .task?: lua.push(task)
        default: return nil
        }
        return .values(1)
    }
}
