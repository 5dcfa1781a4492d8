-- luv baseline of the "tasks-trivial" and "tasks-cpu" benchmarks (SPEC 8):
-- libuv's thread pool driven from Lua (Debian's lua-luv, built for 5.4).
--   UV_THREADPOOL_SIZE=2 lua5.4 luv_tasks.lua trivial [N]      (N = 100000)
--   UV_THREADPOOL_SIZE=1 lua5.4 luv_tasks.lua cpu [N [ITER]]   (N = 200)
--   UV_THREADPOOL_SIZE=2 lua5.4 luv_tasks.lua cpu [N [ITER]]
-- The pool size is the caller's: libuv reads it once, at the first queued
-- work, and luv offers no other way to set it (default 4, which would let
-- this 2-core machine oversubscribe). Each pool thread runs its own Lua
-- state; the work function is string.dump'ed into it, so it sees no
-- upvalues and only copied arguments: the same model as prio-lua's tasks.
--   trivial: N items, work(i) returns i; the sum of results is checked.
--   cpu: N items of ITER (470000, ~10 ms in lua5.4) iterations of the loop
--        of ../tasks_mod.lua's spin; every checksum must agree.
-- Measures itself: uv.hrtime() from before the first queue_work until the
-- after-work callback of the last item has run.
-- Prints: RESULT impl=luv workload=<w> threads=<t> items=<n> seconds=<s> rate=<items/s>
--         [checksum=<x> (cpu; equals tasks-cpu.lua's at the same ITER)]
local uv = require "luv"

local workload = arg[1]
local threads = tonumber(os.getenv("UV_THREADPOOL_SIZE")) or 4
local n, expect, work

if workload == "trivial" then
  n = tonumber(arg[2]) or 100000
  work = function(i) return i end
elseif workload == "cpu" then
  n = tonumber(arg[2]) or 200
  -- MUST stay identical to spin in ../tasks_mod.lua (cannot be shared: see top).
  work = function(iterations)
    local x, y = 0, 0.0
    for i = 1, iterations do
      x = (x * 31 + i) % 1000003
      y = y + (i % 7) * 0.5
    end
    return x + y
  end
else
  io.stderr:write("usage: lua5.4 luv_tasks.lua trivial|cpu [N [ITER]]\n")
  os.exit(2)
end
local param = tonumber(arg[3]) or 470000

local done, sum, bad, t0, t1 = 0, 0, 0, 0, 0
local first
local ctx = uv.new_work(work, function(r)
  if workload == "trivial" then
    sum = sum + r
  else
    first = first or r
    if r ~= first then bad = bad + 1 end
  end
  done = done + 1
  if done == n then t1 = uv.hrtime() end
end)

t0 = uv.hrtime()
for i = 1, n do
  if workload == "trivial" then uv.queue_work(ctx, i) else uv.queue_work(ctx, param) end
end
uv.run()

if done ~= n then error("luv_tasks: " .. done .. " of " .. n .. " items completed") end
if workload == "trivial" and sum ~= n * (n + 1) // 2 then error("luv_tasks: sum " .. sum) end
if bad > 0 then error("luv_tasks: " .. bad .. " checksums differ") end
local seconds = (t1 - t0) / 1e9
print(string.format("RESULT impl=luv workload=%s threads=%d items=%d seconds=%.6f rate=%.0f%s",
  workload, threads, n, seconds, n / seconds, first and string.format(" checksum=%.1f", first) or ""))
