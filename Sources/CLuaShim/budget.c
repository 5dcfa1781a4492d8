/* Time budgets of policy hooks, rules, __close handlers and __tostring (CPU
   time, with a wall-clock backstop), and the checkpoint of the pattern functions. */
#define _GNU_SOURCE
#include "CLuaShim.h"
#include "shim_internal.h"
#include <pthread.h>
#include <string.h>
#include <time.h>

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

/* This thread's CPU time now, or an upper bound of it: the thread CPU clock
   is a system call (the vDSO does not serve it), too dear for every policy
   hook call, so a reading taken on this thread less than CPU_READING_REUSE
   seconds ago serves, plus the wall-clock time since (CPU time grows no
   faster). A budget that starts from the bound ends at most that much
   later: 100 ms of CPU time becomes at most 110. */
#define CPU_READING_REUSE 0.01

static double thread_cpu_bound(prio_state *st, double wall_now) {
    pthread_t self = pthread_self();
    if (st->cpu_reading_wall > 0 && wall_now - st->cpu_reading_wall < CPU_READING_REUSE
        && pthread_equal(st->cpu_reading_thread, self))
        return st->cpu_reading + (wall_now - st->cpu_reading_wall);
    st->cpu_reading = thread_cpu_seconds();
    st->cpu_reading_wall = wall_now;
    st->cpu_reading_thread = self;
    return st->cpu_reading;
}

/* A thread's CPU time grows no faster than the wall clock, so before the
   wall-clock deadline the budget cannot be spent and the (slower) CPU
   clock is not read. */
int prio_budget_spent(prio_state *st) {
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

void prio_budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    prio_state *st = state_of(L);
    if (prio_budget_spent(st)) {
        lua_sethook(L, prio_budget_hook, LUA_MASKCOUNT, 1);  /* and again at every instruction */
        raise_budget_spent(L, st);
    }
}

static double earlier(double outer, double inner) { return outer > 0 && outer < inner ? outer : inner; }

prio_budget prio_budget_begin(lua_State *L, double seconds, double wall_seconds, int what) {
    prio_state *st = state_of(L);
    prio_budget saved = {st->budget_deadline, st->budget_cpu_deadline, st->budget_wall_limit, st->budget_kind};
    double now = coarse_seconds();
    st->budget_deadline = earlier(saved.deadline, now + seconds);
    st->budget_cpu_deadline = earlier(saved.deadline > 0 ? saved.cpu_deadline : 0, thread_cpu_bound(st, now) + seconds);
    st->budget_wall_limit = earlier(saved.deadline > 0 ? saved.wall_limit : 0, now + wall_seconds);
    st->budget_kind = what;
    if (lua_gethook(L) != prio_budget_hook || lua_gethookcount(L) != 1000)
        lua_sethook(L, prio_budget_hook, LUA_MASKCOUNT, 1000);
    return saved;
}

void prio_budget_end(lua_State *L, prio_budget saved, int keep_hook) {
    prio_state *st = state_of(L);
    st->budget_deadline = saved.deadline;
    st->budget_cpu_deadline = saved.cpu_deadline;
    st->budget_wall_limit = saved.wall_limit;
    st->budget_kind = saved.kind;
    if (saved.deadline <= 0 && !keep_hook) lua_sethook(L, NULL, 0, 0);
}

void prio_budget_drop_idle_hook(lua_State *L) {
    if (state_of(L)->budget_deadline <= 0 && lua_gethook(L) == prio_budget_hook) lua_sethook(L, NULL, 0, 0);
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
    prio_state *st = state_of(L);
    if (prio_budget_spent(st)) raise_budget_spent(L, st);
    int stop = atomic_load(&st->stop_requested);
    if (stop && st->in_hook == 0) {
        lua_pushstring(L, stop == 2 ? "cancelled" : "timeout");
        lua_error(L);
    }
}
