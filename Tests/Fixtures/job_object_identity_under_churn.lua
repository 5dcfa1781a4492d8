-- A job has one object at a time, however many objects come and go: jobs'
-- objects sit in slots of a weak table that grows, and a slot emptied by
-- the collector goes to another job (CLuaShim job_objects.c).
for _ = 1, 3000 do submit(5, function() end) end  -- nobody holds these: no objects yet
local first = jobs()  -- makes an object for each
local firstIds = {}
for _, j in ipairs(first) do firstIds[j.id] = true end
first = nil
collectgarbage()
collectgarbage()  -- their slots are empty now

local held = {}
for i = 1, 3000 do held[i] = submit(6, function(job) return job end) end  -- take those slots, and more
local isHeld = {}
for _, j in ipairs(held) do isHeld[j] = true end

local second = jobs("pending")  -- objects again for the first jobs, the same ones for the held
local again, same = 0, 0
for _, j in ipairs(second) do
  if j.priority == 5 and firstIds[j.id] then again = again + 1 end
  if j.priority == 6 and isHeld[j] then same = same + 1 end
end
print(#second, again, same)

local bodiesGotTheirObject = 0
for _, j in ipairs(held) do
  if j:await() == j then bodiesGotTheirObject = bodiesGotTheirObject + 1 end
end
print(bodiesGotTheirObject)
