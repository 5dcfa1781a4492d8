--! exit: 2
-- A task module that fails to load in the main state ends the main chunk (exit status 2) with a message that names
-- the module; the job queued before it was never run.
local early = submit(1, function() print("never runs") end)
tasks("task_modules/broken.lua")
print("not reached")
