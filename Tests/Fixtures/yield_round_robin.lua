--! options: -j 2 --virtual-time
-- yield() round-robins between equal-priority jobs that hold slots (-j 2).
-- Under --virtual-time, which runs unsliced: with real-time slices a loaded
-- machine can end a slice between a resume and the next print, and the
-- preempted job gives way like a yield, changing the order.
for _, name in ipairs({"A", "B"}) do
  submit(1, function()
    for i = 1, 3 do
      print(name .. i)
      yield()
    end
    print(name .. " done")
  end)
end
