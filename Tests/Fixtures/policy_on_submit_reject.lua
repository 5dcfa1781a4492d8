--! options: --virtual-time
-- on_submit(job) runs once before the job is queued; returning false, reason rejects it: submit raises "rejected: <reason>" and the job never runs.
policy{on_submit = function(job)
  print("on_submit", job.name)
  if job.tags[1] == "spam" then return false, "no spam please" end
end}
submit(1, function() print("run ok") end, {name = "ok"})
print(pcall(submit, 1, function() print("run spam") end, {name = "spam", tags = {"spam"}}))
print("unfinished jobs", #jobs())
