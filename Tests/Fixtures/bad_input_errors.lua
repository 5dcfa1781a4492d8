--! options: --virtual-time
-- Bad arguments raise at the call site, with the caller's position, and pcall catches them.
local f = function() end
local function try(fn) print(select(2, pcall(fn))) end
try(function() submit(0/0, f) end)
try(function() submit(math.huge, f) end)
try(function() submit(-math.huge, f) end)
try(function() submit("1", f) end)
try(function() submit(nil, f) end)
try(function() submit(1, "not a function") end)
try(function() submit(1, f, {nmae = "typo"}) end)
try(function() submit(1, f, {retries = -1}) end)
try(function() submit(1, f, {name = 5}) end)
local j = submit(1, f)
try(function() j.await(5) end)
try(function() sleep(-1) end)
try(function() j:set_priority(0/0) end)
submit(1, function()
  try(function() submit(1, 2) end)
  submit(1, function() print("submitted from a job") end)
end)
