-- build_graph.lua: a small build (generate, compile, link, test) as a graph
-- of prio-lua jobs.  Run it with four slots:
--
--     prio-lua -j 4 scripts/examples/build_graph.lua
--
-- Every target is one job.  A target's job first submits its dependencies
-- (each target is submitted once, however many targets need it) and awaits
-- them; a job blocked in an await gives its slot back, so the four slots only
-- ever hold jobs doing real work.  Then the job "runs its tool" (a short
-- sleep, during which it keeps its slot).
--
-- Lower priority numbers run first.  The compile units are ranked by the
-- work that waits behind them: the generated tables and the parser are on
-- the longest chain, so they go first; main.o is quick to build and goes
-- last, so with four slots it is the one that waits for a free slot.
-- Targets further downstream have larger numbers: a job waiting on another
-- lends it its priority (inheritance), and with these numbers the loan never
-- reorders the units.  Slot holders also run best first, which is why
-- test_eval and test_cli only reach their "[wait]" after the better-ranked
-- units have started.
--
-- Steps take multiples of 40 ms and no two steps end at the same moment,
-- so the log is the same on every run.

local TICK = 0.04

-- name -> tool, priority, duration in ticks, dependencies
local graph = {
  ["tables.c"]   = {tool = "gen",  priority = 1, ticks = 2, deps = {}},
  ["parser.o"]   = {tool = "cc",   priority = 1, ticks = 4, deps = {"tables.c"}},
  ["eval.o"]     = {tool = "cc",   priority = 2, ticks = 5, deps = {}},
  ["lexer.o"]    = {tool = "cc",   priority = 3, ticks = 3, deps = {}},
  ["util.o"]     = {tool = "cc",   priority = 4, ticks = 1, deps = {}},
  ["main.o"]     = {tool = "cc",   priority = 5, ticks = 3, deps = {}},
  ["calc"]       = {tool = "link", priority = 7, ticks = 2,
                    deps = {"parser.o", "eval.o", "lexer.o", "util.o", "main.o"}},
  ["test_lexer"] = {tool = "test", priority = 8, ticks = 1, deps = {"calc"}},
  ["test_eval"]  = {tool = "test", priority = 8, ticks = 2, deps = {"calc"}},
  ["test_cli"]   = {tool = "test", priority = 8, ticks = 3, deps = {"calc"}},
  ["all"]        = {tool = nil,    priority = 9, ticks = 0,
                    deps = {"test_lexer", "test_eval", "test_cli"}},
}

local submitted = {}   -- name -> job, so that each target is built once
local finished = {}    -- target names in the order they finished

local build

-- The body of a target's job.
local function make(name, target)
  local deps = {}
  for i, dep in ipairs(target.deps) do deps[i] = build(dep) end
  if #deps > 0 then
    print(string.format("[wait] %-10s needs %s", name, table.concat(target.deps, " ")))
    await_all(deps)  -- raises if a dependency failed: then this target fails too
  end
  if target.tool then
    print(string.format("[run ] %-4s %-10s priority %d, %d of 4 slots busy",
      target.tool, name, target.priority, #jobs("running")))
    sleep(target.ticks * TICK)
    print(string.format("[done] %s", name))
  end
  finished[#finished + 1] = name
  return name
end

-- Returns the job that builds `name`, submitting it the first time.
function build(name)
  if not submitted[name] then
    local target = assert(graph[name], "no rule to make " .. name)
    submitted[name] = submit(target.priority, function() return make(name, target) end, {name = name})
  end
  return submitted[name]
end

print("make all")
local all = build("all")
all:await()  -- the main chunk waits here; it holds no slot

local targets, done = 0, 0
for _, job in pairs(submitted) do
  targets = targets + 1
  if job.status == "done" then done = done + 1 end
end
print(string.format("%d of %d targets done; they finished in this order:", done, targets))
print("  " .. table.concat(finished, " "))
