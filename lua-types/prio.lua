---@meta prio
-- Type definitions of prio-lua's Lua API for lua-language-server (LuaLS):
-- completion, hover docs and type checks in your editor. Nothing here runs.
-- Point the editor at this folder, in .luarc.json beside your scripts:
--   { "workspace.library": ["/path/to/prio-lua/lua-types"] }
-- The reference is docs/lua-api.md; Tests/PrioLuaTests/TypeDefinitionTests
-- fails when this file and the runtime disagree on a function or job field.

---@alias prio.status "pending"|"running"|"waiting"|"done"|"failed"|"cancelled"

---A job: what `submit` returns. Fields are read-only; the methods change a job.
---@class prio.job
---@field id integer 1, 2, 3... in submission order
---@field name string default "job#<id>"
---@field priority number effective priority (policy and inheritance applied); lower runs first
---@field base_priority number what was submitted or last set with job:set_priority
---@field status prio.status
---@field tags string[] labels given at submit
---@field data any the value given as opts.data
---@field group string? the job's group, for limit()
---@field attempt integer 1 on the first run, counting retries
---@field submitted_at number now() at submit
---@field started_at number? now() when it first started
---@field finished_at number? now() when it finished
---@field deadline number? absolute deadline in now() seconds
---@field result table? return values once done, with n
---@field error any the error value once failed
---@field cancel_reason string? the reason given to job:cancel(reason), once cancelled
---@field task string? the task's name ("<module>.<field>") for a task job, nil for a closure job
---@field args any the copy of opts.args the job was submitted with
local job = {}

---Waits until the job finishes; returns its body's return values. Raises the
---job's error if it failed, "cancelled" if it was cancelled, "timeout" on timeout.
---@param timeout? number seconds
---@return any ...
function job:await(timeout) end

---Cancels the job; true if it had not finished. A suspended job is closed at
---once (its <close> variables run, its subprocess is stopped).
---@param reason? any
---@return boolean
function job:cancel(reason) end

---Sets base_priority; the effective priority is recomputed at once.
---@param priority number a finite number; lower runs first
function job:set_priority(priority) end

---@class prio.submit_opts
---@field name? string
---@field tags? string[]
---@field data? any for your own use and for policies
---@field args? any a transferable value (nil, booleans, numbers, strings, plain tables of these), deep-copied at submit: job.args
---@field delay? number seconds before the job may start
---@field deadline? number seconds from submission (stored absolute in job.deadline)
---@field timeout? number seconds of wall time from the job's start; past it the job fails with "timeout"
---@field retries? integer times a failed job runs again (default 0)
---@field backoff? number seconds before a retry, doubled per attempt
---@field group? string for limit(group, n)

---@class prio.exec_opts
---@field stdin? string
---@field cwd? string
---@field env? table<string, string>

---@class prio.exec_result
---@field status integer exit code, or 128 + signal
---@field stdout string
---@field stderr string
---@field signal? integer the signal that killed the process

---A periodic rule (every).
---@class prio.rule
local rule = {}
---Stops the rule.
function rule:cancel() end

---A policy: hooks that compute and change priorities while the run goes on.
---@class prio.policy
---@field priority? fun(job: prio.job, now: number): number effective priority (before inheritance)
---@field interval? number seconds between re-evaluations of priority
---@field on_submit? fun(job: prio.job): boolean?, string? false, reason rejects the job
---@field on_start? fun(job: prio.job)
---@field on_finish? fun(job: prio.job)
---@field on_error? fun(job: prio.job, err: any): number|false|nil seconds until a retry, or no retry
---@field on_deadline? fun(job: prio.job)
---@field preempt? boolean a better pending job takes the slot of the worst holder
---@field fair? table<string, number> slot shares by group weight

---@class prio.jobs_filter
---@field status? prio.status
---@field tag? string

---Queues a job; fn(job) runs in a new coroutine when it is dispatched.
---@param priority number a finite number; lower runs first
---@param fn fun(job: prio.job): ...
---@param opts? prio.submit_opts
---@return prio.job
function submit(priority, fn, opts) end

---Loads the task module at `path` (as dofile finds it) and returns its table;
---each function field is a task "<module>.<field>" that any Lua state (any
---worker) can run. Loading the same path again returns the same table.
---@param path string
---@return table
function tasks(path) end

---Suspends the running job (or the main chunk) for at least `seconds`.
---@param seconds number
function sleep(seconds) end

---Gives way to ready jobs of equal or better priority; returns true.
---@return boolean
function yield() end

---Monotonic seconds since the run started (simulated under --virtual-time).
---@return number
function now() end

---The running job, or nil in the main chunk.
---@return prio.job?
function current() end

---Unfinished jobs, best priority first.
---@param filter? prio.status|prio.jobs_filter
---@return prio.job[]
function jobs(filter) end

---At most n jobs of the group hold slots at once.
---@param group string
---@param n integer
function limit(group, n) end

---Waits for every job; returns each job's first return value.
---@param list prio.job[]
---@param timeout? number
---@return any[]
function await_all(list, timeout) end

---Returns the first job of the list to finish (any status), or nil on timeout.
---@param list prio.job[]
---@param timeout? number
---@return prio.job?
function await_any(list, timeout) end

---Installs hooks: fields given replace those installed; policy(nil) restores the default.
---@param tbl prio.policy?
function policy(tbl) end

---Re-evaluates every unfinished job's priority now.
function reprioritize() end

---Runs fn(now) every interval seconds, ahead of all jobs, until cancelled.
---@param interval number
---@param fn fun(now: number)
---@return prio.rule
function every(interval, fn) end

---Runs a subprocess without blocking other jobs (absent under --sandbox).
---@param cmd string|string[] a command for /bin/sh -c, or an argv array
---@param opts? prio.exec_opts
---@return prio.exec_result
function exec(cmd, opts) end

---The same functions as the globals; `require "prio"` returns this table.
---@class prio.module
prio = {}
prio.submit = submit
prio.sleep = sleep
prio.yield = yield
prio.now = now
prio.current = current
prio.jobs = jobs
prio.limit = limit
prio.await_all = await_all
prio.await_any = await_any
prio.policy = policy
prio.reprioritize = reprioritize
prio.every = every
prio.exec = exec
prio.tasks = tasks

---Built-in policies: tables for policy(...).
prio.policies = {}

---Effective priority falls by `rate` per second of waiting since submission.
---@param opts? {rate?: number, interval?: number}
---@return prio.policy
function prio.policies.aging(opts) end

---Earliest deadline first; jobs without a deadline after those with one.
---@return prio.policy
function prio.policies.edf() end

---Slots shared between groups in proportion to their weights.
---@param opts? {by?: "group", weights?: table<string, number>}
---@return prio.policy
function prio.policies.fair(opts) end

return prio
