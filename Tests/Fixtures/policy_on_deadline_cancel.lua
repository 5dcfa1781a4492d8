--! options: --virtual-time
-- on_deadline may cancel: a pending job past its deadline never starts, a running one is stopped at once.
policy{on_deadline = function(job)
  print("on_deadline", job.name, job.status, now())
  print("cancel", job:cancel("missed its deadline"), job.status)
end}
local slow = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function() print("slow cleans up", now()) end})
  print("slow starts", now())
  sleep(10)
  print("slow never gets here")
end, {name = "slow", deadline = 3})
local stale = submit(2, function() print("stale never runs") end, {name = "stale", deadline = 1})
print("main", pcall(slow.await, slow))
print("main", now(), slow.status, stale.status)
