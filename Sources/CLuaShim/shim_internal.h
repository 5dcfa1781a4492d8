/* What the shim's files share and nothing outside them sees: the hooks
   one file installs and another recognises, the slicer's stop, and the
   call into a Swift host function that the trampoline, the job __index and
   the fast paths all end in (inline: it is on every host call). */
#ifndef PRIO_SHIM_INTERNAL_H
#define PRIO_SHIM_INTERNAL_H

#include "CLuaShim.h"
#include "prio_state.h"
#include <lauxlib.h>
#include <stdint.h>

/* Every thread's extra space holds the state pointer (Lua copies the main
   thread's into each new one); its low bits mark what the thread is. */
#define THREAD_IS_JOB ((uintptr_t)1)
#define THREAD_SEEN ((uintptr_t)2)
#define THREAD_REGISTERED ((uintptr_t)4) /* in the table of job threads (job_threads.c) */
#define THREAD_IS_MAIN_CHUNK ((uintptr_t)8) /* the script's main chunk: Lua's main thread to scripts */
#define THREAD_FLAGS (THREAD_IS_JOB | THREAD_SEEN | THREAD_REGISTERED | THREAD_IS_MAIN_CHUNK)

/* prio_getstate, inline for the shim's own hot paths (hooks, trampoline). */
static inline prio_state *state_of(lua_State *L) {
    return (prio_state *)(*(uintptr_t *)lua_getextraspace(L) & ~THREAD_FLAGS);
}

/* The count hook of a time budget (budget.c); enter_coroutine and the
   slicer give it to threads a budgeted call reaches. */
void prio_budget_hook(lua_State *L, lua_Debug *ar);
/* Whether the armed budget is spent (budget.c). */
int prio_budget_spent(prio_state *st);
/* Frees the pages of job object slots (job_objects.c), as the state closes. */
void prio_free_job_words(prio_state *st);
/* Stops and joins the slicer thread (slicer.c), before the state closes. */
void prio_slicer_stop(prio_state *st);

/* Continuation of a suspended host call: the run loop resumed with (ok, values...). */
static inline int resume_continuation(lua_State *L, int status, lua_KContext ctx) {
    (void)status; (void)ctx;
    int n = lua_gettop(L);
    if (n == 0) return 0;
    if (lua_type(L, 1) == LUA_TBOOLEAN && !lua_toboolean(L, 1)) {
        lua_settop(L, 2);
        return lua_error(L);
    }
    return n - 1;
}

/* Calls host function `id` on the current stack, without the script's
   memory limit (an allocation failure inside Swift could not be raised
   safely), and returns, raises or yields as the Swift side asked. Must be
   called from the C function Lua called, so that errors name the caller's
   line (luaL_where level 1). */
static inline int call_host(lua_State *L, int id) {
    prio_state *st = state_of(L);
    if (st->dispatch == NULL) return luaL_error(L, "prio-lua: this Lua state has no host");
    int enforcing = st->enforce_limit;
    st->enforce_limit = 0;
    int r = st->dispatch(L, id);
    st->enforce_limit = enforcing;
    if (r >= 0) return r;
    switch (r) {
    case PRIO_RAISE:
        return lua_error(L);
    case PRIO_RAISE_WHERE:
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    case PRIO_SUSPEND:
        if (!lua_isyieldable(L)) {
            state_of(L)->suspending = 0;
            return luaL_error(L, "cannot suspend here (inside a C call such as a metamethod or a sort comparator)");
        }
        lua_settop(L, 0);
        state_of(L)->suspending = 1;
        return lua_yieldk(L, 0, 0, resume_continuation);
    default:
        return luaL_error(L, "prio-lua: bad host function status %d", r);
    }
}

#endif
