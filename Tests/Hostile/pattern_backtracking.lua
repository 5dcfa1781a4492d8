--! options: -j 4 --sandbox
--! exit: 1
--! stdout: others go on\nfind\tfailed\tmatch in pcall, in a loop\tfailed\tgmatch\tfailed\tgsub\tfailed\tcancelled\tcancelled\n
--! stderr-contains: job 'find' (#1, priority 1) failed: timeout
--! stderr-contains: job 'match in pcall, in a loop' (#2, priority 1) failed: timeout
--! stderr-contains: job 'gmatch' (#3, priority 1) failed: timeout
--! stderr-contains: job 'gsub' (#4, priority 1) failed: timeout
--! stderr-contains: prio-lua: policy hook 'priority' failed: policy hook exceeded its time budget
--! max-seconds: 8
-- Backtracking patterns stay in C (lstrlib's matcher) for seconds or for
-- ever. Timeouts, cancellation and a policy hook's budget hold inside them
-- too: the pattern functions stop at a checkpoint, where the error is
-- raised, and again at every later checkpoint, so pcall does not help.
local subject = string.rep('a', 40)
local pattern = string.rep('a*', 40) .. 'b'
local stuck = {
  submit(1, function() return subject:find(pattern) end, {name = 'find', timeout = 0.2}),
  submit(1, function() while true do pcall(string.match, subject, pattern) end end,
    {name = 'match in pcall, in a loop', timeout = 0.2}),
  submit(1, function() for x in subject:gmatch(pattern) do end end, {name = 'gmatch', timeout = 0.2}),
  submit(1, function() return string.rep('a', 1e6):gsub('.-.-.-.-b', '') end, {name = 'gsub', timeout = 0.2}),
}
local self_cancel = submit(1, function() current():cancel() return subject:find(pattern) end)
local hooked = false
policy{priority = function(job)
  if not hooked then hooked = true; subject:find(pattern) end
  return job.base_priority
end}
submit(5, function() print('others go on') end)
submit(6, function()
  local line = {}
  for _, job in ipairs(stuck) do
    while job.status == 'running' or job.status == 'pending' do sleep(0.01) end
    line[#line + 1] = job.name
    line[#line + 1] = job.status
  end
  line[#line + 1] = self_cancel.status
  print(table.concat(line, '\t'), (select(2, pcall(self_cancel.await, self_cancel))))
end)
