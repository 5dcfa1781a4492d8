--! options: -w 3
--! exit: 0
--! stdout: calls\t120000\n
--! max-seconds: 30
-- Three task jobs in worker states each make 40,000 library calls (every
-- one served by the main state, while the main chunk also awaits): no call
-- may be lost or answered to the wrong job, and nothing may deadlock.
local path = os.tmpname()
local file = assert(io.open(path, "w"))
file:write([[
local M = {}
function M.caller(job)
  local n = 0
  for _ = 1, job.args do
    if current() == job and now() >= 0 then n = n + 1 end
  end
  return n
end
return M
]])
file:close()
local m = tasks(path)
local jobs = {}
for i = 1, 3 do jobs[i] = submit(1, m.caller, {args = 20000}) end
local total = 0
for i = 1, 3 do total = total + 2 * jobs[i]:await() end
print("calls", total)
os.remove(path)
