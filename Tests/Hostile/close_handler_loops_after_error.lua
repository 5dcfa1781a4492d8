--! options: --sandbox
--! exit: 1
--! stdout: handler spins\nothers go on\n
--! stderr-contains: job 'raiser' (#1, priority 1) failed:
--! max-seconds: 2
-- The job raises; the host closes its coroutine and the job's <close>
-- handler loops forever. The job has a timeout, but the handler runs after
-- the job's last resume, outside any time slice: the run hangs for good.
submit(1, function()
  local guard <close> = setmetatable({}, {__close = function()
    print('handler spins')
    while true do end
  end})
  error('boom')
end, {name = 'raiser', timeout = 0.2})
submit(2, function() print('others go on') end)
