--! options: --virtual-time
-- Every job field, read while the job is pending, running and finished (done, then failed).
sleep(1)
local j = submit(5, function(job)
  print("running:", job.status, job.attempt, job.started_at, job.finished_at, job.result)
  sleep(0.5)
  return "r1", 2
end, {name = "fetch", tags = {"net", "io"}, data = {url = "u"}, group = "g"})
print("id", j.id, "name", j.name, "priority", j.priority, "base", j.base_priority)
print("pending:", j.status, j.submitted_at, j.started_at, j.finished_at, j.deadline)
print("tags", #j.tags, j.tags[1], j.tags[2], "data", j.data.url, "group", j.group)
print("result", j.result, "error", j.error)
j:await()
print("done:", j.status, j.started_at, j.finished_at, #j.result, j.result[1], j.result[2], j.error)
local k = submit(2.5, function() error({reason = "bad"}) end)
print("defaults", k.id, k.name, k.priority, k.group, k.data)
pcall(k.await, k)
print("failed:", k.status, k.attempt, k.error.reason, k.result, k.finished_at)
-- job.result has its n, also when the job returned nothing or trailing nils
local none = submit(1, function() end)
local nils = submit(1, function() return 1, nil, nil end)
none:await()
nils:await()
print("result.n", none.result.n, #none.result, nils.result.n, select("#", nils:await()))
