/*
 * Tracebacks that read the same in every run. Lua's luaL_traceback names a
 * function by the first loaded module it finds it in, iterating
 * package.loaded in hash order, which depends on a seed Lua randomises per
 * state: prio's functions are both globals (`await_any`) and fields of the
 * module `prio` (`prio.await_any`), so the same failure was reported under
 * either name. This is luaL_traceback (lauxlib.c, Lua 5.4.4, MIT licence,
 * Copyright (C) 1994-2022 Lua.org, PUC-Rio) with one change: the module
 * search tries `_G` first, then the other modules in order of their names.
 */
#include "CLuaShim.h"
#include <string.h>

#define LEVELS1 10 /* size of the first part of the stack */
#define LEVELS2 11 /* size of the second part of the stack */

/* Whether the value at `objidx` is a field of the table on top: pushes its name. */
static int field_named(lua_State *L, int objidx) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_rawequal(L, objidx, -1)) {
            lua_pop(L, 1);
            return 1; /* the key stays */
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* The module names of package.loaded, sorted, in a new table on top. */
static void push_sorted_module_names(lua_State *L, int loaded) {
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_remove(L, -2);
    lua_newtable(L);
    int count = 0;
    lua_pushnil(L);
    while (lua_next(L, loaded)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TTABLE) {
            lua_pushvalue(L, -2);
            lua_rawseti(L, -4, ++count);
        }
        lua_pop(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_insert(L, -3); /* names, sort, names */
    if (lua_type(L, -2) == LUA_TFUNCTION) lua_call(L, 1, 0);
    else lua_pop(L, 2);
}

/* Pushes "module.name" (or "name" for a global) of the function of `ar`, or returns 0. */
static int push_global_name(lua_State *L, lua_Debug *ar) {
    int top = lua_gettop(L);
    lua_getinfo(L, "f", ar); /* the function, at top + 1 */
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    int loaded = top + 2;
    if (lua_getfield(L, loaded, LUA_GNAME) == LUA_TTABLE && field_named(L, top + 1)) {
        lua_copy(L, -1, top + 1);
        lua_settop(L, top + 1);
        return 1;
    }
    lua_settop(L, loaded);
    push_sorted_module_names(L, loaded);
    int names = loaded + 1;
    for (lua_Integer i = 1; lua_rawgeti(L, names, i) == LUA_TSTRING; i++) {
        lua_pushvalue(L, -1);
        lua_gettable(L, loaded); /* names[i], module */
        if (field_named(L, top + 1)) {
            lua_pushfstring(L, "%s.%s", lua_tostring(L, -3), lua_tostring(L, -1));
            lua_copy(L, -1, top + 1);
            lua_settop(L, top + 1);
            return 1;
        }
        lua_pop(L, 2);
    }
    lua_settop(L, top);
    return 0;
}

static void push_function_name(lua_State *L, lua_Debug *ar) {
    if (push_global_name(L, ar)) {
        lua_pushfstring(L, "function '%s'", lua_tostring(L, -1));
        lua_remove(L, -2);
    } else if (*ar->namewhat != '\0') {
        lua_pushfstring(L, "%s '%s'", ar->namewhat, ar->name);
    } else if (*ar->what == 'm') {
        lua_pushliteral(L, "main chunk");
    } else if (*ar->what != 'C') {
        lua_pushfstring(L, "function <%s:%d>", ar->short_src, ar->linedefined);
    } else {
        lua_pushliteral(L, "?");
    }
}

static int last_level(lua_State *L) {
    lua_Debug ar;
    int li = 1, le = 1;
    while (lua_getstack(L, le, &ar)) { li = le; le *= 2; }
    while (li < le) {
        int m = (li + le) / 2;
        if (lua_getstack(L, m, &ar)) li = m + 1;
        else le = m;
    }
    return le - 1;
}

static int handler_guard(lua_State *L);

/* Whether the frame `ar` describes is xpcall's guard (left out of tracebacks). */
static int is_guard_frame(lua_State *L1, lua_Debug *ar) {
    if (*ar->what != 'C') return 0;
    lua_getinfo(L1, "f", ar);
    int guard = lua_tocfunction(L1, -1) == handler_guard;
    lua_pop(L1, 1);
    return guard;
}

void prio_traceback(lua_State *L, lua_State *L1, const char *msg, int level) {
    luaL_Buffer b;
    lua_Debug ar;
    int last = last_level(L1);
    int limit2show = (last - level > LEVELS1 + LEVELS2) ? LEVELS1 : -1;
    luaL_buffinit(L, &b);
    if (msg) {
        luaL_addstring(&b, msg);
        luaL_addchar(&b, '\n');
    }
    luaL_addstring(&b, "stack traceback:");
    while (lua_getstack(L1, level++, &ar)) {
        if (limit2show-- == 0) {
            int n = last - level - LEVELS2 + 1;
            lua_pushfstring(L, "\n\t...\t(skipping %d levels)", n);
            luaL_addvalue(&b);
            level += n;
        } else {
            lua_getinfo(L1, "Slnt", &ar);
            if (is_guard_frame(L1, &ar)) continue;
            if (ar.currentline <= 0) lua_pushfstring(L, "\n\t%s: in ", ar.short_src);
            else lua_pushfstring(L, "\n\t%s:%d: in ", ar.short_src, ar.currentline);
            luaL_addvalue(&b);
            push_function_name(L, &ar);
            luaL_addvalue(&b);
            if (ar.istailcall) luaL_addstring(&b, "\n\t(...tail calls...)");
        }
    }
    luaL_pushresult(&b);
}

/* debug.traceback([thread,] [message [, level]]), as Lua's (ldblib.c), on prio_traceback. */
/* Skips the guard frames at the top of L1 from `level` on, so that a
   traceback asked for by a message handler starts where stock Lua's does. */
static int skip_guard_frames(lua_State *L1, int level) {
    lua_Debug ar;
    while (lua_getstack(L1, level, &ar)) {
        lua_getinfo(L1, "S", &ar);
        if (!is_guard_frame(L1, &ar)) break;
        level++;
    }
    return level;
}

static int debug_traceback(lua_State *L) {
    int arg = 0;
    lua_State *L1 = L;
    if (lua_isthread(L, 1)) {
        arg = 1;
        L1 = lua_tothread(L, 1);
    }
    const char *msg = lua_tostring(L, arg + 1);
    if (msg == NULL && !lua_isnoneornil(L, arg + 1)) {
        lua_pushvalue(L, arg + 1); /* a message that is not a string: returned untouched */
    } else {
        int level = (int)luaL_optinteger(L, arg + 2, (L == L1) ? 1 : 0);
        prio_traceback(L, L1, msg, skip_guard_frames(L1, level));
    }
    return 1;
}

void prio_push_debug_traceback_function(lua_State *L) { lua_pushcfunction(L, debug_traceback); }

/*
 * xpcall. A job being stopped (its timeout, a cancel) or a hook past its
 * budget gets its error raised even inside an xpcall message handler; Lua
 * calls the handler for that error from the hook, with hooks off, so a
 * handler that never returns would keep it alive: the guard skips the
 * handler then and passes the error on as it is. The guard is a C closure
 * (upvalue: the script's handler), and tracebacks leave its frame out.
 */
static int handler_guard(lua_State *L) {
    if (prio_is_stopping(L)) return lua_gettop(L) > 0 ? 1 : 0;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* lbaselib.c's finishpcall: (true, results...) or (false, error). */
static int finish_pcall(lua_State *L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

/* lbaselib.c's luaB_xpcall, with the handler behind the guard. */
static int guarded_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, handler_guard, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

void prio_push_xpcall_function(lua_State *L) { lua_pushcfunction(L, guarded_xpcall); }
