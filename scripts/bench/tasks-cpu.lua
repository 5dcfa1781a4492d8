-- Benchmark workload "tasks-cpu" (SPEC 8): the speed-up from workers.
--   prio-lua -w 1 scripts/bench/tasks-cpu.lua [JOBS [ITERATIONS]]
--   prio-lua -w 2 scripts/bench/tasks-cpu.lua [JOBS [ITERATIONS]]
-- JOBS task jobs of tasks_mod.spin (ITERATIONS of cpu.lua's arithmetic,
-- ~10 ms each in plain lua5.4 at the default 470000), all at priority 0,
-- awaited by the main chunk, which checks that every result is the same
-- checksum. The figure is seconds at -w 1 / seconds at -w 2 (about 2.0 for
-- luv and multiprocessing.Pool on the 2-core bench machine).
-- Measures itself: now() from just before the first submit until await_all
-- returns.
-- Prints: RESULT jobs=<n> iterations=<k> seconds=<elapsed> checksum=<x>
local n = tonumber(arg[1]) or 200
local iterations = tonumber(arg[2]) or 470000
local now = now
-- Scripts run by absolute path from the repository root; tasks() resolves
-- paths from the cwd, so find the module next to this script.
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
local m = tasks(dir .. "/tasks_mod.lua")

local t0 = now()
local jobs = {}
for i = 1, n do jobs[i] = submit(0, m.spin, {args = {n = iterations}}) end
local results = await_all(jobs)
local elapsed = now() - t0

for i = 2, n do
  if results[i] ~= results[1] then error("tasks-cpu: job " .. i .. " returned " .. results[i]) end
end
print(string.format("RESULT jobs=%d iterations=%d seconds=%.6f checksum=%.1f", n, iterations, elapsed, results[1]))
