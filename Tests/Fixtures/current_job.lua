-- current() is nil in the main chunk and the running job inside a job.
print("main:", current())
local j
j = submit(1, function(job)
  print("job:", current() == job, current() == j, current().name)
end, {name = "worker"})
