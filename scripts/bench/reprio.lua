-- Benchmark workload "reprio" (issue 7), for prio-lua.
--   prio-lua scripts/bench/reprio.lua [JOBS] [PASSES]
-- JOBS pending jobs (priority of job i: (i * 7919) % 10 + 1), then PASSES
-- passes of job:set_priority on every one, each pass giving new priorities
-- that reorder the queue.
-- Measures itself: now() around each pass; reports the median pass. The
-- jobs never run (os.exit ends the process after the passes).
-- Prints: RESULT jobs=<n> passes=<p> pass_seconds=<median> changes_per_second=<n/median>
local n = tonumber(arg[1]) or 100000
local passes = tonumber(arg[2]) or 10
local now = now
local list = {}
local function noop() end
for i = 1, n do list[i] = submit((i * 7919) % 10 + 1, noop) end
local times = {}
for pass = 1, passes do
  local t0 = now()
  for i = 1, n do list[i]:set_priority((i * pass * 31) % 10 + 1) end
  times[pass] = now() - t0
end
table.sort(times)
local median = times[(passes + 1) // 2]
print(string.format("RESULT jobs=%d passes=%d pass_seconds=%.6f changes_per_second=%.0f", n, passes, median, n / median))
io.stdout:flush()
os.exit(0)
