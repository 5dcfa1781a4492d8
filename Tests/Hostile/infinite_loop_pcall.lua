--! options: -j 8
--! exit: 1
--! stdout: others go on\nall stopped\n
--! stderr-contains: job 'pcall' (#1, priority 1) failed: timeout
--! stderr-contains: job 'pcall-pcall' (#2, priority 1) failed: timeout
--! stderr-contains: job 'xpcall' (#3, priority 1) failed: timeout
--! stderr-contains: job 'coroutine' (#4, priority 1) failed: timeout
--! max-seconds: 5
-- Endless loops hidden inside protected calls and the script's own
-- coroutines: a timeout is not an error the script can catch and carry on from.
local function spin() while true do end end
local spinners = {
  submit(1, function() pcall(spin) end, {name = 'pcall', timeout = 0.2}),
  submit(1, function() pcall(pcall, spin) end, {name = 'pcall-pcall', timeout = 0.2}),
  submit(1, function() xpcall(spin, function(e) return e end) end, {name = 'xpcall', timeout = 0.2}),
  submit(1, function() while true do coroutine.wrap(function() pcall(spin) end)() end end,
    {name = 'coroutine', timeout = 0.2}),
}
submit(1, function() print('others go on') end)
submit(2, function()
  for _, job in ipairs(spinners) do
    while job.status ~= 'failed' do sleep(0.01) end
  end
  print('all stopped')
end)
