-- policy_demote_background.lua: an `every` rule demotes background work
-- while interactive jobs are waiting, and restores it when none are.
--
--     prio-lua --virtual-time -j 2 scripts/examples/policy_demote_background.lua
--
-- Two workers.  Three background reindex jobs (forty 3-second chunks each)
-- and a few interactive requests all have the same base priority, 5, so by
-- default a request queues behind the reindex jobs submitted before it.
--
-- Every 10 seconds a rule looks at the queue (jobs()).  While an
-- interactive request is waiting, it demotes each background job to
-- 10 + its shard number; with `preempt = true` the waiting requests then
-- suspend the worst background jobs holding a worker.  A suspended job keeps
-- its progress and resumes where it was.  Once no request waits, the rule
-- restores the background jobs to their base priority.
--
-- A few minutes of virtual time; it runs in moments.

local function clock()
  local t = now()
  return ("%d:%02d"):format(t // 60, t % 60)
end

policy{preempt = true}

local background = {}
local function reindex(shard)
  return function()
    print(("[%s] reindex %d starts"):format(clock(), shard))
    for chunk = 1, 40 do
      sleep(3)
      if chunk == 20 then print(("[%s] reindex %d: half done"):format(clock(), shard)) end
    end
    print(("[%s] reindex %d done"):format(clock(), shard))
  end
end
for shard = 1, 3 do
  background[shard] = submit(5, reindex(shard), {name = "reindex " .. shard, tags = {"background"}})
end

local function request(name, seconds)
  return function()
    print(("[%s] %s starts"):format(clock(), name))
    sleep(seconds)
    print(("[%s] %s done"):format(clock(), name))
  end
end
local demoted = false
local rule
rule = every(10, function()
  local waiting = jobs{status = "pending", tag = "interactive"}
  if #waiting > 0 and not demoted then
    print(("[%s] %d interactive request(s) waiting: demoting background work"):format(clock(), #waiting))
    for shard, job in ipairs(background) do
      if job.status ~= "done" then job:set_priority(10 + shard) end
    end
    demoted = true
  elseif #waiting == 0 and demoted then
    print(("[%s] no interactive request waiting: background work restored"):format(clock()))
    for _, job in ipairs(background) do
      if job.status ~= "done" then job:set_priority(5) end
    end
    demoted = false
  end
  if #jobs{tag = "background"} == 0 then rule:cancel() end
end)

-- The requests arrive while the reindex runs (the main chunk submits each
-- one when it arrives; it runs ahead of the jobs, as rules do).
local arrivals = {{42, "search", 21}, {47, "report", 15}, {125, "profile", 12}}
for _, arrival in ipairs(arrivals) do
  local at, name, seconds = table.unpack(arrival)
  sleep(at - now())
  print(("[%s] %s arrives"):format(clock(), name))
  submit(5, request(name, seconds), {name = name, tags = {"interactive"}})
end
