--! options: -j 1
-- An awaiter that can continue takes a slot ahead of pending jobs of equal priority.
submit(1, function() print("x") end)
submit(1, function() print("y") end)
submit(0, function(job)
  job:set_priority(1) -- now equal to x and y, and submitted after them
  print("p awaits")
  local child = submit(0, function() print("child") return "ok" end)
  print("p resumed with", child:await())
end)
