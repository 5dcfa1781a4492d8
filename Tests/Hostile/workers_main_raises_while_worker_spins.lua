--! options: -w 3
--! exit: 2
--! stdout: sleeper started\n
--! stderr-contains: main chunk gives up
--! max-seconds: 5
-- The main chunk raises while one worker state computes without end and
-- another's job sleeps: the run must end at once (the spinning job is
-- stopped, the workers' states closed), not wait for the workers.
local path = os.tmpname()
local file = assert(io.open(path, "w"))
file:write([[
local M = {}
function M.spin() local x = 0 while true do x = x + 1 end end
function M.sleeper() print("sleeper started") sleep(100) end
return M
]])
file:close()
local m = tasks(path)
submit(1, m.spin)
submit(1, m.sleeper)
sleep(0.2)
os.remove(path)
error("main chunk gives up")
