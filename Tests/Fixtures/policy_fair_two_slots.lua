--! options: -j 2 --virtual-time
-- prio.policies.fair with two slots: over 40 s of 1-second jobs, weights a = 3, b = 1 give a three quarters of the 80 completions, to within one job.
policy(prio.policies.fair{weights = {a = 3, b = 1}})
local done = {a = 0, b = 0}
for i = 1, 60 do
  for _, group in ipairs({"b", "a"}) do
    submit(1, function() sleep(1); done[group] = done[group] + 1 end, {group = group})
  end
end
sleep(40.5)
print("done", done.a + done.b, "a within one job of 60:", math.abs(done.a - 60) <= 1, "b within one job of 20:", math.abs(done.b - 20) <= 1)
for _, job in ipairs(jobs()) do job:cancel() end
