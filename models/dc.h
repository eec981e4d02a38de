/* dc: datacenters at work (docs/design.md sections 3 and 3b, "Datacenters"). With
 * [cluster] datacenters (models/ring.h places nodes and replicas; models/net.h adds the
 * latency between datacenters; models/wl.h puts clients in datacenters), this module
 *
 * - places coordinators: every operation is coordinated by a node in its client's
 *   datacenter (a client talks to its local coordinator, as Cassandra's drivers do):
 *   coordinator = any draws one of that datacenter's nodes (a stream of its own,
 *   "datacenter coordinator placement"), coordinator = owner takes the key's first owner
 *   there, or a drawn node of the datacenter when it keeps no replica; coordinator = client
 *   is refused (the client would have no place);
 * - resolves and counts the levels LOCAL_ONE (one reply from a replica in the client's
 *   datacenter), LOCAL_QUORUM (rf/2 + 1 of them, rf that datacenter's replicas) and
 *   EACH_QUORUM (rf/2 + 1 in every datacenter that keeps replicas), through the
 *   coordinator's quorum rule. Writes at any level go to every owner, in every datacenter;
 *   a LOCAL_ write counts only its local owners' acknowledgements (the others land later).
 *   A read at a LOCAL_ level asks only local owners (all of them with read_fanout = all,
 *   else as many as it needs, chosen by read_targets among them); an EACH_QUORUM read asks
 *   every owner, or each datacenter's quorum of them. EACH_QUORUM reads are allowed, as
 *   Cassandra allows them since 3.0. A level that can never be met is refused at load (a
 *   LOCAL_ level where clients sit in a datacenter without replicas). ONE..ALL and QUORUM
 *   keep counting over all owners (QUORUM = N/2 + 1 of the total N);
 * - judges what theory promises (section 4): a read set meets every write set when some
 *   datacenter d has r_d + w_d > rf_d, or when max(R, sum r_d) + max(W, sum w_d) > N,
 *   where r_d (w_d) is the least number of replies the read's (write's) level takes from
 *   d and R (W) the least in all; this is exact: otherwise a read set and a write set that
 *   share no replica exist. A LOCAL_QUORUM read after a LOCAL_QUORUM write from the same
 *   datacenter is promised; after one from another datacenter it is not;
 * - reports, per client datacenter, operations, latencies and read freshness
 *   (`datacenters` in summary.json, a table in the terminal).
 *
 * Without datacenters the module does nothing: no hook, no stream, no results. */
#ifndef QSIM_DC_H
#define QSIM_DC_H
#include <stdint.h>
#include "models/coord.h"
#include "models/ring.h"
#include "sim/hist.h"
#include "sim/rng.h"

struct scenario;

/* What the clients of one datacenter saw (after the warm-up). */
typedef struct dc_stat {
    uint64_t measured[2], ok[2], unavailable[2]; /* per op_kind */
    uint64_t fresh, stale, lost;                 /* successful reads by the oracle's class */
    hist lat[2];                                 /* successful operations' latency, ns */
} dc_stat;

typedef struct dc_res {
    int ndc;                                     /* 0: no datacenters */
    char name[RING_MAX_DCS][RING_DC_NAME];
    int nodes[RING_MAX_DCS], rf[RING_MAX_DCS], racks[RING_MAX_DCS];
    dc_stat *per;                                /* ndc entries, owned */
} dc_res;

typedef struct dc {
    coord *c;
    const ring *rg;
    int ndc, place;          /* place: coord_place */
    int rf[RING_MAX_DCS], q[RING_MAX_DCS]; /* replicas and their quorum, per datacenter */
    int n;                   /* N */
    uint32_t client_mask;    /* datacenters some operation comes from */
    uint64_t warmup;
    size_t ext;              /* per operation: replies counted per datacenter */
    rng r_place;
    dc_res *res;
} dc;

/* Attaches to c for the ring's datacenters (nothing when it has none): placement, the
 * quorum rule, the per-datacenter statistics. client_mask: bit d set when clients sit in
 * datacenter d. 0, -EINVAL with err, or -ENOMEM. */
int dc_init(dc *d, coord *c, const ring *rg, int place, uint32_t client_mask, uint64_t warmup, uint64_t seed,
            dc_res *res, char *err, size_t n);

/* Does every read set at rlvl from datacenter rdc meet every write set at wlvl from wdc?
 * Levels as op.lvl (a count > 0, or QL_LOCAL_ONE, QL_LOCAL_QUORUM, QL_EACH_QUORUM); rf: the
 * replicas per datacenter (ndc of them), n their sum. See above. */
int dc_levels_overlap(const int *rf, int ndc, int n, int rlvl, int rdc, int wlvl, int wdc);
/* For a scenario's report: do the scenario's R and W overlap for every pair of datacenters
 * with clients (R + W > N without datacenters)? */
int dc_scenario_overlap(const struct scenario *sc);
/* The replies a level waits for in all, for a client in the first datacenter with clients
 * (the count itself without datacenters). */
int dc_scenario_count(const struct scenario *sc, int64_t level);
#endif
