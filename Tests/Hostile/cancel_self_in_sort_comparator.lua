--! exit: 0
--! stdout: cancel self\ttrue\nhandler ran\nstuck\tcancelled\n
--! max-seconds: 2
-- A job cancels itself, then gets stuck in an endless table.sort comparator,
-- where no yield is possible. SPEC.md section 4: "a due timeout or a
-- cancellation is then raised as an error right there", so the job still
-- stops (before the fix only a timeout was raised there, and this job,
-- which has none, hung the run).
local stuck = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function() print('handler ran') end})
  print('cancel self', current():cancel())
  table.sort({5, 4, 3, 2, 1}, function(a, b) while true do end end)
end, {name = 'stuck'})
submit(2, function() print('stuck', stuck.status) end)
