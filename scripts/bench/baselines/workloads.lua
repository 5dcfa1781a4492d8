-- workloads.lua: the issue-7 workloads for the two Lua baselines.
--
--   .build-bench/cfloor baselines/workloads.lua WORKLOAD [SIZE...]   (C floor)
--   lua5.4 baselines/pure.lua baselines/workloads.lua WORKLOAD [SIZE...] (pure Lua)
--
-- Both hosts give the small API described in cfloor.c (submit, yield, now,
-- track_jobs, set_priority, policy, reprioritize, await_all) and run the
-- queued jobs after this main chunk returns. Each workload below does the
-- same work, with the same sizes, and measures the same span as the prio-lua
-- script of the same name in scripts/bench/ (see the comments there); the
-- only differences are the API's shape: a job body gets (priority, id)
-- instead of a job object, and a job is an integer id instead of an object
-- with methods. Output lines are the same `RESULT key=value ...` lines.
--
-- Workloads: yield JOBS | spawn JOBS | reprio JOBS PASSES |
--            policy JOBS PASSES | latency ITERATIONS | fanout PARENTS

local workload = arg[1]
local now = now

local function priority_of(i) return (i * 7919) % 10 + 1 end

local function median(times)
  table.sort(times)
  return times[(#times + 1) // 2]
end

local workloads = {}

function workloads.yield(n)
  n = tonumber(n) or 100000
  local yield = yield
  local count, t0 = 0, 0
  local function body(priority, id)
    for _ = 1, 10 do yield() end
    count = count + 1
    if count == n then
      print(string.format("RESULT jobs=%d resumes=%d seconds=%.6f", n, n * 11, now() - t0))
    end
  end
  t0 = now()
  for i = 1, n do submit(priority_of(i), body) end
end

function workloads.spawn(n)
  n = tonumber(n) or 1000000
  local done, errors, last_priority, last_id = 0, 0, -math.huge, 0
  local t0, t1 = 0, 0
  local function body(priority, id)
    if priority < last_priority or (priority == last_priority and id < last_id) then errors = errors + 1 end
    last_priority, last_id = priority, id
    done = done + 1
    if done == n then
      print(string.format("RESULT jobs=%d seconds=%.6f submit_seconds=%.6f order_errors=%d",
        n, now() - t0, t1 - t0, errors))
    end
  end
  t0 = now()
  for i = 1, n do submit(priority_of(i), body) end
  t1 = now()
end

function workloads.reprio(n, passes)
  n, passes = tonumber(n) or 100000, tonumber(passes) or 10
  track_jobs()
  local set_priority = set_priority
  local list = {}
  local function noop() end
  for i = 1, n do list[i] = submit(priority_of(i), noop) end
  local times = {}
  for pass = 1, passes do
    local t0 = now()
    for i = 1, n do set_priority(list[i], (i * pass * 31) % 10 + 1) end
    times[pass] = now() - t0
  end
  local m = median(times)
  print(string.format("RESULT jobs=%d passes=%d pass_seconds=%.6f changes_per_second=%.0f", n, passes, m, n / m))
  io.stdout:flush()
  os.exit(0)
end

function workloads.policy(n, passes)
  n, passes = tonumber(n) or 100000, tonumber(passes) or 10
  track_jobs()
  local function noop() end
  for i = 1, n do submit(priority_of(i), noop) end
  local pass = 1
  policy{ priority = function(job, t) return (job.base_priority * pass) % 11 end }
  local times = {}
  for p = 1, passes do
    pass = p + 1
    local t0 = now()
    reprioritize()
    times[p] = now() - t0
  end
  local m = median(times)
  print(string.format("RESULT jobs=%d passes=%d pass_seconds=%.6f evaluations_per_second=%.0f", n, passes, m, n / m))
  io.stdout:flush()
  os.exit(0)
end

function workloads.latency(iterations)
  iterations = tonumber(iterations) or 2000000
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
end

function workloads.fanout(n)
  n = tonumber(n) or 10000
  track_jobs()
  local parents_done, t0 = 0, 0
  local function child(priority, id) return 1 end
  local function parent(priority, id)
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
  for i = 1, n do submit(priority_of(i), parent) end
end

function workloads.empty() end

local run = workloads[workload]
if not run then error("unknown workload: " .. tostring(workload)) end
run(select(2, table.unpack(arg)))
