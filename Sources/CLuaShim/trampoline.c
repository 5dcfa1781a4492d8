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

/* A call that a job in another Lua state made (SPEC §8), served here: host
   function `function_id` runs on L's stack as the trampoline would run it,
   but inside lua_pcall, so an allocation error stays in Lua. `*host_status`
   receives what the host asked (a value count, PRIO_RAISE, PRIO_RAISE_WHERE
   or PRIO_SUSPEND); what it left (the values, or the error value) stays on
   the stack. Returns the pcall status. */
static int serve_body(lua_State *L) {
    int function_id = (int)lua_tointeger(L, lua_upvalueindex(1));
    int *host_status = (int *)lua_touserdata(L, lua_upvalueindex(2));
    int status = state_of(L)->dispatch(L, function_id);
    *host_status = status;
    if (status >= 0) return status;
    if (status == PRIO_SUSPEND) return 0;
    return lua_gettop(L) > 0 ? 1 : 0;
}

int prio_serve_host_call(lua_State *L, int function_id, int nargs, int *host_status) {
    *host_status = PRIO_RAISE;
    if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
    lua_pushinteger(L, function_id);
    lua_pushlightuserdata(L, host_status);
    lua_pushcclosure(L, serve_body, 2);
    lua_insert(L, -(nargs + 1));
    return lua_pcall(L, nargs, LUA_MULTRET, 0);
}
