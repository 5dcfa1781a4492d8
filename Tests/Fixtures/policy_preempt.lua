--! options: --virtual-time
-- preempt = true: a pending job strictly better than the worst slot holder suspends it out of its slot (status "pending"); the victim later resumes where it was, and a sleep it was in went on counting meanwhile.
policy{preempt = true}
local low
low = submit(10, function()
  for step = 1, 3 do
    print("low step", step, now())
    sleep(1)
  end
  print("low done", now())
end, {name = "low"})
submit(1, function()
  print("high starts", now(), "low is " .. low.status)
  sleep(1)
  print("high done", now(), "low is " .. low.status)
end, {name = "high", delay = 1.5})
