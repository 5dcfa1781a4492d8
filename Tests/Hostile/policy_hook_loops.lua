--! exit: 0
--! stdout: first\nsecond\n
--! stderr-contains: prio-lua: policy hook 'priority' failed: policy hook exceeded its time budget
--! stderr-contains: prio-lua: policy hook 'on_start' failed: policy hook exceeded its time budget
--! stderr-contains: prio-lua: policy hook 'on_finish' failed: policy hook exceeded its time budget
--! stderr-contains: prio-lua: every rule #1 failed: policy hook exceeded its time budget
--! max-seconds: 10
-- Policy hooks that never return: a plain loop, one that swallows errors
-- with pcall, one stuck in a sort comparator, one in a <close> handler, and
-- an every() rule. Each is stopped by the 100 ms budget, reported once, and
-- the scheduler goes on with the default.
policy{
  priority = function(job, now) while true do pcall(function() while true do end end) end end,
  on_start = function(job) table.sort({3, 2, 1}, function() while true do end end) end,
  on_finish = function(job)
    local guard <close> = setmetatable({}, {__close = function() while true do end end})
  end,
}
local rule = every(0.01, function() while true do pcall(error) end end)
submit(1, function() print('first') rule:cancel() end, {name = 'first'})
submit(1, function() print('second') end, {name = 'second'})
