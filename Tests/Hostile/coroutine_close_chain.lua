--! exit: 0
--! stdout: built 30000 links\nclose\tfalse\tcoroutine.close nested more than 200 deep\nothers go on\n
--! max-seconds: 10
-- 30,000 suspended coroutines, each with a <close> handler that closes the
-- previous one. Stock Lua 5.4.4 recurses on the C stack for every link and
-- segfaults; prio-lua caps coroutine.close nesting at 200 (SPEC.md section 5).
submit(1, function()
  local previous
  for i = 1, 30000 do
    local before = previous
    local co = coroutine.create(function()
      local link <close> = setmetatable({}, {__close = function()
        if before then
          local ok, err = coroutine.close(before)
          if not ok then error(err, 0) end
        end
      end})
      coroutine.yield()
    end)
    coroutine.resume(co)
    previous = co
  end
  print('built 30000 links')
  local ok, err = coroutine.close(previous)
  print('close', ok, (tostring(err):match('coroutine.close nested more than 200 deep')))
end, {name = 'chain'})
submit(2, function() print('others go on') end)
