--! options: -j 4
--! exit: 1
--! stdout: others go on\nall stopped\tfailed\tfailed\tcancelled\n
--! stderr-contains: job 'coroutine.close' (#1, priority 1) failed: timeout
--! stderr-contains: job 'wrapped generator' (#2, priority 1) failed: timeout
--! stderr-contains: prio-lua: policy hook 'priority' failed
--! max-seconds: 8
-- A __close handler that spins in a coroutine the job made itself runs on
-- that coroutine's thread when it is closed (coroutine.close, or a wrapped
-- generator unwinding from an error): that thread is watched too, so the
-- job's timeout, its cancelling itself and a policy hook's budget still hold.
local function spinning()
  return coroutine.create(function()
    local x <close> = setmetatable({}, {__close = function() while true do end end})
    coroutine.yield()
  end)
end
local a = submit(1, function()
  local co = spinning()
  coroutine.resume(co)
  coroutine.close(co)
end, {name = 'coroutine.close', timeout = 0.2})
local b = submit(1, function()
  local gen = coroutine.wrap(function()
    local x <close> = setmetatable({}, {__close = function() while true do end end})
    coroutine.yield(1)
    error('generator fails')
  end)
  gen()
  gen()
end, {name = 'wrapped generator', timeout = 0.2})
local c = submit(1, function()
  local co = spinning()
  coroutine.resume(co)
  current():cancel()
  coroutine.close(co)
end, {name = 'cancelled'})
local hooked = false
policy{priority = function(job)
  if hooked then return job.base_priority end
  hooked = true
  local co = spinning()
  coroutine.resume(co)
  coroutine.close(co)
end}
submit(5, function() print('others go on') end)
submit(6, function()
  for _, job in ipairs({a, b, c}) do
    while job.status == 'running' or job.status == 'pending' do sleep(0.01) end
  end
  print('all stopped', a.status, b.status, c.status)
end)
