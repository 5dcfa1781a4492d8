--! options: --virtual-time
-- reprioritize() calls the priority hook for every unfinished job now and reorders the queues; without it the hook's inputs changing has no effect.
local boost = {}
local calls = 0
policy{priority = function(job)
  calls = calls + 1
  return boost[job.name] or job.base_priority
end}
local a = submit(1, function() print("run a") end, {name = "a"})
local b = submit(2, function() print("run b") end, {name = "b"})
local c = submit(3, function() print("run c") end, {name = "c"})
print("calls", calls)
boost.c = 0
print("before", c.priority)
reprioritize()
print("after", c.priority)
print("calls", calls)
