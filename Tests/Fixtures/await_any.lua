--! options: -j 2 --virtual-time
-- await_any returns the first job of the array to finish, or nil on timeout.
local slow = submit(1, function() sleep(2); return "slow" end)
local fast = submit(1, function() sleep(1); return "fast" end)
local first = await_any({slow, fast})
print(first == fast, first.name, first.status, now())
print(await_any({slow}, 0.5), now())
local cancelled = submit(1, function() end)
cancelled:cancel()
print(await_any({slow, cancelled}) == cancelled, now())
print(await_any({slow}) == slow, now())
