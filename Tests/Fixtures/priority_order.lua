-- Lower priority numbers run first; equal priorities run in submission order.
for i, p in ipairs({5, 1, 3, 1, 5, 2}) do
  submit(p, function() print("job " .. i .. " priority " .. p) end)
end
