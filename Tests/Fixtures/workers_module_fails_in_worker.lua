--! options: -w 2 --virtual-time
--! repeat: 5
-- A task module that fails to load in a worker state is reported once, naming the module and the state; no job is
-- lost: that state's task jobs run in the main state instead.
READY = true
local mod = tasks("task_modules/needs_main.lua")
local jobs = {}
for i = 1, 4 do jobs[i] = submit(1, mod.answer, {args = i}) end
for i = 1, 4 do print(i, jobs[i]:await()) end
