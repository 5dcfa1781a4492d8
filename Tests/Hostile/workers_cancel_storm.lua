--! options: -w 3 -j 8
--! exit: 0
--! stdout-contains: cancelled\t200
--! max-seconds: 30
-- 200 task jobs in worker states, some computing and some sleeping, each
-- with a <close> handler that calls the library (now()); the main chunk
-- cancels them all. Every cancel
-- must return after the handlers ran, no job may be lost or run twice.
local path = os.tmpname()
local file = assert(io.open(path, "w"))
file:write([[
local M = {}
function M.victim(job)
  local _ <close> = setmetatable({}, {__close = function()
    now()
  end})
  if job.args.spin then local x = 0 while true do x = x + 1 end end
  sleep(100)
end
return M
]])
file:close()
local m = tasks(path)
local jobs = {}
for i = 1, 200 do
  jobs[i] = submit(1, m.victim, {args = {spin = i % 3 == 0}})
end
sleep(0.3)
local cancelled = 0
for i = 200, 1, -1 do
  jobs[i]:cancel()
end
for i = 1, 200 do
  if jobs[i].status == "cancelled" then cancelled = cancelled + 1 end
end
print("cancelled", cancelled)
os.remove(path)
