--! options: --virtual-time
-- set_priority sets base_priority and calls the priority hook again: the effective priority is what the hook returns, and the queue is reordered.
policy{priority = function(job)
  print("hook", job.name, job.base_priority)
  return job.base_priority + 10
end}
local a = submit(1, function() print("run a") end, {name = "a"})
local b = submit(2, function() print("run b") end, {name = "b"})
b:set_priority(0)
print("b", b.base_priority, b.priority)
