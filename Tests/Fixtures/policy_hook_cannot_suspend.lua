--! options: --virtual-time
-- Hooks run to completion: sleep or await inside a hook raises "cannot suspend inside a policy hook" (caught here with pcall, or reported as the hook's failure).
local later = submit(2, function() print("later runs", now()) end, {name = "later"})
policy{
  on_start = function(job)
    print("on_start", job.name, pcall(sleep, 1))
    if job ~= later then print("on_start", job.name, pcall(later.await, later)) end
  end,
  priority = function(job)
    if job.name == "sleepy" then sleep(1) end
    return job.base_priority
  end,
}
local sleepy = submit(1, function() print("sleepy runs", now()) end, {name = "sleepy"})
print("sleepy priority", sleepy.priority)
