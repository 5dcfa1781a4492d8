--! options: --sandbox -j 2
--! exit: 0
--! stdout: cancel\ttrue\nclose\tfalse\tcoroutine.close nested more than 200 deep\nothers go on\n
--! max-seconds: 10
-- The 30,000-link close chain again, in the sandbox, started by the host:
-- the job's own <close> handler closes the last link when another job
-- cancels it (lua_resetthread from the scheduler).
local result = {}
local builder = submit(1, function()
  local previous
  for i = 1, 30000 do
    local before = previous
    previous = coroutine.create(function()
      local link <close> = setmetatable({}, {__close = function()
        if before then
          local ok, err = coroutine.close(before)
          if not ok then error(err, 0) end
        end
      end})
      coroutine.yield()
    end)
    coroutine.resume(previous)
  end
  local last = previous
  local head <close> = setmetatable({}, {__close = function()
    result.ok, result.err = coroutine.close(last)
  end})
  result.ready = true
  sleep(60)
end, {name = 'builder'})
submit(2, function()
  while not result.ready do sleep(0.01) end
  print('cancel', builder:cancel())
  print('close', result.ok, (tostring(result.err):match('coroutine.close nested more than 200 deep')))
  print('others go on')
end)
