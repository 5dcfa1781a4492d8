--! options: --virtual-time
-- on_error(job, err) decides retries in place of opts.retries/backoff: it returns seconds until the next attempt, or nil for none.
policy{on_error = function(job, err)
  print("on_error", job.name, job.attempt, err)
  if job.attempt < 3 then return job.attempt * 10 end
  return nil
end}
submit(1, function(job)
  print("attempt", job.attempt, now())
  if job.attempt < 3 then error("try again", 0) end
  print("succeeded")
end, {name = "flaky"})
