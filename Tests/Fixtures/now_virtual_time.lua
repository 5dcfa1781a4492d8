--! options: --virtual-time
-- Under --virtual-time now() is a float clock that sleep advances exactly, in the main chunk and in jobs.
print(now(), math.type(now()))
submit(1, function()
  sleep(0.25)
  print("job", now())
  sleep(0.5)
  print("job", now())
end)
sleep(1.5)
print("main", now())
