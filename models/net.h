/* net: the network between the client tier and the nodes (docs/design.md section 3). Every
 * message is delayed by a one-way latency drawn from the link's distribution: a per-link
 * override ([links] or a link fault), else the per-kind one ([network] write_request, ...),
 * else [network] latency. Loss is drawn per message. A partition cuts links; it is checked
 * when a message is sent (a message already in flight still arrives). A node sending to
 * itself (the coordinator's own replica) pays no latency and is never lost or cut. A slow
 * node's messages take longer: the drawn latency times the slowdown of both ends.
 * Each link (one direction) owns its random stream.
 *
 * Datacenters (docs/design.md section 3, "Network"): a message between two nodes in
 * different datacenters takes, on top of the latency above, a second draw from
 * `[network] dc_latency`, or from the `[dc_links]` entry for that pair of datacenters
 * ("dc1-dc2 = DIST" both ways, "dc1>dc2 = DIST" one way), which replaces dc_latency for
 * it. A per-link override ([links], or a link fault) is the whole latency of its link and
 * wins over both. The client tier is in no datacenter: its clients talk to coordinators in
 * their own datacenter, so client messages take no inter-datacenter latency. Both draws
 * come from the link's stream. Owns [network], [links] and [dc_links]. */
#ifndef QSIM_NET_H
#define QSIM_NET_H
#include <stdint.h>
#include "models/msg.h"
#include "models/ring.h"
#include "sim/cfg.h"
#include "sim/dist.h"
#include "sim/rng.h"
#include "sim/sim.h"

/* One [links] entry: "A>B = DIST [loss P]" or "A-B = ..." for both directions. */
typedef struct link_cfg {
    int src, dst, both;
    dist *latency; /* NULL: keep the kind/default latency */
    double loss;   /* < 0: keep [network] loss */
} link_cfg;

/* One [dc_links] entry: "dc1>dc2 = DIST [loss P]" or "dc1-dc2 = ..." (both directions). */
typedef struct dc_link_cfg {
    int a, b, both; /* datacenter indexes */
    dist *latency;  /* owned; NULL: keep network.dc_latency */
    double loss;    /* < 0: keep [network] loss */
} dc_link_cfg;

typedef struct net_cfg {
    dist *latency;           /* one-way, every message */
    double loss;             /* probability a message is dropped */
    dist *kind[MSG_NKINDS];  /* per-kind overrides (NULL = latency) */
    link_cfg *links;         /* [links], owned */
    size_t nlinks, links_cap;
    dist *dc_latency;        /* added between datacenters (NULL: nothing) */
    dc_link_cfg *dc_links;   /* [dc_links], owned */
    size_t ndc_links, dc_links_cap;
} net_cfg;

/* What the network counted, for the report. */
typedef struct net_res {
    uint64_t sent[MSG_NKINDS];
    uint64_t lost, cut;  /* dropped by loss; cut by a partition */
    uint64_t peak_msgs;  /* most messages in flight or in service at once */
    uint64_t cross_dc;   /* sent between nodes of different datacenters (lost and cut ones included) */
} net_res;

extern const cfg_table net_table;
extern const cfg_table links_table;
extern const cfg_table dc_links_table;

/* Parses "A>B" / "A-B" into endpoints; returns 0 or -1 with a reason in err. */
int net_parse_link_name(const char *text, int nodes, int *src, int *dst, int *both, char *err, size_t n);
/* Parses a [links] value "DIST [loss P]" into lc (latency owned by lc). 0 or -1 + err. */
int net_parse_link_value(const char *text, const char *dir, link_cfg *lc, char *err, size_t n);

/* Called when a message arrives: the event is m->ev (SIM_CONTAINER_OF(ev, msg, ev)). */

typedef struct net_link {
    const dist *lat, *base_lat; /* NULL = per-kind / default */
    const dist *wan;            /* added between datacenters unless lat is set (NULL: nothing) */
    double loss, base_loss;     /* < 0 = default */
    uint8_t cut;
    uint8_t cross;              /* the ends are nodes of different datacenters */
    rng r;
} net_link;

typedef struct net {
    sim *s;
    msg_pool *pool;
    net_res *res;
    int nend; /* nodes + 1 */
    net_link *l; /* nend * nend, index src * nend + dst */
    const dist *def_lat;
    const dist *kind_lat[MSG_NKINDS];
    double def_loss;
    double *slow;  /* [endpoint]: factor on the latency of messages it sends or receives */
    int slowed;    /* some endpoint's factor is not 1 */
    sim_handler on_arrive;
    uint64_t seed;
    rng *kind_rng[MSG_NKINDS]; /* NULL, or nend * nend streams of the kind's own (net_own_streams) */
    const dist *wan[RING_MAX_DCS * RING_MAX_DCS]; /* the network module's tables for net_set_datacenters */
    double wan_loss[RING_MAX_DCS * RING_MAX_DCS];
} net;

int net_init(net *n, const net_cfg *nc, int nodes, uint64_t seed, sim *s, msg_pool *pool, net_res *res,
             sim_handler on_arrive);
void net_fini(net *n);
/* Sends m (src, dst, kind set). The message is scheduled for delivery, or returned to the
 * pool when lost or cut. Returns 0, or -1 if the event queue could not grow. */
int net_send(net *n, msg *m);
/* Gives messages of kind their own random stream on every link, derived from the run seed
 * and "link A>B KIND", for their loss and latency draws: a mechanism's background traffic
 * then shifts no other message's draws (common random numbers). 0, or -1 when out of
 * memory. */
int net_own_streams(net *n, msg_kind kind);
/* Places the nodes in datacenters: dc_of[nd] for nodes 1..nend-1 (dc_of[0], the client
 * tier, is ignored), the latency added from datacenter a to b, wan[a * ndc + b] (NULL:
 * none), and the loss between them, wan_loss[a * ndc + b] (< 0: [network] loss; a [links]
 * loss on a link wins). Call once, before the run; wan must outlive the net. */
void net_set_datacenters(net *n, const uint8_t *dc_of, int ndc, const dist *const *wan, const double *wan_loss);
/* Cuts or restores the directed link a -> b. */
void net_set_cut(net *n, int a, int b, int cut);
void net_heal(net *n); /* restores every link */
/* Link changes (a -> b). d NULL or p < 0 restores the scenario's value. */
void net_set_latency(net *n, int a, int b, const dist *d, int to_default);
void net_set_loss(net *n, int a, int b, double p, int to_default);
/* The mean one-way latency of a kind-k message from a to b as configured now (link
 * override, else the kind's, else the default, plus the inter-datacenter latency), times
 * both ends' slowdowns; 0 from a node to itself. ns. */
double net_mean_latency(const net *n, int a, int b, int k);
/* Endpoint ep's network slowdown: every message it sends or receives takes factor times its
 * drawn latency (both ends' factors multiply). */
void net_set_slow(net *n, int ep, double factor);
#endif
