--! options: -j 2 --virtual-time
-- Under --virtual-time sleeps advance a simulated clock at once: four half-hour jobs on two slots end at now() == 3600, in no real time.
local started = os.time()
local all = {}
for i = 1, 4 do
  all[i] = submit(1, function()
    for _ = 1, 60 do sleep(30) end
    return now()
  end)
end
print(table.concat(await_all(all), " "))
print(now(), now() == 3600, os.time() - started <= 1)
