--! exit: 0
--! stdout: submitted\tjob#1 'outer' (priority 1, pending)\nouter ran\n
--! stderr-contains: prio-lua: policy hook 'on_submit' failed: C stack overflow
--! stderr-lacks: failed: ?
--! max-seconds: 5
-- An on_submit hook that submits, and so calls itself without end: the
-- report names the real error (it used to say '?': describing the error
-- ran out of the same C stack), the scheduler goes on with the default.
policy{on_submit = function(job) submit(1, function() end) return true end}
print('submitted', tostring(submit(1, function() print('outer ran') end, {name = 'outer'})))
policy(nil)
