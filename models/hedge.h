/* hedge: hedged and speculative reads (docs/design.md section 3b). A read sent to R of the
 * N owners (quorum.read_fanout = r) that has not gathered its R replies after a delay gets
 * one more request, a hedge, to the next owner in preference order not yet asked (and whose
 * reply can count: at a LOCAL_ level, one in the client's datacenter); the
 * first R replies win, whoever sent them. Policies: `always` sends the hedge at once (R+1
 * requests), `fixed` after `delay`, `percentile` after the coordinator's own recent read
 * latency at `percentile` (Cassandra's speculative_retry): each coordinator (the client
 * tier, or a node) keeps a histogram of its reads' latencies from the fan-out to the
 * quorum, halved every `window` so it follows the present, and hedges only once it holds
 * `history` reads. `max_extra` caps hedges at that percent of first requests, as gRPC's and
 * Envoy's hedging budgets do. `tied = on` makes the copies tied requests (Dean and Barroso):
 * when one copy starts service at its replica, that replica sends the others a cancel,
 * which removes them from their queues if they are still waiting, so a duplicate costs
 * little server time. Hedges compete for the same servers as every other request: under
 * load they can make the tail worse, and the report shows it. Writes are not hedged. Owns
 * [hedge] and the cancel kind. */
#ifndef QSIM_HEDGE_H
#define QSIM_HEDGE_H
#include <stdint.h>
#include "models/coord.h"
#include "models/node.h"
#include "models/ring.h"
#include "sim/cfg.h"

typedef enum hedge_policy { HEDGE_NONE, HEDGE_ALWAYS, HEDGE_FIXED, HEDGE_PERCENTILE } hedge_policy;

typedef struct hedge_cfg {
    int policy;         /* hedge_policy */
    int64_t delay;      /* ns: fixed */
    double percentile;  /* percentile: 50..99.99 */
    int64_t window;     /* ns: percentile: the history's half-life */
    int64_t history;    /* percentile: reads needed before hedging */
    double max_extra;   /* percent of first requests */
    int tied;           /* 0 off, 1 on */
} hedge_cfg;

extern const cfg_table hedge_table;

typedef struct hedge_res {
    uint64_t firsts;        /* first read requests */
    uint64_t hedges;        /* hedged read requests sent */
    uint64_t won;           /* hedges whose reply was among the R counted */
    uint64_t over_budget;   /* hedges not sent: max_extra reached */
    uint64_t no_owner_left; /* hedges not sent: every owner was asked */
    uint64_t cancels;       /* tied: cancel messages sent */
    uint64_t cancelled;     /* tied: copies removed from a queue before service */
} hedge_res;

/* One coordinator's recent read latency: a log-linear histogram of weights (32 buckets per
 * power of two, so a bucket is within 1/32 of its values) that decay by half every window. */
#define HEDGE_SUB 32
#define HEDGE_NBUCKETS (64 * HEDGE_SUB)
typedef struct hedge_hist {
    double w[HEDGE_NBUCKETS];
    double total;       /* sum of w */
    uint64_t seen;      /* reads recorded, ever */
    int64_t decayed_at; /* ns */
    int64_t threshold;  /* ns: the percentile, recomputed every 64 reads; 0 until enough history */
    uint32_t since;     /* reads since the last recomputation */
} hedge_hist;

typedef struct hedge {
    const hedge_cfg *cfg;
    coord *c;
    const ring *rg;
    sim *s;
    msg_pool *pool;
    net *net;
    node_set *ns;
    int slot;           /* the operation timer slot */
    size_t ext;
    hedge_hist **lat;   /* [endpoint]: allocated for coordinators that read */
    int nend;
    hedge_res *res;
} hedge;

/* Attaches to c and ns (service starts, for tied requests) and registers the cancel kind.
 * 0, -EINVAL with err, or -ENOMEM. */
int hedge_init(hedge *h, const hedge_cfg *hcfg, coord *c, const ring *rg, sim *s, msg_pool *pool, net *nt,
               node_set *ns, router *rt, hedge_res *res, char *err, size_t n);
void hedge_fini(hedge *h);
#endif
