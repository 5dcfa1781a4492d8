--! options: --virtual-time
-- A bad policy table raises a clear error at the call (pcall catches it) and installs nothing, not even its good fields.
local function try(...) print(select(2, pcall(policy, ...))) end
try({prioritty = function() end})
try({priority = 5})
try({on_start = "yes"})
try({interval = -1})
try({preempt = "yes"})
try({fair = {a = -1}})
try(42)
try({priority = function(job) return -job.base_priority end, on_finsh = function() end})
local _, message = pcall(prio.policies.aging, {rate = -1})
print((message:gsub("^.-:%d+: ", "")))
submit(1, function() print("run a") end)
submit(2, function() print("run b") end)
