--! options: --virtual-time
-- prio.policies.fair{weights}: the next slot goes to the group whose slot time divided by its weight is smallest; with a = 3, b = 1 and 1-second jobs, a gets three slot-seconds for each of b's.
policy(prio.policies.fair{weights = {a = 3, b = 1}})
local done = {a = 0, b = 0}
for i = 1, 20 do
  for _, group in ipairs({"b", "a"}) do
    submit(1, function() sleep(1); done[group] = done[group] + 1 end, {group = group})
  end
end
for _, t in ipairs({4.5, 8.5, 16.5}) do
  sleep(t - now())
  print(("at %g: a %d, b %d"):format(now(), done.a, done.b))
end
for _, job in ipairs(jobs()) do job:cancel() end
