#ifndef PRIO_CLUASHIM_H
#define PRIO_CLUASHIM_H
/*
 * CLuaShim: the only code in prio-lua that raises Lua errors or yields from a
 * C function. Swift host functions never call lua_error/lua_yield themselves:
 * they return a status, and the trampoline here acts on it after the Swift
 * frame has returned, so no longjmp ever crosses a Swift frame.
 */
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>

/* Statuses a Swift host function returns instead of a result count. */
enum {
    PRIO_RAISE = -1,        /* raise the value on top of the stack as is */
    PRIO_RAISE_WHERE = -2,  /* raise the string on top, prefixed with "file:line: " */
    PRIO_SUSPEND = -3       /* suspend the job; the run loop resumes it later */
};

/* Called by the trampoline: runs Swift host function `function_id`. */
typedef int (*prio_dispatch_fn)(lua_State *L, int function_id);
/* The host's answer before yield() suspends (prio_set_yield_fast_path). */
typedef int (*prio_yield_check_fn)(void *host);
/* The host's fast path of job:set_priority (prio_set_priority_fast_path). */
typedef int (*prio_set_priority_fn)(void *host, lua_Integer job_id, double priority);

#define PRIO_FIELD_CACHE_SIZE 8

/* Per-state bookkeeping, private to the shim (prio_state.h): the Swift side
   reaches it only through the functions below. */
typedef struct prio_state prio_state;

/* Where in a job record (PrioCore JobRecordLayout) the fields the C
   __index of job objects reads directly are: records come in pages of
   2^page_shift records of `stride` bytes; `flags` is a byte whose
   `released_bit` is set once the record is released. */
typedef struct prio_job_layout {
    int page_shift;
    long stride;
    long effective_priority, base_priority, submitted_at, started_at, finished_at, attempt;
    long flags;
    int released_bit;
} prio_job_layout;

/* The layout of the job records, set once per state. */
void prio_set_job_layout(lua_State *L, const prio_job_layout *layout);
/* The Swift runtime that owns L's state (an Unmanaged pointer), and setting it. */
void *prio_host(lua_State *L);
void prio_set_host(lua_State *L, void *host);
/* The scheduler suspension that was passing up has been handled. */
void prio_clear_suspending(lua_State *L);
/* Bytes the state has allocated now, and its memory limit (0 = none). */
size_t prio_memory_allocated(lua_State *L);
size_t prio_memory_limit(lua_State *L);
/* Turns off the paths that read Lua's internals (lua_mirror.h), as a failed
   probe would: what a state does must not depend on them (tests compare). */
void prio_use_api_paths(lua_State *L);

/* Marks (or unmarks) co as a job's own coroutine, which scripts may not
   resume or close; `is_job_thread(co)` (pushed by the function below) tells. */
void prio_mark_job_thread(lua_State *co, int is_job);
void prio_push_is_job_thread_function(lua_State *L);
/* Marks co as the thread of the script's main chunk, which scripts see as
   Lua's main thread (coroutine.running, isyieldable, yield). */
void prio_mark_main_chunk_thread(lua_State *co);
void prio_push_coroutine_yield_function(lua_State *L);
/* Pushes thread_expected(name, [value]): Lua's message for a bad thread argument. */
void prio_push_thread_expected_function(lua_State *L);
void prio_push_coroutine_isyieldable_function(lua_State *L);
/* patterns.c: Lua 5.4.4's string.find, match, gmatch and gsub, calling
   prio_pattern_checkpoint (budget.c; may raise) every 1024 steps of matching,
   so timeouts, cancellation and hook budgets hold inside a pattern.
   prio_open_patterns replaces them in the string table (call protected). */
int prio_open_patterns(lua_State *L);
void prio_pattern_checkpoint(lua_State *L);
/* luaL_traceback, naming functions the same way in every run (traceback.c);
   may raise (memory): call it protected. */
void prio_traceback(lua_State *L, lua_State *L1, const char *msg, int level);
/* Pushes debug.traceback built on prio_traceback. */
void prio_push_debug_traceback_function(lua_State *L);
/* Pushes xpcall: Lua's, but the message handler is skipped while the
   running code is being stopped (timeout, cancel, spent budget); tracebacks
   do not show the guard that decides it. */
void prio_push_xpcall_function(lua_State *L);
/* Whether the running code is being stopped: a timeout or cancel requested,
   or a time budget spent. */
int prio_is_stopping(lua_State *L);
/* Pushes the coroutine.running scripts get: it marks the thread as seen. */
void prio_push_running_function(lua_State *L);
/* Whether a script ever held co (through coroutine.running): then it is never reused. */
int prio_thread_was_seen(lua_State *co);
/* Whether co is in the table of job threads (set and read by job_threads.c). */
int prio_thread_is_registered(lua_State *co);
void prio_set_thread_registered(lua_State *co, int registered);

/* One step of the incremental collector, as if `kilobytes` had been allocated. */
int prio_gc_step(lua_State *L, int kilobytes);
/* A full collection cycle. */
int prio_gc_collect(lua_State *L);

/* Whether the C function running on L was called for no results (a statement
   call): its results would be dropped. Always 0 unless the probe below passed. */
int prio_results_discarded(lua_State *L);
/* Checks that the running Lua library's call records read as wanted_results.c
   expects, and turns prio_results_discarded on if so; returns whether it is on. */
int prio_probe_wanted_results(lua_State *L);

/* A C function's arguments, read from the stack without an API call once
   the probe below has passed (stack_args.c); before, the API calls named. */
/* The block of the full userdata at idx if it is `size` (> 0) bytes long,
   else NULL (lua_rawlen, lua_touserdata). */
void *prio_arg_userdata(lua_State *L, int idx, size_t size);
/* lua_tonumberx. */
double prio_arg_number(lua_State *L, int idx, int *is_number);
/* The string object at idx (lua_topointer of a string), or NULL when it is
   no string. Different objects give different pointers. */
const void *prio_arg_string(lua_State *L, int idx);
/* Checks the direct reads against the API on the running library and turns
   them on if every one agreed; returns whether they are on. */
int prio_probe_stack_args(lua_State *L);

/* Creates a state with prio-lua's allocator, panic and warning handlers. */
lua_State *prio_newstate(void *host);
/* prio_closestate, but if closing (finalizers, __close handlers of the main
   thread) takes more than `seconds` (> 0), the process exits with
   `exit_status` and a message. The memory limit holds while it closes. */
void prio_closestate_bounded(lua_State *L, double seconds, int exit_status);
void prio_closestate(lua_State *L);
prio_state *prio_getstate(lua_State *L);

/* The function that runs this state's host functions (set before any runs). */
void prio_set_dispatch(lua_State *L, prio_dispatch_fn fn);
/* Pushes a C closure that calls Swift host function `function_id`. */
void prio_push_host_function(lua_State *L, int function_id);
/* Codes of the job fields the C __index answers itself (JobField on the Swift side). */
enum {
    PRIO_FIELD_ID = 1,
    PRIO_FIELD_PRIORITY = 3,
    PRIO_FIELD_BASE_PRIORITY = 4,
    PRIO_FIELD_ATTEMPT = 6,
    PRIO_FIELD_SUBMITTED_AT = 7,
    PRIO_FIELD_STARTED_AT = 8,
    PRIO_FIELD_FINISHED_AT = 9
};
/* Pushes the __index of job objects. keys_ref is a table: field name ->
   code, method name -> function. Methods, `id` and the numeric fields are
   answered in C, other fields by host function `function_id`, called with
   (job, key, code). */
void prio_push_job_index_function(lua_State *L, int function_id, int keys_ref);
/* The host's check before yield() suspends (this state's): 1 when giving
   way would pick the same job again at once, so yield() just returns true. */
void prio_set_yield_fast_path(lua_State *L, prio_yield_check_fn fn);
/* Pushes yield(), which asks the check before host function `function_id`. */
void prio_push_yield_function(lua_State *L, int function_id);
/* The host's fast path for job:set_priority(p) with a valid job and a
   finite number (this state's): returns 1 when it did the change, 0 to take
   the full path. */
void prio_set_priority_fast_path(lua_State *L, prio_set_priority_fn fn);
/* Pushes job:set_priority, which tries the fast path before host function `function_id`. */
void prio_push_job_set_priority_function(lua_State *L, int function_id);
/* Where the job records are now (after every submit); the layout is set in prio_state.jobs once. */
void prio_set_job_view(lua_State *L, const void *pages, long page_count);
/* Pushes the C function that tells Lua code whether a scheduler suspension is passing up. */
void prio_push_suspending_function(lua_State *L);

/*
 * Time budget for policy hooks, rules, __close handlers and __tostring:
 * while armed, a count hook on L checks every 1000 instructions and raises
 * "policy hook exceeded its time budget" (or the message for `what`) once
 * the call has used `seconds` of its thread's CPU time, or has taken
 * `wall_seconds` of wall-clock time (the backstop for a call blocked in C).
 * CPU time, so that a busy machine does not kill a legitimate hook; the CPU
 * clock is read only once the wall clock says the budget could be spent.
 * Budgets nest: prio_budget_begin returns the budget it replaced, an inner
 * budget never ends later than the outer one, and prio_budget_end puts the
 * outer one back (a close or a re-evaluation inside a policy hook leaves
 * the hook's budget armed).
 */
enum { PRIO_BUDGET_HOOK = 0, PRIO_BUDGET_CLOSE = 1, PRIO_BUDGET_TOSTRING = 2 };
typedef struct prio_budget { double deadline, cpu_deadline, wall_limit; int kind; } prio_budget;
prio_budget prio_budget_begin(lua_State *L, double seconds, double wall_seconds, int what);
/* Restores `saved`. With no budget left, the count hook comes off L unless
   keep_hook (many budgeted calls in a row keep it installed between them). */
void prio_budget_end(lua_State *L, prio_budget saved, int keep_hook);
/* Takes the count hook off L if no budget is armed (after keep_hook calls). */
void prio_budget_drop_idle_hook(lua_State *L);
double prio_monotonic_seconds(void);
/* Whether the C function running on L was called as a method (`obj:f()`):
   Lua's argument errors then count `self` out, as luaL_argerror does. */
int prio_called_as_method(lua_State *L);
/* Whether L runs inside a __gc finalizer (or the state is closing): the
   collector is stopped then, and scheduler calls are refused. */
int prio_in_finalizer(lua_State *L);
/* pipe2(ends, O_CLOEXEC): a pipe no child spawned meanwhile inherits (exec stdin). */
int prio_pipe_cloexec(int ends[2]);

/*
 * Time slicing. Before resuming a coroutine the run loop calls
 * prio_slice_begin with the time now (prio_monotonic_seconds, read once by
 * the caller, which needs it too), the seconds until the slice ends (or until the next
 * timer falls due, whichever is first; <= 0 for never) and until the job's
 * timeout (<= 0 for none). A watcher thread sleeps until then and, if that
 * resume is still running, arms a count hook on the executing thread: the
 * VM pays nothing until then. At the hook (a preemption point) the thread
 * yields if it can (prio_slice_end then reports preempted = 1); where it
 * cannot and the timeout has passed, "timeout" is raised there, and again at
 * every instruction until the job's body has unwound.
 */
void prio_slice_begin(lua_State *L, lua_State *co, double now, double wake_in, double stop_in);
/* The running job must stop (1: its timeout passed, 2: it cancelled
   itself): at its next preemption point it yields, or where it cannot,
   the error ("timeout" / "cancelled") is raised there. */
void prio_request_stop(lua_State *L, int reason);
/* prio_request_stop from another thread, with a preemption point at once. */
void prio_interrupt(lua_State *L, int reason);
/* From another thread: a preemption point at once for the resume executing in L's state, if any. */
void prio_preempt_now(lua_State *L);
/* Around code the host runs to completion inside a job's slice (policy
   hooks, rules, __close handlers): a preemption point that comes meanwhile
   is deferred to the job's thread when the last such call returns. */
/* prio_hook_enter returns the thread executing before it, which
   prio_hook_leave makes executing again: coroutines resumed inside the
   hook must not leave the slicer watching one of theirs. */
lua_State *prio_hook_enter(lua_State *L);
void prio_hook_leave(lua_State *L, lua_State *job_thread, lua_State *was_executing);
/* Whether a preemption point came while in a hook (prio_hook_leave then needs the job's thread). */
int prio_preemption_deferred(lua_State *L);
/* Ends the watch; returns whether the resume stopped at a preemption point. */
int prio_slice_end(lua_State *L);
/* Records which thread executes now (the coroutine wrappers call it).
   Returns once the watcher no longer touches the thread executing before. */
void prio_set_executing(lua_State *L, lua_State *co);
/* Pushes a C function `enter(co, ...)` for the coroutine wrappers: marks co
   as executing and returns the remaining arguments. */
void prio_push_enter_function(lua_State *L);

/* Job objects (job_objects.c): a small full userdata per job, kept in a
   weak-valued table so that a job has one object at a time; once the
   script drops it and the collector clears the entry, the host knows
   nothing can ask about the job any more. Call prio_init_job_objects once. */
void prio_init_job_objects(lua_State *L, int metatable_ref);
void prio_push_job_object(lua_State *L, lua_Integer id);
/* Job ids come in pages of 2^PRIO_JOB_PAGE_SHIFT, here as in the
   scheduler's record pages (PrioCore JobRecordLayout.pageShift). */
#define PRIO_JOB_PAGE_SHIFT 12
/* The runtime released job `id`: its object slot goes, and with
   `page_freed` (the scheduler freed the page of records holding it, so
   every job of the page is released) the page of slots too. */
void prio_release_job_word(lua_State *L, lua_Integer id, int page_freed);
/* Pushes an array of the objects of jobs ids[0..count-1], in that order. */
void prio_push_job_objects(lua_State *L, const int32_t *ids, long count);
/* The job id of the job object at idx, or 0 if the value is not one. */
lua_Integer prio_job_object_id(lua_State *L, int idx);
/* Sets t[id] = nil in each of the n registry tables refs[0..n-1]; a 0 ref is skipped. */
void prio_clear_job_entries(lua_State *L, const int *refs, int n, lua_Integer id);
/* For each of the n jobs ids[i], whether its object is still alive (alive[i] = 0 or 1). */
void prio_job_objects_alive(lua_State *L, const int32_t *ids, long n, uint8_t *alive);

/* Whether the collector has finished a cycle since the last call that
   said so (the first call says yes): only then can objects have gone. */
int prio_collector_cycle_passed(lua_State *L);

/* Job coroutines (job_threads.c). Once, at setup: */
void prio_init_job_threads(lua_State *L, int threads_ref, int functions_ref, int pool_ref);
/* Keeps the function at body_index as job `id`'s body, until it finishes. */
void prio_store_job_body(lua_State *L, lua_Integer id, int body_index);
/* Drops job `id`'s body (it finished). */
void prio_drop_job_body(lua_State *L, lua_Integer id);
/* Gives job `id` a coroutine (a reused or a new one) and pushes onto it the
   job's body and object; returns it (NULL if none). It is not registered:
   a job that runs to its end in one go never needs to be found by id. */
lua_State *prio_start_job_thread(lua_State *L, lua_Integer id);
/* Records co as job `id`'s coroutine in the table (if not yet), so it can
   be found by id: once the job suspends, fails, or is the main chunk. */
void prio_register_job_thread(lua_State *L, lua_State *co, lua_Integer id);
/* Forgets co as job `id`'s coroutine (and as a job's thread at all). */
void prio_unregister_job_thread(lua_State *L, lua_State *co, lua_Integer id);
/* Starts loading job `id`'s body entry into the cache (the next job to start). */
void prio_prefetch_job_body(lua_State *L, lua_Integer id);
/* Job `id` returned on co: keeps co for a later job if it can, and forgets
   it and the job's body. */
void prio_finish_job_thread(lua_State *L, lua_State *co, lua_Integer id);

/* Protected helpers: each returns a lua status and never raises. */
/* Pushes tostring(value at idx) using __tostring/__name, like luaL_tolstring. */
int prio_tostring_protected(lua_State *L, int idx);
/* Loads a chunk from a buffer (text only when text_only is set). */
int prio_loadbuffer(lua_State *L, const char *buf, size_t len, const char *chunkname, int text_only);
/* Loads the script file `name` (NULL: stdin) as lua.c does (luaL_loadfilex,
   protected); text_only refuses binary chunks. Leaves the chunk or the error. */
int prio_loadfile_protected(lua_State *L, const char *name, int text_only);
/* Runs LUA_INIT's value `init` as lua.c does (chunk name `name`), protected. */
int prio_run_init_protected(lua_State *L, const char *name, const char *init);
/* Pushes a traceback of coroutine co (or nothing on memory failure); returns a status. */
int prio_traceback_protected(lua_State *L, lua_State *co, const char *msg, int level);
/* Opens the standard libraries under protection. */
int prio_openlibs_protected(lua_State *L);
/* Opens only base, coroutine, table, string, math, utf8 and os (which the
   sandbox then curates), under protection. */
int prio_open_sandbox_libs_protected(lua_State *L);
/* Sets the memory limit (0 = none); it applies while script code runs. */
void prio_set_memory_limit(lua_State *L, size_t bytes);
/* Turns the limit on (script code runs) or off (host code); returns the old setting. */
int prio_enforce_memory_limit(lua_State *L, int on);

/* Writes to C's stdout/stderr and flushes, keeping order with io.write. */
void prio_write_stdout(const char *text, size_t length);
void prio_write_stderr(const char *text, size_t length);

/* Transferable values (transfer.c): copied between Lua states as bytes. */
#define PRIO_TRANSFER_DEPTH 100
typedef struct prio_bytes { unsigned char *data; size_t length, capacity; } prio_bytes;
/* Between the states of one run (not for user values): with `jobs`, job
   objects go by id; with the registry tables task_names (function -> name)
   and task_functions (name -> function), task functions go by name. All 0:
   plain transferable values only. With `closures`, a function that is no
   task crosses as a stand-in that raises if called: the body of a closure
   job a worker state submits stays there (SPEC §8). */
typedef struct prio_transfer_refs { int jobs, task_names, task_functions, closures; } prio_transfer_refs;
/* Appends the `count` values from `first` to `out`; returns 1, or 0 with
   "<what> at <path>" in `error` (the path starts at `root`, or at
   "[first_number + i]" when root is NULL). Never raises. */
int prio_transfer_encode(lua_State *L, int first, int count, int first_number, const char *root,
                         const prio_transfer_refs *refs, prio_bytes *out, char *error, size_t error_size);
/* Pushes the values in `bytes` (made by prio_transfer_encode); returns the
   pcall status and sets `count` to the values pushed (the message on error). */
int prio_transfer_decode(lua_State *L, const unsigned char *bytes, size_t length,
                         const prio_transfer_refs *refs, int *count);
void prio_bytes_free(prio_bytes *bytes);
/* Replaces the `count` values from `first` with copies made through the
   byte form (plain values only); 0 with the reason in `error` (the stack
   as it was) when one cannot be transferred. Never raises. */
int prio_transfer_copy(lua_State *L, int first, int count, const char *root, char *error, size_t error_size);
/* Appends one string value to `out`, as prio_transfer_encode would, after
   a boolean `ok` unless it is negative; 0 when out of memory. */
int prio_transfer_string(int ok, const char *text, size_t length, prio_bytes *out);
/* Runs host function `function_id` on L's stack inside lua_pcall, for a
   job in another state (trampoline.c); see there. */
int prio_serve_host_call(lua_State *L, int function_id, int nargs, int *host_status);

/* Wrappers for Lua's function-like macros, which Swift cannot import. */
static inline void prio_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void prio_newtable(lua_State *L) { lua_newtable(L); }
static inline int prio_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int prio_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int prio_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcall(L, nargs, nresults, msgh);
}
static inline const char *prio_tostring(lua_State *L, int idx) { return lua_tostring(L, idx); }
static inline void prio_insert(lua_State *L, int idx) { lua_insert(L, idx); }
static inline void prio_remove(lua_State *L, int idx) { lua_remove(L, idx); }
static inline void prio_replace(lua_State *L, int idx) { lua_replace(L, idx); }
static inline void *prio_newuserdata(lua_State *L, size_t size) { return lua_newuserdatauv(L, size, 1); }
static inline int prio_isnoneornil(lua_State *L, int idx) { return lua_isnoneornil(L, idx); }
static inline void prio_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
/* A pause inside a spin-wait. */
static inline void prio_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#endif
