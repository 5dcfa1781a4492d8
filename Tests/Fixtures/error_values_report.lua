--! exit: 1
-- How failures with non-string error values are reported: __tostring, a plain table, a failing __tostring, nil.
submit(1, function()
  error(setmetatable({}, {__tostring = function() return "custom error" end}))
end, {name = "tostring"})
submit(2, function()
  error({})
end, {name = "plain"})
submit(3, function()
  error(setmetatable({}, {__tostring = function() error("tostring broke", 0) end}))
end, {name = "broken"})
submit(4, function()
  error(nil)
end, {name = "nil"})
