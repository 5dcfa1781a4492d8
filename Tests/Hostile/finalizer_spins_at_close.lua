--! exit: 0
--! stdout: job ran\n
--! stderr-contains: prio-lua: closing the Lua state took more than 3 s
--! max-seconds: 8
-- A __gc finalizer that never returns when the state is closed at the end
-- of the run. Lua runs finalizers with hooks off, so nothing can stop it;
-- closing is bounded instead, and the run exits with its own status.
setmetatable({}, {__gc = function() while true do end end})
submit(1, function() print('job ran') end)
