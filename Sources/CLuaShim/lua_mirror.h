/*
 * Mirrors of the heads of a few Lua 5.4 structures (lstate.h, lobject.h;
 * the same in every 5.4 release), for the two places where the public API
 * cannot say something cheaply enough:
 *   - wanted_results.c: how many results a C function's caller wants;
 *   - stack_args.c: a C function's arguments, read without an API call each;
 *   - job_threads.c: where a table's array part is, to prefetch a job body.
 * None is used until its probe has checked it against the public API on
 * the running library; if a probe fails, the API path is used instead (or,
 * for the prefetch, no prefetch).
 */
#ifndef PRIO_LUA_MIRROR_H
#define PRIO_LUA_MIRROR_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* A stack slot (StackValue): a TValue, padded to 16 bytes. */
typedef struct mirror_value {
    union { void *gc; void *p; lua_Integer i; lua_Number n; } value;
    unsigned char tt;
} mirror_value;

/* Type tags (lobject.h: makevariant, with BIT_ISCOLLECTABLE for objects). */
#define MIRROR_TAG_INTEGER 0x03
#define MIRROR_TAG_FLOAT 0x13
#define MIRROR_TAG_COLLECTABLE 0x40
#define MIRROR_TAG_FULL_USERDATA (0x07 | MIRROR_TAG_COLLECTABLE)

/* A full userdata without user values (Udata0): its block follows the header. */
typedef struct mirror_userdata {
    void *next;
    unsigned char tt, marked;
    unsigned short nuvalue;
    size_t len;
    void *metatable;
    union { lua_Number n; double u; void *s; lua_Integer i; long l; } block;
} mirror_userdata;

/* The head of Lua 5.4's Table (ltable.h): CommonHeader, flags, lsizenode,
   alimit, then the array part. */
typedef struct mirror_table {
    void *next;
    unsigned char tt, marked, flags, lsizenode;
    unsigned int alimit;
    const char *array; /* TValue[alimit], 16 bytes each */
} mirror_table;

#define MIRROR_TVALUE_SIZE 16
#define MIRROR_VTABLE 5 /* LUA_TTABLE, variant 0 */

/* The head of Lua 5.4's CallInfo, up to nresults. */
typedef struct mirror_callinfo {
    mirror_value *func, *top;
    void *previous, *next;
    union {
        struct { const void *savedpc; volatile int trap; int nextraargs; } l;
        struct { void *k; ptrdiff_t old_errfunc; intptr_t ctx; } c;
    } u;
    union { int funcidx; int nyield; int nres; struct { unsigned short ftransfer, ntransfer; } transferinfo; } u2;
    short nresults;
    unsigned short callstatus;
} mirror_callinfo;

/* The head of Lua 5.4's lua_State, up to ci. */
typedef struct mirror_state {
    void *next;
    unsigned char tt, marked, status, allowhook;
    unsigned short nci;
    mirror_value *top;
    void *l_G;
    mirror_callinfo *ci;
} mirror_state;

/* Runs `probe` (a C function that checks the mirrors against the API and
   returns a boolean) protected, on Lua 5.4 only: whether it said yes.
   PRIO_LUA_SLOW_PATHS=1 in the environment fails every probe, so that the
   tests can check that behaviour is the same on the API path. */
static inline int mirror_probe_passes(lua_State *L, lua_CFunction probe) {
    if (lua_version(L) < 504 || lua_version(L) >= 505) return 0;
    const char *slow = getenv("PRIO_LUA_SLOW_PATHS");
    if (slow != NULL && slow[0] == '1') return 0;
    lua_pushcfunction(L, probe);
    int right = lua_pcall(L, 0, 1, 0) == LUA_OK && lua_toboolean(L, -1);
    lua_pop(L, 1);
    return right;
}

#endif
