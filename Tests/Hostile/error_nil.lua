--! exit: 1
--! stdout: pcall\tfalse\tnil\nothers go on\n
--! stderr-contains: job 'nil' (#2, priority 1) failed: (error object is a nil value)
--! stderr-contains: job 'none' (#3, priority 1) failed: (error object is a nil value)
--! stderr-contains: job 'false' (#4, priority 1) failed: (error object is a boolean value)
--! stderr-contains: job 'table' (#5, priority 1) failed: (error object is a table value)
--! stderr-contains: job 'function' (#6, priority 1) failed: (error object is a function value)
--! max-seconds: 5
-- error(nil) and other error values that are not strings.
submit(1, function() print('pcall', pcall(error, nil)) end)
submit(1, function() error(nil) end, {name = 'nil'})
submit(1, function() error() end, {name = 'none'})
submit(1, function() error(false) end, {name = 'false'})
submit(1, function() error({}) end, {name = 'table'})
submit(1, function() error(print) end, {name = 'function'})
submit(2, function() print('others go on') end)
