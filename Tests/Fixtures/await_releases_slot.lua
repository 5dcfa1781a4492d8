--! options: -j 1
-- A job awaiting children releases its slot, so a parent awaiting children does not deadlock under -j 1.
local parent
parent = submit(1, function()
  local children = {}
  for i = 1, 3 do
    children[i] = submit(1, function()
      print("child " .. i .. " runs; parent is " .. parent.status)
      return i * 10
    end)
  end
  local results = await_all(children)
  print("parent got", results[1], results[2], results[3], parent.status)
end)
