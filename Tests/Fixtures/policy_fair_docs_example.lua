--! options: --virtual-time
-- docs/policies.md's fair-sharing example, checked: weights a = 3, b = 1, one
-- slot and 1-second jobs: after 16 s, 12 jobs of a and 4 of b are done.
policy(prio.policies.fair{weights = {a = 3, b = 1}})
local all = {}
for i = 1, 20 do
  all[#all+1] = submit(1, function() sleep(1) end, {group = "b"})
  all[#all+1] = submit(1, function() sleep(1) end, {group = "a"})
end
sleep(16.5)
local done = {a = 0, b = 0}
for _, j in ipairs(all) do if j.status == "done" then done[j.group] = done[j.group] + 1 end end
print("after 16 s", done.a, done.b)
for _, j in ipairs(all) do j:cancel() end
