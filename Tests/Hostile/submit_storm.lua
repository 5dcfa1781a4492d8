--! exit: 0
--! stdout: submitted\t200000\nbetter job first\t0\nran\t200000\nothers go on\n
--! max-seconds: 20
-- A submit storm: one job submits 200,000 jobs in a loop that never
-- suspends (a million takes about 20 s in a debug build, too long for the
-- suite). The scheduler takes them all, a better job submitted last still
-- runs first, and every job runs.
local N = 200000
local ran = 0
local function body() ran = ran + 1 end
submit(1, function()
  for i = 1, N do submit(3, body) end
  print('submitted', N)
  submit(2, function() print('better job first', ran) end)
end, {name = 'storm'})
submit(4, function()
  print('ran', ran)
  print('others go on')
end)
