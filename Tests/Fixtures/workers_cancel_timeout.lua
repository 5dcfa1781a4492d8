--! options: -w 3 -j 4
--! repeat: 5
--! max-seconds: 20
-- Cancelling a task job in a worker state returns only after its <close> handlers ran, whether it was suspended
-- (sleeping) or executing (a loop that never suspends); a task's timeout stops it there too. Other jobs go on.
-- With three states, the sleeper and the spinner start in the two worker states.
local work = tasks("task_modules/work.lua")
local sleeper = submit(1, work.sleeps_with_close, {args = {label = "sleeper"}})
local spinner = submit(1, work.spins_with_close, {args = {label = "spinner"}})
local bystander = submit(2, work.napper, {args = {seconds = 0.3, label = "bystander"}})
sleep(0.2)
print("cancel sleeper", sleeper:cancel("not needed"))
print("after cancel", sleeper.status, sleeper.cancel_reason)
print("cancel spinner", spinner:cancel())
print("after cancel", spinner.status)
local timed = submit(1, work.spins_with_close, {args = {label = "timed"}, timeout = 0.2})
print("timed", pcall(timed.await, timed))
print("bystander", bystander:await())
print("cancel again", sleeper:cancel(), spinner:cancel())
