--! options: -w 3 --virtual-time
--! repeat: 5
-- With worker states (SPEC §8) task jobs run wherever a state is free, and everything a job may do works there:
-- sleep, yield, current(), submitting and awaiting tasks, exec; results and errors cross back. The output does not
-- depend on which state ran which job.
local work = tasks("task_modules/work.lua")
local squares = {}
for n = 1, 20 do squares[n] = submit(n % 3, work.square, {args = {n = n}}) end
local sum = 0
for n = 1, 20 do sum = sum + squares[n]:await() end
print("sum of squares", sum)
local a = submit(1, work.napper, {args = {seconds = 2, label = "a"}})
local b = submit(2, work.napper, {args = {seconds = 1, label = "b"}})
print("napper", a:await())
print("napper", b:await())
print("finished at", now())
print("yielder", submit(1, work.yielder):await())
print("parent", submit(1, work.parent, {args = {n = 12}}):await())
print("exec", submit(1, work.shell):await())
print("closure job of a task", submit(1, work.closure_submitter):await())
for _, name in ipairs({"bad_sleep", "error_value"}) do
  local job = submit(1, work[name])
  local ok, err = pcall(job.await, job)
  print(name, ok, type(err) == "table" and "code " .. err.code or err)
end
