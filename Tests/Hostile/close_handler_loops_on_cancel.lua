--! options: --sandbox -j 2
--! exit: 0
--! stdout-contains: handler spins\n
--! stdout-contains: others go on\n
--! stderr-contains: error while closing: __close handler exceeded its time budget
--! max-seconds: 10
-- Another job cancels the victim; the victim's <close> handler loops
-- forever inside the canceller's job:cancel() call. The handler runs on the
-- victim's thread, where the time slicer never arms its hook; it used to
-- hang the run for good, and is now stopped by the __close time budget
-- (100 ms of CPU time: well inside the canceller's timeout even when a
-- busy machine makes that take several times as long).
local victim = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function()
    print('handler spins')
    while true do end
  end})
  sleep(60)
end, {name = 'victim'})
submit(1, function()
  while victim.status ~= 'running' do sleep(0.01) end
  victim:cancel()
  print('cancel returned')
end, {name = 'canceller', timeout = 5})
submit(2, function() print('others go on') end)
