--! options: -j 2 --virtual-time
-- sleep and await inside a coroutine.wrap generator suspend the whole job and resume it where it was.
submit(1, function()
  local gen = coroutine.wrap(function()
    for i = 1, 3 do
      sleep(1)
      coroutine.yield(i, submit(1, function() return i * 10 end):await())
    end
  end)
  for i, v in gen do print("gen", i, v, now()) end
  print("generator done")
end)
submit(1, function() sleep(1.5); print("other job", now()) end)
