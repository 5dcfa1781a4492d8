/* Transferable values, decoded (see transfer.c for the byte form): pushed
   onto the receiving state under lua_pcall, so an allocation error stays in
   Lua; and a copy within one state, through the same form. */
#include "CLuaShim.h"
#include "transfer_tags.h"
#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

/* The stand-in for a closure whose body stays in the state that sent it. */
static int closure_elsewhere(lua_State *L) {
    return luaL_error(L, "this closure job's body runs in the worker state that submitted it");
}

/* Decoding: the bytes were made by prio_transfer_encode, so they are trusted. */
typedef struct decoder {
    const unsigned char *at, *end;
    const prio_transfer_refs *refs;
} decoder;

static void read_raw(decoder *d, void *out, size_t size) {
    memcpy(out, d->at, size);
    d->at += size;
}

/* A string's bytes, left in place; `length` receives their count. */
static const char *read_string(decoder *d, size_t *length) {
    uint64_t size;
    read_raw(d, &size, sizeof size);
    const char *bytes = (const char *)d->at;
    d->at += size;
    *length = (size_t)size;
    return bytes;
}

static void decode_value(lua_State *L, decoder *d) {
    unsigned char tag = *d->at++;
    switch (tag) {
    case TAG_NIL: lua_pushnil(L); break;
    case TAG_FALSE: lua_pushboolean(L, 0); break;
    case TAG_TRUE: lua_pushboolean(L, 1); break;
    case TAG_INT: {
        lua_Integer value;
        read_raw(d, &value, sizeof value);
        lua_pushinteger(L, value);
        break;
    }
    case TAG_FLOAT: {
        lua_Number value;
        read_raw(d, &value, sizeof value);
        lua_pushnumber(L, value);
        break;
    }
    case TAG_STRING: {
        size_t length;
        const char *bytes = read_string(d, &length);
        lua_pushlstring(L, bytes, length);
        break;
    }
    case TAG_JOB: {
        lua_Integer id;
        read_raw(d, &id, sizeof id);
        prio_push_job_object(L, id);
        break;
    }
    case TAG_TASK: {
        size_t length;
        const char *name = read_string(d, &length);
        luaL_checkstack(L, 2, "transfer");
        lua_rawgeti(L, LUA_REGISTRYINDEX, d->refs->task_functions);
        lua_pushlstring(L, name, length);
        lua_rawget(L, -2);
        lua_remove(L, -2);
        break;
    }
    case TAG_CLOSURE:
        lua_pushcfunction(L, closure_elsewhere);
        break;
    case TAG_TABLE: {
        uint32_t sizes[2];
        read_raw(d, sizes, sizeof sizes);
        luaL_checkstack(L, 3, "transfer");
        lua_createtable(L, (int)sizes[0], (int)sizes[1]);
        while (*d->at != TAG_END) {
            decode_value(L, d);
            decode_value(L, d);
            lua_rawset(L, -3);
        }
        d->at++;
        break;
    }
    }
}

static int decode_body(lua_State *L) {
    decoder *d = (decoder *)lua_touserdata(L, 1);
    lua_pop(L, 1);
    int count = 0;
    while (d->at < d->end) {
        luaL_checkstack(L, 2, "transfer");
        decode_value(L, d);
        count++;
    }
    return count;
}

int prio_transfer_decode(lua_State *L, const unsigned char *bytes, size_t length,
                         const prio_transfer_refs *refs, int *count) {
    decoder d = {.at = bytes, .end = bytes + length, .refs = refs};
    int base = lua_gettop(L);
    if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
    lua_pushcfunction(L, decode_body);
    lua_pushlightuserdata(L, &d);
    int status = lua_pcall(L, 1, LUA_MULTRET, 0);
    *count = lua_gettop(L) - base;
    return status;
}

/* A transfer within one state (a task's args and results when the state
   that runs it is the one that asked): through the byte form, as between
   states, in a buffer each thread keeps for the next copy. */
static _Thread_local prio_bytes copy_buffer;

int prio_transfer_copy(lua_State *L, int first, int count, const char *root, char *error, size_t error_size) {
    prio_transfer_refs plain = {0, 0, 0, 0};
    first = lua_absindex(L, first);
    copy_buffer.length = 0;
    int ok = prio_transfer_encode(L, first, count, 1, root, &plain, &copy_buffer, error, error_size);
    if (ok) {
        int pushed = 0;
        if (prio_transfer_decode(L, copy_buffer.data, copy_buffer.length, &plain, &pushed) != LUA_OK) {
            lua_pop(L, pushed); /* the memory error */
            snprintf(error, error_size, "not enough memory");
            ok = 0;
        } else {
            for (int i = count - 1; i >= 0; i--) lua_replace(L, first + i);
        }
    }
    if (copy_buffer.capacity > (1 << 20)) prio_bytes_free(&copy_buffer); /* a big one is not kept */
    return ok;
}
