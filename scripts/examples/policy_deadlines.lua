-- policy_deadlines.lua: deadline-driven work, with `on_deadline` escalating
-- a late job and dropping an optional one.
--
--     prio-lua --virtual-time -j 2 scripts/examples/policy_deadlines.lua
--
-- Two workers.  A backup and an analytics run are the most important work
-- by base priority and take both workers.  The invoice run has a low base
-- priority but must be done soon: its `deadline` is 200 s after submission.
-- The preview is optional, with a deadline of 250 s.
--
-- The policy:
-- * on_deadline(job): a job still unfinished at its deadline is escalated
--   to priority 0, unless it is tagged "optional": then it is cancelled.
-- * preempt = true: the escalated job does not wait for a free worker; it
--   suspends the worst job holding one (here the backup), which resumes
--   later where it was.  Its sleep went on counting meanwhile, so the backup
--   still ends when it would have.
-- * on_start / on_finish tell the story, and whether each deadline was met.
--
-- Almost seven minutes of virtual time; it runs in moments.

local function clock(t)
  t = t or now()
  return ("%2d:%02d"):format(t // 60, t % 60)
end

policy{
  preempt = true,
  on_deadline = function(job)
    if job.tags[1] == "optional" then
      print(("[%s] %s missed its deadline and is optional: cancelled"):format(clock(), job.name))
      job:cancel("missed its deadline")
    else
      print(("[%s] %s is still %s at its deadline: escalated to priority 0"):format(clock(), job.name, job.status))
      job:set_priority(0)
    end
  end,
  on_start = function(job)
    local note = ""
    for _, other in ipairs(jobs("pending")) do
      if other.started_at then note = note .. ("; %s is suspended"):format(other.name) end
    end
    print(("[%s] %s starts (priority %g)%s"):format(clock(), job.name, job.priority, note))
  end,
  on_finish = function(job)
    local verdict = ""
    if job.deadline and job.status == "done" then
      local late = job.finished_at - job.deadline
      verdict = late <= 0 and ", deadline met" or (", %d s after its deadline"):format(late)
    end
    print(("[%s] %s %s%s"):format(clock(), job.name, job.status, verdict))
  end,
}

local function work(seconds)
  return function() sleep(seconds) end
end

submit(4, work(300), {name = "analytics", deadline = 400})
submit(5, work(400), {name = "backup"})
submit(6, work(120), {name = "invoices", deadline = 200})
submit(7, work(60), {name = "preview", deadline = 250, tags = {"optional"}})
submit(4.5, work(60), {name = "cleanup", delay = 240})
