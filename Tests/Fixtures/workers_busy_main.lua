--! options: -w 2
--! max-seconds: 20
--! repeat: 3
-- A free worker state takes ready task jobs while the main chunk computes without suspending: the jobs finish
-- before the main chunk's loop does. A closure job a task submits runs in that task's state, retries included; what
-- only a worker state refuses is a function passed to the main state.
local work = tasks("task_modules/work.lua")
local jobs = {}
for n = 1, 5 do jobs[n] = submit(1, work.square, {args = {n = n}}) end
local submitter = submit(1, work.closure_submitter)
local passer = submit(1, work.pass_function)
local started = os.clock()
while os.clock() - started < 0.5 do end  -- the main state stays busy
local done = 0
for n = 1, 5 do if jobs[n].status == "done" then done = done + 1 end end
print("done while the main chunk computed", done)
print(pcall(submitter.await, submitter))
print(pcall(passer.await, passer))
