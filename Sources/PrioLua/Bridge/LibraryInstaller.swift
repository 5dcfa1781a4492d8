import CLua
import CLuaShim
import PrioCore

/// Makes a Lua state a prio-lua state: the standard libraries (or the
/// sandbox's), the internal tables, the prelude and the built-in policies.
/// The main state and every worker state (SPEC §8) are made the same way,
/// so each has the same API and libraries.
struct LibraryInstaller {
    let lua: LuaState
    let sandbox: Bool
    let memoryLimit: Int?
    var refs = RegistryRefs()

    /// Installs the library; `beforePrelude` runs once the libraries are open.
    mutating func install(beforePrelude: () -> Void) throws {
        let L = lua.pointer
        let opened = sandbox ? prio_open_sandbox_libs_protected(L) : prio_openlibs_protected(L)
        guard opened == LUA_OK else { throw PrioError.outOfMemory }
        beforePrelude()
        prio_probe_wanted_results(L)
        prio_probe_stack_args(L)
        refs.functions = newRegistryTable()
        refs.threads = newRegistryTable()
        refs.threadPool = newRegistryTable()
        prio_init_job_threads(L, refs.threads, refs.functions, refs.threadPool)
        refs.results = newRegistryTable()
        refs.errors = newRegistryTable()
        refs.data = newRegistryTable()
        refs.tags = newRegistryTable()
        refs.jobMetatable = newRegistryTable()
        prio_init_job_objects(L, refs.jobMetatable)
        refs.pinnedObjects = newRegistryTable()
        refs.policy = newRegistryTable()
        refs.rules = newRegistryTable()
        refs.ruleMetatable = newRegistryTable()
        refs.jobKeys = newRegistryTable()
        refs.args = newRegistryTable()
        refs.taskNames = newRegistryTable()
        refs.taskFunctions = newRegistryTable()
        refs.taskIDs = newRegistryTable()
        refs.taskList = newRegistryTable()
        lua_rawgeti(L, prio_registryindex(), lua_Integer(refs.jobKeys))
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
        if sandbox { try runChunk(Sandbox.source, name: Sandbox.chunkName) }
        if let limit = memoryLimit { prio_set_memory_limit(L, limit) }
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
            case .jobIndex: prio_push_job_index_function(lua.pointer, function.rawValue, refs.jobKeys)
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
            ("methods", refs.jobKeys), ("job_metatable", refs.jobMetatable),
            ("rule_metatable", refs.ruleMetatable), ("task_names", refs.taskNames),
            ("task_functions", refs.taskFunctions), ("task_ids", refs.taskIDs), ("task_list", refs.taskList),
        ] {
            lua_rawgeti(lua.pointer, prio_registryindex(), lua_Integer(ref))
            lua.setRawField(name, ofTableAt: -2)
        }
    }
}
