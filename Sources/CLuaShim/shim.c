#define _GNU_SOURCE /* pipe2 */
#include "CLuaShim.h"
#include "job_box.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static prio_dispatch_fn dispatch_to_swift = NULL;

void prio_set_dispatch(prio_dispatch_fn fn) { dispatch_to_swift = fn; }

/* Every thread's extra space holds the state pointer (Lua copies the main
   thread's into each new one); its low bit marks a job's own coroutine. */
#define THREAD_IS_JOB ((uintptr_t)1)
#define THREAD_SEEN ((uintptr_t)2)
#define THREAD_REGISTERED ((uintptr_t)4) /* in the table of job threads (job_threads.c) */
#define THREAD_IS_MAIN_CHUNK ((uintptr_t)8) /* the script's main chunk: Lua's main thread to scripts */
#define THREAD_FLAGS (THREAD_IS_JOB | THREAD_SEEN | THREAD_REGISTERED | THREAD_IS_MAIN_CHUNK)

prio_state *prio_getstate(lua_State *L) {
    return (prio_state *)(*(uintptr_t *)lua_getextraspace(L) & ~THREAD_FLAGS);
}

int prio_thread_was_seen(lua_State *co) { return (*(uintptr_t *)lua_getextraspace(co) & THREAD_SEEN) != 0; }

int prio_thread_is_registered(lua_State *co) {
    return (*(uintptr_t *)lua_getextraspace(co) & THREAD_REGISTERED) != 0;
}

void prio_set_thread_registered(lua_State *co, int registered) {
    uintptr_t *space = (uintptr_t *)lua_getextraspace(co);
    *space = (*space & ~THREAD_REGISTERED) | (registered ? THREAD_REGISTERED : 0);
}

static int is_main_chunk(lua_State *L) { return (*(uintptr_t *)lua_getextraspace(L) & THREAD_IS_MAIN_CHUNK) != 0; }

void prio_mark_main_chunk_thread(lua_State *co) { *(uintptr_t *)lua_getextraspace(co) |= THREAD_IS_MAIN_CHUNK; }

/* coroutine.running(): as Lua's, but marks the thread as seen by the script,
   so that it is never reused for another job. The main chunk runs in a
   coroutine of the host's, but is Lua's main thread to the script, as
   under lua: it gets the main thread and true. */
static int running_marking_seen(lua_State *L) {
    if (is_main_chunk(L)) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
        lua_pushboolean(L, 1);
        return 2;
    }
    int is_main = lua_pushthread(L);
    *(uintptr_t *)lua_getextraspace(L) |= THREAD_SEEN;
    lua_pushboolean(L, is_main);
    return 2;
}

/* coroutine.yield: as Lua's, but the main chunk is not a coroutine to the
   script (sleep, await and yield() suspend it all the same). */
static int yield_from_coroutine(lua_State *L) {
    if (is_main_chunk(L)) {
        lua_pushliteral(L, "attempt to yield from outside a coroutine");
        return lua_error(L);
    }
    return lua_yield(L, lua_gettop(L));
}

/* coroutine.isyieldable([co]): false for the main chunk, as for Lua's main thread. */
static int isyieldable_unless_main(lua_State *L) {
    lua_State *co = lua_isnone(L, 1) ? L : lua_tothread(L, 1);
    luaL_argexpected(L, co, 1, "thread");
    lua_pushboolean(L, !is_main_chunk(co) && lua_isyieldable(co));
    return 1;
}

/* thread_expected(name, co, ...): the message luaL_typeerror gives for an
   argument #1 of `name` that is not a thread ("got no value" when absent). */
static int thread_expected(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    const char *got;
    if (lua_gettop(L) < 2) got = "no value";
    else if (luaL_getmetafield(L, 2, "__name") == LUA_TSTRING) got = lua_tostring(L, -1);
    else if (lua_type(L, 2) == LUA_TLIGHTUSERDATA) got = "light userdata";
    else got = luaL_typename(L, 2);
    lua_pushfstring(L, "bad argument #1 to '%s' (thread expected, got %s)", name, got);
    return 1;
}

void prio_push_thread_expected_function(lua_State *L) { lua_pushcfunction(L, thread_expected); }

void prio_push_coroutine_yield_function(lua_State *L) { lua_pushcfunction(L, yield_from_coroutine); }
void prio_push_coroutine_isyieldable_function(lua_State *L) { lua_pushcfunction(L, isyieldable_unless_main); }

void prio_push_running_function(lua_State *L) { lua_pushcfunction(L, running_marking_seen); }

void prio_mark_job_thread(lua_State *co, int is_job) {
    uintptr_t *space = (uintptr_t *)lua_getextraspace(co);
    *space = (*space & ~THREAD_IS_JOB) | (is_job ? THREAD_IS_JOB : 0);
}

static int is_job_thread(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    lua_pushboolean(L, co != NULL && (*(uintptr_t *)lua_getextraspace(co) & THREAD_IS_JOB));
    return 1;
}

void prio_push_is_job_thread_function(lua_State *L) { lua_pushcfunction(L, is_job_thread); }

/* --- allocator: counts bytes; refuses growth past the limit while enforced --- */
/* Near the limit, Lua answers a refused allocation with a full (emergency)
   collection and a retry: a job whose live data sits at the limit while it
   makes a little garbage then pays a full collection per allocation and
   crawls for minutes instead of failing. So once the limit has been hit,
   a sixteenth of it must stay free (the retry succeeds only if the
   collection freed real room) until use falls below seven eighths. */
static size_t limit_ceiling(prio_state *st) {
    return st->limit_tight ? st->limit - st->limit / 16 : st->limit;
}

static void *prio_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    prio_state *st = (prio_state *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        st->allocated -= old;
        if (st->limit_tight && st->allocated < st->limit - st->limit / 8) st->limit_tight = 0;
        return NULL;
    }
    if (st->enforce_limit && st->limit && nsize > old && st->allocated - old + nsize > limit_ceiling(st)) {
        st->limit_tight = 1;
        return NULL;
    }
    void *np = realloc(ptr, nsize);
    if (np == NULL) {
        /* Outside script code, host code (Swift frames among it) is on the
           C stack: Lua's memory error would longjmp across it. The system
           itself is out of memory then; end the process with a message. */
        if (!st->enforce_limit) {
            fputs("prio-lua: out of memory (the system refused an allocation outside script code)\n", stderr);
            abort();
        }
        return NULL;
    }
    st->allocated = st->allocated - old + nsize;
    if (st->allocated > st->peak) st->peak = st->allocated;
    return np;
}

/* Reached only by an error outside any protected call: a bug in prio-lua. */
static int prio_panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "prio-lua: PANIC: unprotected error in call to Lua API (%s)\n",
            msg ? msg : "error object is not a string");
    fflush(stderr);
    abort();
    return 0;
}

/* Warnings as lua.c prints them: off until "@on", pieces joined until the last. */
static void prio_warn(void *ud, const char *msg, int tocont) {
    prio_state *st = (prio_state *)ud;
    if (!st->warn_continued && !tocont && *msg == '@') {
        if (strcmp(msg, "@off") == 0) st->warn_on = 0;
        else if (strcmp(msg, "@on") == 0) st->warn_on = 1;
        return;
    }
    if (st->warn_on) {
        if (!st->warn_continued) fputs("prio-lua: warning: ", stderr);
        fputs(msg, stderr);
        if (!tocont) { fputc('\n', stderr); fflush(stderr); }
    }
    st->warn_continued = tocont;
}

lua_State *prio_newstate(void *host) {
    prio_state *st = calloc(1, sizeof(prio_state));
    if (st == NULL) return NULL;
    st->host = host;
    lua_State *L = lua_newstate(prio_alloc, st);
    if (L == NULL) { free(st); return NULL; }
    *(prio_state **)lua_getextraspace(L) = st;
    lua_atpanic(L, prio_panic);
    lua_setwarnf(L, prio_warn, st);
    return L;
}

static void slicer_stop(prio_state *st);

/* The watchdog of a bounded close: exits the process with `status` when
   closing has not finished by `deadline`. Finalizers run with hooks off, so
   nothing else can stop one that never returns. */
typedef struct close_watch {
    pthread_mutex_t lock;
    pthread_cond_t done_signal;
    int done;
    double seconds;
    int status;
} close_watch;

static void *close_watchdog(void *arg) {
    close_watch *w = (close_watch *)arg;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)w->seconds;
    until.tv_nsec += (long)((w->seconds - (double)(time_t)w->seconds) * 1e9);
    if (until.tv_nsec >= 1000000000L) { until.tv_sec += 1; until.tv_nsec -= 1000000000L; }
    pthread_mutex_lock(&w->lock);
    while (!w->done) {
        if (pthread_cond_timedwait(&w->done_signal, &w->lock, &until) == ETIMEDOUT && !w->done) {
            fflush(stdout);
            fprintf(stderr, "prio-lua: closing the Lua state took more than %g s "
                            "(a __gc finalizer or __close handler that does not return?); exiting\n", w->seconds);
            fflush(stderr);
            _exit(w->status);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

void prio_closestate_bounded(lua_State *L, double seconds, int exit_status) {
    prio_state *st = prio_getstate(L);
    slicer_stop(st);
    /* The memory limit holds until the state is gone: a finalizer that
       allocates past it gets "not enough memory" (a warning), as in a run. */
    st->enforce_limit = st->limit > 0;
    close_watch w = {.done = 0, .seconds = seconds, .status = exit_status};
    pthread_t watchdog;
    int watching = 0;
    if (seconds > 0) {
        pthread_condattr_t attributes;
        pthread_condattr_init(&attributes);
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
        pthread_cond_init(&w.done_signal, &attributes);
        pthread_condattr_destroy(&attributes);
        pthread_mutex_init(&w.lock, NULL);
        watching = pthread_create(&watchdog, NULL, close_watchdog, &w) == 0;
    }
    lua_close(L);
    free(st);
    if (watching) {
        pthread_mutex_lock(&w.lock);
        w.done = 1;
        pthread_cond_signal(&w.done_signal);
        pthread_mutex_unlock(&w.lock);
        pthread_join(watchdog, NULL);
        pthread_cond_destroy(&w.done_signal);
        pthread_mutex_destroy(&w.lock);
    }
}

void prio_closestate(lua_State *L) { prio_closestate_bounded(L, 0, 0); }

/* --- the trampoline for Swift host functions --- */

/* Continuation of a suspended host call: the run loop resumed with (ok, values...). */
static int resume_continuation(lua_State *L, int status, lua_KContext ctx) {
    (void)status; (void)ctx;
    int n = lua_gettop(L);
    if (n == 0) return 0;
    if (lua_type(L, 1) == LUA_TBOOLEAN && !lua_toboolean(L, 1)) {
        lua_settop(L, 2);
        return lua_error(L);
    }
    return n - 1;
}

/* Calls host function `id` on the current stack, without the script's
   memory limit (an allocation failure inside Swift could not be raised
   safely), and returns, raises or yields as the Swift side asked. Must be
   called from the C function Lua called, so that errors name the caller's
   line (luaL_where level 1). */
static int call_host(lua_State *L, int id) {
    prio_state *st = prio_getstate(L);
    int enforcing = st->enforce_limit;
    st->enforce_limit = 0;
    int r = dispatch_to_swift(L, id);
    st->enforce_limit = enforcing;
    if (r >= 0) return r;
    switch (r) {
    case PRIO_RAISE:
        return lua_error(L);
    case PRIO_RAISE_WHERE:
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    case PRIO_SUSPEND:
        if (!lua_isyieldable(L)) {
            prio_getstate(L)->suspending = 0;
            return luaL_error(L, "cannot suspend here (inside a C call such as a metamethod or a sort comparator)");
        }
        lua_settop(L, 0);
        prio_getstate(L)->suspending = 1;
        return lua_yieldk(L, 0, 0, resume_continuation);
    default:
        return luaL_error(L, "prio-lua: bad host function status %d", r);
    }
}

static int host_trampoline(lua_State *L) {
    return call_host(L, (int)lua_tointeger(L, lua_upvalueindex(1)));
}

/* __index of job objects (job_index below). Methods come from the table of
   field codes and methods, numeric fields from the job's record; other
   fields go to the host function with their code as a third argument.
   Upvalues: the host function id, that table, and the methods the
   field-name cache remembers. */

/* The record of job `id`, or NULL when it is unknown or released. */
static const char *job_record(const prio_job_view *v, lua_Integer id) {
    if (v->pages == NULL || id <= 0) return NULL;
    long page = (long)(id >> v->page_shift);
    if (page >= v->page_count || v->pages[page] == NULL) return NULL;
    const char *record = (const char *)v->pages[page] + (size_t)(id & ((1L << v->page_shift) - 1)) * v->stride;
    return (*(const unsigned char *)(record + v->flags) & v->released_bit) ? NULL : record;
}

/* Pushes a number as the host does: integral values as integers. */
static void push_number(lua_State *L, double value) {
    if (value == floor(value) && fabs(value) < 9.0e15) lua_pushinteger(L, (lua_Integer)value);
    else lua_pushnumber(L, value);
}

/* Answers the numeric field `code` of job `id` from its record; 0 when
   the host has to (other fields, or a job it no longer knows). */
static int push_record_field(lua_State *L, lua_Integer id, lua_Integer code) {
    const prio_job_view *v = &prio_getstate(L)->jobs;
    const char *record;
    double value;
    switch (code) {
    case PRIO_FIELD_ID:
        lua_pushinteger(L, id);
        return 1;
    case PRIO_FIELD_PRIORITY:
    case PRIO_FIELD_BASE_PRIORITY:
        if ((record = job_record(v, id)) == NULL) return 0;
        memcpy(&value, record + (code == PRIO_FIELD_PRIORITY ? v->effective_priority : v->base_priority), sizeof value);
        push_number(L, value);
        return 1;
    case PRIO_FIELD_SUBMITTED_AT:
    case PRIO_FIELD_STARTED_AT:
    case PRIO_FIELD_FINISHED_AT:
        if ((record = job_record(v, id)) == NULL) return 0;
        memcpy(&value, record + (code == PRIO_FIELD_SUBMITTED_AT ? v->submitted_at
                                 : code == PRIO_FIELD_STARTED_AT ? v->started_at : v->finished_at), sizeof value);
        if (isnan(value)) lua_pushnil(L); else lua_pushnumber(L, value);
        return 1;
    case PRIO_FIELD_ATTEMPT: {
        if ((record = job_record(v, id)) == NULL) return 0;
        int32_t attempt;
        memcpy(&attempt, record + v->attempt, sizeof attempt);
        lua_pushinteger(L, attempt);
        return 1;
    }
    default:
        return 0;
    }
}

/* The code the field-name cache gives a method's name; the method itself is
   kept in job_index's upvalue METHOD_UPVALUE(slot). */
#define FIELD_CACHE_METHOD (-1)
#define METHOD_UPVALUE(slot) (3 + (int)(slot))

/* Slot of the field-name cache for the string object `name`. */
static unsigned field_cache_slot(const void *name) {
    return (unsigned)(((uintptr_t)name >> 4) & (PRIO_FIELD_CACHE_SIZE - 1));
}

/* A numeric field read by its name's string, without the table lookup.
   Lua 5.4 interns short strings, and every field name is one and stays
   alive as a key of the field-code table: while it lives, any string with
   its text is that very object, and different objects have different
   pointers, so the pointer identifies the field (a key of another type
   reads as NULL, which matches nothing). Returns 1 when it pushed the field. */
static int push_cached_field(lua_State *L) {
    prio_state *st = prio_getstate(L);
    const void *name = arg_string(L, st, 2);
    prio_job_view *v = &st->jobs;
    unsigned slot = field_cache_slot(name);
    if (name == NULL || v->field_names[slot] != name) return 0;
    int code = v->field_codes[slot];
    if (code == FIELD_CACHE_METHOD) {
        lua_pushvalue(L, lua_upvalueindex(METHOD_UPVALUE(slot)));
        return 1;
    }
    lua_Integer id = job_box_id(L, st, 1);
    return id > 0 && push_record_field(L, id, code);
}

static void remember_field(lua_State *L, int name_index, lua_Integer code) {
    const void *name = prio_arg_string(L, name_index);
    prio_job_view *v = &prio_getstate(L)->jobs;
    unsigned slot = field_cache_slot(name);
    v->field_names[slot] = name;
    v->field_codes[slot] = (int)code;
}

static int job_index(lua_State *L) {
    if (push_cached_field(L)) return 1;
    lua_settop(L, 2);
    lua_pushvalue(L, 2);
    int type = lua_rawget(L, lua_upvalueindex(2));
    if (type != LUA_TNUMBER) {
        /* a method (remembered too: `job:set_priority` in a loop looks it up every time), or nil */
        if (type == LUA_TFUNCTION && lua_type(L, 2) == LUA_TSTRING) {
            lua_pushvalue(L, -1);
            lua_replace(L, lua_upvalueindex(METHOD_UPVALUE(field_cache_slot(prio_arg_string(L, 2)))));
            remember_field(L, 2, FIELD_CACHE_METHOD);
        }
        return 1;
    }
    /* job, key, code */
    lua_Integer id = prio_job_object_id(L, 1);
    lua_Integer code = lua_tointeger(L, 3);
    if (id > 0 && push_record_field(L, id, code)) {
        remember_field(L, 2, code);
        return 1;
    }
    return call_host(L, (int)lua_tointeger(L, lua_upvalueindex(1)));
}

static prio_yield_check_fn yield_check = NULL;

void prio_set_yield_fast_path(prio_yield_check_fn fn) { yield_check = fn; }

/* yield(). When the host says giving way would change nothing, it returns
   true at once; otherwise host function `function_id` (upvalue 1) suspends. */
static int job_yield(lua_State *L) {
    if (yield_check != NULL && lua_isyieldable(L) && yield_check(prio_getstate(L)->host)) {
        lua_pushboolean(L, 1);
        return 1;
    }
    return call_host(L, (int)lua_tointeger(L, lua_upvalueindex(1)));
}

void prio_push_yield_function(lua_State *L, int function_id) {
    lua_pushinteger(L, function_id);
    lua_pushcclosure(L, job_yield, 1);
}

static prio_set_priority_fn set_priority_fast = NULL;

void prio_set_priority_fast_path(prio_set_priority_fn fn) { set_priority_fast = fn; }

/* job:set_priority(p). A valid call goes straight to the host's fast path;
   anything else (a bad argument, a policy to consult, an observer to tell)
   to host function `function_id` (upvalue 1), which also words the errors. */
static int job_set_priority(lua_State *L) {
    if (set_priority_fast != NULL) {
        prio_state *st = prio_getstate(L);
        lua_Integer id = job_box_id(L, st, 1);
        int is_number = 0;
        double priority = arg_number(L, st, 2, &is_number);
        if (id > 0 && is_number && isfinite(priority) && !prio_in_finalizer(L)) {
            int enforcing = st->enforce_limit;
            st->enforce_limit = 0;
            int handled = set_priority_fast(st->host, id, priority);
            st->enforce_limit = enforcing;
            if (handled) return 0;
        }
    }
    return call_host(L, (int)lua_tointeger(L, lua_upvalueindex(1)));
}

void prio_push_job_set_priority_function(lua_State *L, int function_id) {
    lua_pushinteger(L, function_id);
    lua_pushcclosure(L, job_set_priority, 1);
}

void prio_push_job_index_function(lua_State *L, int function_id, int keys_ref) {
    lua_pushinteger(L, function_id);
    lua_rawgeti(L, LUA_REGISTRYINDEX, keys_ref);
    for (int slot = 0; slot < PRIO_FIELD_CACHE_SIZE; slot++) lua_pushnil(L); /* cached methods */
    lua_pushcclosure(L, job_index, 2 + PRIO_FIELD_CACHE_SIZE);
}

void prio_set_job_view(lua_State *L, const void *pages, const void *word_pages, long page_count) {
    prio_job_view *v = &prio_getstate(L)->jobs;
    v->pages = (const void *const *)pages;
    v->word_pages = (int32_t *const *)word_pages;
    v->page_count = page_count;
}

void prio_push_host_function(lua_State *L, int function_id) {
    lua_pushinteger(L, function_id);
    lua_pushcclosure(L, host_trampoline, 1);
}

static int suspending(lua_State *L) {
    lua_pushboolean(L, prio_getstate(L)->suspending);
    return 1;
}

void prio_push_suspending_function(lua_State *L) { lua_pushcfunction(L, suspending); }

/* --- protected helpers --- */

static int tostring_body(lua_State *L) {
    luaL_tolstring(L, 1, NULL);
    return 1;
}

int prio_tostring_protected(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    lua_pushcfunction(L, tostring_body);
    lua_pushvalue(L, idx);
    return lua_pcall(L, 1, 1, 0);
}

/* luaL_loadfilex, as lua.c loads a script: a file or (NULL) stdin, a first
   '#' line skipped, "cannot open NAME: reason" when it cannot be read.
   Leaves the chunk or the message and its status. */
static int loadfile_body(lua_State *L) {
    const char *name = (const char *)lua_touserdata(L, 1);
    const char *mode = (const char *)lua_touserdata(L, 2);
    lua_pushinteger(L, luaL_loadfilex(L, name, mode));
    return 2;
}

int prio_loadfile_protected(lua_State *L, const char *name, int text_only) {
    lua_pushcfunction(L, loadfile_body);
    lua_pushlightuserdata(L, (void *)name);
    lua_pushlightuserdata(L, (void *)(text_only ? "t" : "bt"));
    int status = lua_pcall(L, 2, 2, 0);
    if (status != LUA_OK) return status; /* out of memory: the message */
    status = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return status;
}

/* What lua.c's handle_luainit does with LUA_INIT_5_4 (or LUA_INIT): `@FILE`
   runs FILE, anything else runs as a chunk named "=LUA_INIT...". Called
   protected; returns the status and leaves the error message on failure. */
static int run_init_body(lua_State *L) {
    const char *name = (const char *)lua_touserdata(L, 1);
    const char *init = (const char *)lua_touserdata(L, 2);
    int status = init[0] == '@' ? luaL_loadfilex(L, init + 1, NULL)
                                : luaL_loadbufferx(L, init, strlen(init), name, NULL);
    if (status != LUA_OK) return lua_error(L);
    lua_call(L, 0, 0);
    return 0;
}

int prio_run_init_protected(lua_State *L, const char *name, const char *init) {
    lua_pushcfunction(L, run_init_body);
    lua_pushlightuserdata(L, (void *)name);
    lua_pushlightuserdata(L, (void *)init);
    return lua_pcall(L, 2, 0, 0);
}

int prio_loadbuffer(lua_State *L, const char *buf, size_t len, const char *chunkname, int text_only) {
    return luaL_loadbufferx(L, buf, len, chunkname, text_only ? "t" : "bt");
}

static int traceback_body(lua_State *L) {
    lua_State *co = (lua_State *)lua_touserdata(L, 1);
    const char *msg = (const char *)lua_touserdata(L, 2); /* copied here, under protection */
    int level = (int)lua_tointeger(L, 3);
    prio_traceback(L, co, msg, level);
    return 1;
}

int prio_traceback_protected(lua_State *L, lua_State *co, const char *msg, int level) {
    lua_pushcfunction(L, traceback_body);
    lua_pushlightuserdata(L, co);
    lua_pushlightuserdata(L, (void *)msg);
    lua_pushinteger(L, level);
    return lua_pcall(L, 3, 1, 0);
}

static int openlibs_body(lua_State *L) {
    luaL_openlibs(L);
    lua_pushcfunction(L, prio_open_patterns); /* find, match, gmatch, gsub that can be stopped */
    lua_call(L, 0, 0);
    return 0;
}

int prio_openlibs_protected(lua_State *L) {
    lua_pushcfunction(L, openlibs_body);
    return lua_pcall(L, 0, 0, 0);
}

void prio_write_stdout(const char *text, size_t length) {
    fwrite(text, 1, length, stdout);
    fflush(stdout);
}

void prio_write_stderr(const char *text, size_t length) {
    fflush(stdout);
    fwrite(text, 1, length, stderr);
    fflush(stderr);
}

double prio_monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The budget needs ~1 ms resolution only, so the cheap coarse clock serves. */
static double coarse_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const budget_messages[] = {
    "policy hook exceeded its time budget",
    "__close handler exceeded its time budget",
    "__tostring exceeded its time budget",
};

static double thread_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A thread's CPU time grows no faster than the wall clock, so before the
   wall-clock deadline the budget cannot be spent and the (slower) CPU
   clock is not read. */
static int budget_spent(prio_state *st) {
    if (st->budget_deadline <= 0) return 0;
    double now = coarse_seconds();
    if (now <= st->budget_deadline) return 0;
    return now > st->budget_wall_limit || thread_cpu_seconds() > st->budget_cpu_deadline;
}

/* Raises the error of the spent budget, naming what was budgeted. */
static int raise_budget_spent(lua_State *L, prio_state *st) {
    int kind = st->budget_kind >= 0 && st->budget_kind <= 2 ? st->budget_kind : 0;
    lua_pushstring(L, budget_messages[kind]);
    return lua_error(L);
}

static void budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    prio_state *st = prio_getstate(L);
    if (budget_spent(st)) {
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);  /* and again at every instruction */
        raise_budget_spent(L, st);
    }
}

static double earlier(double outer, double inner) { return outer > 0 && outer < inner ? outer : inner; }

prio_budget prio_budget_begin(lua_State *L, double seconds, double wall_seconds, int what) {
    prio_state *st = prio_getstate(L);
    prio_budget saved = {st->budget_deadline, st->budget_cpu_deadline, st->budget_wall_limit, st->budget_kind};
    double now = coarse_seconds();
    st->budget_deadline = earlier(saved.deadline, now + seconds);
    st->budget_cpu_deadline = earlier(saved.deadline > 0 ? saved.cpu_deadline : 0, thread_cpu_seconds() + seconds);
    st->budget_wall_limit = earlier(saved.deadline > 0 ? saved.wall_limit : 0, now + wall_seconds);
    st->budget_kind = what;
    if (lua_gethook(L) != budget_hook || lua_gethookcount(L) != 1000)
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1000);
    return saved;
}

void prio_budget_end(lua_State *L, prio_budget saved, int keep_hook) {
    prio_state *st = prio_getstate(L);
    st->budget_deadline = saved.deadline;
    st->budget_cpu_deadline = saved.cpu_deadline;
    st->budget_wall_limit = saved.wall_limit;
    st->budget_kind = saved.kind;
    if (saved.deadline <= 0 && !keep_hook) lua_sethook(L, NULL, 0, 0);
}

void prio_budget_drop_idle_hook(lua_State *L) {
    if (prio_getstate(L)->budget_deadline <= 0 && lua_gethook(L) == budget_hook) lua_sethook(L, NULL, 0, 0);
}

int prio_called_as_method(lua_State *L) {
    lua_Debug ar;
    if (!lua_getstack(L, 0, &ar) || !lua_getinfo(L, "n", &ar)) return 0;
    return ar.namewhat != NULL && strcmp(ar.namewhat, "method") == 0;
}

int prio_in_finalizer(lua_State *L) { return lua_gc(L, LUA_GCISRUNNING) < 0; }


/* Called by the pattern functions (patterns.c) every 1024 steps of
   matching: C code no count hook reaches. A spent time budget, a job's
   passed timeout or its cancellation is raised right there, as the
   preemption hook raises it where no yield is possible. */
void prio_pattern_checkpoint(lua_State *L) {
    prio_state *st = prio_getstate(L);
    if (budget_spent(st)) raise_budget_spent(L, st);
    int stop = atomic_load(&st->stop_requested);
    if (stop && st->in_hook == 0) {
        lua_pushstring(L, stop == 2 ? "cancelled" : "timeout");
        lua_error(L);
    }
}

/* --- time slicing --- */

static void preempt_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    prio_state *st = prio_getstate(L);
    if (atomic_load(&st->armed_generation) != atomic_load(&st->slice_generation)) {
        lua_sethook(L, NULL, 0, 0);  /* armed for an earlier resume */
        return;
    }
    if (st->in_hook) {
        /* Hooks run to completion: the job gives way after. A policy hook
           keeps its time budget, on this thread too (enter_coroutine). */
        if (st->budget_deadline > 0) lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1000);
        else lua_sethook(L, NULL, 0, 0);
        atomic_store(&st->preempt_deferred, 1);
        return;
    }
    if (lua_isyieldable(L)) {
        lua_sethook(L, NULL, 0, 0);
        atomic_store(&st->preempted, 1);
        st->suspending = 1;
        lua_yield(L, 0);
        return;
    }
    int stop = atomic_load(&st->stop_requested);
    if (stop) {
        lua_sethook(L, preempt_hook, LUA_MASKCOUNT, 1);  /* and again at the next instruction */
        lua_pushstring(L, stop == 2 ? "cancelled" : "timeout");
        lua_error(L);
    }
    /* Cannot yield here (a C call such as table.sort): try the next instruction. */
}

/* The watcher. It is not woken at every resume: a new resume only moves
   the deadline later, so the watcher, waking at the old deadline, just
   sleeps on to the new one. Resumes take no lock and make no system call.

   The resume side (prio_slice_begin) and the watcher share three atomics:
   wake_at and stop_at (monotonic seconds, 0 = none), written by a resume,
   and sleeping_until (0 = waiting for work), written by the watcher. Each
   side writes its value and then reads the other's (sequentially
   consistent), so at least one of them sees the other's write: either the
   watcher sees the new deadline before it sleeps, or the resume sees that
   the watcher would sleep past it and wakes it under the lock. A resume's
   deadlines are stored before slice_generation moves on, so a watcher
   that reads the new generation first reads the new deadlines too, and an
   arm with an older generation is ignored by preempt_hook. The generation
   is odd during a resume and even between resumes (next_generation), when
   a lapsed deadline arms nothing. */
static unsigned next_generation(prio_state *st, int resuming) {
    unsigned generation = atomic_load_explicit(&st->slice_generation, memory_order_relaxed);
    unsigned next = (generation | 1) + (resuming ? 2 : 1);
    atomic_store(&st->slice_generation, next);
    return next;
}

static double earliest_deadline(double wake, double stop) {
    if (wake <= 0) return stop;
    if (stop <= 0) return wake;
    return stop < wake ? stop : wake;
}

/* Sets the preemption hook on the executing thread. The Lua thread may
   move on meanwhile and its collector free that thread: so the watcher
   announces the thread in `arming` before it checks that it still
   executes, and the Lua thread, after changing `executing`, waits while
   `arming` still names the old one (set_executing). Both sides store, then
   load the other's word (sequentially consistent): one of them sees the
   other's store, so the hook is never set on a thread that can be freed. */
static void arm_executing(prio_state *st, unsigned generation) {
    lua_State *co = atomic_load(&st->executing);
    if (co == NULL) return;
    atomic_store(&st->arming, co);
    if (atomic_load(&st->executing) == co) {
        atomic_store(&st->armed_generation, generation);
        lua_sethook(co, preempt_hook, LUA_MASKCOUNT, 1);
    }
    atomic_store(&st->arming, NULL);
}

/* Makes `co` the executing thread; returns the one before, once the
   watcher is no longer setting a hook on it (see arm_executing). */
static lua_State *set_executing(prio_state *st, lua_State *co) {
    lua_State *before = atomic_exchange(&st->executing, co);
    if (before != NULL && before != co)
        while (atomic_load(&st->arming) == before) { /* a few stores away */ }
    return before;
}

/* The deadline is past: bring the executing resume to a preemption point
   (and ask it to stop when its timeout is past), then consume the deadline
   unless a newer resume has already replaced it. */
static void slicer_fire(prio_state *st, unsigned generation, double wake, double stop, double now) {
    int stopping = stop > 0 && now >= stop;
    if (stopping && atomic_load(&st->stop_requested) == 0) {
        atomic_store(&st->stop_requested, 1);
        /* A newer resume began meanwhile: take the request back, unless its
           own reset (after its generation bump) already did. */
        if (atomic_load(&st->slice_generation) != generation) {
            int requested = 1;
            atomic_compare_exchange_strong(&st->stop_requested, &requested, 0);
        }
    }
    arm_executing(st, generation);
    /* One preemption point per resume; but keep watching for the timeout,
       in case the thread is stuck where it cannot yield. */
    atomic_compare_exchange_strong(&st->wake_at, &wake, 0.0);
    if (stopping) atomic_compare_exchange_strong(&st->stop_at, &stop, 0.0);
}

static void *slicer_main(void *arg) {
    prio_state *st = (prio_state *)arg;
    pthread_mutex_lock(&st->slicer_lock);
    while (!st->slicer_quit) {
        unsigned generation = atomic_load(&st->slice_generation);
        double wake = atomic_load(&st->wake_at), stop = atomic_load(&st->stop_at);
        double deadline = earliest_deadline(wake, stop);
        double now = prio_monotonic_seconds();
        if (deadline > 0 && now >= deadline) {
            if (generation & 1) {
                slicer_fire(st, generation, wake, stop, now);
            } else {
                /* Between resumes (policy hooks may be running coroutines): the deadline lapsed. */
                atomic_compare_exchange_strong(&st->wake_at, &wake, 0.0);
                atomic_compare_exchange_strong(&st->stop_at, &stop, 0.0);
            }
            continue;
        }
        atomic_store(&st->sleeping_until, deadline);
        if (atomic_load(&st->wake_at) != wake || atomic_load(&st->stop_at) != stop) continue;
        if (deadline <= 0) {
            pthread_cond_wait(&st->slicer_wake, &st->slicer_lock);
        } else {
            /* A timeout may lie centuries ahead (timeout = 1e300); converting
               that to time_t is undefined, so wake within the hour and look again. */
            if (deadline > now + 3600) deadline = now + 3600;
            struct timespec until;
            until.tv_sec = (time_t)deadline;
            until.tv_nsec = (long)((deadline - (double)until.tv_sec) * 1e9);
            pthread_cond_timedwait(&st->slicer_wake, &st->slicer_lock, &until);
        }
    }
    pthread_mutex_unlock(&st->slicer_lock);
    return NULL;
}

static void slicer_start(prio_state *st) {
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&st->slicer_wake, &attributes);
    pthread_condattr_destroy(&attributes);
    pthread_mutex_init(&st->slicer_lock, NULL);
    if (pthread_create(&st->slicer, NULL, slicer_main, st) == 0) st->slicer_started = 1;
}

static void slicer_stop(prio_state *st) {
    if (!st->slicer_started) return;
    pthread_mutex_lock(&st->slicer_lock);
    st->slicer_quit = 1;
    pthread_cond_signal(&st->slicer_wake);
    pthread_mutex_unlock(&st->slicer_lock);
    pthread_join(st->slicer, NULL);
    pthread_cond_destroy(&st->slicer_wake);
    pthread_mutex_destroy(&st->slicer_lock);
    st->slicer_started = 0;
}

void prio_slice_begin(lua_State *L, lua_State *co, double now, double wake_in, double stop_in) {
    prio_state *st = prio_getstate(L);
    /* preempted and preempt_deferred are written only on this thread (by
       preempt_hook, which runs inside the resume). */
    atomic_store_explicit(&st->preempted, 0, memory_order_relaxed);
    atomic_store_explicit(&st->preempt_deferred, 0, memory_order_relaxed);
    set_executing(st, co);
    if (!st->slicer_started && wake_in <= 0 && stop_in <= 0) {
        next_generation(st, 1);
        atomic_store(&st->stop_requested, 0);
        return;
    }
    if (!st->slicer_started) slicer_start(st);
    double wake = wake_in > 0 ? now + wake_in : 0, stop = stop_in > 0 ? now + stop_in : 0;
    atomic_store(&st->wake_at, wake);
    atomic_store(&st->stop_at, stop);
    next_generation(st, 1);
    atomic_store(&st->stop_requested, 0); /* after the new generation: see slicer_fire */
    double due = earliest_deadline(wake, stop);
    if (due <= 0 || !st->slicer_started) return;
    /* Wake the watcher only if it would otherwise sleep past the new deadline. */
    double sleeping_until = atomic_load(&st->sleeping_until);
    if (sleeping_until == 0 || due < sleeping_until) {
        pthread_mutex_lock(&st->slicer_lock);
        pthread_cond_signal(&st->slicer_wake);
        pthread_mutex_unlock(&st->slicer_lock);
    }
}

lua_State *prio_hook_enter(lua_State *L) {
    prio_state *st = prio_getstate(L);
    st->in_hook += 1;
    return atomic_load(&st->executing);
}

void prio_hook_leave(lua_State *L, lua_State *job_thread, lua_State *was_executing) {
    prio_state *st = prio_getstate(L);
    st->in_hook -= 1;
    set_executing(st, was_executing);
    if (st->in_hook == 0 && atomic_exchange(&st->preempt_deferred, 0) && job_thread != NULL) {
        atomic_store(&st->armed_generation, atomic_load(&st->slice_generation));
        lua_sethook(job_thread, preempt_hook, LUA_MASKCOUNT, 1);
    }
}

int prio_preemption_deferred(lua_State *L) { return atomic_load(&prio_getstate(L)->preempt_deferred); }

void prio_request_stop(lua_State *L, int reason) {
    atomic_store(&prio_getstate(L)->stop_requested, reason);
}

int prio_slice_end(lua_State *L) {
    prio_state *st = prio_getstate(L);
    set_executing(st, NULL);
    next_generation(st, 0);  /* any arm still pending is now stale */
    /* A stop belongs to the resume that asked for it: hooks and closes run
       between resumes must not find it (slicer_fire takes back a request it
       makes for an older generation). */
    atomic_store(&st->stop_requested, 0);
    int preempted = atomic_load_explicit(&st->preempted, memory_order_relaxed);
    atomic_store_explicit(&st->preempted, 0, memory_order_relaxed);
    return preempted;
}

void prio_set_executing(lua_State *L, lua_State *co) { set_executing(prio_getstate(L), co); }

static void budget_hook(lua_State *L, lua_Debug *ar);

static int enter_coroutine(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    if (co != NULL) {
        prio_set_executing(L, co);
        /* A job being stopped stops in whatever coroutine it runs next
           (one it resumes, or one whose __close handlers a close runs). */
        prio_state *st = prio_getstate(L);
        if (atomic_load(&st->stop_requested) && st->in_hook == 0) {
            atomic_store(&st->armed_generation, atomic_load(&st->slice_generation));
            lua_sethook(co, preempt_hook, LUA_MASKCOUNT, 1);
        }
        /* A budgeted call (a policy hook) must not escape its budget by
           resuming a coroutine made before it: give that thread the hook too. */
        if (prio_getstate(L)->budget_deadline > 0 && lua_gethook(co) != budget_hook)
            lua_sethook(co, budget_hook, LUA_MASKCOUNT, 1000);
    }
    return lua_gettop(L) - 1;
}

int prio_is_stopping(lua_State *L) {
    prio_state *st = prio_getstate(L);
    return budget_spent(st) || atomic_load(&st->stop_requested) != 0;
}

void prio_push_enter_function(lua_State *L) { lua_pushcfunction(L, enter_coroutine); }

static int open_sandbox_libs(lua_State *L) {
    static const luaL_Reg libraries[] = {
        {LUA_GNAME, luaopen_base}, {LUA_COLIBNAME, luaopen_coroutine}, {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math}, {LUA_UTF8LIBNAME, luaopen_utf8},
        {LUA_OSLIBNAME, luaopen_os}, {NULL, NULL}};
    for (const luaL_Reg *lib = libraries; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    lua_pushcfunction(L, prio_open_patterns);
    lua_call(L, 0, 0);
    return 0;
}

int prio_open_sandbox_libs_protected(lua_State *L) {
    lua_pushcfunction(L, open_sandbox_libs);
    return lua_pcall(L, 0, 0, 0);
}

void prio_set_memory_limit(lua_State *L, size_t bytes) { prio_getstate(L)->limit = bytes; }

int prio_enforce_memory_limit(lua_State *L, int on) {
    prio_state *st = prio_getstate(L);
    int old = st->enforce_limit;
    st->enforce_limit = on;
    return old;
}

void prio_clear_job_entries(lua_State *L, const int *refs, int n, lua_Integer id) {
    for (int i = 0; i < n; i++) {
        if (refs[i] == 0) continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, refs[i]);
        if (lua_rawgeti(L, -1, id) != LUA_TNIL) {
            lua_pushnil(L);
            lua_rawseti(L, -3, id);
        }
        lua_pop(L, 2);
    }
}

int prio_gc_step(lua_State *L, int kilobytes) { return lua_gc(L, LUA_GCSTEP, kilobytes); }

int prio_gc_collect(lua_State *L) { return lua_gc(L, LUA_GCCOLLECT); }

int prio_pipe_cloexec(int ends[2]) { return pipe2(ends, O_CLOEXEC); }
