--! options: -j 2
--! exit: 1
--! stdout: others go on while it spins\ttrue\nspinner\tfailed\ttimeout\n
--! stderr-contains: job 'spinner' (#1, priority 1) failed: timeout
--! max-seconds: 5
-- A job that never suspends and has no pcall: the slicer gives the other
-- slot holder its turn, and the job's timeout stops it at a preemption point.
local spinner = submit(1, function() while true do end end, {name = 'spinner', timeout = 0.3})
submit(1, function()
  print('others go on while it spins', spinner.status ~= 'failed')
  while spinner.status ~= 'failed' do sleep(0.01) end
  print('spinner', spinner.status, spinner.error)
end)
