-- The <close> variables of a job that raises run, receiving the error, before an awaiter sees it.
local j = submit(1, function()
  local guard <close> = setmetatable({}, {__close = function(_, err) print("guard closed:", err) end})
  error("boom")
end)
print(pcall(j.await, j))
