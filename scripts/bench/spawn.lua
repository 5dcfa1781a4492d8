-- Benchmark workload "spawn" (issue 7), for prio-lua at -j 1.
--   prio-lua scripts/bench/spawn.lua [JOBS]
-- JOBS trivial jobs (priority of job i: (i * 7919) % 10 + 1; one shared
-- function, so a queued job costs only what the scheduler keeps for it) are
-- all submitted before the run. Each job checks that it runs after every
-- job it should follow: by priority, then by submission order (its id).
-- Measures itself: now() from just before the first submit until the last
-- job finishes (submission and the whole run; not startup or teardown).
-- Peak RSS per queued job is measured from outside by scripts/bench/run:
-- /usr/bin/time's peak RSS of this run minus that of a JOBS=0 run, / JOBS.
-- Prints: RESULT jobs=<n> seconds=<elapsed> submit_seconds=<submission only>
--         order_errors=<jobs that ran out of order, must be 0>
local n = tonumber(arg[1]) or 1000000
local now = now
local done, errors, last_priority, last_id = 0, 0, -math.huge, 0
local t0, t1 = 0, 0

local function body(job)
  local priority, id = job.priority, job.id
  if priority < last_priority or (priority == last_priority and id < last_id) then errors = errors + 1 end
  last_priority, last_id = priority, id
  done = done + 1
  if done == n then
    print(string.format("RESULT jobs=%d seconds=%.6f submit_seconds=%.6f order_errors=%d",
      n, now() - t0, t1 - t0, errors))
  end
end

t0 = now()
for i = 1, n do submit((i * 7919) % 10 + 1, body) end
t1 = now()
