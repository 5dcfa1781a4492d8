-- A job awaiting itself gets the error "cannot await itself".
submit(1, function(job)
  print(pcall(job.await, job))
  print(pcall(await_all, {job}))
  print("still", job.status)
end)
