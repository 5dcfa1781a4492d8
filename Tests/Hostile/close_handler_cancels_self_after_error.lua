--! exit: 1
--! stdout: handler runs; cancel self\tfalse\nothers go on\tfailed\n
--! stderr-contains: job 'raiser' (#1, priority 1) failed: close_handler_cancels_self_after_error.lua:
--! stderr-contains: boom
--! stderr-lacks: error while closing
--! max-seconds: 5
-- The job raises; while the host closes its coroutine (running its <close>
-- handler), the handler cancels its own job. The job has already failed, so
-- cancel returns false and the failure stands. The host must not close the
-- coroutine a second time from inside its own close: that re-entrant
-- lua_resetthread freed the Lua stack the handler was running on
-- (valgrind: invalid writes into a freed block), cut the handler short, and
-- left the job "cancelled" yet reported failed.
local raiser
raiser = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function()
    print('handler runs; cancel self', raiser:cancel())
  end})
  error('boom')
end, {name = 'raiser'})
submit(2, function() print('others go on', raiser.status) end)
