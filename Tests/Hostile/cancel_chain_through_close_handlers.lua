--! exit: 0
--! stdout: cancel\ttrue\nsurvived\n
--! max-seconds: 15
-- 20,000 waiting jobs, each with a <close> handler that cancels the job
-- before it. Cancelling the last one closes the coroutines one inside the
-- other: each link is a host call (job:cancel) that runs lua_resetthread,
-- whose __close handler calls job:cancel again. The coroutine.close cap does
-- not see these, and the C stack overflows (SIGSEGV at a few thousand links
-- in a debug build). Whatever the host does (close iteratively, or refuse
-- past a depth with an error in the handler), it must not crash; the
-- sandbox allows all of this too.
local N = tonumber(arg[1]) or 20000
local jobs = {}
local started = 0
for i = 1, N do
  jobs[i] = submit(1, function()
    -- Something to wait for that never comes: a job delayed far away.
    local gate = submit(1, function() end, {delay = 600})
    local link <close> = setmetatable({}, {__close = function()
      gate:cancel()
      if i > 1 then jobs[i - 1]:cancel() end
    end})
    started = started + 1
    gate:await()
  end)
end
submit(2, function()
  while started < N do sleep(0.01) end
  print('cancel', jobs[N]:cancel())
  print('survived')
end)
