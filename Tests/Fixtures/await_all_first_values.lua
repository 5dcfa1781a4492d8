--! options: -j 3 --virtual-time
-- await_all returns an array of each job's first return value, in array order, once all have finished.
local j1 = submit(1, function() sleep(3); return "a", 1 end)
local j2 = submit(1, function() sleep(1); return "b", 2 end)
local j3 = submit(1, function() sleep(2); return "c", 3 end)
local results = await_all({j1, j2, j3})
print(#results, results[1], results[2], results[3])
print("at", now())
