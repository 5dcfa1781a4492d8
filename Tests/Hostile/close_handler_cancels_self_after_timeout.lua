--! exit: 1
--! stdout: handler runs; cancel self\tfalse\nothers go on\tfailed\n
--! stderr-contains: job 'spinner' (#1, priority 1) failed: timeout
--! stderr-lacks: error while closing
--! max-seconds: 5
-- The job's timeout passes; while the host closes its coroutine, the job's
-- <close> handler cancels its own job. The job has timed out (failed), so
-- cancel returns false; the host must not close the coroutine again from
-- inside its own close (that was a use after free of the Lua stack: the
-- handler died with "attempt to call a nil value"; AddressSanitizer: SEGV).
local spinner
spinner = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function()
    print('handler runs; cancel self', spinner:cancel())
  end})
  while true do end
end, {name = 'spinner', timeout = 0.2})
submit(2, function() print('others go on', spinner.status) end)
