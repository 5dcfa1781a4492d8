--! options: -w 2
--! exit: 0
--! stdout: cancel returned\ttrue\tcancelled\n
--! max-seconds: 10
-- A task job in a worker state whose <close> handler never returns is
-- cancelled: the handler is stopped by its time budget there, and the
-- cancel returns.
local path = os.tmpname()
local file = assert(io.open(path, "w"))
file:write([[
local M = {}
function M.stubborn()
  local _ <close> = setmetatable({}, {__close = function() while true do end end})
  sleep(100)
end
return M
]])
file:close()
local m = tasks(path)
local job = submit(1, m.stubborn)
sleep(0.1)
local ok = job:cancel()
print("cancel returned", ok, job.status)
os.remove(path)
