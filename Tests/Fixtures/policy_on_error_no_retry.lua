--! options: --virtual-time
--! exit: 1
-- on_error returning nil means no retry, even when opts.retries would allow more: the hook replaces the default retry logic.
policy{on_error = function(job, err)
  print("on_error", job.name, job.attempt, err)
  return nil
end}
submit(1, function(job)
  print("attempt", job.attempt)
  error("gave up", 0)
end, {name = "once", retries = 5, backoff = 1})
