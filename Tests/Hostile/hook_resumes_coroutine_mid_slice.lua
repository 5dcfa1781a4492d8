--! exit: 1
--! stdout: others go on\n
--! stderr-contains: job 'spinner' (#1, priority 2) failed: timeout
--! max-seconds: 5
-- A policy hook that runs inside a job's slice (the job changes its own
-- priority) and resumes a coroutine of its own: the time slicer must go
-- back to watching the job's thread afterwards, or the job, spinning on,
-- could never be stopped by its timeout.
policy{priority = function(job)
  local gen = coroutine.wrap(function() coroutine.yield(1) end)
  gen()
  return job.base_priority
end}
submit(1, function()
  current():set_priority(2)
  while true do end
end, {name = 'spinner', timeout = 0.2})
submit(3, function() print('others go on') end)
