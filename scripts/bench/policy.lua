-- Benchmark workload "policy" (issue 7), for prio-lua.
--   prio-lua scripts/bench/policy.lua [JOBS] [PASSES]
-- JOBS pending jobs (priority of job i: (i * 7919) % 10 + 1) under a policy
-- whose `priority` hook reads a job field and depends on the pass, so every
-- pass reorders the queue; then PASSES calls of reprioritize(), each
-- evaluating the hook once per job.
-- Measures itself: now() around each reprioritize(); reports the median
-- pass. Installing the policy (which evaluates every job once) is not timed.
-- The jobs never run (os.exit ends the process after the passes).
-- Prints: RESULT jobs=<n> passes=<p> pass_seconds=<median> evaluations_per_second=<n/median>
local n = tonumber(arg[1]) or 100000
local passes = tonumber(arg[2]) or 10
local now = now
local function noop() end
for i = 1, n do submit((i * 7919) % 10 + 1, noop) end
local pass = 1
policy{ priority = function(job, t) return (job.base_priority * pass) % 11 end }
local times = {}
for p = 1, passes do
  pass = p + 1
  local t0 = now()
  reprioritize()
  times[p] = now() - t0
end
table.sort(times)
local median = times[(passes + 1) // 2]
print(string.format("RESULT jobs=%d passes=%d pass_seconds=%.6f evaluations_per_second=%.0f", n, passes, median, n / median))
io.stdout:flush()
os.exit(0)
