-- Benchmark workload "latency" (issue 7), for prio-lua at -j 64 with the
-- default 5 ms slice.
--   prio-lua -j 64 scripts/bench/latency.lua ITERATIONS
-- 20 CPU-bound jobs at priority 5 that never yield, each an arithmetic loop
-- of ITERATIONS steps (scripts/bench/run calibrates it to ~20 ms in lua5.4),
-- and one better job (priority 1) submitted with a 5 ms delay. With 64
-- slots the better job has a free slot the moment it falls due; the figure
-- is how late it starts after that.
-- Measures itself: now() when the better job starts minus its due time
-- (now() at its submission + 5 ms). One sample per process; run repeats it.
-- Prints: RESULT delay_ms=<start delay> busy_done=<busy jobs finished before it>
local iterations = tonumber(arg[1]) or 2000000
local now = now
local busy_done = 0

local function busy()
  local x = 0
  for i = 1, iterations do x = (x + i) % 1000003 end
  busy_done = busy_done + 1
  return x
end

for _ = 1, 20 do submit(5, busy) end
local due = now() + 0.005
submit(1, function()
  print(string.format("RESULT delay_ms=%.3f busy_done=%d", (now() - due) * 1000, busy_done))
end, { delay = 0.005 })
