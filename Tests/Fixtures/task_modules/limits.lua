-- Tasks for the workers_limits fixture: what --sandbox and --memory-limit
-- leave a task in any state.
local limits = {}

function limits.hog()
  local t = {}
  for i = 1, 1e8 do t[i] = {i} end
end

function limits.sandboxed() return io == nil, os.execute == nil, require == nil end

function limits.small(job) return job.args * 2 end

return limits
