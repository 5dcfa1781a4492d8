--! exit: 1
-- One job's error fails it alone: the others run, the failure is reported with a traceback, exit 1.
submit(1, function() print("a runs") end)
submit(2, function()
  error("boom")
end, {name = "bad"})
submit(3, function() print("c runs") end)
