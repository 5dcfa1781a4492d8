--! options: --memory-limit 32M
--! exit: 1
--! stdout: caught\tfalse\tnot enough memory\nstill usable\t1000\nothers go on\ttrue\n
--! stderr-contains: job 'doubling' (#1, priority 1) failed: not enough memory
--! stderr-contains: job 'rep' (#2, priority 1) failed: not enough memory
--! max-seconds: 10
-- Strings that outgrow --memory-limit: the job that hits the limit fails
-- with "not enough memory"; a job that catches it can go on; the others run.
submit(1, function() local s = 'x' while true do s = s .. s end end, {name = 'doubling'})
submit(1, function() return string.rep('x', 64 * 1024 * 1024) end, {name = 'rep'})
submit(1, function()
  print('caught', pcall(string.rep, 'x', 100 * 1024 * 1024))
  print('still usable', #string.rep('y', 1000))
end, {name = 'catches'})
submit(2, function() print('others go on', collectgarbage('count') < 32 * 1024) end)
