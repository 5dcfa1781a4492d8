--! options: -j 3 --virtual-time
-- A priority hook gets the same job object at every evaluation, and so does
-- jobs(): per-job state kept in a weak-keyed table survives between them.
-- Once the jobs finish (and the hook is gone), nothing keeps their objects.
local seen = setmetatable({}, {__mode = "k"})
local calls = 0
policy{
  interval = 1,
  priority = function(job, now)
    calls = calls + 1
    seen[job] = (seen[job] or 0) + 1
    return job.base_priority
  end,
}
local jobs_made = {}
for i = 1, 3 do
  jobs_made[i] = submit(i, function() sleep(2.5) end, {name = "j" .. i})
end
local ids = {}
for i, job in ipairs(jobs_made) do ids[i] = job.id end
jobs_made = nil
sleep(2.2)
collectgarbage(); collectgarbage()
local counts = {}
for job, n in pairs(seen) do counts[#counts + 1] = job.name .. "=" .. n end
table.sort(counts)
print("evaluations per object", table.concat(counts, " "))
local listed = setmetatable({}, {__mode = "k"})
for _, job in ipairs(jobs("running")) do listed[job] = true end
collectgarbage(); collectgarbage()
local same = 0
for _, job in ipairs(jobs("running")) do if listed[job] then same = same + 1 end end
print("jobs() hands out the same objects", same)
policy(nil)
await_all(jobs())
collectgarbage(); collectgarbage()
local left = 0
for _ in pairs(seen) do left = left + 1 end
for _ in pairs(listed) do left = left + 1 end
print("objects left after the jobs finished", left, calls > 0)
