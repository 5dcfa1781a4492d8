--! exit: 0
--! stdout: job runs\n
--! stderr-contains: prio-lua: policy hook 'priority' failed:
--! max-seconds: 2
-- A policy hook that raises an error value whose __tostring never returns.
-- Hooks may never stall the scheduler (SPEC.md section 3, Policy), and that
-- includes describing their errors.
policy{
  priority = function(job)
    error(setmetatable({}, {__tostring = function() while true do end end}))
  end,
}
submit(2, function() print('job runs') end)
