-- A failure that reaches an awaiter (main chunk or job) is not reported, and the run exits 0.
local j = submit(1, function() error("main sees it") end)
print(pcall(j.await, j))
submit(1, function()
  local child = submit(1, function() error("parent sees it") end)
  print(pcall(child.await, child))
end)
