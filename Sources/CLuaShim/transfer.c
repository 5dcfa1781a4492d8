/* Transferable values (SPEC §8): nil, booleans, numbers (subtype kept),
   strings, and tables of these without metatables, cycles or nesting deeper
   than PRIO_TRANSFER_DEPTH. They cross from one lua_State to another as a
   compact byte form, so no Swift value tree is built on the way.

   Encoding (here) only reads the source state (raw accesses, no
   metamethods, no allocation in Lua), so it cannot raise; decoding
   (transfer_decode.c) allocates and runs under lua_pcall, so an
   out-of-memory error stays in Lua. */
#include "CLuaShim.h"
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of the error buffer kept for "<problem> at <root>" before a path. */
#define PATH_HEAD_ROOM 200

#include "transfer_tags.h"

typedef struct encoder {
    lua_State *L;
    prio_bytes *out;
    const void *ancestors[PRIO_TRANSFER_DEPTH + 1];
    int depth;
    char *path;  /* the offending value's path, built as the walk returns */
    size_t path_size;
    const char *problem;
    const prio_transfer_refs *refs;
} encoder;

static int put(prio_bytes *out, const void *bytes, size_t count) {
    if (out->length + count > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 64;
        while (capacity < out->length + count) capacity *= 2;
        unsigned char *grown = realloc(out->data, capacity);
        if (!grown) return 0;
        out->data = grown;
        out->capacity = capacity;
    }
    memcpy(out->data + out->length, bytes, count);
    out->length += count;
    return 1;
}

static int put_tag(prio_bytes *out, unsigned char tag) { return put(out, &tag, 1); }

/* Prepends `segment` to the path (the walk unwinds from the bad value up). */
static void prepend_path(encoder *e, const char *segment) {
    size_t have = strlen(e->path), add = strlen(segment);
    if (have + add + 1 > e->path_size) return;
    /* Room is kept for the message's head: a path too long to keep whole
       loses its outer segments, and says so with "...". */
    if (segment[0] != '#' && have + add + 1 > e->path_size - PATH_HEAD_ROOM) {
        if (strncmp(e->path, "...", 3) != 0) prepend_path(e, "#...");
        return;
    }
    if (segment[0] == '#') segment++, add--; /* a marker, not a key */
    memmove(e->path + add, e->path, have + 1);
    memcpy(e->path, segment, add);
}

static void prepend_key(encoder *e, int key_index) {
    char segment[96];
    lua_State *L = e->L;
    switch (lua_type(L, key_index)) {
    case LUA_TSTRING: {
        size_t length;
        const char *s = lua_tolstring(L, key_index, &length);
        int plain = length > 0 && length < 64 && !(s[0] >= '0' && s[0] <= '9');
        for (size_t i = 0; plain && i < length; i++)
            plain = (s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                     (s[i] >= '0' && s[i] <= '9'));
        if (plain) snprintf(segment, sizeof segment, ".%s", s);
        else snprintf(segment, sizeof segment, "[\"%.60s\"]", s);
        break;
    }
    case LUA_TNUMBER:
        if (lua_isinteger(L, key_index)) snprintf(segment, sizeof segment, "[%lld]", (long long)lua_tointeger(L, key_index));
        else snprintf(segment, sizeof segment, "[%.14g]", lua_tonumber(L, key_index));
        break;
    case LUA_TBOOLEAN:
        snprintf(segment, sizeof segment, "[%s]", lua_toboolean(L, key_index) ? "true" : "false");
        break;
    default:
        segment[0] = 0;
    }
    prepend_path(e, segment);
}

static int fail(encoder *e, const char *problem) {
    e->problem = problem;
    return 0;
}

static int encode_value(encoder *e, int index);

static const char *key_problem(int type) {
    switch (type) {
    case LUA_TTABLE: return "a table key";
    case LUA_TFUNCTION: return "a function key";
    case LUA_TTHREAD: return "a thread key";
    default: return "a userdata key";
    }
}

static int encode_table(encoder *e, int index) {
    lua_State *L = e->L;
    const void *self = lua_topointer(L, index);
    for (int i = 0; i < e->depth; i++)
        if (e->ancestors[i] == self) return fail(e, "a table that contains itself");
    if (e->depth >= PRIO_TRANSFER_DEPTH) return fail(e, "a table nested deeper than 100 levels");
    if (lua_getmetatable(L, index)) {
        lua_pop(L, 1);
        return fail(e, "a table with a metatable");
    }
    if (!lua_checkstack(L, 4)) return fail(e, "a table nested too deeply for the stack");
    /* The sizes for lua_createtable follow the tag, written once known: a
       table decoded without them is rehashed as it fills. */
    uint32_t sizes[2] = {0, 0}; /* array part, hash part */
    size_t sizes_at = e->out->length + 1;
    if (!put_tag(e->out, TAG_TABLE) || !put(e->out, sizes, sizeof sizes)) {
        return fail(e, "a value too large for memory");
    }
    e->ancestors[e->depth++] = self;
    lua_Integer length = (lua_Integer)lua_rawlen(L, index);
    lua_pushnil(L);
    while (lua_next(L, index)) {
        int key = lua_gettop(L) - 1;
        int key_type = lua_type(L, key);
        lua_Integer n = key_type == LUA_TNUMBER && lua_isinteger(L, key) ? lua_tointeger(L, key) : 0;
        sizes[n >= 1 && n <= length ? 0 : 1]++;
        if (key_type != LUA_TSTRING && key_type != LUA_TNUMBER && key_type != LUA_TBOOLEAN) {
            lua_pop(L, 2);
            e->depth--;
            return fail(e, key_problem(key_type));
        }
        if (!encode_value(e, key)) {
            lua_pop(L, 2);
            e->depth--;
            return 0;
        }
        if (!encode_value(e, key + 1)) {
            prepend_key(e, key);
            lua_pop(L, 2);
            e->depth--;
            return 0;
        }
        lua_pop(L, 1);
    }
    e->depth--;
    memcpy(e->out->data + sizes_at, sizes, sizeof sizes);
    return put_tag(e->out, TAG_END) || fail(e, "a value too large for memory");
}

/* Between the states of one run, a task function goes by its name. */
static int encode_task(encoder *e, int index) {
    lua_State *L = e->L;
    if (e->refs->task_names == 0 || !lua_checkstack(L, 3)) return fail(e, "a function");
    index = lua_absindex(L, index);
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->refs->task_names);
    lua_pushvalue(L, index);
    lua_rawget(L, -2);
    size_t length;
    const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &length) : NULL;
    int ok = name != NULL;
    if (ok) {
        uint64_t size = length;
        ok = (put_tag(e->out, TAG_TASK) && put(e->out, &size, sizeof size) && put(e->out, name, length)) ||
             fail(e, "a value too large for memory");
    } else if (e->refs->closures) {
        ok = put_tag(e->out, TAG_CLOSURE) || fail(e, "a value too large for memory");
    } else {
        fail(e, "a function that is not a task");
    }
    lua_pop(L, 2);
    return ok;
}

static int encode_value(encoder *e, int index) {
    lua_State *L = e->L;
    prio_bytes *out = e->out;
    switch (lua_type(L, index)) {
    case LUA_TNIL: return put_tag(out, TAG_NIL) || fail(e, "a value too large for memory");
    case LUA_TBOOLEAN:
        return put_tag(out, lua_toboolean(L, index) ? TAG_TRUE : TAG_FALSE) || fail(e, "a value too large for memory");
    case LUA_TNUMBER:
        if (lua_isinteger(L, index)) {
            lua_Integer value = lua_tointeger(L, index);
            return (put_tag(out, TAG_INT) && put(out, &value, sizeof value)) || fail(e, "a value too large for memory");
        } else {
            lua_Number value = lua_tonumber(L, index);
            return (put_tag(out, TAG_FLOAT) && put(out, &value, sizeof value)) || fail(e, "a value too large for memory");
        }
    case LUA_TSTRING: {
        size_t length;
        const char *bytes = lua_tolstring(L, index, &length);
        uint64_t size = length;
        return (put_tag(out, TAG_STRING) && put(out, &size, sizeof size) && put(out, bytes, length)) ||
               fail(e, "a value too large for memory");
    }
    case LUA_TTABLE: return encode_table(e, lua_absindex(L, index));
    case LUA_TFUNCTION: return encode_task(e, index);
    case LUA_TTHREAD: return fail(e, "a thread");
    case LUA_TUSERDATA: {
        lua_Integer id = e->refs->jobs ? prio_job_object_id(L, index) : 0;
        if (id <= 0) return fail(e, "a userdata");
        return (put_tag(out, TAG_JOB) && put(out, &id, sizeof id)) || fail(e, "a value too large for memory");
    }
    case LUA_TLIGHTUSERDATA: return fail(e, "a userdata");
    default: return fail(e, "a value of unknown type");
    }
}

int prio_transfer_encode(lua_State *L, int first, int count, int first_number, const char *root,
                         const prio_transfer_refs *refs, prio_bytes *out, char *error, size_t error_size) {
    encoder e = {.L = L, .out = out, .depth = 0, .path = error, .path_size = error_size, .problem = NULL, .refs = refs};
    first = lua_absindex(L, first);
    for (int i = 0; i < count; i++) {
        error[0] = 0;
        if (encode_value(&e, first + i)) continue;
        /* error = "<problem> at <root or [n]><path>" */
        char prefix[PATH_HEAD_ROOM];
        if (root) snprintf(prefix, sizeof prefix, "#%s at %s", e.problem, root);
        else snprintf(prefix, sizeof prefix, "#%s at [%d]", e.problem, first_number + i);
        prepend_path(&e, prefix);
        return 0;
    }
    return 1;
}

void prio_bytes_free(prio_bytes *bytes) {
    free(bytes->data);
    bytes->data = NULL;
    bytes->length = bytes->capacity = 0;
}

int prio_transfer_string(int ok, const char *text, size_t length, prio_bytes *out) {
    uint64_t size = length;
    if (ok >= 0 && !put_tag(out, ok ? TAG_TRUE : TAG_FALSE)) return 0;
    return put_tag(out, TAG_STRING) && put(out, &size, sizeof size) && put(out, text, length);
}
