#ifndef CPREFETCH_H
#define CPREFETCH_H

/* Asks the CPU to start loading the cache line at `address`, which will
   be read soon. Swift has no prefetch of its own. */
static inline void prio_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/* The same, for a line that will be written. */
static inline void prio_prefetch_for_write(const void *address) { __builtin_prefetch(address, 1, 3); }

#endif
