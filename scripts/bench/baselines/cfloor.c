/*
 * cfloor: the "C floor" baseline of the benchmark suite (issue 7).
 *
 * A minimal host on the Lua 5.4 C API, the fastest any scheduler on Lua can
 * reasonably be: a C binary heap of (priority, order, id) entries, job
 * functions kept in a Lua table indexed by id, and each job run in a thread
 * made by lua_newthread at dispatch and driven by lua_resume. No preemption,
 * no events, no per-job objects unless a workload asks for them.
 *
 *   cfloor SCRIPT [ARGS...]      runs SCRIPT (normally baselines/workloads.lua)
 *
 * The globals it gives the script are the small API that
 * baselines/workloads.lua is written against (pure.lua gives the same API
 * in plain Lua):
 *
 *   submit(p, fn [, {delay = s}]) -> id   queue fn; it runs as fn(p, id)
 *   yield()                         give way (one slot: resumed at once)
 *   now()                           monotonic seconds since start
 *   track_jobs()                    keep per-job records (call before submit):
 *                                   needed by set_priority, policy, await_all
 *   set_priority(id, p)             new priority, heap reordered at once
 *   policy{priority = fn}           install fn(job, now) -> priority; every
 *                                   pending job is evaluated once
 *   reprioritize()                  evaluate every pending job again
 *   await_all({id, ...}) -> {v...}  wait for the jobs; first return values
 *
 * `job` in a policy hook is a full userdata whose fields id, priority and
 * base_priority are read by a C __index, as a real host would expose them.
 * Ties are FIFO: pending jobs are ordered by id; a parent whose children
 * are all done goes ahead of pending jobs of its priority.
 *
 * Built by scripts/bench/run with: cc -O2 cfloor.c $(pkg-config --cflags --libs lua5.4)
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    double prio;
    uint32_t order; /* resumed parents: a counter; pending jobs: 2^31 + id */
    int32_t id;
} Entry;

static Entry *heap;
static int32_t heap_n, heap_cap;
static int32_t next_id, resume_counter;

/* Per-job records, only with track_jobs(). */
static int tracking;
static int32_t rec_cap;
static int32_t *pos;    /* heap index, -1 when not queued */
static double *base;    /* base priority */
static int32_t *waiter; /* parent awaiting this job, 0 if none */
static int32_t *widx;   /* index of this job in its parent's await list */
static int32_t *npend;  /* children a parent still waits for */
static uint8_t *done;

typedef struct { double due, prio; int32_t id; } Delayed;
static Delayed delayed[64];
static int ndelayed;

static int32_t current_id;
static int awaiting;
static struct timespec start_time;

/* Lua tables used by the host: job functions, suspended threads, await
 * results, cached job objects, and the policy hook (at HOOKS[1]); kept as
 * upvalues of the API closures and at fixed stack slots of the main state. */
enum { FNS = 1, THREADS, RESULTS, OBJS, HOOKS, NSLOTS = HOOKS };

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - start_time.tv_sec) + (double)(t.tv_nsec - start_time.tv_nsec) * 1e-9;
}

static inline int less(const Entry *a, const Entry *b) {
    return a->prio < b->prio || (a->prio == b->prio && a->order < b->order);
}

static inline void place(int32_t i, Entry e) {
    heap[i] = e;
    if (tracking) pos[e.id] = i;
}

static void sift_up(int32_t i) {
    Entry e = heap[i];
    while (i > 0) {
        int32_t parent = (i - 1) / 2;
        if (!less(&e, &heap[parent])) break;
        place(i, heap[parent]);
        i = parent;
    }
    place(i, e);
}

static void sift_down(int32_t i) {
    Entry e = heap[i];
    for (;;) {
        int32_t child = 2 * i + 1;
        if (child >= heap_n) break;
        if (child + 1 < heap_n && less(&heap[child + 1], &heap[child])) child++;
        if (!less(&heap[child], &e)) break;
        place(i, heap[child]);
        i = child;
    }
    place(i, e);
}

static void heap_push(Entry e) {
    if (heap_n == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 1024;
        heap = realloc(heap, sizeof(Entry) * (size_t)heap_cap);
        if (!heap) { fputs("cfloor: out of memory\n", stderr); exit(1); }
    }
    heap[heap_n] = e;
    sift_up(heap_n++);
}

static Entry heap_pop(void) {
    Entry top = heap[0];
    if (tracking) pos[top.id] = -1;
    if (--heap_n > 0) {
        heap[0] = heap[heap_n];
        sift_down(0);
    }
    return top;
}

static void grow_records(int32_t id) {
    if (id < rec_cap) return;
    int32_t cap = rec_cap ? rec_cap : 1024;
    while (cap <= id) cap *= 2;
    pos = realloc(pos, sizeof(int32_t) * (size_t)cap);
    base = realloc(base, sizeof(double) * (size_t)cap);
    waiter = realloc(waiter, sizeof(int32_t) * (size_t)cap);
    widx = realloc(widx, sizeof(int32_t) * (size_t)cap);
    npend = realloc(npend, sizeof(int32_t) * (size_t)cap);
    done = realloc(done, (size_t)cap);
    if (!pos || !base || !waiter || !widx || !npend || !done) {
        fputs("cfloor: out of memory\n", stderr);
        exit(1);
    }
    rec_cap = cap;
}

/* submit(p, fn [, opts]) -> id */
static int l_submit(lua_State *L) {
    double p = luaL_checknumber(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    int32_t id = ++next_id;
    lua_settop(L, 3);
    lua_pushvalue(L, 2);
    lua_rawseti(L, lua_upvalueindex(FNS), id);
    if (tracking) {
        grow_records(id);
        base[id] = p;
        pos[id] = -1;
        waiter[id] = 0;
        done[id] = 0;
    }
    double delay = 0;
    if (lua_istable(L, 3)) {
        lua_getfield(L, 3, "delay");
        delay = lua_tonumber(L, -1);
    }
    if (delay > 0) {
        if (ndelayed == 64) return luaL_error(L, "too many delayed jobs");
        delayed[ndelayed++] = (Delayed){now_seconds() + delay, p, id};
    } else {
        heap_push((Entry){p, 0x80000000u + (uint32_t)id, id});
    }
    lua_pushinteger(L, id);
    return 1;
}

static int l_yield(lua_State *L) { return lua_yield(L, 0); }

static int l_now(lua_State *L) {
    lua_pushnumber(L, now_seconds());
    return 1;
}

static int l_track_jobs(lua_State *L) {
    (void)L;
    tracking = 1;
    return 0;
}

static void requeue(int32_t id, double p) {
    int32_t i = pos[id];
    if (i < 0) return;
    double old = heap[i].prio;
    heap[i].prio = p;
    if (p < old) sift_up(i); else if (p > old) sift_down(i);
}

/* set_priority(id, p) */
static int l_set_priority(lua_State *L) {
    lua_Integer id = luaL_checkinteger(L, 1);
    double p = luaL_checknumber(L, 2);
    if (!tracking || id < 1 || id > next_id) return luaL_error(L, "set_priority: unknown job");
    base[id] = p;
    requeue((int32_t)id, p);
    return 0;
}

/* The job object handed to a policy hook: a userdata holding the id,
 * cached in OBJS so each job has one. */
static void push_job_object(lua_State *L, int objs, int32_t id) {
    if (lua_rawgeti(L, objs, id) == LUA_TUSERDATA) return;
    lua_pop(L, 1);
    int32_t *block = lua_newuserdatauv(L, sizeof(int32_t), 0);
    *block = id;
    luaL_setmetatable(L, "cfloor.job");
    lua_pushvalue(L, -1);
    lua_rawseti(L, objs, id);
}

static int l_job_index(lua_State *L) {
    int32_t id = *(int32_t *)lua_touserdata(L, 1);
    const char *key = lua_tostring(L, 2);
    if (!key) return 0;
    if (strcmp(key, "base_priority") == 0) lua_pushnumber(L, base[id]);
    else if (strcmp(key, "priority") == 0) lua_pushnumber(L, pos[id] >= 0 ? heap[pos[id]].prio : base[id]);
    else if (strcmp(key, "id") == 0) lua_pushinteger(L, id);
    else lua_pushnil(L);
    return 1;
}

/* Calls the hook on every pending job, sets the priorities it returns, then
 * restores the heap order in one O(n) pass (Floyd). */
static void evaluate_all(lua_State *L) {
    int objs = lua_upvalueindex(OBJS);
    double t = now_seconds();
    for (int32_t i = 0; i < heap_n; i++) {
        lua_rawgeti(L, lua_upvalueindex(HOOKS), 1);
        push_job_object(L, objs, heap[i].id);
        lua_pushnumber(L, t);
        lua_call(L, 2, 1);
        heap[i].prio = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    for (int32_t i = heap_n / 2 - 1; i >= 0; i--) sift_down(i);
}

/* policy{priority = fn} */
static int l_policy(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!tracking) return luaL_error(L, "policy needs track_jobs()");
    lua_getfield(L, 1, "priority");
    luaL_checktype(L, -1, LUA_TFUNCTION);
    lua_rawseti(L, lua_upvalueindex(HOOKS), 1);
    evaluate_all(L);
    return 0;
}

static int l_reprioritize(lua_State *L) {
    int type = lua_rawgeti(L, lua_upvalueindex(HOOKS), 1);
    lua_pop(L, 1);
    if (type == LUA_TFUNCTION) evaluate_all(L);
    return 0;
}

/* await_all({id, ...}): the children must still be unfinished (all the
 * workloads need); the results table is handed back on resume. */
static int l_await_all(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!tracking) return luaL_error(L, "await_all needs track_jobs()");
    lua_Integer n = luaL_len(L, 1);
    int32_t me = current_id;
    int32_t count = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        lua_Integer id = lua_tointeger(L, -1);
        lua_pop(L, 1);
        if (done[id]) return luaL_error(L, "await_all: job already finished (not supported by the floor)");
        waiter[id] = me;
        widx[id] = (int32_t)i;
        count++;
    }
    lua_createtable(L, (int)n, 0);
    if (count == 0) return 1;
    lua_rawseti(L, lua_upvalueindex(RESULTS), me);
    npend[me] = count;
    awaiting = 1;
    return lua_yield(L, 0);
}

static void release_due_timers(void) {
    if (ndelayed == 0) return;
    double t = now_seconds();
    for (int i = 0; i < ndelayed;) {
        if (delayed[i].due <= t) {
            heap_push((Entry){delayed[i].prio, 0x80000000u + (uint32_t)delayed[i].id, delayed[i].id});
            delayed[i] = delayed[--ndelayed];
        } else {
            i++;
        }
    }
}

/* A job returned: hand its first result to a waiting parent. */
static void finished(lua_State *L, lua_State *co, int32_t id, int nres) {
    if (!tracking) return;
    done[id] = 1;
    int32_t parent = waiter[id];
    if (!parent) return;
    lua_rawgeti(L, RESULTS, parent);
    if (nres > 0) {
        lua_pushvalue(co, -nres);
        lua_xmove(co, L, 1);
    } else {
        lua_pushnil(L);
    }
    lua_rawseti(L, -2, widx[id]);
    lua_pop(L, 1);
    if (--npend[parent] == 0) heap_push((Entry){base[parent], (uint32_t)resume_counter++, parent});
}

/* The run loop: dispatch the best job, resume it until it returns or waits. */
static int run(lua_State *L) {
    int failures = 0;
    for (;;) {
        release_due_timers();
        if (heap_n == 0) {
            if (ndelayed == 0) break;
            continue; /* a delayed job is due soon: spin */
        }
        Entry e = heap_pop();
        int32_t id = e.id;
        lua_State *co;
        int nargs;
        if (e.order < 0x80000000u) { /* a parent whose children are done */
            lua_rawgeti(L, THREADS, id);
            co = lua_tothread(L, -1);
            lua_pushnil(L);
            lua_rawseti(L, THREADS, id);
            lua_rawgeti(L, RESULTS, id);
            lua_xmove(L, co, 1);
            lua_pushnil(L);
            lua_rawseti(L, RESULTS, id);
            nargs = 1;
        } else {
            co = lua_newthread(L);
            lua_rawgeti(L, FNS, id);
            lua_xmove(L, co, 1);
            lua_pushnil(L);
            lua_rawseti(L, FNS, id);
            lua_pushnumber(co, e.prio);
            lua_pushinteger(co, id);
            nargs = 2;
        }
        current_id = id;
        for (;;) {
            int nres;
            int status = lua_resume(co, L, nargs, &nres);
            if (status == LUA_YIELD) {
                lua_pop(co, nres);
                if (awaiting) {
                    awaiting = 0;
                    lua_pushvalue(L, -1);
                    lua_rawseti(L, THREADS, id);
                    break;
                }
                nargs = 0; /* yield(): the only ready job with one slot */
                continue;
            }
            if (status == LUA_OK) {
                finished(L, co, id, nres);
                lua_pop(co, nres);
            } else {
                fprintf(stderr, "cfloor: job %d failed: %s\n", id, lua_tostring(co, -1));
                failures++;
            }
            break;
        }
        lua_pop(L, 1); /* the thread */
    }
    return failures;
}

static int msghandler(lua_State *L) {
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: cfloor SCRIPT [ARGS...]\n", stderr);
        return 64;
    }
    clock_gettime(CLOCK_MONOTONIC, &start_time);
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    luaL_newmetatable(L, "cfloor.job");
    lua_pushcfunction(L, l_job_index);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    for (int i = 0; i < NSLOTS; i++) lua_newtable(L); /* FNS .. HOOKS at 1..5 */
    static const luaL_Reg api[] = {
        {"submit", l_submit}, {"yield", l_yield}, {"now", l_now}, {"track_jobs", l_track_jobs},
        {"set_priority", l_set_priority}, {"policy", l_policy}, {"reprioritize", l_reprioritize},
        {"await_all", l_await_all}, {NULL, NULL}};
    lua_pushglobaltable(L);
    for (int i = 1; i <= NSLOTS; i++) lua_pushvalue(L, i);
    luaL_setfuncs(L, api, NSLOTS);
    lua_pop(L, 1);
    lua_createtable(L, argc, 0);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");
    lua_pushcfunction(L, msghandler);
    if (luaL_loadfile(L, argv[1]) != LUA_OK) {
        fprintf(stderr, "cfloor: %s\n", lua_tostring(L, -1));
        return 2;
    }
    for (int i = 2; i < argc; i++) lua_pushstring(L, argv[i]);
    if (lua_pcall(L, argc - 2, 0, NSLOTS + 1) != LUA_OK) {
        fprintf(stderr, "cfloor: %s\n", lua_tostring(L, -1));
        return 2;
    }
    lua_settop(L, NSLOTS);
    int failures = run(L);
    return failures ? 1 : 0;
}
