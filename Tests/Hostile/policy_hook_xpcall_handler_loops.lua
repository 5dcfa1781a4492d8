--! exit: 0
--! stdout: job runs\n
--! stderr-contains: prio-lua: policy hook 'priority' failed: policy hook exceeded its time budget
--! max-seconds: 2
-- A policy hook whose xpcall message handler never returns. The budget hook
-- raises inside the handler; Lua calls the handler again for that error with
-- hooks switched off (the error came from a hook), so the budget was never
-- checked again and the scheduler stalled for good, until a stopped hook
-- learned to skip xpcall handlers.
policy{
  priority = function(job)
    xpcall(error, function() while true do end end)
    return 1
  end,
}
submit(2, function() print('job runs') end)
