--! exit: 1
--! stdout: caught\tfalse\tstack overflow\nothers go on\n
--! stderr-contains: job 'recurse' (#2, priority 1) failed: runaway_recursion.lua:
--! stderr-contains: stack overflow
--! max-seconds: 10
-- Unbounded Lua recursion: Lua's own stack limit ("stack overflow") fails
-- the job; the host and the other jobs are untouched.
local function down(n) return down(n + 1) + 1 end
submit(1, function()
  local ok, err = pcall(down, 1)
  print('caught', ok, (tostring(err):match('stack overflow')))
end, {name = 'caught'})
submit(1, function() down(1) end, {name = 'recurse'})
submit(2, function() print('others go on') end)
