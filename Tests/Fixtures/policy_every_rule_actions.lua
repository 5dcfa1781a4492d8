--! options: --virtual-time
-- A rule may call jobs(), submit, set_priority and cancel, like a job; what it changes decides the next dispatch.
local function work(name) return function() print("run", name, now()) end end
submit(0, function() sleep(3) end, {name = "busy"})
local a = submit(5, work("a"), {name = "a"})
local b = submit(6, work("b"), {name = "b"})
local c = submit(7, work("c"), {name = "c"})
local ticks = 0
local rule
rule = every(1, function(t)
  ticks = ticks + 1
  local seen = {}
  for _, job in ipairs(jobs()) do seen[#seen + 1] = job.name .. ":" .. job.status end
  print("rule", t, table.concat(seen, " "))
  if ticks == 1 then
    submit(1, work("urgent"), {name = "urgent"})
  else
    c:set_priority(0)
    b:cancel()
    rule:cancel()
  end
end)
