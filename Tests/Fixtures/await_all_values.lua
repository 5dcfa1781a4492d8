--! options: --virtual-time
-- job:await() returns every return value of the job body (nils included, none for none).
local j = submit(1, function() sleep(1); return 1, nil, "three", false, nil end)
print(select("#", j:await()), j:await())
local empty = submit(1, function() end)
print(select("#", empty:await()))
submit(1, function()
  local inner = submit(1, function() return "x", "y" end)
  print("in a job:", inner:await())
end)
