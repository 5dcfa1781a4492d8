-- Finished jobs are released once nothing refers to them; a job the script
-- holds keeps its fields, result and identity however many jobs pass by.
local kept = submit(1, function() return "kept result", 42 end, {name = "kept", data = {n = 7}, tags = {"x"}})
local failed = submit(1, function() error("kept failure", 0) end)
local by_job = {[kept] = "found by key"}
local batch = 0
while batch < 10 do
  local list = {}
  for k = 1, 1000 do list[k] = submit(2, function(job) return job.id end) end
  await_all(list)
  batch = batch + 1
  collectgarbage()
end
local _, err = pcall(await_all, {failed})
print(kept.name, kept.status, kept.result[1], kept.result[2], kept.data.n, kept.tags[1])
print(failed.status, failed.error, err)
print(by_job[kept], rawequal(kept, by_job and next(by_job)))
print(#jobs(), batch * 1000 + 2 == 10002)
