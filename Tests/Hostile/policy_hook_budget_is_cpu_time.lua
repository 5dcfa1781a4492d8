--! exit: 0
--! stdout: waited hook\t3\nblocked hook\t9\n
--! stderr-contains: prio-lua: policy hook 'priority' failed: policy hook exceeded its time budget
--! max-seconds: 10
-- A hook's 100 ms budget counts the CPU time it uses, not the time the
-- machine takes to give it that CPU: a hook that waits 300 ms in C (using
-- no CPU) and then does a little Lua work keeps its result. A hook blocked
-- in C for longer than the 2 s wall-clock backstop is stopped at its next
-- Lua instruction, and the job keeps its own priority.
local function lua_work() local x = 0 for i = 1, 100000 do x = x + i end return x end
local wait = 0.3
policy{ priority = function(job, now) os.execute('sleep ' .. wait) lua_work() return 3 end }
local j = submit(9, function() end)
print('waited hook', j.priority)
wait = 2.5
local k = submit(9, function() end)
print('blocked hook', k.priority)
