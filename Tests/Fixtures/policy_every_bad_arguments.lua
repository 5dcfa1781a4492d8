-- every(interval, fn) checks its arguments at the call: a positive finite interval and a function.
local function try(...) print(select(2, pcall(every, ...))) end
try(0, function() end)
try(-1, function() end)
try(0/0, function() end)
try(math.huge, function() end)
try("1", function() end)
try(1, "not a function")
try(1)
print(type(every(1, function() end)))
