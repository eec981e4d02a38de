/* gossip: a failure detector in which every node forms its own view from heartbeats gossiped
 * over the simulated network (docs/design.md section 1b, "Membership and liveness"; the
 * failure_detector module's kind = gossip, see fd.h).
 *
 * Heartbeats. Each node has a heartbeat (generation, counter). Every `interval` it runs a
 * round: its counter grows by one, it checks its peers for suspicion, and it pushes its
 * whole table (the newest heartbeat it knows of every node) to `fanout` distinct peers drawn
 * uniformly among the nodes it believes up, in `gossip` messages: latency per [network]
 * like any kind (a link's override, else network.gossip, else network.latency), lost on
 * loss, cut by partitions, lost at crashed nodes. As in Cassandra, when it suspects u nodes
 * and believes l others up it also sends to one suspected node, drawn uniformly, with
 * probability u / (l + 1), so a healed partition or a recovered node is noticed. A
 * receiver keeps the larger heartbeat of each node, comparing generation first, and records
 * the local time it last saw that node's heartbeat grow; a node it suspected whose heartbeat
 * grows is believed up at once. A crashed node stops gossiping and its view is frozen; when
 * it recovers its generation grows by one and its counter restarts at 0 (peers take the new
 * generation as newer however small the counter, as Cassandra's generation number), and its
 * view restarts: every node believed up since the recovery, nothing heard yet.
 *
 * Suspicion, checked at the observer's own rounds (so beliefs change at round instants): t
 * is the time since the node's heartbeat last grew. Without phi: suspect when t >=
 * suspect_after. With phi (phi accrual, exponential model as Cassandra's): the probability
 * that a heartbeat this late would still come is exp(-t / mean), so phi = -log10 of it
 * = t / (mean * ln 10), and the node is suspected when phi > threshold. mean is the mean
 * time between growths seen from that node in its current generation: seeded with one
 * interval of 2 * `interval` (Cassandra's initial value), each further interval of at most
 * 2 * `interval` added to an arithmetic mean, which becomes an exponentially weighted mean
 * with weight 1/1000 after 1000 of them (Cassandra keeps a window of the last 1000); longer
 * gaps are not added (Cassandra's maximum interval).
 *
 * Rounds. An endpoint's rounds come at phase + k * interval, k = 1, 2, ...; phase is 0 for
 * every endpoint with rounds = lockstep, else drawn uniformly in [0, interval) from the
 * endpoint's own stream. A node that recovers resumes at its next such instant. Peer choices
 * and phases come from PCG32 streams derived from the seed and "gossip nI" ("gossip
 * client"), and gossip messages draw their loss and latency from their own per-link streams
 * (net_own_streams): turning gossip on shifts no other random draw.
 *
 * The client tier is not a member (no heartbeat of its own): every interval it asks `fanout`
 * nodes it believes up (and, as above, sometimes one it suspects) for their tables, with a
 * gossip message that carries none; a node answers at once with its table, and the client
 * merges and suspects exactly as a node does.
 *
 * Tables travel as side buffers: a message's payload names a table in a slab the detector
 * owns (every message a round sends shares one snapshot, reference-counted), released
 * through the pool's release hook wherever the message ends. Buffers are reused: memory
 * is O(nodes^2) for the views plus one table per snapshot in flight, and nothing is
 * allocated per message once the slab covers the most snapshots in flight.
 *
 * Gossip would keep a run alive forever. Once nothing but gossip is pending (the workload is
 * done, no fault is to come) it goes on for one suspicion horizon (suspect_after, or with phi
 * the longest phi can take: phi * ln 10 * 2 * interval), so beliefs settle after the last
 * fault, and then until every crash in progress is suspected by every live node and by the
 * client tier; then it stops, all at once, at a round. Beliefs are frozen from then on
 * (messages in flight are still merged). */
#ifndef QSIM_GOSSIP_H
#define QSIM_GOSSIP_H
#include <stdint.h>
#include "models/fd.h"
#include "models/msg.h"
#include "models/net.h"
#include "models/node.h"
#include "sim/rng.h"
#include "sim/sim.h"

struct world;

typedef struct gossip_params {
    int64_t interval;      /* ns */
    int64_t suspect_after; /* ns */
    int fanout;
    double phi;            /* > 0: phi accrual */
    int lockstep;          /* 1: every phase is 0 */
} gossip_params;

/* What observer o believes of node j. */
typedef struct gsp_entry {
    int64_t last;  /* ns: when j's heartbeat last grew here */
    int64_t since; /* ns: when the belief began */
    double mean;   /* ns: mean time between growths (phi) */
    uint32_t nint; /* intervals in mean, the seed included */
    uint8_t up;
} gsp_entry;

/* An endpoint that gossips: a node, or the client tier (0). */
typedef struct gsp_member {
    sim_event round;
    struct gossip *g;
    rng r;
    int64_t phase; /* ns */
    int ep;
    uint8_t down;  /* a node that crashed and has not recovered */
} gsp_member;

typedef struct gossip {
    sim *s;
    net *net;
    msg_pool *pool;
    const node_set *ns;
    fd_book *book;
    fd_res *res;
    gossip_params p;
    int n;              /* nodes */
    uint64_t *hb;       /* [(n + 1) * n]: row o, column j - 1: (generation << 32) | counter of j known to o */
    gsp_entry *e;       /* [(n + 1) * n], same layout */
    gsp_member *m;      /* [n + 1] */
    uint16_t *pick;     /* [n]: scratch for peer choice */
    /* heartbeat tables in flight: buffer b is tab[b / GSP_CHUNK] + (b % GSP_CHUNK) * n */
    uint64_t **tab;
    uint32_t *refs, *next_free;
    uint32_t ntab, free_tab;
    sim_lane lane;      /* rounds: one fixed interval */
    uint64_t inflight;  /* gossip messages out of the pool */
    int timers;         /* rounds scheduled */
    int64_t idle_since; /* ns: since when nothing but gossip was pending at every round; -1: not idle */
    int64_t horizon;    /* ns: suspect_after, or the longest phi takes (phi * ln 10 * 2 * interval) */
    int stopped;
} gossip;

#define GSP_NONE UINT32_MAX /* a message that carries no table (the client tier's pull) */

/* Builds the detector in world w (its sim, network, pool, nodes, router and seed), registers
 * the gossip kind's handler and release hook, and schedules every endpoint's first round.
 * book is told of every belief change; res receives rounds and messages. 0, -EINVAL with
 * err (the gossip kind has a handler already), or -ENOMEM. */
int gossip_init(gossip *g, const gossip_params *p, struct world *w, fd_book *book, fd_res *res, char *err, size_t n);
void gossip_fini(gossip *g);
fd_iface gossip_iface(const gossip *g);
/* The heartbeat (generation << 32 | counter) observer knows of node nd. */
static inline uint64_t gossip_heartbeat(const gossip *g, int observer, int nd)
{
    return g->hb[(size_t)observer * (size_t)g->n + (size_t)(nd - 1)];
}
#endif
