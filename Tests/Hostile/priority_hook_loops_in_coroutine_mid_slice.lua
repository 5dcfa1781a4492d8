--! exit: 0
--! stdout: first runs\nsecond runs\n
--! max-seconds: 3
-- The same escape as policy_hook_loops_in_coroutine.lua, but from a priority
-- hook run inside a job's resume (its submit), so the 5 ms time slice ends
-- while the spinner runs. The slice's preemption point used to replace the
-- spinner's budget hook and then, since hooks are never preempted, clear
-- it: the run hung. Now the budget hook is put back and stops the spinner
-- after 100 ms.
local spinner = coroutine.create(function() while true do end end)
policy{ priority = function(job)
  if job.id == 2 then coroutine.resume(spinner) end
  return job.base_priority
end }
submit(1, function()
  submit(2, function() print('second runs') end)
  print('first runs')
end)
