--! options: -j 3 --virtual-time
-- limit(group, n) caps how many jobs of the group hold slots at once; other jobs are not held back.
limit("db", 1)
for i = 1, 3 do
  submit(1, function()
    print("db" .. i .. " start", now())
    sleep(1)
    print("db" .. i .. " end", now())
  end, {group = "db"})
end
submit(1, function()
  print("other start", now())
  sleep(0.5)
  print("other end", now())
end)
