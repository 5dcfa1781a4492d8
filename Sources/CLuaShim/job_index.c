/* Job objects' __index (fields read from the job records, methods from a
   cache) and job:set_priority, which goes straight to the host's fast path. */
#include "CLuaShim.h"
#include "job_box.h"
#include "shim_internal.h"
#include "stack_args.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

/* __index of job objects (job_index below). Methods come from the table of
   field codes and methods, numeric fields from the job's record; other
   fields go to the host function with their code as a third argument.
   Upvalues: the host function id, that table, and the methods the
   field-name cache remembers. */

/* The record of job `id`, or NULL when it is unknown or released. */
static const char *job_record(const prio_job_view *v, lua_Integer id) {
    if (v->pages == NULL || id <= 0) return NULL;
    long page = (long)(id >> v->page_shift);
    if (page >= v->page_count || v->pages[page] == NULL) return NULL;
    const char *record = (const char *)v->pages[page] + (size_t)(id & ((1L << v->page_shift) - 1)) * v->stride;
    return (*(const unsigned char *)(record + v->flags) & v->released_bit) ? NULL : record;
}

/* Pushes a number as the host does: integral values as integers. */
static void push_number(lua_State *L, double value) {
    if (value == floor(value) && fabs(value) < 9.0e15) lua_pushinteger(L, (lua_Integer)value);
    else lua_pushnumber(L, value);
}

/* Answers the numeric field `code` of job `id` from its record; 0 when
   the host has to (other fields, or a job it no longer knows). */
static int push_record_field(lua_State *L, lua_Integer id, lua_Integer code) {
    const prio_job_view *v = &state_of(L)->jobs;
    const char *record;
    double value;
    switch (code) {
    case PRIO_FIELD_ID:
        lua_pushinteger(L, id);
        return 1;
    case PRIO_FIELD_PRIORITY:
    case PRIO_FIELD_BASE_PRIORITY:
        if ((record = job_record(v, id)) == NULL) return 0;
        memcpy(&value, record + (code == PRIO_FIELD_PRIORITY ? v->effective_priority : v->base_priority), sizeof value);
        push_number(L, value);
        return 1;
    case PRIO_FIELD_SUBMITTED_AT:
    case PRIO_FIELD_STARTED_AT:
    case PRIO_FIELD_FINISHED_AT:
        if ((record = job_record(v, id)) == NULL) return 0;
        memcpy(&value, record + (code == PRIO_FIELD_SUBMITTED_AT ? v->submitted_at
                                 : code == PRIO_FIELD_STARTED_AT ? v->started_at : v->finished_at), sizeof value);
        if (isnan(value)) lua_pushnil(L); else lua_pushnumber(L, value);
        return 1;
    case PRIO_FIELD_ATTEMPT: {
        if ((record = job_record(v, id)) == NULL) return 0;
        int32_t attempt;
        memcpy(&attempt, record + v->attempt, sizeof attempt);
        lua_pushinteger(L, attempt);
        return 1;
    }
    default:
        return 0;
    }
}

/* The code the field-name cache gives a method's name; the method itself is
   kept in job_index's upvalue METHOD_UPVALUE(slot). */
#define FIELD_CACHE_METHOD (-1)
#define METHOD_UPVALUE(slot) (3 + (int)(slot))

/* Slot of the field-name cache for the string object `name`. */
static unsigned field_cache_slot(const void *name) {
    return (unsigned)(((uintptr_t)name >> 4) & (PRIO_FIELD_CACHE_SIZE - 1));
}

/* A numeric field read by its name's string, without the table lookup.
   Lua 5.4 interns short strings, and every field name is one and stays
   alive as a key of the field-code table: while it lives, any string with
   its text is that very object, and different objects have different
   pointers, so the pointer identifies the field (a key of another type
   reads as NULL, which matches nothing). Returns 1 when it pushed the field. */
static int push_cached_field(lua_State *L) {
    prio_state *st = state_of(L);
    const void *name = arg_string(L, st, 2);
    prio_job_view *v = &st->jobs;
    unsigned slot = field_cache_slot(name);
    if (name == NULL) return 0;
    if (v->field_names[slot] != name) {
        slot ^= 1; /* two ways: names whose addresses share a slot both stay */
        if (v->field_names[slot] != name) return 0;
    }
    int code = v->field_codes[slot];
    if (code == FIELD_CACHE_METHOD) {
        lua_pushvalue(L, lua_upvalueindex(METHOD_UPVALUE(slot)));
        return 1;
    }
    lua_Integer id = job_box_id(L, st, 1);
    return id > 0 && push_record_field(L, id, code);
}

/* The slot `name` goes in: its own, or the other way of its pair when its
   own holds another name and the other is free. Which names collide
   depends on where the allocator put them; with one way only, `job.id`
   and `job.priority` could evict each other at every read. */
static unsigned slot_for(const prio_job_view *v, const void *name) {
    unsigned slot = field_cache_slot(name);
    if (v->field_names[slot] == NULL || v->field_names[slot] == name) return slot;
    if (v->field_names[slot ^ 1] == NULL || v->field_names[slot ^ 1] == name) return slot ^ 1;
    return slot;
}

static void remember_field(lua_State *L, int name_index, lua_Integer code) {
    const void *name = prio_arg_string(L, name_index);
    prio_job_view *v = &state_of(L)->jobs;
    unsigned slot = slot_for(v, name);
    v->field_names[slot] = name;
    v->field_codes[slot] = (int)code;
}

static int job_index(lua_State *L) {
    if (push_cached_field(L)) return 1;
    lua_settop(L, 2);
    lua_pushvalue(L, 2);
    int type = lua_rawget(L, lua_upvalueindex(2));
    if (type != LUA_TNUMBER) {
        /* a method (remembered too: `job:set_priority` in a loop looks it up every time), or nil */
        if (type == LUA_TFUNCTION && lua_type(L, 2) == LUA_TSTRING) {
            lua_pushvalue(L, -1);
            lua_replace(L, lua_upvalueindex(METHOD_UPVALUE(slot_for(&state_of(L)->jobs, prio_arg_string(L, 2)))));
            remember_field(L, 2, FIELD_CACHE_METHOD);
        }
        return 1;
    }
    /* job, key, code */
    lua_Integer id = prio_job_object_id(L, 1);
    lua_Integer code = lua_tointeger(L, 3);
    if (id > 0 && push_record_field(L, id, code)) {
        remember_field(L, 2, code);
        return 1;
    }
    return call_host(L, (int)lua_tointeger(L, lua_upvalueindex(1)));
}


/* job:set_priority(p). A valid call goes straight to the host's fast path;
   anything else (a bad argument, a policy to consult, an observer to tell)
   to host function `function_id` (upvalue 1), which also words the errors. */
static int job_set_priority(lua_State *L) {
    prio_state *st = state_of(L);
    if (st->set_priority_fast != NULL) {
        lua_Integer id = job_box_id(L, st, 1);
        int is_number = 0;
        double priority = arg_number(L, st, 2, &is_number);
        if (id > 0 && is_number && isfinite(priority) && !prio_in_finalizer(L)) {
            int enforcing = st->enforce_limit;
            st->enforce_limit = 0;
            int handled = st->set_priority_fast(st->host, id, priority);
            st->enforce_limit = enforcing;
            if (handled) return 0;
        }
    }
    return call_host(L, (int)lua_tointeger(L, lua_upvalueindex(1)));
}

void prio_push_job_set_priority_function(lua_State *L, int function_id) {
    lua_pushinteger(L, function_id);
    lua_pushcclosure(L, job_set_priority, 1);
}

void prio_push_job_index_function(lua_State *L, int function_id, int keys_ref) {
    lua_pushinteger(L, function_id);
    lua_rawgeti(L, LUA_REGISTRYINDEX, keys_ref);
    for (int slot = 0; slot < PRIO_FIELD_CACHE_SIZE; slot++) lua_pushnil(L); /* cached methods */
    lua_pushcclosure(L, job_index, 2 + PRIO_FIELD_CACHE_SIZE);
}

void prio_set_job_view(lua_State *L, const void *pages, long page_count) {
    prio_job_view *v = &state_of(L)->jobs;
    v->pages = (const void *const *)pages;
    v->page_count = page_count;
}


void prio_set_priority_fast_path(lua_State *L, prio_set_priority_fn fn) { state_of(L)->set_priority_fast = fn; }
