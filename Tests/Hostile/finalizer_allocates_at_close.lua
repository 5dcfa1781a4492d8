--! options: --memory-limit 20M
--! exit: 0
--! stdout: job ran\nfinalizer\tfalse\tnot enough memory\n
--! max-seconds: 10
-- A finalizer that runs when the state is closed and allocates without
-- bound: the memory limit holds until the state is gone.
setmetatable({}, {__gc = function()
  local ok, err = pcall(function()
    local t = {}
    for i = 1, 1e9 do t[i] = i end
  end)
  print('finalizer', ok, err)
end})
submit(1, function() print('job ran') end)
