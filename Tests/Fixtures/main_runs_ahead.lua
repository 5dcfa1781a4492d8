--! options: -j 1 --virtual-time
-- The main chunk may sleep and await; when it can continue it runs ahead of every job.
submit(1, function() sleep(1); print("a woke", now()) end)
sleep(0.5)
print("main at", now())
sleep(0.5) -- due at the same instant as the job's sleep, but set later
print("main woke", now())
local x = submit(1, function()
  submit(0, function() print("y runs") end)
  return 42
end)
print("main got", x:await())
