-- pure.lua: the "pure Lua" baseline of the benchmark suite (issue 7).
--
-- A binary-heap priority scheduler in plain Lua, run by stock `lua5.4`;
-- each job runs in a coroutine created when it is dispatched.
--
--   lua5.4 pure.lua SCRIPT [ARGS...]     (SCRIPT is normally workloads.lua)
--
-- It gives SCRIPT the same small API as the C floor (see cfloor.c):
--   submit(p, fn [, {delay = s}]) -> id   fn runs as fn(p, id)
--   yield(), now(), track_jobs(), set_priority(id, p),
--   policy{priority = fn}, reprioritize(), await_all({id, ...}) -> {v, ...}
-- then runs the queued jobs once SCRIPT's main chunk has returned.
--
-- now() is os.clock(): stock Lua has no wall clock finer than a second, and
-- for this single-threaded, CPU-bound process CPU time is the elapsed time
-- it spent running (it does not count time the machine gave to others).
--
-- The heap is three parallel arrays (priority, order, id) so a queued job
-- costs array slots, not a table. Ties are FIFO: pending jobs are ordered by
-- id; a parent whose children are done goes ahead of pending jobs of equal
-- priority.

local create, resume, status, cyield = coroutine.create, coroutine.resume, coroutine.status, coroutine.yield
local clock = os.clock

local hp, ho, hid = {}, {}, {} -- heap: priority, order, id (1-based)
local n = 0
local PENDING = 0x80000000 -- order of a pending job: PENDING + id
local fns, threads, results, objs = {}, {}, {}, {}
local next_id, resume_counter = 0, 0
local tracking = false
local pos, base, waiter, widx, npend, done = {}, {}, {}, {}, {}, {}
local delayed = {}
local hook = nil
local current, awaiting = 0, false
local AWAIT = {}

local function sift_up(i)
  local p, o, id = hp[i], ho[i], hid[i]
  while i > 1 do
    local parent = i // 2
    local pp, po = hp[parent], ho[parent]
    if p < pp or (p == pp and o < po) then
      local pid = hid[parent]
      hp[i], ho[i], hid[i] = pp, po, pid
      if tracking then pos[pid] = i end
      i = parent
    else
      break
    end
  end
  hp[i], ho[i], hid[i] = p, o, id
  if tracking then pos[id] = i end
end

local function sift_down(i)
  local p, o, id = hp[i], ho[i], hid[i]
  while true do
    local c = 2 * i
    if c > n then break end
    local cp, co = hp[c], ho[c]
    if c < n then
      local dp, dq = hp[c + 1], ho[c + 1]
      if dp < cp or (dp == cp and dq < co) then c = c + 1; cp, co = dp, dq end
    end
    if cp < p or (cp == p and co < o) then
      local cid = hid[c]
      hp[i], ho[i], hid[i] = cp, co, cid
      if tracking then pos[cid] = i end
      i = c
    else
      break
    end
  end
  hp[i], ho[i], hid[i] = p, o, id
  if tracking then pos[id] = i end
end

local function push(p, o, id)
  n = n + 1
  hp[n], ho[n], hid[n] = p, o, id
  sift_up(n)
end

local function pop()
  local p, o, id = hp[1], ho[1], hid[1]
  if tracking then pos[id] = -1 end
  hp[1], ho[1], hid[1] = hp[n], ho[n], hid[n]
  hp[n], ho[n], hid[n] = nil, nil, nil
  n = n - 1
  if n > 1 then sift_down(1) end
  return p, o, id
end

function submit(p, fn, opts)
  if type(p) ~= "number" then error("bad argument #1 to 'submit' (number expected)", 2) end
  if type(fn) ~= "function" then error("bad argument #2 to 'submit' (function expected)", 2) end
  local id = next_id + 1
  next_id = id
  fns[id] = fn
  if tracking then base[id] = p; pos[id] = -1; waiter[id] = 0; done[id] = false end
  local delay = opts and opts.delay
  if delay and delay > 0 then
    delayed[#delayed + 1] = {due = clock() + delay, p = p, id = id}
  else
    push(p, PENDING + id, id)
  end
  return id
end

yield = cyield
now = clock

function track_jobs() tracking = true end

function set_priority(id, p)
  base[id] = p
  local obj = objs[id]
  if obj then obj.base_priority = p end
  local i = pos[id]
  if i and i > 0 then
    local old = hp[i]
    hp[i] = p
    if p < old then sift_up(i) elseif p > old then sift_down(i) end
  end
end

-- A job's object for policy hooks: a plain table, made once per job.
local function job_object(id)
  local obj = objs[id]
  if not obj then
    obj = {id = id, base_priority = base[id]}
    objs[id] = obj
  end
  return obj
end

-- Calls the hook on every pending job, then restores heap order (Floyd).
local function evaluate_all()
  local t = clock()
  for i = 1, n do
    local p = hook(job_object(hid[i]), t)
    hp[i] = p
  end
  for i = n // 2, 1, -1 do sift_down(i) end
end

function policy(tbl)
  assert(tracking, "policy needs track_jobs()")
  hook = tbl.priority
  evaluate_all()
end

function reprioritize()
  if hook then evaluate_all() end
end

function await_all(list)
  local me = current
  local count = 0
  for i = 1, #list do
    local id = list[i]
    if done[id] then error("await_all: job already finished (not supported by this baseline)", 2) end
    waiter[id] = me
    widx[id] = i
    count = count + 1
  end
  local res = {}
  if count == 0 then return res end
  results[me] = res
  npend[me] = count
  awaiting = true
  return cyield(AWAIT)
end

local function finished(id, value)
  if not tracking then return end
  done[id] = true
  local parent = waiter[id]
  if parent == 0 then return end
  results[parent][widx[id]] = value
  local left = npend[parent] - 1
  npend[parent] = left
  if left == 0 then
    push(base[parent], resume_counter, parent)
    resume_counter = resume_counter + 1
  end
end

local function release_due_timers()
  local t = clock()
  for i = #delayed, 1, -1 do
    local d = delayed[i]
    if d.due <= t then
      push(d.p, PENDING + d.id, d.id)
      table.remove(delayed, i)
    end
  end
end

-- Load and run SCRIPT's main chunk, then the jobs it queued.
local script = arg[1]
local chunk = assert(loadfile(script))
local script_args = {}
for i = 2, #arg do script_args[i - 1] = arg[i] end
arg = {[0] = script, table.unpack(script_args)}
chunk(table.unpack(script_args))

local failures = 0
while true do
  if #delayed > 0 then release_due_timers() end
  if n == 0 then
    if #delayed == 0 then break end
  else
    local p, o, id = pop()
    local co, ok, value
    current = id
    if o < PENDING then -- a parent whose children are done
      co = threads[id]
      threads[id] = nil
      local res = results[id]
      results[id] = nil
      ok, value = resume(co, res)
    else
      local fn = fns[id]
      fns[id] = nil
      co = create(fn)
      ok, value = resume(co, p, id)
    end
    while true do
      if not ok then
        io.stderr:write(("pure: job %d failed: %s\n"):format(id, tostring(value)))
        failures = failures + 1
        break
      end
      if status(co) == "dead" then
        finished(id, value)
        break
      end
      if awaiting then
        awaiting = false
        threads[id] = co
        break
      end
      ok, value = resume(co) -- yield(): the only ready job with one slot
    end
  end
end
os.exit(failures == 0 and 0 or 1)
