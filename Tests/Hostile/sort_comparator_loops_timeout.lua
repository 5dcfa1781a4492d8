--! options: -j 8
--! exit: 1
--! stdout: others go on\nall stopped\n
--! stderr-contains: job 'sort' (#1, priority 1) failed: timeout
--! stderr-contains: job 'sort in pcall, in a loop' (#2, priority 1) failed: timeout
--! stderr-contains: job 'gsub callback' (#3, priority 1) failed: timeout
--! stderr-contains: job '__lt from sort' (#4, priority 1) failed: timeout
--! stderr-contains: job 'load reader' (#5, priority 1) failed: timeout
--! max-seconds: 5
-- Jobs stuck where no yield is possible (a table.sort comparator, a gsub
-- callback, a metamethod called from sort, a load reader): the timeout is
-- raised right there and again at every instruction until the body has
-- unwound, so catching it with pcall (even inside the callback) and looping
-- on does not help.
local function spin() while true do end end
local stuck = {
  submit(1, function() table.sort({5, 4, 3, 2, 1}, spin) end, {name = 'sort', timeout = 0.2}),
  submit(1, function() while true do pcall(table.sort, {5, 4, 3, 2, 1}, spin) end end,
    {name = 'sort in pcall, in a loop', timeout = 0.2}),
  submit(1, function()
    while true do pcall(string.gsub, 'abc', '%w', function() while true do pcall(error) end end) end
  end, {name = 'gsub callback', timeout = 0.2}),
  submit(1, function()
    local v = setmetatable({}, {__lt = spin})
    while true do pcall(table.sort, {v, v, v}) end
  end, {name = '__lt from sort', timeout = 0.2}),
  submit(1, function() while true do pcall(load, spin) end end, {name = 'load reader', timeout = 0.2}),
}
submit(1, function() print('others go on') end)
submit(2, function()
  for _, job in ipairs(stuck) do
    while job.status ~= 'failed' do sleep(0.01) end
  end
  print('all stopped')
end)
