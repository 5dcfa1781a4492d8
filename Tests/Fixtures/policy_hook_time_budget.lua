-- A hook that runs longer than 100 ms is stopped with "policy hook exceeded its time budget" and treated as failed, even when it hides the loop in pcall.
policy{
  priority = function(job)
    if job.name == "spin" then while true do end end
    return job.base_priority + 10
  end,
  on_finish = function(job)
    while true do pcall(function() while true do end end) end
  end,
}
local spin = submit(1, function() print("spin runs") end, {name = "spin"})
local calm = submit(2, function() print("calm runs") end, {name = "calm"})
print(spin.priority, calm.priority)
