--! exit: 1
--! stdout: others go on\n
--! stderr-contains: job 'stubborn' (#1, priority 1) failed: timeout
--! max-seconds: 5
-- `while true do pcall(function() while true do end end) end`: the timeout is
-- raised again at every instruction until the body has unwound, so catching
-- it and looping on does not keep the job alive.
submit(1, function()
  while true do pcall(function() while true do end end) end
end, {name = 'stubborn', timeout = 0.2})
submit(2, function() print('others go on') end)
