--! options: --virtual-time
-- The priority hook runs on submit as priority(job, now); what it returns is the effective priority (base_priority keeps what was submitted) and decides the order.
policy{priority = function(job, now)
  print("hook", job.name, job.base_priority, now)
  return 10 - job.base_priority
end}
local a = submit(1, function() print("run a") end, {name = "a"})
local b = submit(2, function() print("run b") end, {name = "b"})
print("a", a.base_priority, a.priority)
print("b", b.base_priority, b.priority)
