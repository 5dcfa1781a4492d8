-- A job that runs to its end without suspending is in no table of job
-- threads (it never needs to be found by id); its coroutine must still stay
-- alive through full collections while it runs, and so must one that then
-- suspends or fails.
local total = 0
for _ = 1, 200 do
  submit(1, function()
    local t = {}
    for k = 1, 200 do t[k] = {k} end
    collectgarbage()
    collectgarbage()
    for k = 1, 200 do total = total + t[k][1] end
  end)
end
local yielder = submit(1, function()
  collectgarbage()
  yield()
  collectgarbage()
  return "yielded and finished"
end)
local failer = submit(1, function()
  collectgarbage()
  error("failed after a collection", 0)
end)
submit(2, function()
  print(total)
  print(yielder:await())
  print(pcall(failer.await, failer))
end)
