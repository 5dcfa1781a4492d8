--! options: --virtual-time
-- Hooks may call jobs(), submit, set_priority and cancel: on_start looks at the queue, on_finish submits a follow-up, promotes one job and cancels another.
policy{
  on_start = function(job)
    local names = {}
    for _, other in ipairs(jobs("pending")) do names[#names + 1] = other.name end
    print("on_start", job.name, "pending: " .. table.concat(names, " "))
  end,
  on_finish = function(job)
    print("on_finish", job.name, job.status)
    if job.name == "build" then
      submit(1, function() print("run deploy") end, {name = "deploy"})
      for _, other in ipairs(jobs{tag = "obsolete"}) do other:cancel() end
      docs:set_priority(0)
    end
  end,
}
submit(1, function() print("run build") end, {name = "build"})
submit(2, function() print("run stale") end, {name = "stale", tags = {"obsolete"}})
docs = submit(3, function() print("run docs") end, {name = "docs"})
