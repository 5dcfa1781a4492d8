-- Benchmark workload "fanout" (issue 7), for prio-lua at -j 64.
--   prio-lua -j 64 scripts/bench/fanout.lua [PARENTS]
-- PARENTS jobs (priority of job i: (i * 7919) % 10 + 1) each submit 10
-- children (priority 0: sub-tasks go first) and await_all them, checking
-- the sum of their results. jobs = 11 * PARENTS (parents and children).
-- Measures itself: now() from just before the first submit until the last
-- parent finishes.
-- Prints: RESULT parents=<n> jobs=<11n> seconds=<elapsed>
local n = tonumber(arg[1]) or 10000
local now = now
local parents_done, t0 = 0, 0

local function child(job) return 1 end

local function parent(job)
  local children = {}
  for k = 1, 10 do children[k] = submit(0, child) end
  local results = await_all(children)
  local sum = 0
  for k = 1, 10 do sum = sum + results[k] end
  if sum ~= 10 then error("fanout: children returned " .. sum) end
  parents_done = parents_done + 1
  if parents_done == n then
    print(string.format("RESULT parents=%d jobs=%d seconds=%.6f", n, n * 11, now() - t0))
  end
end

t0 = now()
for i = 1, n do submit((i * 7919) % 10 + 1, parent) end
