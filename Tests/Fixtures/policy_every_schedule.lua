--! options: --virtual-time
-- every(interval, fn): fn(now) runs every interval seconds, the first time one interval after the call; once the jobs are done the run ends.
sleep(0.5)
every(1, function(t) print("rule", t, now()) end)
submit(1, function() sleep(3.2); print("job done", now()) end)
