--! options: --virtual-time
-- Installing a policy re-evaluates every unfinished job at once: jobs queued before it take their new priorities and order.
local a = submit(1, function() print("run a") end, {name = "a"})
local b = submit(2, function() print("run b") end, {name = "b"})
local c = submit(3, function() print("run c") end, {name = "c"})
print(a.priority, b.priority, c.priority)
policy{priority = function(job) return -job.base_priority end}
print(a.priority, b.priority, c.priority)
