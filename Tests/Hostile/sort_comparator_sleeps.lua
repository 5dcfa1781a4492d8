--! exit: 1
--! stdout: yield\tfalse\tcannot suspend here\ngsub\tfalse\tcannot suspend here\ncoroutine.yield\tfalse\tattempt to yield across a C-call boundary\nothers go on\n
--! stderr-contains: job 'sleeper' (#1, priority 1) failed: sort_comparator_sleeps.lua:
--! stderr-contains: cannot suspend here (inside a C call such as a metamethod, a sort comparator or a __close handler)
--! max-seconds: 5
-- Suspending where Lua cannot yield (a table.sort comparator, a gsub
-- callback) is a clear error in the job, not a crash or a hang.
submit(1, function()
  table.sort({3, 1, 2}, function(a, b) sleep(0.01) return a < b end)
end, {name = 'sleeper'})
submit(1, function()
  local function first(ok, err) return ok, (tostring(err):match('cannot suspend here')) end
  print('yield', first(pcall(table.sort, {3, 1, 2}, function(a, b) yield() return a < b end)))
  print('gsub', first(pcall(string.gsub, 'abc', '%w', function() sleep(0) end)))
  local ok, err = pcall(table.sort, {3, 1, 2}, function(a, b) coroutine.yield() return a < b end)
  print('coroutine.yield', ok, (tostring(err):match('attempt to yield across a C%-call boundary')))
end, {name = 'catches'})
submit(2, function() print('others go on') end)
