-- Benchmark workload "cpu" (issue 7): the same pure-Lua arithmetic loop
-- inside one prio-lua job and in stock lua5.4 (this file runs under both:
-- it submits the loop as a job when `submit` exists, else runs it inline).
--   prio-lua scripts/bench/cpu.lua [STEPS]      lua5.4 scripts/bench/cpu.lua [STEPS]
-- Timed as a whole process by scripts/bench/run (wall clock), minus the
-- median startup of an empty script under the same interpreter: the two
-- interpreters have no common in-process clock, and the loop is long enough
-- (seconds) that startup is small anyway.
-- Prints: RESULT checksum=<x>/<y> (the same under both)
local steps = tonumber(arg[1]) or 50000000

local function work()
  local x, y = 0, 0.0
  for i = 1, steps do
    x = (x * 31 + i) % 1000003
    y = y + (i % 7) * 0.5
  end
  print(string.format("RESULT checksum=%d/%.1f", x, y))
end

if submit then submit(1, work) else work() end
