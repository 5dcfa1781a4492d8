--! options: -j 8 --virtual-time
-- await_any over jobs that have already finished returns at once the one that finished first, whatever
-- the array order, the ids and the statuses (done, failed, cancelled); so does a mix with unfinished ones.
local done2 = submit(3, function() sleep(2); return "two" end, {name = "done at 2"})
local failed1 = submit(1, function() sleep(1); error("one", 0) end, {name = "failed at 1"})
local done3 = submit(2, function() sleep(3) end, {name = "done at 3"})
local long = submit(4, function() sleep(10) end, {name = "long"})
local cancelled = submit(5, function() sleep(10) end, {name = "cancelled at 0.5"})
submit(0, function() pcall(failed1.await, failed1) end, {name = "watcher"})
local function name(job) return job and job.name end
sleep(0.5)
cancelled:cancel()
sleep(3)
print(now(), done2.status, failed1.status, done3.status, cancelled.status, long.status)
print(name(await_any({done2, done3})))
print(name(await_any({done3, done2})))
print(name(await_any({done3, done2, failed1})))
print(name(await_any({done3, failed1, cancelled, done2})))
print(name(await_any({long, done3, long, done2})), now())
print(name(await_any({done3, done2}, 0)), name(await_any({long, done3, done2}, 0)), now())
print(await_any({done3, done2}) == done2, long.status)
submit(1, function()
  print("in a job:", name(await_any({long, done3, done2})), current().status, now())
end)
