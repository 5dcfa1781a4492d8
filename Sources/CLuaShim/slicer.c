/* Time slicing: a watcher thread arms a count hook on the executing thread
   when a slice ends or a timer falls due, and stops a job at its timeout. */
#include "CLuaShim.h"
#include "shim_internal.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static void preempt_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    prio_state *st = state_of(L);
    if (atomic_load(&st->armed_generation) != atomic_load(&st->slice_generation)) {
        lua_sethook(L, NULL, 0, 0);  /* armed for an earlier resume */
        return;
    }
    if (st->in_hook) {
        /* Hooks run to completion: the job gives way after. A policy hook
           keeps its time budget, on this thread too (enter_coroutine). */
        if (st->budget_deadline > 0) lua_sethook(L, prio_budget_hook, LUA_MASKCOUNT, 1000);
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

void prio_slicer_stop(prio_state *st) {
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
    prio_state *st = state_of(L);
    /* preempted and preempt_deferred are written only on this thread (by
       preempt_hook, which runs inside the resume). */
    atomic_store_explicit(&st->preempted, 0, memory_order_relaxed);
    atomic_store_explicit(&st->preempt_deferred, 0, memory_order_relaxed);
    atomic_store_explicit(&st->began_at, now, memory_order_relaxed);
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
    prio_state *st = state_of(L);
    st->in_hook += 1;
    return atomic_load(&st->executing);
}

void prio_hook_leave(lua_State *L, lua_State *job_thread, lua_State *was_executing) {
    prio_state *st = state_of(L);
    st->in_hook -= 1;
    set_executing(st, was_executing);
    if (st->in_hook == 0 && atomic_exchange(&st->preempt_deferred, 0) && job_thread != NULL) {
        atomic_store(&st->armed_generation, atomic_load(&st->slice_generation));
        lua_sethook(job_thread, preempt_hook, LUA_MASKCOUNT, 1);
    }
}

int prio_preemption_deferred(lua_State *L) { return atomic_load(&state_of(L)->preempt_deferred); }

void prio_request_stop(lua_State *L, int reason) {
    atomic_store(&state_of(L)->stop_requested, reason);
}

int prio_slice_end(lua_State *L) {
    prio_state *st = state_of(L);
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

void prio_set_executing(lua_State *L, lua_State *co) { set_executing(state_of(L), co); }

static int enter_coroutine(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    if (co != NULL) {
        prio_set_executing(L, co);
        /* A job being stopped stops in whatever coroutine it runs next
           (one it resumes, or one whose __close handlers a close runs). */
        prio_state *st = state_of(L);
        if (atomic_load(&st->stop_requested) && st->in_hook == 0) {
            atomic_store(&st->armed_generation, atomic_load(&st->slice_generation));
            lua_sethook(co, preempt_hook, LUA_MASKCOUNT, 1);
        }
        /* A budgeted call (a policy hook) must not escape its budget by
           resuming a coroutine made before it: give that thread the hook too. */
        if (state_of(L)->budget_deadline > 0 && lua_gethook(co) != prio_budget_hook)
            lua_sethook(co, prio_budget_hook, LUA_MASKCOUNT, 1000);
    }
    return lua_gettop(L) - 1;
}

int prio_is_stopping(lua_State *L) {
    prio_state *st = state_of(L);
    return prio_budget_spent(st) || atomic_load(&st->stop_requested) != 0;
}

void prio_push_enter_function(lua_State *L) { lua_pushcfunction(L, enter_coroutine); }

/* From another thread (the run loop stopping a job in a worker state):
   ask the executing resume to stop, and bring it to a preemption point now. */
void prio_interrupt(lua_State *L, int reason) {
    prio_state *st = state_of(L);
    atomic_store(&st->stop_requested, reason);
    arm_executing(st, atomic_load(&st->slice_generation));
}

/* Seconds a resume runs before prio_preempt_now cuts it short. */
#define PREEMPT_NOW_AFTER 0.0005

/* From another thread (a worker state that needs the run loop): bring the
   job executing in L's state to a preemption point now, as a slice's end
   would; nothing when none executes. */
void prio_preempt_now(lua_State *L) {
    prio_state *st = state_of(L);
    unsigned generation = atomic_load(&st->slice_generation);
    if (!(generation & 1)) return;
    /* A resume that began moments ago is likely to stop by itself soon:
       many short jobs are not each cut short. */
    double began = atomic_load_explicit(&st->began_at, memory_order_relaxed);
    if (began > 0 && prio_monotonic_seconds() - began < PREEMPT_NOW_AFTER) return;
    arm_executing(st, generation);
}
