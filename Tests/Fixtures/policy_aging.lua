--! options: --virtual-time
-- prio.policies.aging{rate, interval}: a job's priority falls by rate per second it has waited, so an old low-priority job overtakes newer urgent ones once it has aged enough.
policy(prio.policies.aging{rate = 1, interval = 0.5})
local function work(name)
  return function(job)
    print(("%-8s starts at %-5g priority %g"):format(name, now(), job.priority))
    sleep(1)
  end
end
sleep(0.25)
submit(5, work("old"), {name = "old"})
for i = 1, 8 do
  submit(1, work("urgent" .. i), {name = "urgent" .. i})
  sleep(1)
end
