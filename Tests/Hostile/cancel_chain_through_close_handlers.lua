--! exit: 0
--! stdout: cancel\ttrue\nsurvived\n
--! max-seconds: 15
-- 20,000 waiting jobs, each with a <close> handler that cancels the job
-- before it. Cancelling the last one closes the coroutines one inside the
-- other: each link is a host call (job:cancel) that runs lua_resetthread,
-- whose __close handler calls job:cancel again. The coroutine.close cap does
-- not see these; nested, they overflowed the C stack (SIGSEGV at a few
-- thousand links in a debug build; AddressSanitizer: stack-overflow).
-- Whatever the host does (queue the closes, or refuse past a depth), it
-- must not crash; the sandbox allows all of this too.
local N = tonumber(arg[1]) or 20000
-- Counts are kept with table.insert (a C call, so a preemption cannot fall
-- between reading and writing the count, as it can in `n = n + 1`).
local jobs = {}
local started = {}
for i = 1, N do
  jobs[i] = submit(1, function()
    -- Something to wait for that never comes: a job delayed far away.
    local gate = submit(1, function() end, {delay = 600})
    local link <close> = setmetatable({}, {__close = function()
      gate:cancel()
      if i > 1 then jobs[i - 1]:cancel() end
    end})
    table.insert(started, i)
    gate:await()
  end)
end
submit(2, function()
  while #started < N do sleep(0.01) end
  print('cancel', jobs[N]:cancel())
  print('survived')
end)
