--! options: --virtual-time
-- policy(nil) restores the default: every hook is removed and effective priorities are base priorities again.
policy{
  priority = function(job) return -job.base_priority end,
  on_start = function(job) print("on_start", job.name) end,
}
local a = submit(1, function() print("run a") end, {name = "a"})
local b = submit(2, function() print("run b") end, {name = "b"})
print(a.priority, b.priority)
policy(nil)
print(a.priority, b.priority)
