--! options: --virtual-time
-- opts.delay: the job may not start until delay seconds after submission; others go first meanwhile.
local late = submit(1, function() print("late starts at", now()) end, {delay = 2})
local early = submit(1, function() print("early starts at", now()) end)
print(late.status, late.submitted_at)
late:await()
print(late.started_at, late.finished_at)
