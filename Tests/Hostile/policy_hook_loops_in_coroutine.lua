--! exit: 0
--! stdout: job runs\n
--! max-seconds: 2
-- A policy hook escapes its 100 ms budget by resuming a coroutine created
-- before the hook ran: the budget's count hook is set on the main state
-- only, and a thread inherits hooks only when it is created. on_finish runs
-- between resumes, with no time slice either, so the run hung for good.
-- Now the coroutine gets the budget hook when it is resumed: it is stopped
-- after 100 ms, coroutine.resume returns the error to the hook, which
-- returns normally, and the run goes on.
local spinner = coroutine.create(function() while true do end end)
policy{ on_finish = function(job) coroutine.resume(spinner) end }
submit(1, function() print('job runs') end)
