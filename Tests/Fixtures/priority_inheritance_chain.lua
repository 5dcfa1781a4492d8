--! options: -j 1
-- Priority inheritance passes along a chain of awaits: A waits on B, B waits on C, so C runs at A's priority.
local c = submit(10, function(job) print("c runs", job.priority, job.base_priority) end)
local b = submit(5, function(job)
  print("b runs", job.priority, job.base_priority)
  c:await()
  print("b resumed")
end)
submit(7, function() print("seven runs") end)
submit(1, function()
  b:await()
  print("a resumed")
end)
