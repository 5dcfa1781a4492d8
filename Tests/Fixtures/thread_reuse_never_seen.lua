-- Finished jobs' threads are reused for new jobs, but never one the script
-- has held (coroutine.running): a job never gets a thread a script saw before.
local seen = {}
local reused_seen = false
for round = 1, 3 do
  local list = {}
  for k = 1, 20 do
    list[k] = submit(1, function()
      local co = coroutine.running()
      if seen[co] then reused_seen = true end
      seen[co] = true
      return k
    end)
  end
  await_all(list)
  -- plain jobs in between, whose threads may be pooled and reused
  local plain = {}
  for k = 1, 20 do plain[k] = submit(1, function() return k end) end
  await_all(plain)
end
local count = 0
for _ in pairs(seen) do count = count + 1 end
print("threads seen", count, "reused a seen thread", reused_seen)
print(coroutine.resume(next(seen)))
