--! options: -j 2 --virtual-time
-- coroutine.resume of a job's own coroutine (from another job) is refused; the job is undisturbed.
local co
submit(1, function()
  co = coroutine.running()
  sleep(1)
  print("sleeper woke at", now())
end)
submit(1, function()
  print(coroutine.resume(co))
  print(coroutine.resume(coroutine.running()))
end)
