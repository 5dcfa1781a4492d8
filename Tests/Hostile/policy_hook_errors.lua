--! exit: 1
--! stdout: a\t1\nb\t2\nbad priority\t3\n
--! stderr-contains: prio-lua: policy hook 'priority' failed: policy_hook_errors.lua:
--! stderr-contains: priority boom
--! stderr-contains: prio-lua: policy hook 'on_submit' failed: policy_hook_errors.lua:
--! stderr-contains: prio-lua: policy hook 'on_start' failed: policy_hook_errors.lua:
--! stderr-contains: attempt to index a nil value
--! stderr-contains: prio-lua: policy hook 'on_error' failed: (error object is a table value)
--! stderr-contains: job 'raiser' (#4, priority 4) failed: policy_hook_errors.lua:
--! max-seconds: 5
-- Policy hooks that raise (strings, nil indexing, a table without
-- __tostring) or return nonsense: each failure is reported once per hook,
-- the scheduler uses the default for that call, and the jobs run in their
-- base priority order.
policy{
  priority = function(job, now)
    if job.name == 'bad priority' then return 0 / 0 end
    error('priority boom')
  end,
  on_submit = function(job) error('submit boom') end,
  on_start = function(job) local t = nil return t.x end,
  on_error = function(job, err) error({}) end,
}
submit(2, function() print('b', current().priority) end, {name = 'b'})
submit(1, function() print('a', current().priority) end, {name = 'a'})
submit(3, function() print('bad priority', current().priority) end, {name = 'bad priority'})
submit(4, function() error('job boom') end, {name = 'raiser'})
