--! options: --virtual-time
-- A rule that falls due runs ahead of all jobs: a job whose sleep ends at the same moment continues after it, even though its timer was set first.
submit(1, function()
  sleep(1)
  print("job wakes", now())
  sleep(1)
  print("job wakes", now())
end)
sleep(0.5)
every(0.5, function(t) print("rule", t) end)
