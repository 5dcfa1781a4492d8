-- Benchmark workload "tasks-trivial" (SPEC 8), for prio-lua at -w 2.
--   prio-lua -w 2 scripts/bench/tasks-trivial.lua [JOBS]
-- JOBS task jobs of tasks_mod.ident, job i with args {i = i}, all at
-- priority 0, submitted from the main chunk, which then await_all's them
-- and checks the sum of the results (each result crossed a state boundary
-- twice: the args in, the value out). Compared with luv's thread pool and
-- multiprocessing.Pool doing the same (baselines/luv_tasks.lua trivial,
-- baselines/mp_tasks.py trivial).
-- Measures itself: now() from just before the first submit until await_all
-- returns (submission and the whole run; not startup or teardown).
-- Prints: RESULT jobs=<n> seconds=<elapsed> rate=<jobs per second>
local n = tonumber(arg[1]) or 100000
local now = now
-- bench.py runs scripts by absolute path from the repository root, and
-- tasks() resolves paths as dofile does (from the cwd): find the module
-- next to this script instead.
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
local m = tasks(dir .. "/tasks_mod.lua")

local t0 = now()
local jobs = {}
for i = 1, n do jobs[i] = submit(0, m.ident, {args = {i = i}}) end
local results = await_all(jobs)
local elapsed = now() - t0

local sum = 0
for i = 1, n do sum = sum + results[i] end
if sum ~= n * (n + 1) // 2 then error("tasks-trivial: results sum to " .. sum) end
print(string.format("RESULT jobs=%d seconds=%.6f rate=%.0f", n, elapsed, n / elapsed))
