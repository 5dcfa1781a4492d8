--! exit: 1
--! stdout: others go on\n
--! stderr-contains: job 'loops' (#1, priority 1) failed:
--! max-seconds: 2
-- An error value whose __tostring never returns. The job has already
-- failed; the host describing its error for the report (outside any time
-- slice) must not run script code without a bound, or one bad job stalls
-- the whole run.
submit(1, function()
  error(setmetatable({}, {__tostring = function() while true do end end}))
end, {name = 'loops', timeout = 0.2})
submit(2, function() print('others go on') end)
