/* coord: the quorum coordinator's read and write state machines (DESIGN.md section 3).
 * A write gets a version, goes to all N owners and succeeds at W acks; a read goes to all
 * N owners (read_fanout = all, Dynamo) or to R of them (read_fanout = r, Cassandra:
 * the script's `prefer` nodes first, else R owners drawn at random) and returns the newest
 * version among the first R responses. An operation that has not answered the client by
 * start + timeout fails as unavailable. The coordinator runs at the client, at a random
 * node, or at the key's first owner; a node coordinator that crashes forgets its
 * operations. Every reply is kept in the operation (who answered what), which is where
 * read repair and hedging will attach as their own modules. Owns [quorum]. */
#ifndef QSIM_COORD_H
#define QSIM_COORD_H
#include <stdint.h>
#include "models/msg.h"
#include "models/ring.h"
#include "models/stats.h"
#include "sim/cfg.h"
#include "sim/rng.h"
#include "sim/sim.h"

/* Symbolic consistency levels, resolved against N by the scenario (QUORUM = N/2 + 1). */
#define QL_QUORUM (-1)
#define QL_ALL (-2)

typedef enum read_fanout { FANOUT_ALL, FANOUT_R } read_fanout;

typedef struct quorum_cfg {
    int64_t r, w;       /* 1..N after resolution */
    int64_t timeout;    /* ns */
    int read_fanout;    /* read_fanout */
} quorum_cfg;

extern const cfg_table quorum_table;
/* Parses "2", "ONE", "QUORUM", "ALL", ... into an int64_t (QL_* for symbolic levels). */
int coord_parse_level(const char *text, void *dst, char *err, size_t n);

typedef struct op {
    sim_event timeout;
    struct op *next_free;
    uint32_t id, gen;
    uint8_t kind;        /* op_kind */
    uint8_t active;
    uint8_t coord_done;  /* quorum reached at the coordinator */
    uint8_t cls;         /* read_class, set when the read's quorum is reached */
    uint8_t has_latest;
    uint8_t need, nresp, ntargets, nprefer; /* nresp: replies counted so far (toward need) */
    int16_t coord;       /* coordinator endpoint */
    uint32_t coord_epoch;
    uint32_t key, client, k;
    uint32_t acked_before; /* read: acknowledgements of the key before it started */
    int32_t script;      /* index of the script entry, or -1 */
    uint64_t index;      /* issue order */
    int64_t start;       /* ns, intended start */
    version ver;         /* write: its version; read: newest among replies */
    version latest;      /* read: latest(r) at start */
    int64_t latest_ack;  /* read: ack time of latest(r) */
    uint16_t targets[RING_MAX_REPLICAS];
    uint16_t prefer[RING_MAX_REPLICAS];
    uint16_t resp_node[RING_MAX_REPLICAS];
    version resp_ver[RING_MAX_REPLICAS];
} op;

typedef struct coord {
    op **byid;           /* every op ever allocated, by id */
    size_t nops, cap;
    op *free;
    size_t live, peak;
    rng r_place;         /* which node coordinates (coordinator = any) */
    rng r_targets;       /* which R owners a read asks (read_fanout = r) */
    sim_lane deadlines;  /* every operation's timeout: one fixed duration */
} coord;

struct world;

int coord_init(coord *c, sim *s, uint64_t seed);
void coord_fini(coord *c);
/* Starts a client operation at time now (its intended start). prefer: nodes to read from
 * first (may be NULL). Returns the op, or NULL when out of memory. */
op *coord_submit(struct world *w, op_kind kind, uint32_t key, uint32_t client, int32_t script,
                 const uint16_t *prefer, int nprefer);
/* A reply or client message arrived at its (up) destination. */
void coord_on_msg(struct world *w, msg *m);
#endif
