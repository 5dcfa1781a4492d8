/// Lua code run once when a state is created (chunk name `[prio]`, so error
/// reports can trim its frames). It receives the host functions and the
/// internal tables, installs the API globals and the `prio` table, and wraps
/// the coroutine library so that a scheduler suspension inside a script's own
/// coroutine suspends the whole job and is resumed back down to where it was.
enum Prelude {
    static let chunkName = "=[prio]"

    /// Builds the body of a job submitted from Swift: it calls the global
    /// function `name` with the arguments, when the job runs.
    static let callGlobalSource = #"""
        local name, arguments = ...
        return function()
          local fn = _G[name]
          if type(fn) ~= "function" then error("no global function '" .. name .. "'", 0) end
          return fn(table.unpack(arguments, 1, arguments.n))
        end
        """#

    static let source = #"""
        local host, internals = ...
        local raw_create, raw_resume, raw_yield = coroutine.create, coroutine.resume, coroutine.yield
        local raw_close, raw_status = coroutine.close, coroutine.status
        local suspending, enter, raw_running = host.suspending, host.enter, coroutine.running
        local is_job_thread, main_thread = host.is_job_thread, host.main_thread
        -- A job's thread may be reused once the job is done, unless the script
        -- ever held it: coroutine.running marks it. The main chunk runs in a
        -- coroutine of ours but is Lua's main thread to the script, as under
        -- lua: running() gives the main thread, isyieldable() false, and a
        -- coroutine.yield there raises (sleep, await and yield() still suspend it).
        coroutine.running = host.running
        coroutine.yield = host.coroutine_yield
        coroutine.isyieldable = host.coroutine_isyieldable
        local error, type, select = error, type, select
        -- Tracebacks name functions the same way in every run (traceback.c).
        if debug then debug.traceback = host.traceback end

        -- The wrappers below check their argument as Lua's functions do.
        local thread_expected = host.thread_expected
        local function expect_thread(name, ...)
          if select("#", ...) == 0 or type((...)) ~= "thread" then error(thread_expected(name, ...), 3) end
        end

        function coroutine.status(...)
          expect_thread("status", ...)
          local co = ...
          if co == main_thread then
            local _, is_main = coroutine.running()
            return is_main and "running" or "normal"
          end
          return raw_status(co)
        end

        -- A scheduler suspension (sleep, await, a preemption, ...) inside a script's
        -- coroutine yields that coroutine to us; pass it up to the job, then resume
        -- it with the answer. `enter` tells the time slicer which thread runs.
        -- Coroutines in the middle of passing a suspension up: no other code
        -- may resume or close them until the scheduler resumes them back down.
        local in_scheduler = setmetatable({}, {__mode = "k"})
        local function release(co, ...)
          in_scheduler[co] = nil
          return ...
        end

        local function pass(co, caller, ok, ...)
          if ok and suspending() then
            in_scheduler[co] = true
            return pass(co, caller, raw_resume(co, enter(co, release(co, raw_yield()))))
          end
          enter(caller)
          return ok, ...
        end

        function coroutine.resume(co, ...)
          if co == main_thread then return false, "cannot resume non-suspended coroutine" end
          if is_job_thread(co) then return false, "cannot resume a job's own coroutine" end
          if in_scheduler[co] then return false, "cannot resume a coroutine suspended in the scheduler" end
          return pass(co, raw_running(), raw_resume(co, enter(co, ...)))
        end

        -- xpcall skips the message handler of a job being stopped (shim: traceback.c).
        xpcall = host.xpcall

        -- Closing runs the coroutine's __close handlers on its own thread: it
        -- becomes the executing thread meanwhile, so the job's timeout, its
        -- cancellation and a hook's budget reach a handler that never returns.
        -- Stock Lua 5.4.4 crashes on long chains of closes (a __close handler
        -- closing the next coroutine): cap the nesting, in every mode.
        local close_depth, pcall = 0, pcall
        local function close_watched(co)
          if close_depth >= 200 then return false, "coroutine.close nested more than 200 deep" end
          close_depth = close_depth + 1
          local caller = raw_running()
          local ok, closed, err = pcall(raw_close, enter(co, co))
          enter(caller)
          close_depth = close_depth - 1
          return ok, closed, err
        end

        function coroutine.close(...)
          expect_thread("close", ...)
          local co = ...
          local status = coroutine.status(co)
          if status == "running" or status == "normal" then
            error("cannot close a " .. status .. " coroutine", 2)
          end
          if is_job_thread(co) then error("cannot close a job's own coroutine", 2) end
          if in_scheduler[co] then error("cannot close a coroutine suspended in the scheduler", 2) end
          local ok, closed, err = close_watched(co)
          if not ok then error(closed, 2) end
          if closed then return true end
          return false, err
        end

        -- As Lua's auxwrap: a coroutine that died of an error is closed, and
        -- an error from its __close handlers replaces the one it died of.
        local function unwrap(co, ok, ...)
          if ok then return ... end
          local err = ...
          if raw_status(co) == "dead" then
            local closing_ok, closed, close_err = close_watched(co)
            if not closing_ok then err = closed elseif not closed then err = close_err end
          end
          if type(err) == "string" then error(err, 2) end
          error(err, 0)
        end

        function coroutine.wrap(f)
          local co = raw_create(f)
          return function(...)
            if in_scheduler[co] then error("cannot resume a coroutine suspended in the scheduler", 2) end
            return unwrap(co, pass(co, raw_running(), raw_resume(co, enter(co, ...))))
          end
        end

        -- tasks(path), SPEC §8: the module's chunk runs here now (and in each
        -- worker state before that state takes one of its jobs); each function
        -- field becomes the task "<module>.<field>", recognised by identity.
        local raw_loadfile, next = loadfile, next
        local loaded_modules, task_names, task_functions = {}, internals.task_names, internals.task_functions
        local task_ids, task_list = internals.task_ids, internals.task_list
        local function tasks(...)
          local path = ...
          if type(path) ~= "string" then
            local got = select("#", ...) == 0 and "no value" or type(path)
            error("bad argument #1 to 'tasks' (string expected, got " .. got .. ")", 2)
          end
          local absolute, name, mode = host.task_module(path)
          if not absolute then error(name, 2) end
          local known = loaded_modules[name]
          if known then
            if known.path == absolute then return known.module end
            error("task module name '" .. name .. "' is already loaded from " .. known.path, 2)
          end
          local chunk, message = raw_loadfile(path, mode)
          if not chunk then error("task module '" .. name .. "': " .. message, 2) end
          local ok, module = pcall(chunk)
          if not ok then
            if type(module) == "string" then module = "task module '" .. name .. "' failed to load: " .. module end
            error(module, 2)
          end
          if type(module) ~= "table" then
            error("task module '" .. name .. "' (" .. path .. ") must return a table, got " .. type(module), 2)
          end
          for field, fn in next, module do
            if type(fn) == "function" and type(field) == "string" and task_names[fn] == nil then
              task_names[fn] = name .. "." .. field
              task_functions[name .. "." .. field] = fn
              task_list[#task_list + 1] = name .. "." .. field
              task_ids[fn] = #task_list
            end
          end
          loaded_modules[name] = {path = absolute, module = module}
          host.task_module_loaded(name, absolute, path)
          return module
        end

        local prio = {
          submit = host.submit, sleep = host.sleep, yield = host.yield, now = host.now,
          current = host.current, jobs = host.jobs, limit = host.limit,
          await_all = host.await_all, await_any = host.await_any,
          policy = host.policy, reprioritize = host.reprioritize, every = host.every, exec = host.exec,
          tasks = tasks, policies = {},
        }
        for name, fn in pairs(prio) do
          if type(fn) == "function" then _G[name] = fn end
        end
        _G.prio = prio
        _G.print = host.print
        if os and os.exit then os.exit = host.os_exit end
        if package then package.loaded.prio = prio end

        internals.methods.await = host.job_await
        internals.methods.cancel = host.job_cancel
        internals.methods.set_priority = host.job_set_priority
        internals.job_metatable.__index = host.job_index
        internals.job_metatable.__tostring = host.job_tostring
        -- Fields change only through the methods; a write says which one.
        local setters = {priority = "job:set_priority", base_priority = "job:set_priority", status = "job:cancel"}
        internals.job_metatable.__newindex = function(_, key)
          local setter = setters[key]
          if setter then error("job fields are read-only (use " .. setter .. ")", 2) end
          error("job fields are read-only (cannot set '" .. tostring(key) .. "')", 2)
        end
        internals.job_metatable.__name = "prio.job"
        internals.job_metatable.__metatable = false
        internals.rule_metatable.__index = { cancel = host.rule_cancel }
        internals.rule_metatable.__name = "prio.rule"
        internals.rule_metatable.__metatable = false
        """#
}
