/*
 * A C function's arguments, read straight from the Lua stack.
 *
 * `job:set_priority(p)` in a loop is two C calls per change, and the Lua API
 * calls inside them (a type check, a length, a pointer, a number
 * conversion: each a call into the library that finds the slot again) were
 * a fifth of the instructions of a change. These helpers read the slot
 * through the mirrors in lua_mirror.h instead, once prio_probe_stack_args
 * has checked them against the API on the running library; until then, or
 * if it failed, they are the API calls they replace. Pseudo-indices
 * (upvalues, the registry) always go through the API.
 */
#include "stack_args.h"

void *prio_arg_userdata(lua_State *L, int idx, size_t size) { return arg_userdata(L, prio_getstate(L), idx, size); }

double prio_arg_number(lua_State *L, int idx, int *is_number) {
    return arg_number(L, prio_getstate(L), idx, is_number);
}

const void *prio_arg_string(lua_State *L, int idx) { return arg_string(L, prio_getstate(L), idx); }

/* The direct read of idx, for the probe. */
static const mirror_value *slot(lua_State *L, int idx) { return stack_slot(L, 1, idx); }

static int is_object(const mirror_value *v, int type, const void *api_pointer) {
    return (v->tt & 0x0f) == type && (v->tt & MIRROR_TAG_COLLECTABLE) && v->value.gc == api_pointer;
}

/* Called with (userdata, 7, 2.5, "probe", light userdata, table, userdata
   with 2 user values): checks every read against the API. */
static int probe(lua_State *L) {
    const mirror_state *s = (const mirror_state *)L;
    const mirror_userdata *u = (const mirror_userdata *)slot(L, 1)->value.gc;
    const mirror_userdata *with_values = (const mirror_userdata *)slot(L, 7)->value.gc;
    int right = lua_gettop(L) == 7 && s->top - s->ci->func == 8;
    right = right && slot(L, 1)->tt == MIRROR_TAG_FULL_USERDATA && u->nuvalue == 0 && u->len == lua_rawlen(L, 1) &&
            (const void *)&u->block == lua_touserdata(L, 1);
    right = right && slot(L, 2)->tt == MIRROR_TAG_INTEGER && slot(L, 2)->value.i == 7;
    right = right && slot(L, 3)->tt == MIRROR_TAG_FLOAT && slot(L, 3)->value.n == 2.5;
    right = right && is_object(slot(L, 4), LUA_TSTRING, lua_topointer(L, 4));
    right = right && slot(L, 5)->tt == LUA_TLIGHTUSERDATA && slot(L, 5)->value.p == lua_touserdata(L, 5);
    right = right && is_object(slot(L, 6), LUA_TTABLE, lua_topointer(L, 6));
    /* the user value count is where the mirror says: 0 above, 2 here */
    right = right && slot(L, 7)->tt == MIRROR_TAG_FULL_USERDATA && with_values->nuvalue == 2 &&
            with_values->len == lua_rawlen(L, 7);
    right = right && slot(L, -1) == slot(L, 7);
    lua_pushboolean(L, right);
    return 1;
}

/* Runs protected (lua_pcall of a C function). */
static int run_probe(lua_State *L) {
    lua_pushcfunction(L, probe);
    *(double *)lua_newuserdatauv(L, 16, 0) = 0;
    lua_pushinteger(L, 7);
    lua_pushnumber(L, 2.5);
    lua_pushliteral(L, "probe");
    lua_pushlightuserdata(L, L);
    lua_newtable(L);
    *(double *)lua_newuserdatauv(L, 24, 2) = 0;
    lua_call(L, 7, 1);
    return 1;
}

int prio_probe_stack_args(lua_State *L) {
    prio_state *st = prio_getstate(L);
    st->knows_stack_args = 0; /* the probe reads the stack itself */
    st->knows_stack_args = mirror_probe_passes(L, run_probe);
    return st->knows_stack_args;
}
