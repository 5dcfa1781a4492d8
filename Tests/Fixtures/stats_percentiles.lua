--! options: -j 200 --virtual-time --stats
-- --stats reports wait and run percentiles per priority and group, each in its column: priority 1 waits
-- 10, 20, ... 1000 ms (its delay) and runs 1 ... 100 ms, so p50/p90/p99 are the 50th/90th/99th values.
-- Histograms keep two significant digits: a percentile reads as the top of its bucket (500 ms as
-- 501.759), never above the largest value recorded; max is exact.
for i = 1, 100 do
  submit(1, function() sleep(i * 0.001) end, {delay = i * 0.01, group = i % 2 == 0 and "even" or nil})
end
for i = 1, 10 do submit(2, function() sleep(i) end) end
