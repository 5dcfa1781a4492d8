--! options: -j 3 --virtual-time
-- await_all raises the error of the first failed job in array order, only after every job has finished.
local j1 = submit(1, function() sleep(2); error("first in array") end)
local j2 = submit(1, function() sleep(1); error("first to fail") end)
local j3 = submit(1, function() sleep(3); print("j3 finishes at", now()) end)
print(pcall(await_all, {j1, j2, j3}))
print("at", now(), j1.status, j2.status, j3.status)
