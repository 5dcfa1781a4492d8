--! options: --sandbox
--! exit: 1
--! stdout: handler spins\nothers go on\n
--! stderr-contains: job 'spinner' (#1, priority 1) failed: timeout
--! max-seconds: 2
-- The job's timeout passes and the host closes its coroutine; the job's
-- <close> handler then loops forever. The host runs the handler itself
-- (lua_resetthread), outside the job's time slice; it must still be stopped
-- (before __close handlers got a time budget, a sandboxed script with a
-- timeout hung the whole run here).
submit(1, function()
  local guard <close> = setmetatable({}, {__close = function()
    print('handler spins')
    while true do end
  end})
  while true do end
end, {name = 'spinner', timeout = 0.2})
submit(2, function() print('others go on') end)
