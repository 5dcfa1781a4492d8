/* Lua threads: the state pointer and flags in each thread's extra space, and
   the coroutine functions that keep the main chunk Lua's main thread to scripts. */
#include "CLuaShim.h"
#include "shim_internal.h"
#include <lauxlib.h>
#include <stdint.h>

prio_state *prio_getstate(lua_State *L) { return state_of(L); }

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
