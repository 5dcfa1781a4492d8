--! options: --sandbox
--! exit: 1
--! stdout: handler spins\nothers go on\n
--! stderr-contains: job 'raiser' (#1, priority 1) failed:
--! max-seconds: 2
-- The job raises; the host closes its coroutine and the job's <close>
-- handler loops forever. The handler runs after the job's last resume,
-- outside its time slice; it must still be stopped (it hung the run
-- before __close handlers run by the host got a time budget).
submit(1, function()
  local guard <close> = setmetatable({}, {__close = function()
    print('handler spins')
    while true do end
  end})
  error('boom')
end, {name = 'raiser', timeout = 0.2})
submit(2, function() print('others go on') end)
