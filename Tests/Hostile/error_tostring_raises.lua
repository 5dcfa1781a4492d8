--! exit: 1
--! stdout: others go on\n
--! stderr-contains: job 'raises' (#1, priority 1) failed: (error object is a table value; its __tostring failed: error_tostring_raises.lua:
--! stderr-contains: __tostring boom
--! stderr-contains: job 'not-a-string' (#2, priority 1) failed: (error object is a table value; its __tostring failed: '__tostring' must return a string)
--! stderr-contains: job 'nested' (#3, priority 1) failed: (error object is a table value; its __tostring failed: error object is a table value)
--! max-seconds: 5
-- Error values whose __tostring misbehaves: raises, returns a table, or
-- raises another such value. Reporting the failure must not
-- raise past the host or hang it.
submit(1, function()
  error(setmetatable({}, {__tostring = function() error('__tostring boom') end}))
end, {name = 'raises'})
submit(1, function()
  error(setmetatable({}, {__tostring = function() return {} end}))
end, {name = 'not-a-string'})
submit(1, function()
  local inner = setmetatable({}, {__tostring = function() error('inner') end})
  error(setmetatable({}, {__tostring = function() error(inner) end}))
end, {name = 'nested'})
submit(2, function() print('others go on') end)
