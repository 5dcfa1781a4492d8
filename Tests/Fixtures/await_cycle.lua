--! options: -j 1
-- A cycle of awaits raises "await cycle" in the job that closes it; the others then get its results.
local a, b, c
a = submit(1, function() print("a gets", b:await()) return "a" end)
b = submit(1, function() print("b gets", c:await()) return "b" end)
c = submit(1, function() print("c gets", pcall(a.await, a)) return "c" end)
