/* The per-state bookkeeping of the shim, private to its C files: the Swift
   side sees `prio_state` as an opaque type and uses the accessors in
   CLuaShim.h. */
#ifndef PRIO_STATE_H
#define PRIO_STATE_H

#include "CLuaShim.h"

/* Where the scheduler keeps job records (PrioCore JobRecordLayout): pages
   of 2^page_shift records of `stride` bytes, NULL when freed; the offsets
   of the fields the C __index of job objects reads directly. Republished
   by the host after every submit. */

typedef struct prio_job_view {
    const void *const *pages;
    long page_count;
    int page_shift;
    long stride;
    long effective_priority, base_priority, submitted_at, started_at, finished_at, attempt;
    long flags;       /* a byte; released_bit set when the record is released */
    int released_bit;
    /* Field names job_index has seen, by their string object (see there). */
    const void *field_names[PRIO_FIELD_CACHE_SIZE];
    int field_codes[PRIO_FIELD_CACHE_SIZE];
} prio_job_view;

/* The weak table of job objects, by slot: see job_objects.c. */
typedef struct prio_object_slots {
    int table_ref;          /* registry: slot -> job object, weak values, array part only */
    int metatable_ref;      /* registry: the job objects' metatable */
    int weak_metatable_ref; /* registry: {__mode = "v"}, for the table */
    long capacity;          /* the table's array size */
    long cursor;            /* the slot last handed out */
    int canary_ref;         /* registry: weak-keyed table of one canary (prio_collector_cycle_passed) */
} prio_object_slots;

/* Each job's slot in the table of job objects, paged by job id (see
   job_objects.c): JOB_WORD_CHUNKS chunks of JOB_WORD_CHUNK pages of
   JOB_WORD_PAGE words, covering every Int32 id. The directory never moves,
   so nothing is republished as jobs are added; a page is made when one of
   its jobs first gets an object and freed when the scheduler frees the
   page of records with the same ids (prio_release_job_word). */
#define JOB_WORD_PAGE_SHIFT PRIO_JOB_PAGE_SHIFT
#define JOB_WORD_PAGE (1L << JOB_WORD_PAGE_SHIFT)
#define JOB_WORD_CHUNK_SHIFT 10
#define JOB_WORD_CHUNK (1L << JOB_WORD_CHUNK_SHIFT)
#define JOB_WORD_CHUNKS (1L << (31 - JOB_WORD_PAGE_SHIFT - JOB_WORD_CHUNK_SHIFT))
typedef struct prio_job_words {
    int32_t **chunks[JOB_WORD_CHUNKS]; /* each: JOB_WORD_CHUNK pages, NULL until needed */
} prio_job_words;

/* Registry tables of job coroutines: see job_threads.c. */
typedef struct prio_job_threads {
    int threads_ref;   /* job id -> its coroutine */
    int functions_ref; /* job id -> its body, until it finishes */
    int pool_ref;      /* finished jobs' threads for reuse, 1..pool_count */
    int pool_count;
    const struct mirror_table *functions_table; /* for prio_prefetch_job_body */
} prio_job_threads;

/* Per-state bookkeeping, reachable from every thread through the extra space. */
typedef struct prio_state {
    void *host;             /* Unmanaged pointer to the Swift runtime */
    int suspending;         /* set when a scheduler suspension is passing up */
    int warn_on;            /* warnings enabled ("@on"/"@off") */
    int warn_continued;     /* inside a multi-part warning */
    size_t allocated;       /* bytes currently allocated by this state */
    size_t peak;            /* high-water mark of `allocated` */
    size_t limit;           /* 0 = unlimited */
    int enforce_limit;      /* the limit applies only while script code runs */
    int limit_tight;        /* the limit was hit: 1/16 of it stays free until use falls below 7/8 */
    double budget_deadline;     /* monotonic seconds: before it the budget cannot be spent; 0 = none */
    double budget_cpu_deadline; /* this thread's CPU seconds: a budgeted call past it is stopped */
    double budget_wall_limit;   /* monotonic seconds: the backstop for a call blocked in C */
    int budget_kind;            /* what a budgeted call is (PRIO_BUDGET_*), for its error */
    double cpu_reading;         /* the last thread CPU clock reading (budget.c) */
    double cpu_reading_wall;    /* coarse monotonic seconds when it was taken; 0 = none */
    pthread_t cpu_reading_thread; /* the thread it was taken on */

    /* Time slicing (SPEC.md §4): see prio_slice_begin. */
    _Atomic(lua_State *) executing;   /* the thread running Lua now, or NULL */
    _Atomic(lua_State *) arming;      /* the thread the watcher is setting a hook on (see set_executing) */
    atomic_uint slice_generation;     /* bumped at every resume */
    atomic_uint armed_generation;     /* the resume the hook was armed for */
    atomic_int preempted;             /* the hook yielded (a preemption point) */
    atomic_int stop_requested;        /* the job's timeout passed: stop it */
    pthread_t slicer;
    int slicer_started;
    pthread_mutex_t slicer_lock;
    pthread_cond_t slicer_wake;
    int slicer_quit;
    _Atomic(double) wake_at;          /* monotonic: slice end or next timer, or 0 */
    _Atomic(double) stop_at;          /* monotonic: the job's timeout, or 0 */
    _Atomic(double) began_at;         /* monotonic: when the current resume began */
    _Atomic(double) sleeping_until;   /* the watcher's current wake-up, 0 when idle */
    int in_hook;                      /* policy hooks, rules, closes running: no preemption */
    atomic_int preempt_deferred;      /* a preemption point came while in_hook */
    prio_job_view jobs;               /* job records, for job_index */
    prio_dispatch_fn dispatch;        /* this state's host: runs a host function */
    prio_yield_check_fn yield_check;  /* this state's host: yield() fast path, or NULL */
    prio_set_priority_fn set_priority_fast; /* this state's host: set_priority fast path, or NULL */
    int knows_wanted_results;         /* prio_probe_wanted_results passed */
    int knows_stack_args;             /* prio_probe_stack_args passed */
    prio_object_slots objects;        /* job objects (job_objects.c) */
    prio_job_words words;             /* each job's object slot (job_objects.c) */
    prio_job_threads threads;         /* job coroutines (job_threads.c) */
} prio_state;

#endif
