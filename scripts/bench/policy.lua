-- Benchmark workload "policy": 100,000 pending jobs re-evaluated by a Lua
-- `priority` hook with reprioritize(), PASSES times. Prints one line:
--   policy <jobs> <passes> <median ms per pass> <evaluations per second>
local jobs = tonumber(arg[1]) or 100000
local passes = tonumber(arg[2]) or 10
for i = 1, jobs do submit((i * 7919) % 10 + 1, function() end) end
policy{ priority = function(job, now) return job.base_priority * 2 end }
local times = {}
for pass = 1, passes do
  local t0 = os.clock()
  reprioritize()
  times[pass] = os.clock() - t0
end
table.sort(times)
local median = times[(passes + 1) // 2]
print(string.format("policy %d %d %.2f %.0f", jobs, passes, median * 1000, jobs / median))
os.exit(0)
