--! options: --virtual-time
-- opts.deadline is seconds from submission, stored absolute: job.deadline == submitted_at + deadline.
sleep(1.5)
local j = submit(1, function() end, {deadline = 2})
local k = submit(1, function() end)
print(j.submitted_at, j.deadline, j.deadline == j.submitted_at + 2)
print(k.deadline)
