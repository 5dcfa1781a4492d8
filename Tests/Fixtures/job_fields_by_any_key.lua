-- Job fields read the same by a literal key and by a key built at run time
-- (the C __index caches field names by their interned string), before and
-- after the job changes; names that are not fields read nil; methods too.
local j = submit(3, function() end)
local names = {"id", "priority", "base_priority", "attempt", "submitted_at", "started_at", "finished_at", "name", "status"}
local function same_by_literal_and_built_keys(job)
  local out = {}
  for _, n in ipairs(names) do
    local built = n:sub(1, 1) .. n:sub(2)  -- the same text, made at run time
    out[#out + 1] = tostring(job[n] == job[built])
  end
  return table.concat(out, " ")
end
print(same_by_literal_and_built_keys(j))
print(j.priority, j["prio" .. "rity"], j.base_priority, j.id, j.attempt)
j:set_priority(7)
print(j.priority, j["prio" .. "rity"], j.base_priority)
print(j.priorityx, j.Priority, j[1], j[true])
print(j.set_priority == j["set_" .. "priority"], j.await == j["aw" .. "ait"], j.cancel ~= j.await)
print(j.started_at == nil, j.status)
j:await()
print(j.started_at ~= nil, j.finished_at >= j.started_at, j.status)
print(same_by_literal_and_built_keys(j))
