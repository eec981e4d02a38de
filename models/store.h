/* store: a replica's storage, key -> newest version it holds (docs/design.md section 3;
 * last write wins, so one version per key is all a replica keeps). Two layouts behind one
 * interface, chosen once by store_reserve for the keys a replica owns, whichever takes less
 * memory: a direct array indexed by key (a replica that owns most of the key space), or
 * open addressing with linear probing whose slots hold key and version side by side (one
 * cache miss per lookup). Memory grows with the keys a replica holds, never with
 * operations. */
#ifndef QSIM_STORE_H
#define QSIM_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "models/msg.h"

typedef struct store_slot {
    uint32_t key; /* key + 1; 0 = empty */
    version v;
} store_slot;

typedef struct store {
    store_slot *slot; /* hashed layout: cap slots */
    size_t cap, n;    /* cap is 0 or a power of two; n keys held */
    version *dir;     /* direct layout: ndir versions indexed by key, seq 0 = none */
    uint32_t ndir;
} store;

void store_init(store *s);
void store_fini(store *s);
/* The version held for key, or NULL. O(1) expected. */
const version *store_get(const store *s, uint32_t key);
/* Keeps v if it is newer than what is held (LWW); *was (may be NULL) gets the version held
 * before (seq 0: none). One probe sequence. Returns 1 if stored, 0 if older or equal, -1 if
 * growing failed. */
int store_put(store *s, uint32_t key, const version *v, version *was);
/* Sizes the store, once, for n owned keys out of a key space of nkeys (every key < nkeys):
 * the direct layout when nkeys versions take no more memory than a table for n keys, else
 * a table that never grows for those keys. Returns 0 or -1 when out of memory. */
int store_reserve(store *s, size_t n, uint32_t nkeys);
/* Forgets everything (a volatile crash); keeps the allocation. */
void store_clear(store *s);
static inline size_t store_hash(uint32_t k)
{
    uint64_t x = (uint64_t)k * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(x >> 29);
}

/* Asks the processor to bring key's slot into cache ahead of a store_get or store_put:
 * a request arriving at a replica is served later, and with a large key space the slot is
 * rarely in cache. No effect on results. Always inlined: GCC 12 takes a call to it for a
 * call without effects and drops it before inlining. */
static inline __attribute__((always_inline)) void store_prefetch(const store *s, uint32_t key)
{
    if (s->dir) {
        if (key < s->ndir)
            __builtin_prefetch(s->dir + key);
    } else if (s->cap) {
        __builtin_prefetch(s->slot + (store_hash(key) & (s->cap - 1)));
    }
}

/* Calls fn(ctx, key, version) for every key held, in an order fixed by the layout. */
void store_each(const store *s, void (*fn)(void *ctx, uint32_t key, const version *v), void *ctx);
#endif
