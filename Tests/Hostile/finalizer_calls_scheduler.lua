--! exit: 0
--! stdout: in finalizer\ttrue\tcannot call 'submit' from a __gc finalizer\tcannot call 'cancel' from a __gc finalizer\tcannot call 'set_priority' from a __gc finalizer\tcannot call 'sleep' from a __gc finalizer\nj done\tdone\n
--! max-seconds: 5
-- A __gc finalizer runs wherever the collector steps: possibly in the
-- middle of a host function or a scheduler transition. It may read (print,
-- now, current, job fields) but not change the scheduler's state.
local j = submit(5, function() sleep(0.05) return 'j done' end)
local function message(ok, err) return err end
local bad = setmetatable({}, {__gc = function()
  print('in finalizer', now() >= 0, message(pcall(submit, 1, print)), message(pcall(j.cancel, j)),
    message(pcall(j.set_priority, j, 1)), message(pcall(sleep, 1)))
end})
bad = nil
collectgarbage()
print(j:await(), j.status)
