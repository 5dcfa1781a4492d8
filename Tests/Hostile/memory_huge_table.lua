--! options: --memory-limit 32M -j 2
--! exit: 1
--! stdout: others go on\nafter\ttrue\n
--! stderr-contains: job 'array' (#1, priority 1) failed: not enough memory
--! stderr-contains: job 'nested' (#2, priority 1) failed: not enough memory
--! stderr-contains: job 'hash' (#3, priority 1) failed: not enough memory
--! max-seconds: 15
-- Tables that outgrow --memory-limit, one of them while another job keeps
-- running beside it: each fails with "not enough memory", the others go on.
submit(1, function() local t = {} for i = 1, math.maxinteger do t[i] = i end end, {name = 'array'})
submit(1, function() local t = {} local i = 0 while true do i = i + 1 t[i] = {i, tostring(i)} end end,
  {name = 'nested'})
submit(1, function() local t = {} local i = 0 while true do i = i + 1 t['k' .. i] = true end end, {name = 'hash'})
submit(1, function() print('others go on') end)
submit(3, function() print('after', collectgarbage('count') < 32 * 1024) end)
