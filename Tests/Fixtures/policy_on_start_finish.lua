--! options: -j 2 --virtual-time
-- on_start(job) runs when a job starts, on_finish(job) when it reaches done, failed or cancelled; each sees the job's status at that moment.
policy{
  on_start = function(job) print("on_start", job.name, job.status, now()) end,
  on_finish = function(job) print("on_finish", job.name, job.status, now()) end,
}
local a = submit(1, function() print("a body"); sleep(1) end, {name = "a"})
local b = submit(2, function() sleep(0.5); error("b fails", 0) end, {name = "b"})
local c = submit(3, function() print("c body") end, {name = "c"})
local d = submit(4, function() print("d body") end, {name = "d"})
d:cancel()
print("main sees", pcall(b.await, b))
