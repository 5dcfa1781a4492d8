-- Awaiting a failed job raises the job's error value unchanged: a string with its position, the very table raised, or nil.
local a = submit(1, function() error("boom") end)
print(pcall(a.await, a))
local value = {code = 42}
local b = submit(1, function() error(value) end)
local ok, err = pcall(b.await, b)
print(ok, err == value, err.code)
local c = submit(1, function() error(nil) end)
print(pcall(c.await, c))
print(a.status, b.status, c.status, c.error)
