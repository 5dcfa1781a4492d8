--! options: -j 2 --virtual-time --events -
-- --events - writes each event to stderr with the priority the job has after it: the submitted one, a
-- set_priority (a call that changes nothing is no event), what an awaiter lends its target, and what a
-- policy computes when it is installed or removed; with the job's status and the virtual time.
local low = submit(10, function() sleep(2) end, {name = "low"})
local mid = submit(5, function() sleep(1) end, {name = "mid"})
mid:set_priority(7)
mid:set_priority(7)
local high = submit(1, function() low:await() end, {name = "high"})
sleep(0.5)
policy{priority = function(job) return job.base_priority * 10 end}
submit(2, function() sleep(0.25) end, {name = "late"})
sleep(1)
policy(nil)
print(low.priority, low.base_priority, high.priority, now())
