--! options: -j 3 --virtual-time
-- With -j 3 three sleeping jobs overlap; a fourth starts only when a slot frees.
for _, name in ipairs({"a", "b", "c", "d"}) do
  submit(1, function()
    local started = now()
    sleep(1)
    print(name, started, now())
  end)
end
