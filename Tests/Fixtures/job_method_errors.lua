-- Method errors count `self` out as Lua does (luaL_argerror), and a job
-- field cannot be assigned: the error says which method changes it.
local j = submit(1, function() end)
local function try(f) print(select(2, pcall(f))) end
try(function() j:set_priority("high") end)
try(function() j.set_priority(j, "high") end)
try(function() j:await(-1) end)
try(function() j.cancel(5) end)
try(function() local fake = {await = j.await} fake:await() end)
try(function() j.priority = 3 end)
try(function() j.base_priority = 3 end)
try(function() j.status = "done" end)
try(function() j.name = "renamed" end)
