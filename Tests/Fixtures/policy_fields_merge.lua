--! options: --virtual-time
-- A second policy{...} replaces only the fields it gives; the fields installed before stay.
policy{
  priority = function(job) return -job.base_priority end,
  on_start = function(job) print("first on_start", job.name) end,
}
policy{on_start = function(job) print("second on_start", job.name) end}
local a = submit(1, function() print("run a") end, {name = "a"})
local b = submit(2, function() print("run b") end, {name = "b"})
print(a.priority, b.priority)
