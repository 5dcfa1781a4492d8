--! options: -j 2
--! exit: 0
--! stdout: cancel\ttrue\nhandler saw current()\tvictim\ncanceller\trunning\n
--! max-seconds: 5
-- Another job cancels the victim; the victim's <close> handler runs and
-- calls current():cancel(). current() in the victim's own handler is the
-- victim (its code is running), not the job that cancelled it; otherwise a
-- victim can cancel whoever cancels it. (The last line runs while the
-- canceller sleeps in its slot: it is running, not cancelled.)
local victim = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function()
    local me = current()
    _G.seen = me and me.name
    if me then me:cancel() end
  end})
  sleep(60)
end, {name = 'victim'})
local canceller = submit(1, function()
  while victim.status ~= 'running' do sleep(0.01) end
  print('cancel', victim:cancel())
  print('handler saw current()', _G.seen)
  sleep(0.01)
end, {name = 'canceller'})
submit(2, function() print('canceller', canceller.status) end)
