--! options: --virtual-time
-- handle:cancel() stops a rule: one rule cancels itself after three runs, another is cancelled before it ever runs.
local worker = submit(1, function() sleep(10) end)
local runs = 0
local rule
rule = every(1, function(t)
  runs = runs + 1
  print("rule", t)
  if runs == 3 then rule:cancel() end
end)
local other = every(0.5, function(t) print("other", t) end)
other:cancel()
worker:await()
print("main", now(), runs)
