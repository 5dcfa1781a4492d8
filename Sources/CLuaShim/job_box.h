/*
 * The block of a job object (job_objects.c): a full userdata holding the
 * job's id, marked so that no other userdata of its size passes for one.
 */
#ifndef PRIO_JOB_BOX_H
#define PRIO_JOB_BOX_H

#include "stack_args.h"

#define PRIO_JOB_MAGIC 0x6a6f6221u /* "!boj" */

typedef struct {
    uint32_t magic;
    uint32_t unused;
    lua_Integer id;
} prio_job_box;

/* prio_job_object_id (CLuaShim.h), inline for a caller holding st. */
static inline lua_Integer job_box_id(lua_State *L, const prio_state *st, int idx) {
    const prio_job_box *box = (const prio_job_box *)arg_userdata(L, st, idx, sizeof(prio_job_box));
    return box != NULL && box->magic == PRIO_JOB_MAGIC ? box->id : 0;
}

#endif
