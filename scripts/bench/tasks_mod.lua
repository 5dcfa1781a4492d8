-- Task module of the "tasks-trivial" and "tasks-cpu" benchmarks (SPEC 8),
-- loaded by tasks-trivial.lua and tasks-cpu.lua with tasks(): its tasks are
-- tasks_mod.ident and tasks_mod.spin.
--
-- spin's loop is the arithmetic of cpu.lua. baselines/luv_tasks.lua carries
-- a copy of it (a luv work function is string.dump'ed into another Lua
-- state, so it cannot share this file as an upvalue): keep the two loops
-- identical, or the prio-lua/luv comparison stops meaning anything.
-- n = 470000 iterations take ~10 ms in plain lua5.4 on the bench machine
-- (calibrated: median of runs, os.clock per call).
local M = {}

-- The cheapest possible task: measures per-task overhead (copying args in,
-- the result out, handing the job to a state), not work.
function M.ident(job)
  return job.args.i
end

-- job.args.n iterations of integer and float arithmetic; returns a checksum
-- so the work cannot be skipped and the caller can verify it.
function M.spin(job)
  local n = job.args.n
  local x, y = 0, 0.0
  for i = 1, n do
    x = (x * 31 + i) % 1000003
    y = y + (i % 7) * 0.5
  end
  return x + y
end

return M
