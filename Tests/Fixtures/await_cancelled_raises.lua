--! options: -j 2 --virtual-time
-- Awaiting a cancelled job raises "cancelled", whether it was cancelled before or during the await.
local pending = submit(1, function() print("never runs") end)
pending:cancel()
print(pcall(pending.await, pending))
local sleeper = submit(1, function() sleep(10); print("never wakes") end)
submit(1, function() sleep(1); sleeper:cancel() end)
print(pcall(sleeper.await, sleeper))
print("at", now())
