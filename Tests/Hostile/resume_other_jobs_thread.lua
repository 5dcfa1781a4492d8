--! options: -j 2
--! exit: 0
--! stdout: resume\tfalse\tcannot resume a job's own coroutine\nclose\tfalse\tcannot close a job's own coroutine\nresume own\tfalse\tcannot resume a job's own coroutine\nresume main\tfalse\tcannot resume non-suspended coroutine\nvictim woke normally\tvictim\n
--! max-seconds: 5
-- A job gets hold of another job's coroutine (and the main thread, which the main chunk is to scripts, as under lua) and
-- tries to resume or close it: refused, and the victim carries on.
local main = coroutine.running()
local victim
submit(1, function()
  victim = coroutine.running()
  sleep(0.1)
  print('victim woke normally', current().name)
end, {name = 'victim'})
submit(1, function()
  while not victim do sleep(0.01) end
  print('resume', coroutine.resume(victim, true))
  print('close', pcall(coroutine.close, victim))
  print('resume own', coroutine.resume(coroutine.running()))
  print('resume main', coroutine.resume(main))
end, {name = 'attacker'})
sleep(0.3) -- the main chunk stays suspended (alive) while the attacker tries
