--! options: --sandbox
--! exit: 1
--! stdout: others go on\n
--! stderr-contains: job 'handler-spins' (#1, priority 1) failed: timeout
--! max-seconds: 2
-- An xpcall message handler that never returns. It runs where no yield is
-- possible, so the timeout is raised inside it; Lua then calls the handler
-- again for that error, with hooks switched off (a hook raised it). The
-- timeout must still stop the job (SPEC.md section 4: "neither pcall nor a C
-- function can keep a stopped job alive"), sandbox or not.
submit(1, function()
  xpcall(error, function() while true do end end)
end, {name = 'handler-spins', timeout = 0.2})
submit(2, function() print('others go on') end)
