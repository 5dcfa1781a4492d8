--! options: --virtual-time
-- A job that succeeds on a retry ends done: the earlier failure is only a notice, and the run exits 0.
local j = submit(1, function(job)
  print("attempt", job.attempt, "at", now())
  if job.attempt < 2 then error("not yet") end
  return "ok on " .. job.attempt
end, {name = "flaky", retries = 3, backoff = 0.5})
print(j:await())
print(j.status, j.attempt)
