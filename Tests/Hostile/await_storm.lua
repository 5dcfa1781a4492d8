--! options: -j 2
--! exit: 0
--! stdout: all waiting\t20000\nwoken\t20000\n
--! max-seconds: 10
-- 20,000 jobs await one job (a fan-in). Awaiting releases the slot, and
-- priority inheritance gives the awaited job the best priority among its
-- awaiters; neither may cost time proportional to the number of awaiters
-- at every await, or a script makes the scheduler quadratic (today 4,000
-- awaiters take about 2 s in a debug build, 20,000 about a minute).
local N = tonumber(arg[1]) or 20000
local waiting, woken = 0, 0
local target = submit(0, function()
  while waiting < N do sleep(0.01) end
  print('all waiting', waiting)
end, {name = 'target'})
local awaiters = {}
for i = 1, N do
  awaiters[i] = submit(1, function()
    waiting = waiting + 1
    target:await()
    woken = woken + 1
  end)
end
await_all(awaiters)
print('woken', woken)
