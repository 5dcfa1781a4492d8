-- fetch_fanout.lua: fetch a page's resources in parallel, most important
-- first, retrying the flaky ones and giving up on the one that hangs.
--
--     prio-lua -j 4 scripts/examples/fetch_fanout.lua
--
-- The "network" is simulated with sleep, and its flakiness is scripted by
-- attempt number (job.attempt).  Answers take multiples of 30 ms and no two
-- land at the same moment, so the story is the same on every run:
--   * api/feed fails once with a 503; `retries = 2` lets it try again after
--     `backoff` seconds.
--   * img/avatar resets the connection twice; the backoff doubles per
--     attempt, and a retry waits for a free slot like any pending job.
--   * search/suggest never answers; `timeout` fails it with "timeout".
--   * ads/banner is a plain 404 with no retries.
-- Failed attempts that will be retried are noted on stderr; stdout tells
-- the story.  The main chunk awaits every fetch, so their failures reach it
-- (and the run exits 0) instead of being reported as unobserved failures.

local TICK = 0.03

-- How each resource answers: after `ticks`, or for the attempts up to
-- `fails_until` with `error` (after `fail_ticks`, if given); a resource with
-- an `error` and no `fails_until` always fails.
local resources = {
  {url = "api/config",     priority = 1, ticks = 2},
  {url = "api/user",       priority = 1, ticks = 8},
  {url = "api/feed",       priority = 2, ticks = 4, fails_until = 1, fail_ticks = 12, error = "503 Service Unavailable"},
  {url = "search/suggest", priority = 3, hangs = true},
  {url = "img/avatar",     priority = 5, ticks = 2, fails_until = 2, error = "connection reset"},
  {url = "ads/banner",     priority = 9, ticks = 13, error = "404 Not Found"},
}

-- Options per resource: retries and backoff for the flaky ones, a timeout
-- for the one that hangs.
local options = {
  ["api/feed"]       = {retries = 2, backoff = 3 * TICK},
  ["img/avatar"]     = {retries = 3, backoff = 2 * TICK},  -- 2 ticks, then 4
  ["search/suggest"] = {timeout = 21 * TICK},
}

local function fetch(resource, job)
  print(string.format("[get ] %-14s priority %d, attempt %d", resource.url, resource.priority, job.attempt))
  if resource.hangs then
    sleep(3600)  -- never answers; the job's timeout stops it
  end
  local fails = resource.error and (resource.fails_until == nil or job.attempt <= resource.fails_until)
  if fails then
    sleep((resource.fail_ticks or resource.ticks) * TICK)
    print(string.format("[fail] %-14s %s", resource.url, resource.error))
    error(resource.error, 0)  -- level 0: the message carries no file:line
  end
  sleep(resource.ticks * TICK)
  local size = #resource.url * 100
  print(string.format("[ok  ] %-14s %d bytes", resource.url, size))
  return size
end

print(string.format("fetching %d resources, best priority first", #resources))
local fetches = {}
for i, resource in ipairs(resources) do
  local opts = options[resource.url] or {}
  opts.name = resource.url
  fetches[i] = submit(resource.priority, function(job) return fetch(resource, job) end, opts)
end

-- Wait for all of them.  await_all raises the error of the first failed
-- fetch in array order, once every fetch has finished.
local ok, err = pcall(await_all, fetches)
if ok then
  print("await_all: every fetch succeeded")
else
  print(string.format("await_all raised %q: the first failed fetch in array order", tostring(err)))
end

print("summary:")
local bytes, fetched = 0, 0
for _, job in ipairs(fetches) do
  if job.status == "done" then
    fetched = fetched + 1
    bytes = bytes + job.result[1]
    print(string.format("  %-14s done    after %d attempt(s)", job.name, job.attempt))
  else
    print(string.format("  %-14s %-7s after %d attempt(s): %s", job.name, job.status, job.attempt, tostring(job.error)))
  end
end
print(string.format("%d of %d fetched, %d bytes", fetched, #fetches, bytes))
