-- Benchmark workload "reprio-enum" (issue 14), for prio-lua.
--   prio-lua scripts/bench/reprio-enum.lua [JOBS] [PASSES]
-- The everyday policy loop written the obvious way: JOBS pending jobs, then
-- PASSES passes of
--   for _, j in ipairs(jobs("pending")) do j:set_priority(f(j.base_priority)) end
-- each pass giving new priorities that reorder the queue. Enumerating the
-- jobs is part of what is measured.
-- Measures itself: now() around each pass; reports the median pass. The
-- jobs never run (os.exit ends the process after the passes).
-- Prints: RESULT jobs=<n> passes=<p> pass_seconds=<median> changes_per_second=<n/median>
local n = tonumber(arg[1]) or 100000
local passes = tonumber(arg[2]) or 10
local now, jobs, ipairs = now, jobs, ipairs
local function noop() end
for i = 1, n do submit((i * 7919) % 10 + 1, noop) end
local times = {}
for pass = 1, passes do
  local t0 = now()
  for _, j in ipairs(jobs("pending")) do j:set_priority((j.base_priority * 31 + pass) % 10 + 1) end
  times[pass] = now() - t0
end
table.sort(times)
local median = times[(passes + 1) // 2]
print(string.format("RESULT jobs=%d passes=%d pass_seconds=%.6f changes_per_second=%.0f", n, passes, median, n / median))
io.stdout:flush()
os.exit(0)
