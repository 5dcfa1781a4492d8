-- interactive_background.lua: a server that reindexes its shards in the
-- background while users' requests keep arriving.
--
--     prio-lua -j 4 scripts/examples/interactive_background.lua
--
-- * Eight background jobs (priority 10) are queued at once; four slots means
--   four of them run and four wait.
-- * Interactive requests (priority 1) are submitted up front too, with a
--   `delay`: they may not start before they "arrive".  An arrived request
--   goes ahead of every queued background job, so it takes the very next
--   free slot.  (It does not stop a running job: that is what a policy with
--   `preempt = true` is for.)
-- * The dashboard request shows shard 8, so it promotes that shard's reindex
--   with `set_priority`: shard 8 then starts before shards 5, 6 and 7.
--
-- Steps take multiples of 40 ms and no two end at the same moment, so the
-- story is the same on every run.

local TICK = 0.04
local BACKGROUND, PROMOTED, INTERACTIVE = 10, 5, 1

-- Background work: shard number -> ticks it takes to reindex.
local reindex_ticks = {3, 4, 6, 9, 4, 4, 4, 2}
local order = {}  -- shards in the order their reindex started

local function queued_background()
  return #jobs({status = "pending", tag = "background"})
end

local shards = {}
for shard, ticks in ipairs(reindex_ticks) do
  shards[shard] = submit(BACKGROUND, function(job)
    order[#order + 1] = shard
    print(string.format("[bg] reindex shard %d started (priority %g)", shard, job.priority))
    sleep(ticks * TICK)
    print(string.format("[bg] shard %d reindexed", shard))
  end, {name = "reindex shard " .. shard, tags = {"background"}})
end
print(string.format("queued %d background jobs at priority %d", #shards, BACKGROUND))

-- Interactive requests: what they do, when they arrive, how long they take.
local function request(path, arrives, ticks, handle)
  return submit(INTERACTIVE, function(job)
    print(string.format("[ui] GET %s started, ahead of %d queued background jobs", path, queued_background()))
    if handle then handle(job) end
    sleep(ticks * TICK)
    print(string.format("[ui] GET %s answered", path))
    return path
  end, {name = "GET " .. path, delay = arrives * TICK, tags = {"interactive"}})
end

local requests = {
  request("/search", 1, 2),
  request("/dashboard", 2, 4, function()
    local shard8 = shards[8]
    shard8:set_priority(PROMOTED)
    print(string.format("[ui] the dashboard shows shard 8: promoted to %s", tostring(shard8)))
  end),
}
print(string.format("%d interactive requests will arrive at priority %d", #requests, INTERACTIVE))

-- The main chunk holds no slot: it waits for the requests, then for the rest.
local answered = await_all(requests)
print("all requests answered: " .. table.concat(answered, ", "))
await_all(shards)
print("background reindex order: shard " .. table.concat(order, ", "))
