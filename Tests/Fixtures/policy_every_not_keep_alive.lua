--! options: --virtual-time
-- Periodic rules alone do not keep a run alive: with no job left the run ends and the rule never runs.
every(1, function(t) print("rule", t) end)
print("main returns", now())
