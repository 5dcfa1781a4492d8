-- policy_aging.lua: aging keeps a low-priority job from starving behind a
-- steady stream of urgent work.
--
--     prio-lua --virtual-time scripts/examples/policy_aging.lua
--
-- One worker (the default -j 1) serves requests (priority 1) that arrive
-- every 20 seconds and take 20 seconds each, so it is never idle.  A report
-- (priority 10) was queued right after the first request.  By base priority
-- alone the report would wait until the stream dries up.
--
-- prio.policies.aging{rate = 0.1, interval = 1} lowers every waiting job's
-- effective priority by 0.1 per second since its submission, re-evaluated
-- every second.  A fresh request starts at 1; once the report has waited
-- 90 seconds it is better than that, and it takes the next free slot.
-- The requests that queued up behind it have aged too, so they catch up in
-- arrival order.
--
-- The story spans a few minutes of virtual time and runs in moments.

policy(prio.policies.aging{rate = 0.1, interval = 1})

local function clock()
  local t = now()
  return ("%d:%04.1f"):format(t // 60, t % 60)
end

local report
local function waiting()
  if report.status ~= "pending" then return "" end
  return ("   report waits at %.2f"):format(report.priority)
end

local function request(i)
  return function(job)
    print(("[%s] request %d starts at priority %5.2f%s"):format(clock(), i, job.priority, waiting()))
    sleep(20)
  end
end

local function make_report(job)
  print(("[%s] report starts at priority %5.2f after waiting %.1f s"):format(
    clock(), job.priority, now() - job.submitted_at))
  sleep(30)
  print(("[%s] report done"):format(clock()))
end

print("aging: priority = base - 0.1 * seconds waited, re-evaluated every second")
sleep(0.5) -- the ticks of the policy come on whole seconds, the requests half-way between
for i = 1, 8 do
  submit(1, request(i), {name = "request " .. i})
  if i == 1 then report = submit(10, make_report, {name = "report"}) end
  sleep(20)
end
