/// `--sandbox`: what an untrusted script may use (SPEC.md §5, DESIGN.md §2).
/// Only base, coroutine, table, string, math and utf8 are opened, plus a
/// curated `os`; this chunk then removes or narrows what remains dangerous.
enum Sandbox {
    static let chunkName = "=[prio.sandbox]"

    static let source = #"""
        local os_full = os
        os = {
          time = os_full.time, clock = os_full.clock, date = os_full.date,
          difftime = os_full.difftime, getenv = os_full.getenv,
        }
        dofile, loadfile, require, exec, prio.exec = nil, nil, nil, nil, nil
        string.dump = nil

        -- Text chunks only: a binary chunk gives nil, message (as load does).
        local raw_load, select = load, select
        function load(chunk, name, mode, ...)
          if select("#", ...) > 0 then return raw_load(chunk, name, "t", ...) end
          return raw_load(chunk, name, "t")
        end

        local raw_collectgarbage = collectgarbage
        function collectgarbage(option)
          if option == "count" then return raw_collectgarbage("count") end
          error("collectgarbage: only \"count\" is available in the sandbox", 2)
        end

        -- A finalizer cannot be preempted, so none may be set.
        local raw_setmetatable, rawget, type = setmetatable, rawget, type
        function setmetatable(t, mt)
          if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
            error("__gc metamethods are not allowed in the sandbox", 2)
          end
          return raw_setmetatable(t, mt)
        end

        getmetatable("").__metatable = false
        """#
}
