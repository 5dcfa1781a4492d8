/* The Lua state: its allocator (counting bytes, enforcing the memory limit),
   panic and warning handlers, creation, a bounded close, and collection. */
#define _GNU_SOURCE /* pipe2 */
#include "CLuaShim.h"
#include "shim_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    prio_state *st = state_of(L);
    prio_slicer_stop(st);
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
    prio_free_job_words(st);
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


void prio_set_memory_limit(lua_State *L, size_t bytes) { state_of(L)->limit = bytes; }

int prio_enforce_memory_limit(lua_State *L, int on) {
    prio_state *st = state_of(L);
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

void prio_set_job_layout(lua_State *L, const prio_job_layout *layout) {
    prio_job_view *v = &state_of(L)->jobs;
    v->page_shift = layout->page_shift;
    v->stride = layout->stride;
    v->effective_priority = layout->effective_priority;
    v->base_priority = layout->base_priority;
    v->submitted_at = layout->submitted_at;
    v->started_at = layout->started_at;
    v->finished_at = layout->finished_at;
    v->attempt = layout->attempt;
    v->flags = layout->flags;
    v->released_bit = layout->released_bit;
}

void *prio_host(lua_State *L) { return state_of(L)->host; }

void prio_set_host(lua_State *L, void *host) { state_of(L)->host = host; }

void prio_clear_suspending(lua_State *L) { state_of(L)->suspending = 0; }

size_t prio_memory_allocated(lua_State *L) { return state_of(L)->allocated; }

size_t prio_memory_limit(lua_State *L) { return state_of(L)->limit; }

void prio_use_api_paths(lua_State *L) {
    state_of(L)->knows_stack_args = 0;
    state_of(L)->knows_wanted_results = 0;
}
