--! options: --virtual-time
-- job:await(timeout) raises "timeout" when the job is not finished in time; the job itself goes on.
local j = submit(1, function() sleep(10); print("job done at", now()) end)
print(pcall(j.await, j, 2))
print("main at", now(), j.status)
