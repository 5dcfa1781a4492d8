/*
 * Direct reads of a C function's arguments (see stack_args.c), inline for
 * the functions that run per call: `job:set_priority`, job `__index`.
 */
#ifndef PRIO_STACK_ARGS_H
#define PRIO_STACK_ARGS_H

#include "CLuaShim.h"
#include "prio_state.h"
#include "lua_mirror.h"

static const mirror_value none_slot; /* tag 0: nil, like an index past the top */

/* The slot of valid index idx, or NULL when the API must read it: a
   pseudo-index, or `direct` is 0 (the probe has not passed). */
static inline const mirror_value *stack_slot(lua_State *L, int direct, int idx) {
    if (!direct) return NULL;
    const mirror_state *s = (const mirror_state *)L;
    if (idx > 0) {
        const mirror_value *v = s->ci->func + idx;
        return v < s->top ? v : &none_slot;
    }
    return idx > LUA_REGISTRYINDEX ? s->top + idx : NULL;
}

/* prio_arg_userdata, prio_arg_number, prio_arg_string (CLuaShim.h), for a caller holding st. */
static inline void *arg_userdata(lua_State *L, const prio_state *st, int idx, size_t size) {
    const mirror_value *v = stack_slot(L, st->knows_stack_args, idx);
    if (v == NULL) return lua_rawlen(L, idx) == size ? lua_touserdata(L, idx) : NULL;
    if (v->tt != MIRROR_TAG_FULL_USERDATA) return NULL;
    mirror_userdata *u = (mirror_userdata *)v->value.gc;
    if (u->len != size) return NULL;
    return u->nuvalue == 0 ? &u->block : lua_touserdata(L, idx); /* its block follows the user values */
}

static inline double arg_number(lua_State *L, const prio_state *st, int idx, int *is_number) {
    const mirror_value *v = stack_slot(L, st->knows_stack_args, idx);
    if (v != NULL && v->tt == MIRROR_TAG_FLOAT) {
        *is_number = 1;
        return v->value.n;
    }
    if (v != NULL && v->tt == MIRROR_TAG_INTEGER) {
        *is_number = 1;
        return (double)v->value.i;
    }
    return lua_tonumberx(L, idx, is_number); /* and strings that convert */
}

static inline const void *arg_string(lua_State *L, const prio_state *st, int idx) {
    const mirror_value *v = stack_slot(L, st->knows_stack_args, idx);
    if (v == NULL) return lua_type(L, idx) == LUA_TSTRING ? lua_topointer(L, idx) : NULL;
    return (v->tt & 0x0f) == LUA_TSTRING && (v->tt & MIRROR_TAG_COLLECTABLE) ? v->value.gc : NULL;
}

#endif
