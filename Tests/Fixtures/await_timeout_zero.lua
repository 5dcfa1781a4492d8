--! options: -j 2 --virtual-time
-- job:await(timeout): 0 raises "timeout" at once for an unfinished job and answers a finished one;
-- a timeout the job beats returns its values when it finishes; a job awaiting may time out too.
local j = submit(1, function() sleep(2); return "v", 2 end, {name = "j"})
print(pcall(j.await, j, 0))
print("at", now())
print(j:await(5))
print("at", now())
print(j:await(0))
local k = submit(1, function() sleep(1); return "k" end, {name = "k"})
submit(1, function()
  print("job:", pcall(k.await, k, 0.5))
  print("job at", now(), k.status)
  print("job:", k:await(0.75), now())
end, {name = "waiter"})
