--! options: -j 4
--! exit: 0
--! stdout: sleep 1e308\tfalse\ttimeout\nsleep huge\tfalse\ttimeout\nawait 1e300\tfalse\ttimeout\ncancelled\tcancelled\tcancelled\n
--! max-seconds: 10
-- Any duration is legal input: sleeps, delays, timeouts and await timeouts
-- far past what a date or a time_t can hold run as long waits (cut short
-- here by a timeout or a cancel), never as a crash.
local function try(name, fn)
  return submit(1, function() print(name, pcall(fn)) end)
end
local a = submit(1, function() sleep(1e308) end, {timeout = 0.1, name = 'sleep 1e308'})
local b = submit(1, function() sleep(math.huge) end, {timeout = 0.1, name = 'sleep huge'})
local far = submit(1, function() end, {delay = 1e12, timeout = 1e300, deadline = math.huge})
local never = submit(1, function() end, {delay = math.huge, backoff = 1e300, retries = 1})
local c = submit(1, function() return far:await(1e300) end, {timeout = 0.1})
submit(2, function()
  print('sleep 1e308', pcall(a.await, a))
  print('sleep huge', pcall(b.await, b))
  print('await 1e300', pcall(c.await, c))
  far:cancel()
  never:cancel()
  print('cancelled', far.status, never.status)
end)
