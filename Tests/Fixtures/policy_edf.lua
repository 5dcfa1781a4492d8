--! options: --virtual-time
-- prio.policies.edf(): earliest deadline first; equal deadlines in submission order; jobs without a deadline after all of those, by base priority.
policy(prio.policies.edf())
local function work(name) return function() print("run", name) end end
submit(1, work("no deadline, base 1"))
submit(5, work("deadline 30"), {deadline = 30})
submit(9, work("deadline 10"), {deadline = 10})
submit(0, work("no deadline, base 0"))
submit(3, work("deadline 20"), {deadline = 20})
submit(2, work("deadline 10, later"), {deadline = 10})
