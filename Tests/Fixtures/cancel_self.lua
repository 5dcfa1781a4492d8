--! options: --virtual-time
-- A job that cancels itself goes on until its next suspension, where it stops (its <close> variables run).
local j = submit(1, function(job)
  local guard <close> = setmetatable({}, {__close = function() print("guard closed") end})
  print("cancel returns", job:cancel())
  print("still running until it suspends")
  sleep(1)
  print("never reached")
end)
print(pcall(j.await, j))
print(j.status)
