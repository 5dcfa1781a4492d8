--! options: -w 2 -j 1 --sandbox --memory-limit 48M
--! repeat: 2
--! max-seconds: 30
-- --memory-limit and --sandbox apply to each Lua state: a task job that
-- exhausts its state's memory fails with "not enough memory" and the other
-- jobs go on; a sandboxed task finds no io, os.execute or require, in
-- whichever state it runs. Policies run in the main state and see task jobs'
-- task and args: here the priority hook runs the biggest args first.
local limits = tasks("task_modules/limits.lua")
policy{
  priority = function(job)
    if job.task == "limits.small" then return -job.args end
    return job.base_priority
  end,
  on_finish = function(job)
    if job.task == "limits.small" then print("finished", job.task, job.args, job.result[1]) end
  end,
}
local hog = submit(100, limits.hog)
print("hog", pcall(hog.await, hog))
print("sandboxed", submit(1, limits.sandboxed):await())
local jobs = {}
for n = 1, 4 do jobs[n] = submit(1, limits.small, {args = n}) end
await_all(jobs)
