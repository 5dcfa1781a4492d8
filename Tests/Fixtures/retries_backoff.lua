--! options: --virtual-time
--! exit: 1
-- opts.retries/backoff: a failing job is retried after backoff * 2^(attempt-1) seconds; each retry is a notice, the last failure is reported.
submit(1, function(job)
  print("attempt", job.attempt, "at", now())
  error("fail " .. job.attempt)
end, {name = "flaky", retries = 2, backoff = 1})
