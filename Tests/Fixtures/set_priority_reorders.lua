-- set_priority on a queued job reorders the queue; among its new equals the job keeps its submission order.
local a = submit(5, function() print("a") end)
local b = submit(3, function() print("b") end)
local c = submit(3, function() print("c") end)
local d = submit(1, function() print("d") end)
a:set_priority(3) -- submitted first: goes ahead of b and c
d:set_priority(3) -- submitted last: goes behind c
print("a", a.base_priority, a.priority)
print("d", d.base_priority, d.priority)
