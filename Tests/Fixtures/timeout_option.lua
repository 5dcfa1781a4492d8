--! options: --virtual-time
--! exit: 1
-- opts.timeout fails a job still running that many seconds after its start, with error "timeout".
local j = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function() print("guard closed at", now()) end})
  sleep(10)
  print("never wakes")
end, {name = "slow", timeout = 2})
sleep(5)
print(j.status, j.error, j.started_at, j.finished_at)
