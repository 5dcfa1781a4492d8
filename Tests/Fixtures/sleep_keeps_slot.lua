--! options: -j 1 --virtual-time
-- A sleeping job keeps its slot: under -j 1 a pending job waits until the sleeper finishes.
submit(1, function()
  print("a sleeps at", now())
  sleep(1)
  print("a wakes at", now())
end)
submit(1, function() print("b starts at", now()) end)
