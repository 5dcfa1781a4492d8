--! exit: 0
--! stdout: cancel self\ttrue\nhandler ran\nlooper\tcancelled\n
--! max-seconds: 5
-- A job cancels itself and then loops forever without suspending: it stops
-- at its next preemption point (the next slice end), its <close> handler
-- runs, and it ends cancelled.
local looper = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function() print('handler ran') end})
  print('cancel self', current():cancel())
  local n = 0
  while true do n = n + 1 end
end, {name = 'looper'})
submit(2, function() print('looper', looper.status) end)
