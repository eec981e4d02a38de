/* hedge: hedged reads, their budget, latency history and tied requests; see hedge.h. */
#include "models/hedge.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "models/scenario.h"
#include "models/world.h"
#include "sim/alloc.h"

static const cfg_key hedge_keys[] = {
    {"hedge", "policy", CFG_ENUM, "none", 1, 0, "none|always|fixed|percentile", offsetof(hedge_cfg, policy), NULL,
     "when a read sent to R owners gets one more request: never, at once, after delay, or after its "
     "coordinator's recent latency percentile"},
    {"hedge", "delay", CFG_DURATION, "10ms", 0, 3600e9, NULL, offsetof(hedge_cfg, delay), NULL,
     "fixed: how long a read waits for its R replies before hedging"},
    {"hedge", "percentile", CFG_NUM, "99", 1, 99.999, NULL, offsetof(hedge_cfg, percentile), NULL,
     "percentile: hedge a read outstanding longer than this percentile of its coordinator's recent reads"},
    {"hedge", "window", CFG_DURATION, "1s", 1000, 1e15, NULL, offsetof(hedge_cfg, window), NULL,
     "percentile: the latency history is halved this often, so it follows the present"},
    {"hedge", "history", CFG_INT, "100", 1, 1e9, NULL, offsetof(hedge_cfg, history), NULL,
     "percentile: reads a coordinator must have seen before it hedges"},
    {"hedge", "max_extra", CFG_NUM, "100", 0, 100, NULL, offsetof(hedge_cfg, max_extra), NULL,
     "budget: hedges at most this percent of first read requests"},
    {"hedge", "tied", CFG_ENUM, "off", 1, 0, "off|on", offsetof(hedge_cfg, tied), NULL,
     "tied requests: a copy starting service cancels the others still queued"},
};
const cfg_table hedge_table = {hedge_keys, sizeof hedge_keys / sizeof hedge_keys[0], 0};

/* Per-operation area. */
typedef struct hedge_op {
    int64_t began;  /* ns: the fan-out */
    uint8_t hedged;
} hedge_op;

static hedge_hist *history_of(hedge *h, int ep)
{
    if (!h->lat[ep]) {
        h->lat[ep] = mem_calloc(1, sizeof *h->lat[ep]);
        if (!h->lat[ep]) {
            sim_fail(h->s);
            return NULL;
        }
        h->lat[ep]->decayed_at = h->s->now;
    }
    return h->lat[ep];
}

/* Bucket of v ns: values below HEDGE_SUB exactly, then HEDGE_SUB per power of two. */
static int bucket_of(int64_t v)
{
    if (v < HEDGE_SUB)
        return v < 0 ? 0 : (int)v;
    int e = 63 - __builtin_clzll((unsigned long long)v); /* 2^e <= v */
    int sub = (int)((v >> (e - 5)) & (HEDGE_SUB - 1));   /* HEDGE_SUB = 2^5 */
    return (e - 4) * HEDGE_SUB + sub;
}

/* The upper end of bucket i (a hedge waits until a read has outlasted the whole bucket). */
static int64_t bucket_hi(int i)
{
    if (i < HEDGE_SUB)
        return i + 1;
    int e = i / HEDGE_SUB + 4, sub = i % HEDGE_SUB;
    return ((int64_t)(HEDGE_SUB + sub + 1)) << (e - 5);
}

static void record(hedge_hist *hh, int64_t v)
{
    hh->w[bucket_of(v)] += 1.0;
    hh->total += 1.0;
    hh->seen++;
    hh->since++;
}

/* Halves the history for every window passed since it was last halved. */
static void decay(hedge *h, hedge_hist *hh)
{
    while (h->s->now - hh->decayed_at >= h->cfg->window) {
        for (int i = 0; i < HEDGE_NBUCKETS; i++)
            hh->w[i] *= 0.5;
        hh->total *= 0.5;
        hh->decayed_at += h->cfg->window;
        hh->since = 64; /* recompute */
    }
}

/* The value below which fraction q of the weight lies (the bucket's upper end). */
static int64_t quantile(const hedge_hist *hh, double q)
{
    double want = q * hh->total, acc = 0;
    for (int i = 0; i < HEDGE_NBUCKETS; i++) {
        acc += hh->w[i];
        if (acc >= want && hh->w[i] > 0)
            return bucket_hi(i);
    }
    return 0;
}

/* The delay after which a read from coordinator ep is hedged; -1: do not hedge. */
static int64_t hedge_delay(hedge *h, int ep)
{
    switch (h->cfg->policy) {
    case HEDGE_ALWAYS:
        return 0;
    case HEDGE_FIXED:
        return h->cfg->delay;
    default: {
        hedge_hist *hh = history_of(h, ep);
        if (!hh)
            return -1;
        decay(h, hh);
        if (hh->since >= 64) {
            hh->since = 0;
            hh->threshold = (int64_t)hh->seen >= h->cfg->history ? quantile(hh, h->cfg->percentile / 100.0) : 0;
        }
        return hh->threshold > 0 ? hh->threshold : -1;
    }
    }
}

static void on_begin(void *ctx, op *o)
{
    hedge *h = ctx;
    if (o->kind != OP_READ)
        return;
    hedge_op *x = op_ext(o, h->ext);
    x->began = h->s->now;
    int64_t d = hedge_delay(h, o->coord);
    if (d >= 0)
        coord_timer_set(h->c, o, h->slot, sim_after(h->s, d));
}

static void on_send(void *ctx, op *o, int row)
{
    hedge *h = ctx;
    if (o->t[row].kind == MSG_READ_REQ && o->t[row].cause == CAUSE_FIRST)
        h->res->firsts++;
}

/* The hedge's time came: one more request to the next owner not yet asked, within budget. */
static void on_timer(void *ctx, op *o)
{
    hedge *h = ctx;
    hedge_op *x = op_ext(o, h->ext);
    if (o->state != OP_FANOUT || x->hedged)
        return;
    if ((double)(h->res->hedges + 1) * 100.0 > h->cfg->max_extra * (double)h->res->firsts) {
        h->res->over_budget++;
        return;
    }
    const uint16_t *own = ring_owners(h->rg, o->key);
    for (int i = 0; i < ring_replicas(h->rg); i++) {
        int asked = 0;
        for (int r = 0; r < o->ntargets && !asked; r++)
            asked = o->t[r].node == own[i];
        if (asked || !coord_may_count(h->c, o, own[i]))
            continue; /* asked, or its reply could not count (another datacenter at a LOCAL_ level) */
        if (coord_send(h->c, o, own[i], MSG_READ_REQ, CAUSE_HEDGE, 1, NULL, NULL) >= 0) {
            x->hedged = 1;
            h->res->hedges++;
        }
        return;
    }
    h->res->no_owner_left++;
}

static void on_respond(void *ctx, op *o)
{
    hedge *h = ctx;
    if (o->kind != OP_READ)
        return;
    hedge_op *x = op_ext(o, h->ext);
    for (int i = 0; i < o->ncounted; i++)
        h->res->won += op_counted(o, i)->cause == CAUSE_HEDGE;
    if (h->cfg->policy == HEDGE_PERCENTILE) {
        hedge_hist *hh = history_of(h, o->coord);
        if (hh) {
            decay(h, hh);
            record(hh, h->s->now - x->began);
        }
    }
}

/* Tied requests: a copy starting service at node nd cancels the other copies. */
static void on_start(void *ctx, int nd, const msg *m)
{
    hedge *h = ctx;
    if (m->kind != MSG_READ_REQ)
        return;
    op *o = coord_find(h->c, m->op, m->gen);
    if (!o || !((hedge_op *)op_ext(o, h->ext))->hedged)
        return;
    for (int r = 0; r < o->ntargets; r++) {
        const op_target *t = &o->t[r];
        if (r == m->row || t->kind != MSG_READ_REQ || t->replied >= 0 || t->node == nd)
            continue;
        msg *cm = msg_get(h->pool);
        if (!cm) {
            sim_fail(h->s);
            return;
        }
        cm->kind = MSG_CANCEL;
        cm->src = (uint16_t)nd;
        cm->dst = t->node;
        cm->op = m->op;
        cm->gen = m->gen;
        cm->row = (uint16_t)r;
        cm->key = m->key;
        h->res->cancels++;
        if (net_send(h->net, cm))
            sim_fail(h->s);
    }
}

static void on_cancel(void *ctx, msg *m)
{
    hedge *h = ctx;
    h->res->cancelled += (uint64_t)nodes_unqueue(h->ns, m->dst, m->op, m->gen, m->row);
    msg_put(h->pool, m);
}

int hedge_init(hedge *h, const hedge_cfg *hcfg, coord *c, const ring *rg, sim *s, msg_pool *pool, net *nt,
               node_set *ns, router *rt, hedge_res *res, char *err, size_t n)
{
    memset(h, 0, sizeof *h);
    h->cfg = hcfg;
    h->c = c;
    h->rg = rg;
    h->s = s;
    h->pool = pool;
    h->net = nt;
    h->ns = ns;
    h->res = res;
    if (router_add(rt, MSG_CANCEL, SVC_NONE, on_cancel, h, "hedge", err, n))
        return -EINVAL;
    if (hcfg->policy == HEDGE_NONE)
        return 0; /* the kind is routed; nothing is sent */
    h->nend = ns->count + 1;
    h->lat = mem_calloc((size_t)h->nend, sizeof *h->lat);
    if (!h->lat)
        return -ENOMEM;
    h->ext = coord_ext(c, sizeof(hedge_op));
    h->slot = coord_timer_claim(c, on_timer, h);
    coord_reserve_targets(c, 1);
    op_observer ob = {.name = "hedge", .ctx = h, .begin = on_begin, .send = on_send, .respond = on_respond};
    start_listener sl = {h, on_start};
    if (h->slot < 0 || coord_observe(c, &ob) || (hcfg->tied && nodes_on_start(ns, &sl)))
        return -ENOMEM;
    return 0;
}

void hedge_fini(hedge *h)
{
    for (int i = 0; h->lat && i < h->nend; i++)
        mem_free(h->lat[i]);
    mem_free(h->lat);
    h->lat = NULL;
}

/* ---- the hedge module ---- */

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const hedge_cfg *hc = mcfg;
    if (hc->policy == HEDGE_NONE)
        return;
    const quorum_cfg *q = SC_CFG(sc, MOD_QUORUM, quorum_cfg);
    if (q->read_fanout != FANOUT_R)
        cfg_error_key(c, "hedge", "policy",
                      "hedging needs quorum.read_fanout = r (with all, every owner is asked at once)");
    else if (q->r >= SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->replicas)
        cfg_error_key(c, "hedge", "policy", "hedging needs R < N: with R = N every owner is asked already");
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    hedge *h = mem_calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    *state = h;
    return hedge_init(h, mcfg, &w->coord, w->ring, &w->s, &w->pool, &w->net, &w->nodes, &w->rt, res, err, n);
}

static void destroy(void *state)
{
    hedge_fini(state);
    mem_free(state);
}

#define F(field) metric_u64, MFIELD(MOD_HEDGE, hedge_res, field), NULL

static metric_val get_extra(const run_view *v, int arg)
{
    (void)arg;
    const hedge_res *r = RV_RES(v, MOD_HEDGE, hedge_res);
    return mv_num(r->firsts ? 100.0 * (double)r->hedges / (double)r->firsts : 0.0);
}

static const metric hedge_metrics[] = {
    {"hedge.extra_pct", "hedge_extra_pct", "extra%", MT_PCT, "%", "hedged read requests per 100 first read requests",
     get_extra, 0, NULL},
    {"hedge.first_requests", "hedge_firsts", NULL, MT_COUNT, "messages", "first read requests (the R of each read)",
     F(firsts)},
    {"hedge.hedges", "hedges", "hedges", MT_COUNT, "messages", "hedged read requests sent", F(hedges)},
    {"hedge.won", "hedges_won", "won", MT_COUNT, "replies", "hedges whose reply was among the R that answered the read",
     F(won)},
    {"hedge.over_budget", "hedges_over_budget", NULL, MT_COUNT, "reads", "hedges not sent because of max_extra",
     F(over_budget)},
    {"hedge.no_owner_left", "hedges_no_owner", NULL, MT_COUNT, "reads",
     "hedges not sent because every owner was asked already", F(no_owner_left)},
    {"hedge.cancels", "tied_cancels", NULL, MT_COUNT, "messages", "tied: cancel messages sent when a copy started service",
     F(cancels)},
    {"hedge.cancelled", "tied_cancelled", "cancelled", MT_COUNT, "requests",
     "tied: copies removed from a queue before their service started", F(cancelled)},
};

const module hedge_module = {
    .name = "hedge",
    .keys = &hedge_table,
    .cfg_size = sizeof(hedge_cfg),
    .check = check,
    .res_size = sizeof(hedge_res),
    .create = create,
    .destroy = destroy,
    .metrics = hedge_metrics,
    .nmetrics = sizeof hedge_metrics / sizeof hedge_metrics[0],
};
