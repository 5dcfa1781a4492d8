--! options: --sandbox
--! exit: 0
--! stdout: absent\tio\tdebug\tpackage\trequire\tdofile\tloadfile\texec\tstring.dump\nos\tclock,date,difftime,getenv,time\nbinary chunk\tnil\tattempt to load a binary chunk (mode is 't')\nbinary chunk, mode b\tnil\tattempt to load a binary chunk (mode is 't')\nbinary chunk from a reader\tnil\tattempt to load a binary chunk (mode is 't')\ntext chunk\t2\ncollectgarbage collect\tfalse\nothers refused\tstep,stop,restart,incremental,generational,isrunning,setpause\ncount\tnumber\nstring metatable\tfalse\nstring __index\tfalse\n__gc refused\tfalse\n__gc through rawset refused\tfalse\nstring methods\txxx\n
--! max-seconds: 5
-- Everything SPEC.md section 5 takes away under --sandbox, tried every way
-- round: the libraries are nil, binary chunks are refused however load is
-- called, collectgarbage answers only "count", the string metatable is
-- hidden, and no finalizer can be set (a finalizer cannot be preempted).
submit(1, function()
  local absent = {}
  local globals = {io = io, debug = debug, package = package, require = require, dofile = dofile,
    loadfile = loadfile, exec = exec, ['string.dump'] = string.dump}
  for _, name in ipairs{'io', 'debug', 'package', 'require', 'dofile', 'loadfile', 'exec', 'string.dump'} do
    if globals[name] == nil then absent[#absent + 1] = name end
  end
  print('absent', table.concat(absent, '\t'))
  local names = {}
  for k in pairs(os) do names[#names + 1] = k end
  table.sort(names)
  print('os', table.concat(names, ','))

  -- A binary chunk, whatever the sandbox would say about the rest of it.
  local binary = '\27Lua\84\0\25\147\13\10\26\10'
  print('binary chunk', load(binary))
  print('binary chunk, mode b', load(binary, 'x', 'b'))
  local given = false
  print('binary chunk from a reader', load(function()
    if given then return nil end
    given = true
    return binary
  end, 'x', 'bt', {}))
  print('text chunk', load('return 1 + 1')())

  print('collectgarbage collect', (pcall(collectgarbage, 'collect')))
  local refused = {}
  for _, option in ipairs{'step', 'stop', 'restart', 'incremental', 'generational', 'isrunning', 'setpause'} do
    if not pcall(collectgarbage, option) then refused[#refused + 1] = option end
  end
  print('others refused', table.concat(refused, ','))
  print('count', type(collectgarbage('count')))

  print('string metatable', getmetatable(''))
  print('string __index', (pcall(function() return getmetatable('').__index end)))

  print('__gc refused', (pcall(setmetatable, {}, {__gc = function() end})))
  local mt = {}
  rawset(mt, '__gc', function() end)
  print('__gc through rawset refused', (pcall(setmetatable, {}, mt)))
  -- Lua marks an object for finalization only if __gc is present when the
  -- metatable is set; adding it afterwards must not give a finalizer either
  -- (it would run at the latest when the state closes, and print).
  local late = {}
  _G.keep = setmetatable({}, late)
  late.__gc = function() print('finalizer ran') end
  print('string methods', ('x'):rep(3))
end, {name = 'escape'})
