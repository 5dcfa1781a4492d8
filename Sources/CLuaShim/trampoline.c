/* The trampoline for Swift host functions (each a C closure around its id),
   and yield(), which skips the host when giving way would change nothing. */
#include "CLuaShim.h"
#include "shim_internal.h"

static int host_trampoline(lua_State *L) {
    return call_host(L, (int)lua_tointeger(L, lua_upvalueindex(1)));
}


void prio_push_host_function(lua_State *L, int function_id) {
    lua_pushinteger(L, function_id);
    lua_pushcclosure(L, host_trampoline, 1);
}

static int suspending(lua_State *L) {
    lua_pushboolean(L, state_of(L)->suspending);
    return 1;
}

void prio_push_suspending_function(lua_State *L) { lua_pushcfunction(L, suspending); }


/* yield(). When the host says giving way would change nothing, it returns
   true at once; otherwise host function `function_id` (upvalue 1) suspends. */
static int job_yield(lua_State *L) {
    prio_state *st = state_of(L);
    if (st->yield_check != NULL && lua_isyieldable(L) && st->yield_check(st->host)) {
        lua_pushboolean(L, 1);
        return 1;
    }
    return call_host(L, (int)lua_tointeger(L, lua_upvalueindex(1)));
}

void prio_push_yield_function(lua_State *L, int function_id) {
    lua_pushinteger(L, function_id);
    lua_pushcclosure(L, job_yield, 1);
}


void prio_set_dispatch(lua_State *L, prio_dispatch_fn fn) { state_of(L)->dispatch = fn; }

void prio_set_yield_fast_path(lua_State *L, prio_yield_check_fn fn) { state_of(L)->yield_check = fn; }
