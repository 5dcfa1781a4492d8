--! options: -j 40000
--! exit: 0
--! stdout: all started\t30000\nall finished\t30000\ncancelled\t30000\nCPU time under 8 s\ttrue\n
--! max-seconds: 60
-- 30,000 jobs hold slots at once (a large -j): half sleep briefly and
-- finish, half sleep for good and are cancelled. Giving a slot back must
-- not cost time proportional to the number of slot holders, or finishing
-- and cancelling them is quadratic (a linear search of the slot holders
-- made 20,000 of them take about 9 s in a debug build). The bound is on
-- the CPU time the run used (os.clock), which a busy machine does not
-- stretch; a linear run takes about 1.5 s of it in a debug build.
-- Counts are kept with table.insert (a C call, so a preemption cannot fall
-- between reading and writing the count, as it can in `n = n + 1`).
local N = tonumber(arg[1]) or 30000
local started, finished = {}, {}
local sleepers = {}
for i = 1, N do
  submit(1, function() table.insert(started, i) sleep(0.2) table.insert(finished, i) end)
  sleepers[i] = submit(1, function() table.insert(started, i) sleep(600) end)
end
submit(2, function()
  while #finished < N do sleep(0.05) end
  print('all started', #started // 2)
  print('all finished', #finished)
  local cancelled = 0
  for i = 1, N do
    if sleepers[i]:cancel() then cancelled = cancelled + 1 end
  end
  print('cancelled', cancelled)
  print('CPU time under 8 s', os.clock() < 8)
end)
