--! options: -j 1
-- While a job waits on another, the awaited job's effective priority is at most the waiter's; base_priority stays.
local low = submit(10, function(job)
  print("low runs", job.priority, job.base_priority, tostring(job))
end, {name = "low"})
submit(5, function() print("medium runs") end)
submit(1, function()
  print("high sees low at", low.priority, low.base_priority)
  low:await()
  print("high resumed")
end)
