--! options: --virtual-time
-- Cancelling a pending job: it never starts, its status is "cancelled", cancel returns true, then false.
local a = submit(1, function() print("a never runs") end)
local b = submit(2, function() print("b runs") end)
print(a:cancel())
print(a.status, a.started_at, a.finished_at)
print(a:cancel())
b:await()
print(b:cancel(), b.status)
