/* Protected calls: loading, tostring, tracebacks and opening the libraries
   never raise past the Swift caller; and output that keeps stdout before stderr. */
#include "CLuaShim.h"
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <string.h>

static int tostring_body(lua_State *L) {
    luaL_tolstring(L, 1, NULL);
    return 1;
}

int prio_tostring_protected(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    lua_pushcfunction(L, tostring_body);
    lua_pushvalue(L, idx);
    return lua_pcall(L, 1, 1, 0);
}

/* luaL_loadfilex, as lua.c loads a script: a file or (NULL) stdin, a first
   '#' line skipped, "cannot open NAME: reason" when it cannot be read.
   Leaves the chunk or the message and its status. */
static int loadfile_body(lua_State *L) {
    const char *name = (const char *)lua_touserdata(L, 1);
    const char *mode = (const char *)lua_touserdata(L, 2);
    lua_pushinteger(L, luaL_loadfilex(L, name, mode));
    return 2;
}

int prio_loadfile_protected(lua_State *L, const char *name, int text_only) {
    lua_pushcfunction(L, loadfile_body);
    lua_pushlightuserdata(L, (void *)name);
    lua_pushlightuserdata(L, (void *)(text_only ? "t" : "bt"));
    int status = lua_pcall(L, 2, 2, 0);
    if (status != LUA_OK) return status; /* out of memory: the message */
    status = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return status;
}

/* What lua.c's handle_luainit does with LUA_INIT_5_4 (or LUA_INIT): `@FILE`
   runs FILE, anything else runs as a chunk named "=LUA_INIT...". Called
   protected; returns the status and leaves the error message on failure. */
static int run_init_body(lua_State *L) {
    const char *name = (const char *)lua_touserdata(L, 1);
    const char *init = (const char *)lua_touserdata(L, 2);
    int status = init[0] == '@' ? luaL_loadfilex(L, init + 1, NULL)
                                : luaL_loadbufferx(L, init, strlen(init), name, NULL);
    if (status != LUA_OK) return lua_error(L);
    lua_call(L, 0, 0);
    return 0;
}

int prio_run_init_protected(lua_State *L, const char *name, const char *init) {
    lua_pushcfunction(L, run_init_body);
    lua_pushlightuserdata(L, (void *)name);
    lua_pushlightuserdata(L, (void *)init);
    return lua_pcall(L, 2, 0, 0);
}

int prio_loadbuffer(lua_State *L, const char *buf, size_t len, const char *chunkname, int text_only) {
    return luaL_loadbufferx(L, buf, len, chunkname, text_only ? "t" : "bt");
}

static int traceback_body(lua_State *L) {
    lua_State *co = (lua_State *)lua_touserdata(L, 1);
    const char *msg = (const char *)lua_touserdata(L, 2); /* copied here, under protection */
    int level = (int)lua_tointeger(L, 3);
    prio_traceback(L, co, msg, level);
    return 1;
}

int prio_traceback_protected(lua_State *L, lua_State *co, const char *msg, int level) {
    lua_pushcfunction(L, traceback_body);
    lua_pushlightuserdata(L, co);
    lua_pushlightuserdata(L, (void *)msg);
    lua_pushinteger(L, level);
    return lua_pcall(L, 3, 1, 0);
}

static int openlibs_body(lua_State *L) {
    luaL_openlibs(L);
    lua_pushcfunction(L, prio_open_patterns); /* find, match, gmatch, gsub that can be stopped */
    lua_call(L, 0, 0);
    return 0;
}

int prio_openlibs_protected(lua_State *L) {
    lua_pushcfunction(L, openlibs_body);
    return lua_pcall(L, 0, 0, 0);
}

void prio_write_stdout(const char *text, size_t length) {
    fwrite(text, 1, length, stdout);
    fflush(stdout);
}

void prio_write_stderr(const char *text, size_t length) {
    fflush(stdout);
    fwrite(text, 1, length, stderr);
    fflush(stderr);
}


static int open_sandbox_libs(lua_State *L) {
    static const luaL_Reg libraries[] = {
        {LUA_GNAME, luaopen_base}, {LUA_COLIBNAME, luaopen_coroutine}, {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math}, {LUA_UTF8LIBNAME, luaopen_utf8},
        {LUA_OSLIBNAME, luaopen_os}, {NULL, NULL}};
    for (const luaL_Reg *lib = libraries; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    lua_pushcfunction(L, prio_open_patterns);
    lua_call(L, 0, 0);
    return 0;
}

int prio_open_sandbox_libs_protected(lua_State *L) {
    lua_pushcfunction(L, open_sandbox_libs);
    return lua_pcall(L, 0, 0, 0);
}
