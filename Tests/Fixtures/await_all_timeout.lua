--! options: -j 4 --virtual-time
-- await_all(jobs, timeout): 0 or a timeout that passes first raises "timeout" then, and the jobs go on;
-- a timeout they all beat returns their values when the last one finishes; a job may time out too.
local one = submit(1, function() sleep(1); return "one" end, {name = "one"})
local three = submit(1, function() sleep(3); return "three" end, {name = "three"})
print(pcall(await_all, {one, three}, 0))
print("at", now())
print(pcall(await_all, {one, three}, 2))
print("at", now(), one.status, three.status)
local r = await_all({one, three}, 1.5)
print(r[1], r[2], "at", now())
local four = submit(1, function() sleep(1); return "four" end, {name = "four"})
local five = submit(1, function() sleep(2); return "five" end, {name = "five"})
submit(1, function()
  print("job:", pcall(await_all, {four, five}, 1.5))
  print("job at", now(), four.status, five.status)
  print("job:", await_all({five}, 10)[1], "at", now())
end, {name = "waiter"})
