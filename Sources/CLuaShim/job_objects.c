/*
 * Job objects: the `job` values scripts see. A job has at most one object
 * at a time, so `==` and table keys work, and once the script has dropped
 * it and the collector has cleared it, the host knows nothing can ask about
 * the job any more and releases it (LuaScheduler+Release).
 *
 * The objects live in one weak-valued table used as a ring of slots: a new
 * object takes the next slot the collector has emptied, and the job's slot
 * number is kept in its word (a paged Int32 per job, prio_job_words,
 * owned here). Finding a job's object is an array read, adding
 * one an array store into a table made with room for it. (A table keyed by
 * job id spread its keys over the hash part, and the collector's clearing
 * of dead entries made it rehash every few stores: a third of what
 * starting a job cost.) A slot may since have gone to another job, so an
 * object found by slot counts only if it carries the job's id.
 *
 * When the next few slots are all taken, the table is too full: the live
 * objects move to a new table twice the size, and their jobs' slot numbers
 * follow them. The table never shrinks; it holds about twice the objects
 * that were alive (or not yet collected) at the busiest moment.
 */
#include "job_box.h"
#include "shim_internal.h"
#include <stdlib.h>

#define MINIMUM_SLOTS 1024
#define PROBES 4


/* A page whose jobs were all released: never made again. */
#define FREED_PAGE ((int32_t *)1)

/* Job `id`'s slot word, or NULL when it has none: its page was never made
   (and `create` is 0), was freed, or could not be allocated. */
static int32_t *slot_word(prio_state *st, lua_Integer id, int create) {
    if (id < 0 || id >= ((lua_Integer)1 << 31)) return NULL;
    long page = (long)(id >> JOB_WORD_PAGE_SHIFT);
    int32_t ***chunk = &st->words.chunks[page >> JOB_WORD_CHUNK_SHIFT];
    if (*chunk == NULL) {
        if (!create || (*chunk = calloc(JOB_WORD_CHUNK, sizeof **chunk)) == NULL) return NULL;
    }
    int32_t **words = &(*chunk)[page & (JOB_WORD_CHUNK - 1)];
    if (*words == FREED_PAGE) return NULL;
    if (*words == NULL) {
        if (!create || (*words = calloc(JOB_WORD_PAGE, sizeof(int32_t))) == NULL) return NULL;
    }
    return &(*words)[id & (JOB_WORD_PAGE - 1)];
}

void prio_release_job_word(lua_State *L, lua_Integer id, int page_freed) {
    prio_state *st = prio_getstate(L);
    if (id < 0 || id >= ((lua_Integer)1 << 31)) return;
    long page = (long)(id >> JOB_WORD_PAGE_SHIFT);
    int32_t **chunk = st->words.chunks[page >> JOB_WORD_CHUNK_SHIFT];
    if (chunk == NULL) return;
    int32_t **words = &chunk[page & (JOB_WORD_CHUNK - 1)];
    if (*words == FREED_PAGE) return;
    if (page_freed) {
        free(*words); /* NULL when no job of the page ever had an object */
        *words = FREED_PAGE;
    } else if (*words != NULL) {
        (*words)[id & (JOB_WORD_PAGE - 1)] = 0;
    }
}

void prio_free_job_words(prio_state *st) {
    for (long c = 0; c < JOB_WORD_CHUNKS; c++) {
        int32_t **chunk = st->words.chunks[c];
        if (chunk == NULL) continue;
        for (long p = 0; p < JOB_WORD_CHUNK; p++) {
            if (chunk[p] != NULL && chunk[p] != FREED_PAGE) free(chunk[p]);
        }
        free(chunk);
        st->words.chunks[c] = NULL;
    }
}

/* Pushes a new, empty slot table with room for `capacity` objects. */
static void push_slot_table(lua_State *L, const prio_object_slots *slots, long capacity) {
    lua_createtable(L, (int)capacity, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, slots->weak_metatable_ref);
    lua_setmetatable(L, -2);
}

void prio_init_job_objects(lua_State *L, int metatable_ref) {
    prio_object_slots *slots = &prio_getstate(L)->objects;
    slots->metatable_ref = metatable_ref;
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    slots->weak_metatable_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, 0, 1);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    slots->canary_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    slots->capacity = MINIMUM_SLOTS;
    slots->cursor = 0;
    push_slot_table(L, slots, slots->capacity);
    slots->table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* The slot table is on top: replaces it with one twice the size holding
   the live objects in slots 1..m, and returns m. */
static long grow_slots(lua_State *L, prio_state *st) {
    prio_object_slots *slots = &st->objects;
    int old = lua_gettop(L);
    push_slot_table(L, slots, slots->capacity * 2);
    long moved = 0;
    for (long k = 1; k <= slots->capacity; k++) {
        if (lua_rawgeti(L, old, k) == LUA_TNIL) {
            lua_pop(L, 1);
            continue;
        }
        int32_t *word = slot_word(st, prio_job_object_id(L, -1), 0);
        lua_rawseti(L, old + 1, ++moved);
        if (word != NULL && *word == k) *word = (int32_t)moved;
    }
    slots->capacity *= 2;
    lua_pushvalue(L, old + 1);
    lua_rawseti(L, LUA_REGISTRYINDEX, slots->table_ref);
    lua_remove(L, old);
    return moved;
}

/* A free slot of the table on top (growing it when the next few are taken). */
static long free_slot(lua_State *L, prio_state *st) {
    prio_object_slots *slots = &st->objects;
    for (int probe = 0; probe < PROBES; probe++) {
        slots->cursor = slots->cursor % slots->capacity + 1;
        int taken = lua_rawgeti(L, -1, slots->cursor) != LUA_TNIL;
        lua_pop(L, 1);
        if (!taken) return slots->cursor;
    }
    slots->cursor = grow_slots(L, st) + 1;
    return slots->cursor;
}

void prio_push_job_object(lua_State *L, lua_Integer id) {
    prio_state *st = prio_getstate(L);
    int32_t *word = slot_word(st, id, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->objects.table_ref);
    if (word != NULL && *word > 0) {
        if (lua_rawgeti(L, -1, *word) == LUA_TUSERDATA && job_box_id(L, st, -1) == id) {
            lua_replace(L, -2); /* over the table: cheaper than lua_remove's rotation */
            return;
        }
        lua_pop(L, 1);
    }
    long slot = free_slot(L, st);
    prio_job_box *box = (prio_job_box *)lua_newuserdatauv(L, sizeof *box, 0);
    box->magic = PRIO_JOB_MAGIC;
    box->unused = 0;
    box->id = id;
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->objects.metatable_ref);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, slot);
    if (word != NULL) *word = (int32_t)slot;
    lua_replace(L, -2);
}

void prio_push_job_objects(lua_State *L, const int32_t *ids, long count) {
    lua_createtable(L, count > INT32_MAX ? INT32_MAX : (int)count, 0);
    int array = lua_gettop(L);
    for (long i = 0; i < count; i++) {
        prio_push_job_object(L, ids[i]);
        lua_rawseti(L, array, i + 1);
    }
}

lua_Integer prio_job_object_id(lua_State *L, int idx) {
    return job_box_id(L, prio_getstate(L), idx);
}

void prio_job_objects_alive(lua_State *L, const int32_t *ids, long n, uint8_t *alive) {
    prio_state *st = prio_getstate(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->objects.table_ref);
    for (long i = 0; i < n; i++) {
        const int32_t *word = slot_word(st, ids[i], 0);
        alive[i] = 0;
        if (word == NULL || *word <= 0) continue;
        lua_rawgeti(L, -1, *word);
        alive[i] = prio_job_object_id(L, -1) == ids[i];
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* The collector clears dead objects from the slot table only at the end of
   a cycle (its atomic phase), so looking for released jobs more often finds
   nothing new. A canary tells when a cycle has passed: an empty table held
   only as a weak key, gone once a cycle has run since it was made. */
int prio_collector_cycle_passed(lua_State *L) {
    prio_object_slots *slots = &prio_getstate(L)->objects;
    lua_rawgeti(L, LUA_REGISTRYINDEX, slots->canary_ref);
    lua_pushnil(L);
    int passed = lua_next(L, -2) == 0;
    if (passed) {
        lua_newtable(L);
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
        lua_pop(L, 1);
    } else {
        lua_pop(L, 3);
    }
    return passed;
}
