--! options: -j 2
-- yield() round-robins between equal-priority jobs that hold slots (-j 2).
for _, name in ipairs({"A", "B"}) do
  submit(1, function()
    for i = 1, 3 do
      print(name .. i)
      yield()
    end
    print(name .. " done")
  end)
end
