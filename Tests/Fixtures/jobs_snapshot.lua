-- jobs() is a snapshot of unfinished jobs, best priority first, optionally filtered by status or {status=, tag=}.
local function names(list)
  local out = {}
  for i, job in ipairs(list) do out[i] = job.name end
  return table.concat(out, " ")
end
submit(0, function() end, {name = "e"})
submit(3, function() end, {name = "a", tags = {"x"}})
submit(1, function()
  print("all:", names(jobs()))
  print("running:", names(jobs("running")))
  print("pending:", names(jobs("pending")))
  print("tag x:", names(jobs({tag = "x"})))
  print("pending tag y:", names(jobs({status = "pending", tag = "y"})))
  print("done:", names(jobs("done")))
end, {name = "b"})
submit(2, function() end, {name = "c", tags = {"x", "y"}})
submit(1, function() end, {name = "d"})
print("main:", names(jobs()))
