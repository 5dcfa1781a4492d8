-- Benchmark workload "yield" (issue 7), for prio-lua at -j 1.
--   prio-lua scripts/bench/yield.lua [JOBS]
-- JOBS jobs (priority of job i: (i * 7919) % 10 + 1), each yields 10 times
-- and then counts itself. A job is resumed 11 times: its start and once after
-- each yield, so resumes = 11 * JOBS.
-- Measures itself: now() (the monotonic wall clock) from just before the
-- first submit until the last job finishes, so submission, dispatch and
-- every yield round trip are inside the figure and process startup and
-- teardown are not. baselines/workloads.lua measures the same span.
-- Prints: RESULT jobs=<n> resumes=<n*11> seconds=<elapsed>
local n = tonumber(arg[1]) or 100000
local yield, now = yield, now
local count, t0 = 0, 0

local function body(job)
  for _ = 1, 10 do yield() end
  count = count + 1
  if count == n then
    print(string.format("RESULT jobs=%d resumes=%d seconds=%.6f", n, n * 11, now() - t0))
  end
end

t0 = now()
for i = 1, n do submit((i * 7919) % 10 + 1, body) end
