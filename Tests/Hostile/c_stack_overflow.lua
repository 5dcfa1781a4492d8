--! exit: 1
--! stdout: nested pcall\tfalse\tC stack overflow\n__index\tfalse\tC stack overflow\n__tostring\tfalse\tC stack overflow\n__concat\tfalse\tC stack overflow\n__eq\tfalse\tC stack overflow\nnested coroutine.wrap\tfalse\tC stack overflow\nnested coroutine.resume\tfalse\tC stack overflow\ngsub callback\tfalse\tC stack overflow\nsort comparator\tfalse\tC stack overflow\nothers go on\n
--! stderr-contains: job 'unprotected' (#2, priority 1) failed: c_stack_overflow.lua:
--! stderr-contains: C stack overflow
--! max-seconds: 10
-- Recursion through C: nested pcall, metamethods, coroutines, library
-- callbacks. Each must end in Lua's "C stack overflow" error, never a crash.
local function check(label, ok, err)
  print(label, ok, (tostring(err):match('C stack overflow')))
end
submit(1, function()
  local function nest(n) local ok, err = pcall(nest, n + 1) if not ok then error(err, 0) end end
  check('nested pcall', pcall(nest, 0))
  local ix = setmetatable({}, {__index = function(t, k) return t[k] end})
  check('__index', pcall(function() return ix.x end))
  local ts = setmetatable({}, {__tostring = function(self) return tostring(self) end})
  check('__tostring', pcall(tostring, ts))
  local cc = setmetatable({}, {__concat = function(a, b) return a .. b end})
  check('__concat', pcall(function() return cc .. 'x' end))
  local mt = {__eq = function(a, b) return a == b end}
  local e1, e2 = setmetatable({}, mt), setmetatable({}, mt)
  check('__eq', pcall(function() return e1 == e2 end))
  local function wrap(n) return coroutine.wrap(function() return wrap(n + 1) end)() end
  check('nested coroutine.wrap', pcall(wrap, 0))
  local function resume(n)
    local ok, err = coroutine.resume(coroutine.create(function() return resume(n + 1) end))
    if not ok then error(err, 0) end
  end
  check('nested coroutine.resume', pcall(resume, 0))
  local function sub(s) return (s:gsub('.', sub)) end
  check('gsub callback', pcall(sub, 'abc'))
  local function sorter() table.sort({3, 2, 1}, function(a, b) sorter() return a < b end) end
  check('sort comparator', pcall(sorter))
end, {name = 'protected'})
submit(1, function()
  local ix = setmetatable({}, {__index = function(t, k) return t[k] end})
  return ix.boom
end, {name = 'unprotected'})
submit(2, function() print('others go on') end)
