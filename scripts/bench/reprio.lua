-- Benchmark workload "reprio": 100,000 pending jobs, PASSES passes of
-- set_priority on every one. Prints one line:
--   reprio <jobs> <passes> <median ms per pass> <changes per second>
local jobs = tonumber(arg[1]) or 100000
local passes = tonumber(arg[2]) or 10
local list = {}
for i = 1, jobs do list[i] = submit((i * 7919) % 10 + 1, function() end) end
local times = {}
for pass = 1, passes do
  local t0 = os.clock()
  for i = 1, jobs do list[i]:set_priority((i * pass * 31) % 10 + 1) end
  times[pass] = os.clock() - t0
end
table.sort(times)
local median = times[(passes + 1) // 2]
print(string.format("reprio %d %d %.2f %.0f", jobs, passes, median * 1000, jobs / median))
os.exit(0)
