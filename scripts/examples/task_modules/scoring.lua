-- Task module of scripts/examples/score_documents.lua: pure computation that
-- any Lua state can run. Each function field is a task ("scoring.<field>").
local scoring = {}

-- A made-up "document": deterministic text from a seed, so every state
-- builds the same one without sharing anything.
local function document(seed, words)
  local parts, x = {}, seed
  for i = 1, words do
    x = (x * 1103515245 + 12345) % 2147483648
    parts[i] = string.char(97 + x % 26, 97 + (x // 26) % 26, 97 + (x // 676) % 26)
  end
  return table.concat(parts, " ")
end

-- Scores one document: word counts, then a weighted checksum of them. About
-- 10 ms of Lua per document at the example's sizes.
function scoring.score(job)
  local text = document(job.args.seed, job.args.words)
  local counts = {}
  for word in text:gmatch("%a+") do counts[word] = (counts[word] or 0) + 1 end
  local score = 0
  for word, n in pairs(counts) do
    local weight = 0
    for c in word:gmatch(".") do weight = (weight * 31 + c:byte()) % 1000003 end
    score = (score + weight * n) % 1000003
  end
  return {seed = job.args.seed, score = score}
end

return scoring
