--! options: -j 1
-- Under -j 1 a yield cannot let an equal-priority pending job start: only slot holders are ready.
submit(1, function()
  for i = 1, 3 do
    print("a" .. i)
    yield()
  end
end)
submit(1, function() print("b") end)
