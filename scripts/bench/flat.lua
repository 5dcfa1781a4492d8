-- Benchmark "memory flat" (issue 7), for prio-lua.
--   prio-lua scripts/bench/flat.lua TOTAL [BATCH]
-- TOTAL trivial jobs go through the scheduler BATCH (default 1,000) at a
-- time: the main chunk submits a batch and awaits it before the next.
-- scripts/bench/run compares /usr/bin/time's peak RSS of a 10-million-job
-- run with a 1-million-job run: it must stay within 10% (nothing per job
-- may be kept after the job finishes).
-- Prints: RESULT jobs=<total> seconds=<elapsed, now()>
local total = tonumber(arg[1]) or 1000000
local batch = tonumber(arg[2]) or 1000
local now = now
local done = 0
local function body(job) done = done + 1 end
local t0 = now()
local submitted = 0
while submitted < total do
  local list = {}
  for k = 1, math.min(batch, total - submitted) do
    submitted = submitted + 1
    list[k] = submit((submitted * 7919) % 10 + 1, body)
  end
  await_all(list)
end
assert(done == total, "flat: not every job ran")
print(string.format("RESULT jobs=%d seconds=%.6f", total, now() - t0))
