--! options: --virtual-time
-- A hook that raises is reported on stderr once per hook; the scheduler uses the default for that call (here: the base priority) and goes on.
policy{
  priority = function(job)
    if job.tags[1] == "odd" then error("cannot rank " .. job.name) end
    return -job.base_priority
  end,
  on_start = function(job) error("on_start broke for " .. job.name) end,
}
local function work(name) return function() print("run", name) end end
local a = submit(1, work("a"), {name = "a"})
local b = submit(2, work("b"), {name = "b", tags = {"odd"}})
local c = submit(3, work("c"), {name = "c", tags = {"odd"}})
local d = submit(4, work("d"), {name = "d"})
print(a.priority, b.priority, c.priority, d.priority)
