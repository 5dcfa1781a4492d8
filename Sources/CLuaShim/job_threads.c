/*
 * A job's coroutine at its start and end, in one call each: the run loop
 * does this once per job, and the dozen Lua API calls it takes cost less
 * in one C function than as separate calls from Swift.
 *
 * A job's coroutine is registered in a table by job id while the job has
 * one. When the job returns, its thread is as good as new (unless the
 * script ever held it through coroutine.running, which marks it): up to
 * PRIO_THREAD_POOL_LIMIT such threads are kept for later jobs, sparing a
 * lua_newthread per job and the collector's work on each.
 */
#include "CLuaShim.h"

#define PRIO_THREAD_POOL_LIMIT 16

void prio_init_job_threads(lua_State *L, int threads_ref, int functions_ref, int pool_ref) {
    prio_job_threads *t = &prio_getstate(L)->threads;
    t->threads_ref = threads_ref;
    t->functions_ref = functions_ref;
    t->pool_ref = pool_ref;
    t->pool_count = 0;
}

/* Pushes a pooled thread, or a new one, onto L and returns it. */
static lua_State *take_thread(lua_State *L, prio_job_threads *t) {
    if (t->pool_count == 0) return lua_newthread(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->pool_ref);
    lua_rawgeti(L, -1, t->pool_count);
    lua_remove(L, -2);
    /* The pool's slot keeps its reference until a later put overwrites it. */
    t->pool_count--;
    return lua_tothread(L, -1);
}

lua_State *prio_start_job_thread(lua_State *L, lua_Integer id) {
    prio_job_threads *t = &prio_getstate(L)->threads;
    lua_State *co = take_thread(L, t);
    if (co == NULL) {
        lua_pop(L, 1);
        return NULL;
    }
    prio_mark_job_thread(co, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->threads_ref);
    lua_pushvalue(L, -2);
    lua_rawseti(L, -2, id);
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->functions_ref);
    lua_rawgeti(L, -1, id);
    lua_xmove(L, co, 1);
    lua_pop(L, 3); /* functions, threads, the thread */
    prio_push_job_object(co, id);
    return co;
}

void prio_finish_job_thread(lua_State *L, lua_State *co, lua_Integer id) {
    prio_job_threads *t = &prio_getstate(L)->threads;
    prio_mark_job_thread(co, 0);
    if (t->pool_count < PRIO_THREAD_POOL_LIMIT && !prio_thread_was_seen(co) && lua_status(co) == LUA_OK) {
        lua_settop(co, 0);
        lua_sethook(co, NULL, 0, 0);
        lua_rawgeti(L, LUA_REGISTRYINDEX, t->pool_ref);
        lua_pushthread(co);
        lua_xmove(co, L, 1);
        lua_rawseti(L, -2, ++t->pool_count);
        lua_pop(L, 1);
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->threads_ref);
    lua_pushnil(L);
    lua_rawseti(L, -2, id);
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->functions_ref);
    lua_pushnil(L);
    lua_rawseti(L, -2, id);
    lua_pop(L, 2);
}
