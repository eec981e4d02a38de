/* map: an open-addressing hash map from 64-bit keys to 32-bit values, with deletion
 * (backward shift, no tombstones), for modules that index their own records (docs/design.md
 * section 2: no allocation per event; the table doubles when three quarters full). Knows
 * nothing of quorums. */
#ifndef QSIM_MAP_H
#define QSIM_MAP_H
#include <stddef.h>
#include <stdint.h>

typedef struct map_slot {
    uint64_t key;
    uint32_t val;
    uint32_t used;
} map_slot;

typedef struct map {
    map_slot *s;
    size_t cap, n; /* cap is 0 or a power of two */
} map;

void map_init(map *m);
void map_fini(map *m);
/* The value for key, or -1 when absent. O(1) expected. */
int64_t map_get(const map *m, uint64_t key);
/* Sets key to val (inserting or replacing). 0, or -1 when out of memory. */
int map_put(map *m, uint64_t key, uint32_t val);
/* Removes key if present; returns 1 if it was there. */
int map_del(map *m, uint64_t key);
void map_clear(map *m);
#endif
