--! options: --virtual-time
-- on_deadline(job) runs once, when a job with a deadline is still unfinished at it; here it escalates the job with set_priority so it runs next.
policy{on_deadline = function(job)
  print("on_deadline", job.name, job.status, now())
  job:set_priority(1)
end}
local function work(name, seconds)
  return function()
    print("start", name, now())
    sleep(seconds)
    print("end", name, now())
  end
end
submit(0, work("busy", 5), {name = "busy"})
submit(5, work("other", 1), {name = "other"})
submit(10, work("report", 2), {name = "report", deadline = 3})
submit(20, work("relaxed", 1), {name = "relaxed", deadline = 100})
