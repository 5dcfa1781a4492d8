/*
 * How many results the caller of a C function wants, read from Lua 5.4's
 * call record. `submit` uses it to skip making a job object nobody can see
 * (`submit(p, fn)` as a statement, the usual form): making and caching one
 * is a third of what queueing a job costs.
 *
 * The public API does not tell, so this reads `L->ci->nresults` through
 * mirrors of the head of Lua 5.4's `lua_State` and `CallInfo`
 * (lua_mirror.h). Before trusting them, prio_probe_wanted_results checks
 * them on the running library by calling a probe with known result counts;
 * if any answer is wrong, the shortcut stays off and every call counts as
 * wanting its results.
 */
#include "CLuaShim.h"
#include "prio_state.h"
#include "lua_mirror.h"
#include <lauxlib.h>
#include <stddef.h>
#include <stdint.h>

static int raw_wanted_results(lua_State *L) { return ((const mirror_state *)L)->ci->nresults; }

int prio_results_discarded(lua_State *L) {
    prio_state *st = prio_getstate(L);
    return st->knows_wanted_results && raw_wanted_results(L) == 0;
}

/* Appends what its caller wants to the table in its upvalue. */
static int probe(lua_State *L) {
    lua_Integer n = (lua_Integer)luaL_len(L, lua_upvalueindex(1));
    lua_pushinteger(L, raw_wanted_results(L));
    lua_rawseti(L, lua_upvalueindex(1), n + 1);
    return 0;
}

static const char probe_source[] =
    "local p = ...\n"
    "p()\n"
    "local a = p()\n"
    "local b, c = p()\n"
    "local t = {p()}\n"
    "return p()\n";
static const lua_Integer probe_expected[] = {0, 1, 2, LUA_MULTRET, LUA_MULTRET};

/* Runs protected (lua_pcall of a C function): pushes whether every answer was right. */
static int run_probe(lua_State *L) {
    lua_newtable(L);
    int seen = lua_gettop(L);
    if (luaL_loadbuffer(L, probe_source, sizeof probe_source - 1, "=probe") != LUA_OK) return lua_error(L);
    lua_pushvalue(L, seen);
    lua_pushcclosure(L, probe, 1);
    lua_call(L, 1, 0);
    size_t count = sizeof probe_expected / sizeof probe_expected[0];
    int right = (size_t)luaL_len(L, seen) == count;
    for (size_t i = 0; right && i < count; i++) {
        lua_rawgeti(L, seen, (lua_Integer)i + 1);
        right = lua_tointeger(L, -1) == probe_expected[i];
        lua_pop(L, 1);
    }
    lua_pushboolean(L, right);
    return 1;
}

int prio_probe_wanted_results(lua_State *L) {
    prio_state *st = prio_getstate(L);
    st->knows_wanted_results = 0; /* the probe reads the call record itself */
    st->knows_wanted_results = mirror_probe_passes(L, run_probe);
    return st->knows_wanted_results;
}
