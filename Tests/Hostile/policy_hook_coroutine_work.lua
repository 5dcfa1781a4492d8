--! exit: 0
--! stdout: from main chunk\t7\nfrom job\t7\n
--! stderr-lacks: policy hook 'priority' failed
--! max-seconds: 5
-- A well-behaved policy hook that does 20 ms of work inside a coroutine
-- (well within its 100 ms budget). It is called from submit(), while the
-- caller's time slice runs; the slicer must not preempt the hook's
-- coroutine (before the fix the hook failed with "attempt to yield from
-- outside a coroutine" when the caller's 5 ms slice ended inside it).
local function work()
  local t = os.clock()
  while os.clock() - t < 0.02 do end
  return 7
end
policy{ priority = function(job, now) return coroutine.wrap(work)() end }
local j = submit(9, function() end)
print('from main chunk', j.priority)
submit(1, function()
  local k = submit(9, function() end)
  print('from job', k.priority)
end)
