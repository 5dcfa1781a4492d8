--! options: --virtual-time
-- With interval = s the priority hook runs again for every unfinished job every s seconds, so a job's priority can change over time and with it the order of dispatch.
policy{
  interval = 1,
  priority = function(job, now)
    if job.name == "y" then
      print("evaluate y", now)
      if now >= 2 then return 0.5 end
    end
    return job.base_priority
  end,
}
submit(0, function() sleep(3.5); print("busy done", now()) end, {name = "busy"})
submit(1, function() print("run x", now()) end, {name = "x"})
submit(2, function() print("run y", now()) end, {name = "y"})
