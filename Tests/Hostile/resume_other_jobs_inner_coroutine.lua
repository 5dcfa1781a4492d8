--! options: -j 2
--! exit: 0
--! stdout: attacker resume refused\ttrue\nattacker close refused\ttrue\ninner woke in\tvictim\nvictim got\ttrue\tinner done\n
--! max-seconds: 5
-- A job sleeps inside a coroutine it created itself (SPEC.md section 3: the
-- sleep suspends the whole job and resumes it where it was). Another job
-- gets hold of that coroutine and resumes or closes it while it is part of
-- the sleeping job. Both must be refused: the coroutine is not suspended in
-- the script's sense (it is in the middle of `sleep`); letting the attacker
-- run it cut the victim's sleep short, ran the victim's code as the
-- attacker, and left the victim with a dead coroutine.
local inner
submit(1, function()
  inner = coroutine.create(function()
    sleep(0.1)
    print('inner woke in', current() and current().name)
    return 'inner done'
  end)
  print('victim got', coroutine.resume(inner))
end, {name = 'victim'})
submit(1, function()
  while not inner do sleep(0.01) end
  sleep(0.02)
  print('attacker resume refused', not (coroutine.resume(inner)))
  print('attacker close refused', not pcall(function() assert(coroutine.close(inner)) end))
end, {name = 'attacker'})
