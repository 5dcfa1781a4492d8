--! options: -j 2
--! exit: 0
--! stdout: returning\nhandler: cancel self\ttrue\nreturner\tcancelled\nhandler of cancelled job: cancel self\tfalse\nvictim\tcancelled\n
--! max-seconds: 5
-- A job cancels itself from its own <close> handler: while returning (the
-- job has not finished yet, so it ends cancelled), and while being cancelled
-- by another job (already cancelled: cancel returns false). The handlers
-- hold their job in an upvalue.
local returner
returner = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function()
    print('handler: cancel self', returner:cancel())
  end})
  print('returning')
  return 'value'
end, {name = 'returner'})
local victim
victim = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function()
    print('handler of cancelled job: cancel self', victim:cancel())
  end})
  sleep(60)
end, {name = 'victim'})
submit(2, function()
  print('returner', returner.status)
  while victim.status ~= 'running' do sleep(0.01) end
  victim:cancel()
  print('victim', victim.status)
end)
