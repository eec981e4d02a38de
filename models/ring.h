/* ring: the cluster and its consistent-hash ring (docs/design.md sections 1b and 3). Each node owns
 * `vnodes` tokens; a key's preference list is the first N distinct nodes clockwise from
 * the key's hash. Tokens come from the node names, never from the run seed, so the
 * placement of a key is the same in every run and every configuration. Owns [cluster]. */
#ifndef QSIM_RING_H
#define QSIM_RING_H
#include <stdint.h>
#include "sim/cfg.h"

#define RING_MAX_NODES 512
#define RING_MAX_REPLICAS 16

typedef enum coord_place { COORD_AT_CLIENT, COORD_AT_ANY, COORD_AT_OWNER } coord_place;

typedef struct cluster_cfg {
    int64_t nodes;    /* n1..nN */
    int64_t replicas; /* N */
    int64_t vnodes;   /* tokens per node */
    int coordinator;  /* coord_place */
} cluster_cfg;

extern const cfg_table cluster_table;

typedef struct ring ring;

/* Builds the ring and every key's preference list: O(keys * N + tokens log tokens) time,
 * keys * N * 2 bytes. Returns 0 or a negative errno. */
int ring_create(int nodes, int vnodes, int replicas, uint32_t nkeys, ring **out);
void ring_destroy(ring *r);
/* The N owners of key (node ids 1..nodes), first owner first. */
const uint16_t *ring_owners(const ring *r, uint32_t key);
/* N: owners per key. */
int ring_replicas(const ring *r);
int ring_nodes(const ring *r);
/* The i-th distinct node clockwise from key's position (i = 0 is the first owner): for
 * i < N the preference list, for N <= i < nodes the fallbacks in the order a sloppy quorum
 * takes them. Returns 0 when i >= nodes. O(1) for i < N, else O(tokens) at worst. */
int ring_walk(const ring *r, uint32_t key, int i);
/* Position of node in key's preference list, or -1 when it is not an owner. */
int ring_owner_rank(const ring *r, uint32_t key, int nd);

/* ---- token ranges (anti-entropy) ----
 * Range i is the arc of the ring that ends at token i (tokens sorted by position): the
 * positions after token i-1 up to token i; range 0 also holds the positions after the last
 * token. A key belongs to the range of the first token at or after its position, so every
 * key of a range has the same preference list, the range's. There are nodes * vnodes
 * ranges (one may hold no key). */
uint32_t ring_ranges(const ring *r);
/* The range key belongs to. O(log tokens). */
uint32_t ring_range_of(const ring *r, uint32_t key);
/* Writes the range's N owners (its preference list, first owner first) into out (room for
 * N) and returns N. O(tokens) at worst. */
int ring_range_owners(const ring *r, uint32_t range, uint16_t *out);
#endif
