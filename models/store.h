/* store: a replica's storage, key -> newest version it holds (DESIGN.md section 3; last
 * write wins, so one version per key is all a replica keeps). Open addressing with
 * linear probing; memory grows with the keys a replica holds, not with operations. */
#ifndef QSIM_STORE_H
#define QSIM_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "models/msg.h"

typedef struct store {
    uint32_t *slot_key; /* key + 1; 0 = empty */
    version *slot_ver;
    size_t cap, n;      /* cap is 0 or a power of two */
} store;

void store_init(store *s);
void store_fini(store *s);
/* The version held for key, or NULL. O(1) expected. */
const version *store_get(const store *s, uint32_t key);
/* Keeps v if it is newer than what is held (LWW); *was (may be NULL) gets the version held
 * before (seq 0: none). One probe sequence. Returns 1 if stored, 0 if older or equal, -1 if
 * growing failed. */
int store_put(store *s, uint32_t key, const version *v, version *was);
/* Sizes the table for n keys without growing later (a replica knows which keys it owns).
 * Returns 0 or -1 when out of memory. */
int store_reserve(store *s, size_t n);
/* Forgets everything (a volatile crash); keeps the allocation. */
void store_clear(store *s);
/* Iteration: for (i = 0; i < s->cap; i++) if (s->slot_key[i]) key = s->slot_key[i] - 1. */
#endif
