-- Scores 120 documents as task jobs (SPEC §8): with -w N they run in N Lua
-- states at once, one per core. Urgent documents (priority 1) go first.
--   prio-lua -w 4 scripts/examples/score_documents.lua
-- The task module is found next to this script.
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
local scoring = tasks(dir .. "/task_modules/scoring.lua")

local jobs = {}
for i = 1, 120 do
  local urgent = i % 10 == 0
  jobs[i] = submit(urgent and 1 or 5, scoring.score, {args = {seed = i, words = 12000}, name = "doc " .. i})
end

local best, total = nil, 0
for i, result in ipairs(await_all(jobs)) do
  total = (total + result.score) % 1000003
  if not best or result.score > best.score then best = result end
end
print(string.format("scored %d documents; best: document %d (score %d); checksum %d", #jobs, best.seed, best.score, total))
