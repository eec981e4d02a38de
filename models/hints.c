/* hints: hint stores and hinted handoff; see hints.h. */
#include "models/hints.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "models/scenario.h"
#include "models/world.h"
#include "sim/alloc.h"

static const cfg_key hints_keys[] = {
    {"hints", "max_hints", CFG_INT, "100000", 1, 1e8, NULL, offsetof(hints_cfg, max_hints), NULL,
     "hints a node keeps at most; a hint past the bound is refused (not acknowledged)"},
    {"hints", "window", CFG_DURATION, "10800s", 0, 1e18, NULL, offsetof(hints_cfg, window), NULL,
     "a fallback that has believed the owner down for longer than this takes no new hint for it"},
    {"hints", "readable", CFG_ENUM, "off", 1, 0, "off|on", offsetof(hints_cfg, readable), NULL,
     "a fallback answers reads from its hints too (on: Riak's fallback vnodes; off: Dynamo, Cassandra)"},
    {"hints", "replay_rate", CFG_RATE, "1000/s", 1e-3, 1e9, NULL, offsetof(hints_cfg, replay_rate), NULL,
     "hints a holder replays per second to owners it believes up"},
    {"hints", "dispatch_interval", CFG_DURATION, "1s", 1000, 1e15, NULL, offsetof(hints_cfg, dispatch_interval), NULL,
     "how often a holder checks which owners it believes up; an unacknowledged replay is resent after it"},
    {"hints", "coordinator", CFG_ENUM, "off", 1, 0, "off|on", offsetof(hints_cfg, coordinator), NULL,
     "the coordinator keeps a hint for each owner it believes down that no fallback stands in for, and sends it no "
     "write (Cassandra's hinted handoff); such a hint counts toward W only at ANY"},
};
const cfg_table hints_table = {hints_keys, sizeof hints_keys / sizeof hints_keys[0], 0};

static inline uint64_t idx_key(int owner, uint32_t key) { return (uint64_t)(uint32_t)owner << 32 | key; }

static hint *find(const hint_store *st, int owner, uint32_t key)
{
    int64_t i = map_get(&st->idx, idx_key(owner, key));
    return i < 0 ? NULL : &st->h[i];
}

static uint32_t slot_no(const hint_store *st, const hint *x) { return (uint32_t)(x - st->h) + 1; }

static void fifo_unlink(hint_store *st, hint *x)
{
    if (x->prev)
        st->h[x->prev - 1].next = x->next;
    else
        st->head[x->owner] = x->next;
    if (x->next)
        st->h[x->next - 1].prev = x->prev;
    else
        st->tail[x->owner] = x->prev;
    x->prev = x->next = 0;
}

static void fifo_append(hint_store *st, hint *x)
{
    uint32_t me = slot_no(st, x);
    x->next = 0;
    x->prev = st->tail[x->owner];
    if (x->prev)
        st->h[x->prev - 1].next = me;
    else
        st->head[x->owner] = me;
    st->tail[x->owner] = me;
}

static void drop(hint_store *st, hint *x)
{
    fifo_unlink(st, x);
    map_del(&st->idx, idx_key(x->owner, x->key));
    x->live = 0;
    x->next = st->free;
    st->free = slot_no(st, x);
    st->n--;
}

/* Keeps v of key for owner: 1 stored, 0 a newer or equal hint is held already, -1 the store
 * is full (or out of memory). */
static int put(hints *hs, hint_store *st, int owner, uint32_t key, const version *v)
{
    hint *x = find(st, owner, key);
    if (x) {
        if (ver_cmp(v, &x->v) <= 0)
            return 0;
        x->v = *v;
        x->inflight = 0;
        return 1;
    }
    if ((int64_t)st->n >= hs->cfg->max_hints)
        return -1;
    if (!st->free) {
        uint32_t ncap = st->cap ? st->cap * 2 : 64;
        if ((int64_t)ncap > hs->cfg->max_hints)
            ncap = (uint32_t)hs->cfg->max_hints;
        if (ncap <= st->cap) /* n < max_hints and no free slot: cannot happen (n == cap) */
            return -1;
        hint *nh = mem_realloc(st->h, ncap * sizeof *nh);
        if (!nh)
            return -1;
        st->h = nh;
        for (uint32_t i = ncap; i-- > st->cap;) {
            st->h[i].live = 0;
            st->h[i].next = st->free;
            st->free = i + 1;
        }
        st->cap = ncap;
    }
    x = &st->h[st->free - 1];
    /* a free slot exists only in an allocated array (the analyzer cannot see it) */
    st->free = x->next; /* NOLINT(clang-analyzer-core.NullDereference) */
    memset(x, 0, sizeof *x);
    x->key = key;
    x->owner = (uint16_t)owner;
    x->live = 1;
    x->v = *v;
    if (map_put(&st->idx, idx_key(owner, key), slot_no(st, x) - 1)) {
        x->live = 0;
        x->next = st->free;
        st->free = slot_no(st, x);
        return -1;
    }
    fifo_append(st, x);
    st->n++;
    return 1;
}

static void trace_hint(hints *hs, const char *ev, int holder, int owner, uint32_t key, const version *v,
                       const char *reason)
{
    jw j;
    char a[16], b[16], k[16];
    if (!tracer_begin_key(hs->tr, &j, ev, key))
        return;
    snprintf(k, sizeof k, "k%u", key + 1);
    jw_str(&j, "node", ep_name(holder, a));
    jw_str(&j, "for", ep_name(owner, b));
    jw_str(&j, "key", k);
    jw_int(&j, "v", v->seq);
    if (reason)
        jw_str(&j, "reason", reason);
    tracer_end(&j);
}

static void arm(hints *hs, hint_store *st, int64_t delay)
{
    if (sim_event_pending(&st->tick))
        return;
    if (sim_schedule(hs->s, &st->tick, sim_after(hs->s, delay)))
        sim_fail(hs->s);
}

/* A fallback receives a write meant for an owner. */
static void on_hint_write(void *ctx, msg *m)
{
    hints *hs = ctx;
    int holder = m->dst, owner = m->pl.hint.owner;
    hint_store *st = &hs->st[holder];
    int64_t since;
    if (!fd_up(hs->fd, holder, owner, &since) && hs->s->now - since > hs->cfg->window) {
        hs->res->dropped_window++;
        trace_hint(hs, "hint_dropped", holder, owner, m->key, &m->ver, "window");
        msg_put(hs->pool, m);
        return;
    }
    int r = put(hs, st, owner, m->key, &m->ver);
    if (r < 0) {
        hs->res->dropped_capacity++;
        trace_hint(hs, "hint_dropped", holder, owner, m->key, &m->ver, "capacity");
        msg_put(hs->pool, m);
        return;
    }
    if (r > 0) {
        hs->res->stored++;
        trace_hint(hs, "hint", holder, owner, m->key, &m->ver, NULL);
        arm(hs, st, hs->cfg->dispatch_interval);
    }
    replica_reply(&hs->rep, m, MSG_HINT_ACK);
}

/* A holder's replay tick: the next hint for an owner it believes up, round robin over owners. */
static void on_tick(sim *s, sim_event *ev)
{
    hint_store *st = SIM_CONTAINER_OF(ev, hint_store, tick);
    hints *hs = st->hs;
    if (!nodes_up(hs->ns, st->id) || !st->n)
        return; /* recovery, or the next hint, arms it again */
    for (int k = 0; k < hs->nodes; k++) {
        int owner = 1 + (st->rr + k) % hs->nodes;
        if (!st->head[owner])
            continue;
        hint *x = &st->h[st->head[owner] - 1];
        if (x->inflight && s->now - x->sent < hs->cfg->dispatch_interval)
            continue; /* every hint of this owner is in flight */
        if (!fd_up(hs->fd, st->id, owner, NULL))
            continue;
        msg *m = msg_get(hs->pool);
        if (!m) {
            sim_fail(s);
            return;
        }
        m->kind = MSG_HANDOFF;
        m->src = (uint16_t)st->id;
        m->dst = (uint16_t)owner;
        m->key = x->key;
        m->ver = x->v;
        m->pl.hint.owner = (uint16_t)owner;
        x->inflight = 1;
        x->sent = s->now;
        fifo_unlink(st, x);
        fifo_append(st, x);
        hs->res->replays++;
        st->rr = owner % hs->nodes;
        if (net_send(hs->net, m))
            sim_fail(s);
        arm(hs, st, hs->gap);
        return;
    }
    arm(hs, st, hs->cfg->dispatch_interval);
}

static void on_handoff(void *ctx, msg *m)
{
    hints *hs = ctx;
    replica_apply_and_ack(&hs->rep, m, APPLY_HANDOFF, MSG_HANDOFF_ACK);
}

static void on_handoff_ack(void *ctx, msg *m)
{
    hints *hs = ctx;
    hint_store *st = &hs->st[m->dst];
    hint *x = find(st, m->src, m->key);
    if (x && ver_cmp(&x->v, &m->ver) == 0) {
        hs->res->delivered++;
        hist_record(&hs->res->delivery, hs->s->now - x->v.ts);
        trace_hint(hs, "hint_delivered", m->dst, m->src, m->key, &m->ver, NULL);
        drop(st, x);
    }
    msg_put(hs->pool, m);
}

static void on_node(void *ctx, int nd, node_event ev)
{
    hints *hs = ctx;
    hint_store *st = &hs->st[nd];
    if (ev == NODE_CRASH) {
        sim_cancel(hs->s, &st->tick);
        if (!nodes_storage_lost(hs->ns, nd))
            return;
        hs->res->dropped_crash += st->n;
        for (uint32_t i = 0; i < st->cap; i++)
            if (st->h[i].live)
                drop(st, &st->h[i]);
    } else if (st->n) {
        arm(hs, st, hs->cfg->dispatch_interval);
    }
}

static void each_hint(const void *ctx, uint32_t key, holder_fn fn, void *arg)
{
    const hints *hs = ctx;
    const uint16_t *own = ring_owners(hs->rg, key);
    int n = ring_replicas(hs->rg);
    for (int nd = 1; nd <= hs->nodes; nd++) {
        if (!hs->st[nd].n)
            continue;
        for (int i = 0; i < n; i++) {
            const hint *x = find(&hs->st[nd], own[i], key);
            if (x)
                fn(arg, nd, own[i], &x->v);
        }
    }
}

static void read_hints(const void *ctx, int nd, uint32_t key, version *best)
{
    const hints *hs = ctx;
    if (!hs->st[nd].n)
        return;
    const uint16_t *own = ring_owners(hs->rg, key);
    for (int i = 0; i < ring_replicas(hs->rg); i++) {
        const hint *x = find(&hs->st[nd], own[i], key);
        if (x && ver_cmp(&x->v, best) > 0)
            *best = x->v;
    }
}

int hints_init(hints *h, const hints_cfg *c, sim *s, msg_pool *pool, net *nt, node_set *ns, const ring *rg,
               const fd_iface *fd, tracer *tr, router *rt, holders *hs, coord *co, hints_res *res, char *err,
               size_t n)
{
    memset(h, 0, sizeof *h);
    h->cfg = c;
    h->s = s;
    h->pool = pool;
    h->net = nt;
    h->ns = ns;
    h->rg = rg;
    h->fd = fd;
    h->tr = tr;
    h->res = res;
    h->rep = (replica){ns, nt, s};
    h->nodes = ns->count;
    double gap = 1e9 / c->replay_rate + 0.5;
    h->gap = gap >= (double)SIM_TIME_MAX ? SIM_TIME_MAX : gap < 1 ? 1 : (int64_t)gap;
    h->st = mem_calloc((size_t)h->nodes + 1, sizeof *h->st);
    if (!h->st)
        return -ENOMEM;
    for (int i = 1; i <= h->nodes; i++) {
        hint_store *st = &h->st[i];
        st->hs = h;
        st->id = i;
        map_init(&st->idx);
        st->head = mem_calloc((size_t)h->nodes + 1, sizeof *st->head);
        st->tail = mem_calloc((size_t)h->nodes + 1, sizeof *st->tail);
        if (!st->head || !st->tail)
            return -ENOMEM;
        sim_event_init(&st->tick, on_tick);
    }
    node_listener nl = {h, on_node};
    read_source rs = {h, read_hints};
    if (nodes_listen(ns, &nl) || holders_add(hs, (holder_src){"hint", h, each_hint}) ||
        (c->readable && nodes_add_read_source(ns, &rs)))
        return -ENOMEM;
    if (router_add(rt, MSG_HINT_WRITE, SVC_WRITE, on_hint_write, h, "hints", err, n) ||
        router_add(rt, MSG_HINT_ACK, SVC_NONE, coord_reply_route, co, "hints", err, n) ||
        router_add(rt, MSG_HANDOFF, SVC_WRITE, on_handoff, h, "hints", err, n) ||
        router_add(rt, MSG_HANDOFF_ACK, SVC_NONE, on_handoff_ack, h, "hints", err, n))
        return -EINVAL;
    return 0;
}

void hints_fini(hints *h)
{
    if (h->st) {
        for (int i = 1; i <= h->nodes; i++) {
            mem_free(h->st[i].h);
            map_fini(&h->st[i].idx);
            mem_free(h->st[i].head);
            mem_free(h->st[i].tail);
        }
    }
    mem_free(h->st);
    h->st = NULL;
}

/* ---- the hints module ---- */

static void res_init(void *res) { hist_init(&((hints_res *)res)->delivery); }

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    hints *h = mem_calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    *state = h;
    return hints_init(h, mcfg, &w->s, &w->pool, &w->net, &w->nodes, w->ring, &w->fd, &w->tr, &w->rt, &w->hs,
                      &w->coord, res, err, n);
}

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const hints_cfg *hc = mcfg;
    if (hc->coordinator && SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->coordinator == COORD_AT_CLIENT)
        cfg_error_key(c, "hints", "coordinator",
                      "needs a node coordinator to keep the hints (cluster.coordinator = any or owner)");
}

static void finish(void *state, void *res)
{
    const hints *h = state;
    hints_res *r = res;
    for (int i = 1; i <= h->nodes; i++)
        r->pending += h->st[i].n;
}

static void destroy(void *state)
{
    hints_fini(state);
    mem_free(state);
}

#define F(field) metric_u64, MFIELD(MOD_HINTS, hints_res, field), NULL

static const double q[] = {0.5, 0.99, 1.0};

static metric_val get_delivery(const run_view *v, int arg)
{
    const hist *h = &RV_RES(v, MOD_HINTS, hints_res)->delivery;
    if (!h->count)
        return mv_null();
    return arg < 0 ? mv_num(hist_mean(h)) : mv_int(hist_quantile(h, q[arg]));
}

static const metric hints_metrics[] = {
    {"hints.stored", "hints_stored", "hints", MT_COUNT, "hints", "hints fallbacks kept for owners believed down",
     F(stored)},
    {"hints.delivered", "hints_delivered", "delivered", MT_COUNT, "hints",
     "hints their owner applied and acknowledged (then deleted)", F(delivered)},
    {"hints.dropped_window", "hints_dropped_window", "drop-win", MT_COUNT, "hints",
     "hints refused because the owner was believed down for longer than hints.window", F(dropped_window)},
    {"hints.dropped_capacity", "hints_dropped_capacity", "drop-cap", MT_COUNT, "hints",
     "hints refused because the holder already kept hints.max_hints", F(dropped_capacity)},
    {"hints.dropped_crash", "hints_dropped_crash", "drop-crash", MT_COUNT, "hints",
     "hints lost with a holder that crashed with volatile storage", F(dropped_crash)},
    {"hints.replays", "hints_replays", NULL, MT_COUNT, "messages", "handoff messages sent, resends included",
     F(replays)},
    {"hints.pending_at_end", "hints_pending", "pending", MT_COUNT, "hints", "hints still held when the run ended",
     F(pending)},
    {"hints.delivery_mean_ns", "hints_delivery_mean_ns", NULL, MT_NUM, "ns",
     "mean time from a hinted write's start to its owner's acknowledgement of the handoff (null: none)",
     get_delivery, -1, NULL},
    {"hints.delivery_p50_ns", "hints_delivery_p50_ns", NULL, MT_NS, "ns", "median of the same", get_delivery, 0,
     NULL},
    {"hints.delivery_p99_ns", "hints_delivery_p99_ns", NULL, MT_NS, "ns", "99th percentile of the same",
     get_delivery, 1, NULL},
    {"hints.delivery_max_ns", "hints_delivery_max_ns", NULL, MT_NS, "ns", "largest of the same", get_delivery, 2,
     NULL},
};

const module hints_module = {
    .name = "hints",
    .keys = &hints_table,
    .cfg_size = sizeof(hints_cfg),
    .check = check,
    .res_size = sizeof(hints_res),
    .res_init = res_init,
    .create = create,
    .finish = finish,
    .destroy = destroy,
    .metrics = hints_metrics,
    .nmetrics = sizeof hints_metrics / sizeof hints_metrics[0],
};
