--! options: -j 2 --virtual-time
-- With preempt = true the victim is the worst slot holder, and only a strictly better pending job preempts.
policy{preempt = true}
local function work(name, seconds)
  return function()
    print("start", name, now())
    sleep(seconds)
    print("end", name, now())
  end
end
local a = submit(5, work("a", 3), {name = "a"})
local b = submit(7, work("b", 3), {name = "b"})
local c = submit(6, work("c", 1), {name = "c", delay = 1})
local d = submit(6, work("d", 1.5), {name = "d", delay = 1.5})
sleep(1.75)
print("at", now(), a.status, b.status, c.status, d.status)
