import CLua
import CLuaShim
import PrioCore

/// Registry references to the tables that hold per-job Lua values. They are
/// keyed by job id (array part, so compact) and outlive the jobs' coroutines.
struct RegistryRefs {
    var functions: Int32 = 0  // id -> job body
    var threads: Int32 = 0  // id -> running coroutine
    var threadPool: Int32 = 0  // finished jobs' threads, ready for new jobs
    var results: Int32 = 0  // id -> array of return values
    var errors: Int32 = 0  // id -> error value
    var data: Int32 = 0  // id -> opts.data
    var tags: Int32 = 0  // id -> opts.tags
    var jobMetatable: Int32 = 0
    var pinnedObjects: Int32 = 0  // id -> object, kept for the priority hook's re-evaluations
    var policy: Int32 = 0  // the installed policy's fields
    var rules: Int32 = 0  // rule index + 1 -> every() function
    var ruleMetatable: Int32 = 0
    var jobKeys: Int32 = 0  // job field name -> JobField code; method name -> function
    var args: Int32 = 0  // id -> the copy of opts.args
    var taskNames: Int32 = 0  // task function -> "module.field"
}

/// Options kept on the Swift side for each job; sparse, since most jobs use defaults.
struct JobInfoTable {
    var names: [Int: String] = [:]
    var retries: [Int: Int] = [:]
    var backoff: [Int: Double] = [:]
    var cancelReasons: [Int: String] = [:]
    /// Task jobs' task names (`module.field`).
    var tasks: [Int: String] = [:]

    func name(of job: JobID) -> String { names[job.value] ?? "job#\(job.value)" }

    /// Drops what was kept for a released job.
    mutating func forget(_ job: JobID) {
        if !names.isEmpty { names[job.value] = nil }
        if !retries.isEmpty { retries[job.value] = nil }
        if !backoff.isEmpty { backoff[job.value] = nil }
        if !cancelReasons.isEmpty { cancelReasons[job.value] = nil }
        if !tasks.isEmpty { tasks[job.value] = nil }
    }
}

/// Why a job is suspended, so the run loop knows what its call returns.
enum Suspension {
    case yield
    /// Stopped at a preemption point; resumed with no values.
    case preempted
    /// Waiting on outside work (`exec`, a Swift function); keeps its slot.
    case external
    case sleep(until: Double)
    case await(AwaitRequest)
}

struct AwaitRequest {
    enum Kind { case one, all, any }
    var kind: Kind
    var targets: [JobID]
    var deadline: Double?

    /// How the core waits: `await(job)` is `await_all({job})`.
    var mode: Scheduler.AwaitMode { kind == .any ? .any : .all }
}

extension LuaScheduler {
    /// Opens the standard libraries, creates the internal tables and runs the prelude.
    func installLibrary() throws {
        let L = lua.pointer
        let opened = options.sandbox ? prio_open_sandbox_libs_protected(L) : prio_openlibs_protected(L)
        guard opened == LUA_OK else { throw PrioError.outOfMemory }
        describeJobRecordLayout()
        prio_probe_wanted_results(L)
        prio_probe_stack_args(L)
        executor.refs.functions = newRegistryTable()
        executor.refs.threads = newRegistryTable()
        executor.refs.threadPool = newRegistryTable()
        prio_init_job_threads(L, executor.refs.threads, executor.refs.functions, executor.refs.threadPool)
        executor.refs.results = newRegistryTable()
        executor.refs.errors = newRegistryTable()
        executor.refs.data = newRegistryTable()
        executor.refs.tags = newRegistryTable()
        executor.refs.jobMetatable = newRegistryTable()
        prio_init_job_objects(L, executor.refs.jobMetatable)
        executor.refs.pinnedObjects = newRegistryTable()
        executor.refs.policy = newRegistryTable()
        executor.refs.rules = newRegistryTable()
        executor.refs.ruleMetatable = newRegistryTable()
        executor.refs.jobKeys = newRegistryTable()
        executor.refs.args = newRegistryTable()
        executor.refs.taskNames = newRegistryTable()
        lua_rawgeti(L, prio_registryindex(), lua_Integer(executor.refs.jobKeys))
        for field in JobField.allCases {
            lua.push(integer: field.rawValue)
            lua.setRawField(field.luaName, ofTableAt: -2)
        }
        lua.pop()

        let status = Prelude.source.withCString { text in
            prio_loadbuffer(L, text, Prelude.source.utf8.count, Prelude.chunkName, 1)
        }
        guard status == LUA_OK else { throw PrioError.load(lua.string(at: -1) ?? "prelude failed to load") }
        pushHostTable()
        pushInternalsTable()
        guard prio_pcall(L, 2, 0, 0) == LUA_OK else {
            throw PrioError.load(lua.string(at: -1) ?? "prelude failed")
        }
        try runBuiltinPolicies()
        if options.sandbox { try runChunk(Sandbox.source, name: Sandbox.chunkName) }
        if let limit = options.memoryLimit { prio_set_memory_limit(L, limit) }
    }

    /// Runs a chunk of prio-lua's own Lua code, with no arguments.
    private func runChunk(_ source: String, name: String) throws {
        let status = source.withCString { text in
            prio_loadbuffer(lua.pointer, text, source.utf8.count, name, 1)
        }
        guard status == LUA_OK, prio_pcall(lua.pointer, 0, 0, 0) == LUA_OK else {
            defer { lua.pop() }
            throw PrioError.load(lua.string(at: -1) ?? "\(name) failed")
        }
    }

    /// Defines `prio.policies.*` from their Lua source.
    private func runBuiltinPolicies() throws {
        let L = lua.pointer
        let status = BuiltinPolicies.source.withCString { text in
            prio_loadbuffer(L, text, BuiltinPolicies.source.utf8.count, BuiltinPolicies.chunkName, 1)
        }
        guard status == LUA_OK else { throw PrioError.load(lua.string(at: -1) ?? "policies failed to load") }
        prio_pushglobaltable(L)
        _ = lua.rawField("prio", ofTableAt: -1)
        _ = lua.rawField("policies", ofTableAt: -1)
        prio_remove(L, -2)
        prio_remove(L, -2)
        guard prio_pcall(L, 1, 0, 0) == LUA_OK else {
            throw PrioError.load(lua.string(at: -1) ?? "policies failed")
        }
    }

    private func newRegistryTable(weakMode: String? = nil) -> Int32 {
        prio_newtable(lua.pointer)
        if let weakMode {
            prio_newtable(lua.pointer)
            lua.push(weakMode)
            lua.setRawField("__mode", ofTableAt: -2)
            lua_setmetatable(lua.pointer, -2)
        }
        return luaL_ref(lua.pointer, prio_registryindex())
    }

    private func pushHostTable() {
        prio_newtable(lua.pointer)
        for function in HostFunction.allCases {
            switch function {
            case .jobIndex: prio_push_job_index_function(lua.pointer, function.rawValue, executor.refs.jobKeys)
            case .jobSetPriority: prio_push_job_set_priority_function(lua.pointer, function.rawValue)
            case .yield: prio_push_yield_function(lua.pointer, function.rawValue)
            default: prio_push_host_function(lua.pointer, function.rawValue)
            }
            lua.setRawField(function.luaName, ofTableAt: -2)
        }
        // The prelude's helpers, and the C versions of library functions it installs.
        let helpers: [(String, (OpaquePointer?) -> Void)] = [
            ("suspending", prio_push_suspending_function), ("enter", prio_push_enter_function),
            ("is_job_thread", prio_push_is_job_thread_function), ("running", prio_push_running_function),
            ("coroutine_yield", prio_push_coroutine_yield_function),
            ("thread_expected", prio_push_thread_expected_function),
            ("coroutine_isyieldable", prio_push_coroutine_isyieldable_function),
            ("main_thread", { _ = lua_pushthread($0) }), ("traceback", prio_push_debug_traceback_function),
            ("xpcall", prio_push_xpcall_function),
        ]
        for (name, push) in helpers {
            push(lua.pointer)
            lua.setRawField(name, ofTableAt: -2)
        }
    }

    private func pushInternalsTable() {
        prio_newtable(lua.pointer)
        for (name, ref) in [
            ("methods", executor.refs.jobKeys), ("job_metatable", executor.refs.jobMetatable),
            ("rule_metatable", executor.refs.ruleMetatable), ("task_names", executor.refs.taskNames),
        ] {
            lua_rawgeti(lua.pointer, prio_registryindex(), lua_Integer(ref))
            lua.setRawField(name, ofTableAt: -2)
        }
    }

    /// Records the coroutine at `index` of the main state as `job`'s, so the
    /// scheduler can resume it and scripts cannot.
    func registerThread(at index: Int32, job: JobID) {
        guard let co = lua_tothread(lua.pointer, index) else { return }
        prio_register_job_thread(lua.pointer, co, lua_Integer(job.value))
    }

    /// Forgets `job`'s coroutine (after it finished or was closed).
    func unregisterThread(job: JobID) {
        guard let co = thread(of: job) else { return }
        prio_unregister_job_thread(lua.pointer, co.pointer, lua_Integer(job.value))
    }

    /// The coroutine of `job`, if it has one. A job's coroutine is in the
    /// table of job threads once the job has suspended (or failed); while it
    /// runs to its end in one go, only `drivenThread` knows it.
    func thread(of job: JobID) -> LuaState? {
        if let driven = executor.drivenThread, driven.job == job { return driven.co }
        lua.pushField(ofRegistryTable: executor.refs.threads, key: job.value)
        defer { lua.pop() }
        guard let thread = lua_tothread(lua.pointer, -1) else { return nil }
        return LuaState(thread)
    }
}
