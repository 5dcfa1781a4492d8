--! exit: 0
--! stdout: handler ran\nlooper\tcancelled\npcall looper\tcancelled\n
--! max-seconds: 5
-- A job that cancels itself over and over in a tight loop (a host call at
-- every iteration, also from inside pcall): it still stops at its next
-- preemption point.
local looper = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function() print('handler ran') end})
  while true do current():cancel() end
end, {name = 'looper'})
local pcall_looper = submit(1, function()
  while true do pcall(function() current():cancel() end) end
end, {name = 'pcall looper'})
submit(2, function()
  print('looper', looper.status)
  print('pcall looper', pcall_looper.status)
end)
