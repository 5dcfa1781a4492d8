--! options: -j 2 --virtual-time
-- Cancelling a sleeping job closes its coroutine: its <close> variables have run when cancel returns.
local sleeper = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function() print("guard closed at", now()) end})
  print("sleeper sleeps")
  sleep(10)
  print("never wakes")
end)
submit(1, function()
  sleep(1)
  print("cancelling")
  local result = sleeper:cancel()
  print("cancel returned", result, sleeper.status, sleeper.finished_at)
end)
