--! options: -j 2
--! exit: 0
--! stdout: all waiting\t20000\nwoken\t20000\n
--! max-seconds: 10
-- 20,000 jobs await one job (a fan-in). Awaiting releases the slot, and
-- priority inheritance gives the awaited job the best priority among its
-- awaiters; neither may cost time proportional to the number of awaiters
-- at every await, or a script makes the scheduler quadratic (before the
-- fix, 4,000 awaiters took about 2 s in a debug build, 20,000 a minute).
-- Counts are kept with table.insert (a C call, so a preemption cannot fall
-- between reading and writing the count, as it can in `n = n + 1`).
local N = tonumber(arg[1]) or 20000
local waiting, woken = {}, {}
local target = submit(0, function()
  while #waiting < N do sleep(0.01) end
  print('all waiting', #waiting)
end, {name = 'target'})
local awaiters = {}
for i = 1, N do
  awaiters[i] = submit(1, function()
    table.insert(waiting, i)
    target:await()
    table.insert(woken, i)
  end)
end
await_all(awaiters)
print('woken', #woken)
