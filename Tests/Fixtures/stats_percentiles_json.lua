--! options: -j 200 --virtual-time --stats=json
-- --stats=json gives the figures of --stats (see stats_percentiles.lua) as one JSON object on stderr:
-- p50_ms, p90_ms, p99_ms and max_ms are the 50th, 90th and 99th values and the largest, each in its field.
for i = 1, 100 do
  submit(1, function() sleep(i * 0.001) end, {delay = i * 0.01, group = i % 2 == 0 and "even" or nil})
end
for i = 1, 10 do submit(2, function() sleep(i) end) end
