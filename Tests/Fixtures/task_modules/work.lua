-- Task jobs for the workers_* fixtures: everything a job may do, from any state.
local work = {}

function work.square(job) return job.args.n * job.args.n end

function work.napper(job)
  assert(current() == job, "current() is the job itself")
  sleep(job.args.seconds)
  return job.args.label, job.task, job.priority
end

function work.yielder(job)
  for _ = 1, 3 do yield() end
  return "yielded 3 times"
end

-- Submits a task of its own and awaits it: tasks are shared by every state.
function work.parent(job)
  local child = submit(1, work.square, {args = {n = job.args.n}})
  return child:await() + 1
end

-- Submits a closure job (which runs in this task's own state, upvalues and all) that fails twice, then succeeds.
function work.closure_submitter(job)
  local tries, secret = 0, "upvalue of " .. job.task
  local child = submit(1, function(child)
    tries = tries + 1
    if tries < 3 then error("try " .. tries, 0) end
    return secret, tries, child.attempt
  end, {retries = 5, name = "closure child"})
  return child:await()
end

function work.pass_function() print(print) end

function work.bad_sleep() sleep(-1) end

function work.error_value() error({code = 7}) end

function work.sleeps_with_close(job)
  local _ <close> = setmetatable({}, {__close = function() print("close handler of", job.args.label) end})
  sleep(100)
end

function work.spins_with_close(job)
  local _ <close> = setmetatable({}, {__close = function() print("close handler of", job.args.label) end})
  local x = 0
  while true do x = x + 1 end
end

function work.shell() return exec("echo from exec").stdout end

return work
