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
#include "prio_state.h"
#include "lua_mirror.h"

#define PRIO_THREAD_POOL_LIMIT 16

/* Whether the table mirror (lua_mirror.h) reads a table as this Lua lays
   it out: a table of four integers has an array part of four whose first
   slot holds the integer 1. */
static int probe_table_mirror(lua_State *L) {
    lua_createtable(L, 4, 0);
    for (lua_Integer i = 1; i <= 4; i++) {
        lua_pushinteger(L, i);
        lua_rawseti(L, -2, i);
    }
    const mirror_table *table = lua_topointer(L, -1);
    const mirror_value *first = (const mirror_value *)table->array;
    lua_pushboolean(L, table->tt == MIRROR_VTABLE && table->alimit == 4 && first->tt == MIRROR_TAG_INTEGER
                           && first->value.i == 1);
    return 1;
}

void prio_init_job_threads(lua_State *L, int threads_ref, int functions_ref, int pool_ref) {
    prio_job_threads *t = &prio_getstate(L)->threads;
    t->threads_ref = threads_ref;
    t->functions_ref = functions_ref;
    t->pool_ref = pool_ref;
    t->pool_count = 0;
    t->functions_table = NULL;
    if (!mirror_probe_passes(L, probe_table_mirror)) return;
    lua_rawgeti(L, LUA_REGISTRYINDEX, functions_ref);
    const mirror_table *table = lua_topointer(L, -1);
    t->functions_table = table != NULL && table->tt == MIRROR_VTABLE ? table : NULL;
    lua_pop(L, 1);
}

/* Bodies are kept by job id in the array part of a big table; the next
   job's entry is far from this one's in a million-job queue. The table
   never moves (Lua's collector does not move objects), and a prefetch of
   a wrong address is harmless, so reading its array pointer from Lua's
   layout is safe even if that layout were different. */
void prio_prefetch_job_body(lua_State *L, lua_Integer id) {
    const mirror_table *table = prio_getstate(L)->threads.functions_table;
    if (table == NULL || id < 1 || (lua_Unsigned)id > table->alimit) return;
    __builtin_prefetch(table->array + (size_t)(id - 1) * MIRROR_TVALUE_SIZE, 0, 3);
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

void prio_store_job_body(lua_State *L, lua_Integer id, int body_index) {
    prio_job_threads *t = &prio_getstate(L)->threads;
    body_index = lua_absindex(L, body_index);
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->functions_ref);
    lua_pushvalue(L, body_index);
    lua_rawseti(L, -2, id);
    lua_pop(L, 1);
}

void prio_drop_job_body(lua_State *L, lua_Integer id) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, prio_getstate(L)->threads.functions_ref);
    lua_pushnil(L);
    lua_rawseti(L, -2, id);
    lua_pop(L, 1);
}

lua_State *prio_start_job_thread(lua_State *L, lua_Integer id) {
    prio_job_threads *t = &prio_getstate(L)->threads;
    lua_State *co = take_thread(L, t);
    if (co == NULL) {
        lua_pop(L, 1);
        return NULL;
    }
    prio_mark_job_thread(co, 1);
    /* Unregistered, the thread must still stay reachable while it runs: the
       pool table's slot past its last anchors the thread of the latest start. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->pool_ref);
    lua_pushvalue(L, -2);
    lua_rawseti(L, -2, PRIO_THREAD_POOL_LIMIT + 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->functions_ref);
    lua_rawgeti(L, -1, id);
    lua_xmove(L, co, 1);
    lua_pop(L, 3); /* functions, pool, the thread */
    prio_push_job_object(co, id);
    return co;
}

void prio_register_job_thread(lua_State *L, lua_State *co, lua_Integer id) {
    if (prio_thread_is_registered(co)) return;
    prio_job_threads *t = &prio_getstate(L)->threads;
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->threads_ref);
    lua_pushthread(co);
    lua_xmove(co, L, 1);
    lua_rawseti(L, -2, id);
    lua_pop(L, 1);
    prio_mark_job_thread(co, 1);
    prio_set_thread_registered(co, 1);
}

void prio_unregister_job_thread(lua_State *L, lua_State *co, lua_Integer id) {
    prio_mark_job_thread(co, 0);
    if (!prio_thread_is_registered(co)) return;
    prio_set_thread_registered(co, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, prio_getstate(L)->threads.threads_ref);
    lua_pushnil(L);
    lua_rawseti(L, -2, id);
    lua_pop(L, 1);
}

void prio_finish_job_thread(lua_State *L, lua_State *co, lua_Integer id) {
    prio_job_threads *t = &prio_getstate(L)->threads;
    prio_unregister_job_thread(L, co, id);
    if (t->pool_count < PRIO_THREAD_POOL_LIMIT && !prio_thread_was_seen(co) && lua_status(co) == LUA_OK) {
        lua_settop(co, 0);
        lua_sethook(co, NULL, 0, 0);
        lua_rawgeti(L, LUA_REGISTRYINDEX, t->pool_ref);
        lua_pushthread(co);
        lua_xmove(co, L, 1);
        lua_rawseti(L, -2, ++t->pool_count);
        lua_pop(L, 1);
    }
    prio_drop_job_body(L, id);
}
