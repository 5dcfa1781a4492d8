--! options: -j 2
--! exit: 0
--! stdout: main await\t300\t1\t300\njob await\t250\t250\nresult table\t250\t250\nawait_all\t2\t1\npcall\t200\nhuge\ttoo many results to return (998000 values)\nothers go on\n
--! max-seconds: 10
-- Jobs that return many values, awaited from the main chunk and from jobs:
-- every push of a data-dependent number of values makes room on the stack
-- first, and a count past what a stack can hold raises a clean error.
local function values(n)
  local t = {}
  for i = 1, n do t[i] = i end
  return table.unpack(t, 1, n)
end
local j = submit(1, function() return values(300) end)
local r = {j:await()}
print('main await', #r, r[1], r[300])
submit(1, function()
  local k = submit(1, function() return values(250) end)
  local got = {k:await()}
  print('job await', #got, got[250])
  print('result table', #k.result, k.result[250])
  local all = await_all({k, k})
  print('await_all', #all, all[1])
  local ok = {pcall(k.await, k)}
  print('pcall', #ok - 51)
  -- deep in a recursion, past what the stack can hold: an error, not a crash
  local big = submit(1, function() return values(998000) end)
  local function deep(n)
    if n == 0 then return select(2, pcall(big.await, big)) end
    return (deep(n - 1))
  end
  print('huge', deep(1000))
end)
submit(3, function() print('others go on') end)
