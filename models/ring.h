/* ring: the cluster and its consistent-hash ring (docs/design.md sections 1b and 3). Each node owns
 * `vnodes` tokens; a key's preference list is the first N distinct nodes clockwise from
 * the key's hash. Tokens come from the node names, never from the run seed, so the
 * placement of a key is the same in every run and every configuration. Owns [cluster].
 *
 * Datacenters and racks (docs/design.md section 3, "Cluster"): `datacenters = dc1:3 dc2:3`
 * places the nodes in order, n1..n3 in dc1 and n4..n6 in dc2 (`nodes`, when not set, is
 * their sum); `racks = R` splits each datacenter's nodes round robin into racks 1..R (its
 * i-th node, from 0, in rack i mod R + 1). `replicas` is then written per datacenter,
 * `replicas = dc1:3 dc2:2` (a datacenter left out keeps no replica), or as one number that
 * every datacenter keeps; N is the total. Placement is Cassandra's NetworkTopologyStrategy:
 * walk the ring clockwise from the key's token; a node of a datacenter that still needs
 * replicas is taken if its rack is new to that datacenter, or if that datacenter may still
 * repeat a rack (it may repeat rf - racks_in_it times, so every rack gets a replica before
 * any rack gets a second when rf allows); the walk ends when every datacenter has its
 * count. The preference list is the owners in the order the walk took them. With one
 * datacenter and one rack this is the plain rule (the first N distinct nodes). Without
 * `datacenters` there is one unnamed datacenter (index 0) and nothing else changes.
 * Lists are written with spaces or commas between entries; a --sweep value, split at
 * commas, takes the spaces. */
#ifndef QSIM_RING_H
#define QSIM_RING_H
#include <stdint.h>
#include "sim/cfg.h"

#define RING_MAX_NODES 512
#define RING_MAX_REPLICAS 16
#define RING_MAX_DCS 8
#define RING_DC_NAME 16 /* bytes of a datacenter's name, its NUL included */
#define RING_MAX_RACKS 64

typedef enum coord_place { COORD_AT_CLIENT, COORD_AT_ANY, COORD_AT_OWNER } coord_place;

/* A list of datacenter names with a count each, as written ("dc1:3 dc2:2"). */
typedef struct ring_dc_list {
    int n;
    char name[RING_MAX_DCS][RING_DC_NAME];
    int64_t count[RING_MAX_DCS];
} ring_dc_list;

/* [cluster] replicas as written: one number, or per datacenter. */
typedef struct ring_rf {
    int64_t plain;    /* > 0: one number; 0: per datacenter (in list) */
    ring_dc_list list;
} ring_rf;

typedef struct cluster_cfg {
    int64_t nodes;    /* n1..nN */
    int64_t replicas; /* N: set by the module's load from rf (the total with datacenters) */
    int64_t vnodes;   /* tokens per node */
    int coordinator;  /* coord_place */
    ring_dc_list dcs; /* datacenters and their node counts (n = 0: none) */
    int64_t racks;    /* per datacenter */
    ring_rf rf;       /* replicas as written */
    int64_t dc_rf[RING_MAX_DCS]; /* replicas per datacenter, in dcs order (set by load) */
} cluster_cfg;

extern const cfg_table cluster_table;

/* Parses a datacenter list "NAME:COUNT NAME:COUNT ..." (spaces or commas between entries)
 * into l: names are a letter or '_' then letters, digits or '_', at most RING_DC_NAME - 1
 * bytes, neither "client" nor a node's name (n1), each once; counts in min..max. 0 or -1
 * with err. */
int ring_parse_dc_list(const char *text, ring_dc_list *l, int64_t min, int64_t max, char *err, size_t n);
/* The index of datacenter name in l, or -1. */
int ring_dc_find(const ring_dc_list *l, const char *name);
/* "dc1, dc2, ..." into buf (n bytes, RING_DC_NAMES_MAX is enough); returns buf. */
#define RING_DC_NAMES_MAX (RING_MAX_DCS * (RING_DC_NAME + 2))
const char *ring_dc_names(const ring_dc_list *l, char *buf, size_t n);

/* A cluster's shape for ring_create_topo. */
typedef struct ring_topo {
    int ndc;                             /* 0: no datacenters (the plain rule) */
    const char *name[RING_MAX_DCS];
    int nodes[RING_MAX_DCS];             /* consecutive: the first datacenter holds n1.. */
    int rf[RING_MAX_DCS];                /* replicas in each datacenter (may be 0) */
    int racks;                           /* per datacenter, nodes round robin (1: none) */
} ring_topo;

typedef struct ring ring;

/* Builds the ring and every key's preference list: O(keys * N + tokens log tokens) time,
 * keys * N * 2 bytes. Returns 0 or a negative errno. */
int ring_create(int nodes, int vnodes, int replicas, uint32_t nkeys, ring **out);
/* The same with datacenters and racks (NetworkTopologyStrategy, see above); t->ndc = 0 is
 * ring_create with the sum of t->nodes and t->rf[0]. O(keys * tokens) at worst. -EINVAL when a
 * datacenter's rf exceeds its nodes or N is not 1..RING_MAX_REPLICAS. */
int ring_create_topo(const ring_topo *t, int vnodes, uint32_t nkeys, ring **out);
/* The ring a validated [cluster] configuration describes. */
int ring_create_cfg(const cluster_cfg *cc, uint32_t nkeys, ring **out);
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

/* ---- datacenters ----
 * Datacenters are numbered 0..ring_dcs()-1 in the order written; a ring without them has
 * ring_dcs() = 0 and every node in datacenter 0. */
int ring_dcs(const ring *r);
/* The datacenter of node nd (1..nodes). O(1). */
int ring_dc_of(const ring *r, int nd);
/* Its name ("" without datacenters), its replicas per key, its first node and node count. */
const char *ring_dc_name(const ring *r, int dc);
int ring_dc_rf(const ring *r, int dc);
int ring_dc_first(const ring *r, int dc);
int ring_dc_size(const ring *r, int dc);
/* The rack of node nd within its datacenter (0..racks-1). */
int ring_rack_of(const ring *r, int nd);

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
