--! exit: 0
--! stdout: victim cancelled\tcancelled\nothers go on\n
--! stderr-contains: prio-lua: policy hook 'on_start' failed: policy hook exceeded its time budget
--! max-seconds: 5
-- A hook that first does something that itself runs budgeted code
-- (reprioritize() re-evaluates every job through the priority hook; cancel
-- of a suspended job runs its __close handlers), then loops: its own time
-- budget must still hold after the inner budgets ended.
local victim = submit(5, function()
  local x <close> = setmetatable({}, {__close = function() end})
  sleep(10)
end)
policy{
  priority = function(job) return job.base_priority end,
  on_start = function(job)
    if job.name ~= 'trigger' then return end
    reprioritize()
    victim:cancel()
    print('victim cancelled', victim.status)
    while true do end
  end,
}
submit(1, function() sleep(0.05) submit(2, function() end, {name = 'trigger'}) end)
submit(9, function() print('others go on') end)
