--! options: --memory-limit 1M
--! exit: 0
--! stdout-contains: storm stopped\tfalse\tnot enough memory
--! stdout-contains: others go on\n
--! max-seconds: 10
-- A submit storm under --memory-limit. submit() runs as host code, where
-- the limit is off, and every job it queues keeps its body in the Lua state;
-- so the storm must be charged for what it queues (SPEC.md section 5: "the
-- Lua state may not grow beyond it. A job that hits it fails with 'not
-- enough memory'; the others go on"). Before submit was charged, nothing
-- stopped the storm, the state ended past its limit, and every later job
-- (even an empty one) failed with "not enough memory", each after an
-- emergency collection: the others did not go on.
local function body() end
submit(1, function()
  local count = 0
  local ok, err = pcall(function()
    for i = 1, 100000 do submit(3, body) count = i end
  end)
  print('storm stopped', ok, err)
end, {name = 'storm'})
submit(2, function() print('others go on') end)
