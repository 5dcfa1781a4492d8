--! options: -j 4 --virtual-time
-- await_any(jobs, timeout): 0 or a timeout that passes first gives nil then, and the jobs go on;
-- a timeout one of them beats returns that job when it finishes; a job may time out too.
local one = submit(1, function() sleep(1) end, {name = "one"})
local three = submit(1, function() sleep(3) end, {name = "three"})
print(await_any({one, three}, 0), now())
print(await_any({one, three}, 0.5), now(), one.status)
print(await_any({three, one}, 2).name, now())
print(await_any({three}, 1), now(), three.status)
print(await_any({three}, 100).name, now())
local four = submit(1, function() sleep(1) end, {name = "four"})
submit(1, function()
  print("job:", await_any({four}, 0.25), now(), current().status)
  print("job:", await_any({four}, 5).name, now())
end, {name = "waiter"})
