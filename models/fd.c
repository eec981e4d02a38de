/* fd: the failure-detector interface, the record of beliefs, perfect knowledge after a
 * delay, the client coordinator's timeouts, and the failure_detector module; see fd.h. */
#include "models/fd.h"
#include <errno.h>
#include <string.h>
#include "models/coord.h"
#include "models/gossip.h"
#include "models/world.h"
#include "sim/alloc.h"

int fd_listen(const fd_iface *d, const fd_listener *l)
{
    fd_book *b = d->book;
    if (!b || b->nlis == FD_MAX_LISTENERS)
        return -1;
    b->lis[b->nlis++] = *l;
    return 0;
}

/* ---- the record of beliefs ---- */

enum { SEEN_FIRST = 1, SEEN_ALL = 2, SEEN_CLIENT = 4 };

int fd_book_init(fd_book *b, sim *s, const node_set *ns, fd_res *res)
{
    memset(b, 0, sizeof *b);
    b->s = s;
    b->ns = ns;
    b->res = res;
    b->nodes = ns->count;
    size_t n = (size_t)ns->count + 1;
    b->crashed = mem_calloc(n, sizeof *b->crashed);
    b->pending = mem_calloc(n, sizeof *b->pending);
    b->seen = mem_calloc(n, sizeof *b->seen);
    if (!b->crashed || !b->pending || !b->seen)
        return -1;
    for (size_t i = 0; i < n; i++)
        b->crashed[i] = -1;
    return 0;
}

void fd_book_fini(fd_book *b)
{
    mem_free(b->crashed);
    mem_free(b->pending);
    mem_free(b->seen);
    b->crashed = NULL;
    b->pending = NULL;
    b->seen = NULL;
}

static int live(const fd_book *b, int ep) { return ep == EP_CLIENT || nodes_up(b->ns, ep); }

static void span_add(fd_span *sp, int64_t t)
{
    sp->n++;
    sp->sum += t;
    if (t > sp->max)
        sp->max = t;
}

/* Records one of the crash's times (once per crash). */
static void seen(fd_book *b, int nd, int what)
{
    if (b->seen[nd] & what)
        return;
    b->seen[nd] |= (uint8_t)what;
    int64_t t = b->s->now - b->crashed[nd];
    fd_res *r = b->res;
    span_add(what == SEEN_ALL ? &r->all : what == SEEN_FIRST ? &r->first : &r->client, t);
    if (what == SEEN_ALL)
        b->open--;
    if (what == SEEN_CLIENT)
        b->open_client--;
}

void fd_book_note(fd_book *b, int obs, int nd, int up)
{
    for (int i = 0; i < b->nlis; i++)
        b->lis[i].change(b->lis[i].ctx, obs, nd, up);
    if (obs == nd || !live(b, obs))
        return;
    if (!up) {
        b->res->suspicions++;
        if (nodes_up(b->ns, nd))
            b->res->false_suspicions++;
    }
    if (b->crashed[nd] < 0)
        return; /* up, or the book has not heard of the crash yet (it recounts when it does) */
    if (obs == EP_CLIENT) {
        if (!up)
            seen(b, nd, SEEN_CLIENT);
        return;
    }
    if (!up)
        seen(b, nd, SEEN_FIRST);
    b->pending[nd] += up ? 1 : -1;
    if (b->pending[nd] == 0)
        seen(b, nd, SEEN_ALL);
}

/* For every crash in progress: how many live nodes still believe the node up. Node events
 * are rare; O(nodes^2) questions each. */
static void recount(fd_book *b)
{
    for (int k = 1; k <= b->nodes; k++) {
        if (b->crashed[k] < 0)
            continue;
        int32_t c = 0;
        for (int i = 1; i <= b->nodes; i++)
            if (i != k && nodes_up(b->ns, i) && fd_up(&b->d, i, k, NULL))
                c++;
        b->pending[k] = c;
        if (c == 0)
            seen(b, k, SEEN_ALL);
    }
}

static void book_on_node(void *ctx, int nd, node_event ev)
{
    fd_book *b = ctx;
    if (ev == NODE_CRASH) {
        b->res->crashes++;
        b->crashed[nd] = b->s->now;
        b->seen[nd] = 0;
        b->open++;
        b->open_client++;
        /* suspicions that came before the crash count from the crash */
        for (int i = 1; i <= b->nodes; i++)
            if (i != nd && nodes_up(b->ns, i) && !fd_up(&b->d, i, nd, NULL))
                seen(b, nd, SEEN_FIRST);
        if (!fd_up(&b->d, EP_CLIENT, nd, NULL))
            seen(b, nd, SEEN_CLIENT);
    } else {
        if (b->crashed[nd] >= 0 && !(b->seen[nd] & SEEN_ALL))
            b->open--; /* recovered before every live node suspected it */
        if (b->crashed[nd] >= 0 && !(b->seen[nd] & SEEN_CLIENT))
            b->open_client--;
        b->crashed[nd] = -1;
    }
    recount(b);
}

int fd_book_start(fd_book *b, const fd_iface *d, node_set *ns)
{
    b->d = *d;
    node_listener l = {b, book_on_node};
    return nodes_listen(ns, &l);
}

/* ---- perfect knowledge after a delay ---- */

/* A belief change waiting for its time: allocated per crash or recovery (rare, never per
 * operation). */
typedef struct fd_change {
    sim_event ev;
    fd_perfect *p;
    struct fd_change *prev, *next;
    int nd;
    uint8_t up;
} fd_change;

static void unlink_change(fd_perfect *p, fd_change *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        p->pending = c->next;
    if (c->next)
        c->next->prev = c->prev;
}

static void believe(fd_perfect *p, int nd, int up)
{
    if (p->b[nd].up == up)
        return;
    p->b[nd].up = (uint8_t)up;
    p->b[nd].since = p->s->now;
    if (p->book) /* one shared belief: every observer's changed */
        for (int obs = EP_CLIENT; obs <= p->nodes; obs++)
            fd_book_note(p->book, obs, nd, up);
}

static void on_change(sim *s, sim_event *ev)
{
    (void)s;
    fd_change *c = SIM_CONTAINER_OF(ev, fd_change, ev);
    fd_perfect *p = c->p;
    believe(p, c->nd, c->up);
    unlink_change(p, c);
    mem_free(c);
}

static void on_node(void *ctx, int nd, node_event ev)
{
    fd_perfect *p = ctx;
    int up = ev == NODE_RECOVER;
    if (p->delay == 0) {
        believe(p, nd, up);
        return;
    }
    fd_change *c = mem_calloc(1, sizeof *c);
    if (!c) {
        sim_fail(p->s);
        return;
    }
    c->p = p;
    c->nd = nd;
    c->up = (uint8_t)up;
    c->next = p->pending;
    if (p->pending)
        p->pending->prev = c;
    p->pending = c;
    sim_event_init(&c->ev, on_change);
    if (sim_schedule_lane(p->s, &p->lane, &c->ev, sim_after(p->s, p->delay)))
        sim_fail(p->s);
}

static int perfect_up(const void *self, int observer, int nd, int64_t *since)
{
    const fd_perfect *p = self;
    (void)observer;
    if (since)
        *since = p->b[nd].since;
    return p->b[nd].up;
}

int fd_perfect_init(fd_perfect *p, sim *s, node_set *ns, int64_t delay)
{
    memset(p, 0, sizeof *p);
    p->s = s;
    p->delay = delay;
    p->nodes = ns->count;
    p->b = mem_calloc((size_t)ns->count + 1, sizeof *p->b);
    if (!p->b)
        return -1;
    for (int i = 1; i <= ns->count; i++)
        p->b[i].up = 1;
    node_listener l = {p, on_node};
    if (sim_lane_init(s, &p->lane) || nodes_listen(ns, &l))
        return -1;
    return 0;
}

void fd_perfect_fini(fd_perfect *p)
{
    while (p->pending) {
        fd_change *c = p->pending;
        p->pending = c->next;
        mem_free(c);
    }
    mem_free(p->b);
    p->b = NULL;
}

fd_iface fd_perfect_iface(const fd_perfect *p) { return (fd_iface){perfect_up, p, "perfect", NULL}; }

/* ---- the client coordinator's timeouts ---- */

static fd_tview *tview(const fd_timeout *t, int obs, int nd) { return &t->v[obs * (t->nodes + 1) + nd]; }

static void t_believe(fd_timeout *t, fd_tview *e, int up)
{
    e->up = (uint8_t)up;
    e->since = t->s->now;
    if (t->book)
        fd_book_note(t->book, e->obs, e->nd, up);
}

static void on_up_again(sim *s, sim_event *ev)
{
    (void)s;
    fd_tview *e = SIM_CONTAINER_OF(ev, fd_tview, ev);
    e->misses = 0;
    t_believe(e->t, e, 1);
}

static void on_retire(void *ctx, op *o)
{
    fd_timeout *t = ctx;
    int obs = o->coord;
    if (obs != EP_CLIENT && nodes_epoch(t->ns, obs) != o->coord_epoch)
        return; /* its coordinator crashed and forgot it */
    for (int r = 0; r < o->ntargets; r++) {
        const op_target *tg = &o->t[r];
        fd_tview *e = tview(t, obs, tg->node);
        if (!e->up)
            continue; /* believed down: evidence waits for the end of the period */
        if (tg->replied >= 0) {
            e->misses = 0;
            continue;
        }
        if (++e->misses < t->misses)
            continue;
        t_believe(t, e, 0);
        if (sim_schedule_lane(t->s, &t->lane, &e->ev, sim_after(t->s, t->down_for)))
            sim_fail(t->s);
    }
}

/* A node that recovers starts afresh as an observer: every node believed up since now. */
static void t_on_node(void *ctx, int nd, node_event ev)
{
    fd_timeout *t = ctx;
    if (ev == NODE_CRASH) {
        t->down[nd] = 1;
        return;
    }
    if (!t->down[nd])
        return; /* "recovered" while it was up: nothing restarted */
    t->down[nd] = 0;
    for (int j = 1; j <= t->nodes; j++) {
        fd_tview *e = tview(t, nd, j);
        sim_cancel(t->s, &e->ev);
        e->misses = 0;
        if (!e->up)
            t_believe(t, e, 1);
        e->since = t->s->now;
    }
}

static int timeout_up(const void *self, int observer, int nd, int64_t *since)
{
    const fd_tview *e = tview(self, observer, nd);
    if (since)
        *since = e->since;
    return e->up;
}

int fd_timeout_init(fd_timeout *t, sim *s, node_set *ns, coord *c, uint32_t misses, int64_t down_for, int64_t grace)
{
    memset(t, 0, sizeof *t);
    t->s = s;
    t->ns = ns;
    t->nodes = ns->count;
    t->misses = misses;
    t->down_for = down_for;
    size_t w = (size_t)ns->count + 1;
    t->v = mem_calloc(w * w, sizeof *t->v);
    t->down = mem_calloc(w, sizeof *t->down);
    if (!t->v || !t->down)
        return -1;
    for (int obs = 0; obs <= ns->count; obs++) {
        for (int nd = 0; nd <= ns->count; nd++) {
            fd_tview *e = tview(t, obs, nd);
            sim_event_init(&e->ev, on_up_again);
            e->t = t;
            e->obs = (uint16_t)obs;
            e->nd = (uint16_t)nd;
            e->up = 1;
        }
    }
    op_observer ob = {.name = "failure_detector", .ctx = t, .retire = on_retire};
    node_listener l = {t, t_on_node};
    if (sim_lane_init(s, &t->lane) || coord_observe(c, &ob) || nodes_listen(ns, &l))
        return -1;
    coord_keep_listening(c, grace);
    return 0;
}

void fd_timeout_fini(fd_timeout *t)
{
    mem_free(t->v);
    mem_free(t->down);
    t->v = NULL;
    t->down = NULL;
}

fd_iface fd_timeout_iface(const fd_timeout *t) { return (fd_iface){timeout_up, t, "timeout", NULL}; }

/* ---- the failure_detector module ---- */

static const cfg_key fd_keys[] = {
    {"failure_detector", "kind", CFG_ENUM, "perfect", 1, 0, "perfect|gossip|timeout", offsetof(fd_cfg, kind), NULL,
     "how observers come to believe a node is up: perfect knowledge after delay, gossiped heartbeats, or the "
     "coordinator's unanswered requests (a key of another kind is an error unless kind comes from --set/--sweep)"},
    {"failure_detector", "delay", CFG_DURATION, "0", 0, 1e18, NULL, offsetof(fd_cfg, delay), NULL,
     "perfect only: every observer learns of a crash or a recovery this long after it"},
    {"failure_detector", "interval", CFG_DURATION, "1s", 1000, 1e15, NULL, offsetof(fd_cfg, interval), NULL,
     "gossip only: time between a node's gossip rounds (Cassandra: 1s)"},
    {"failure_detector", "fanout", CFG_INT, "1", 1, RING_MAX_NODES - 1, NULL, offsetof(fd_cfg, fanout), NULL,
     "gossip only: peers believed up that a node sends its heartbeat table to each round, and nodes the client "
     "tier pulls from (at most cluster.nodes - 1; Cassandra: 1)"},
    {"failure_detector", "suspect_after", CFG_DURATION, "5s", 1, 1e15, NULL, offsetof(fd_cfg, suspect_after), NULL,
     "gossip only: suspect a node after this long without a newer heartbeat (not with phi)"},
    {"failure_detector", "phi", CFG_NUM, "0", 0, 1e6, NULL, offsetof(fd_cfg, phi), NULL,
     "gossip only: phi-accrual threshold instead of suspect_after (Cassandra: 8): suspect when "
     "t / (mean * ln 10) > phi, t the time since the heartbeat last grew, mean the mean time between growths; "
     "0 = off"},
    {"failure_detector", "rounds", CFG_ENUM, "staggered", 1, 0, "staggered|lockstep", offsetof(fd_cfg, rounds), NULL,
     "gossip only: staggered = each endpoint's rounds start at a random instant of the first interval; "
     "lockstep = all at multiples of interval"},
    {"failure_detector", "misses", CFG_INT, "3", 1, 1e6, NULL, offsetof(fd_cfg, misses), NULL,
     "timeout only: requests in a row an owner leaves unanswered before its coordinator believes it down"},
    {"failure_detector", "down_for", CFG_DURATION, "1s", 1, 1e15, NULL, offsetof(fd_cfg, down_for), NULL,
     "timeout only: how long the owner is then believed down, before it is believed up again"},
    {"failure_detector", "grace", CFG_DURATION, "500ms", 0, 1e15, NULL, offsetof(fd_cfg, grace), NULL,
     "timeout only: how long an answered operation still waits for its other replies; a request unanswered "
     "when the operation retires is a miss"},
};
const cfg_table fd_table = {fd_keys, sizeof fd_keys / sizeof fd_keys[0], 0};

static const char *const fd_kind_name[] = {
#define X(e, n) #n,
    FD_KINDS(X)
#undef X
};

/* Which kind each kind-specific key belongs to. */
static const struct {
    const char *key;
    int kind;
} key_kind[] = {
    {"delay", FD_PERFECT},  {"interval", FD_GOSSIP}, {"fanout", FD_GOSSIP},   {"suspect_after", FD_GOSSIP},
    {"phi", FD_GOSSIP},     {"rounds", FD_GOSSIP},   {"misses", FD_TIMEOUT}, {"down_for", FD_TIMEOUT},
    {"grace", FD_TIMEOUT},
};

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const fd_cfg *f = mcfg;
    const char *sec = "failure_detector";
    const cfg_entry *ke = cfg_find(c, sec, "kind");
    if (!(ke && ke->line == 0)) { /* kind from --set / --sweep: the file's other keys may serve other configurations */
        for (size_t i = 0; i < sizeof key_kind / sizeof key_kind[0]; i++)
            if (key_kind[i].kind != f->kind && cfg_find(c, sec, key_kind[i].key))
                cfg_error_key(c, sec, key_kind[i].key, "applies to kind = %s only (kind is %s)",
                              fd_kind_name[key_kind[i].kind], fd_kind_name[f->kind]);
    }
    if (f->kind != FD_GOSSIP)
        return;
    if (cfg_find(c, sec, "phi") && cfg_find(c, sec, "suspect_after") && f->phi > 0)
        cfg_error_key(c, sec, "phi", "phi and suspect_after are alternatives: set one of them");
    int64_t nodes = SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->nodes;
    if (nodes > 1 && f->fanout > nodes - 1)
        cfg_error_key(c, sec, "fanout", "must be at most cluster.nodes - 1 (%lld)", (long long)(nodes - 1));
}

/* Only the gossip detector sends gossip messages; with another kind the kind still needs its
 * one handler for a run to start, and none ever reaches it. */
static void no_gossip(void *ctx, msg *m) { msg_put(ctx, m); }

typedef struct fd_state {
    fd_book book;
    fd_perfect perfect;
    fd_timeout timeout;
    gossip *g;
} fd_state;

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const fd_cfg *f = mcfg;
    fd_state *st = mem_calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    *state = st;
    if (fd_book_init(&st->book, &w->s, &w->nodes, res))
        return -ENOMEM;
    if (f->kind != FD_GOSSIP &&
        router_add(&w->rt, MSG_GOSSIP, SVC_NONE, no_gossip, &w->pool, "failure_detector", err, n))
        return -EINVAL;
    switch (f->kind) {
    case FD_PERFECT:
        if (fd_perfect_init(&st->perfect, &w->s, &w->nodes, f->delay))
            return -ENOMEM;
        st->perfect.book = &st->book;
        w->fd = fd_perfect_iface(&st->perfect);
        break;
    case FD_TIMEOUT:
        if (fd_timeout_init(&st->timeout, &w->s, &w->nodes, &w->coord, (uint32_t)f->misses, f->down_for, f->grace))
            return -ENOMEM;
        st->timeout.book = &st->book;
        w->fd = fd_timeout_iface(&st->timeout);
        break;
    default: {
        gossip_params gp = {f->interval, f->suspect_after, (int)f->fanout, f->phi, f->rounds == 1};
        st->g = mem_calloc(1, sizeof *st->g);
        if (!st->g)
            return -ENOMEM;
        int rc = gossip_init(st->g, &gp, w, &st->book, res, err, n);
        if (rc)
            return rc;
        w->fd = gossip_iface(st->g);
        break;
    }
    }
    w->fd.book = &st->book;
    return fd_book_start(&st->book, &w->fd, &w->nodes) ? -ENOMEM : 0;
}

static void destroy(void *state)
{
    fd_state *st = state;
    fd_perfect_fini(&st->perfect);
    fd_timeout_fini(&st->timeout);
    if (st->g) {
        gossip_fini(st->g);
        mem_free(st->g);
    }
    fd_book_fini(&st->book);
    mem_free(st);
}

/* arg: span (0 all, 1 first, 2 client) * 4 + statistic (0 count, 1 mean, 2 max) */
static metric_val get_span(const run_view *v, int arg)
{
    const fd_res *r = RV_RES(v, MOD_FAILURE_DETECTOR, fd_res);
    const fd_span *sp = arg / 4 == 0 ? &r->all : arg / 4 == 1 ? &r->first : &r->client;
    switch (arg % 4) {
    case 0:
        return mv_int((int64_t)sp->n);
    case 1:
        return sp->n ? mv_num((double)sp->sum / (double)sp->n) : mv_null();
    default:
        return sp->n ? mv_int(sp->max) : mv_null();
    }
}

#define FD_F(field) metric_u64, MFIELD(MOD_FAILURE_DETECTOR, fd_res, field), NULL
#define SPAN(path, col, code, cdoc, what)                                                                        \
    {"failure_detector." path ".count", col "_count", NULL, MT_COUNT, "crashes", cdoc, get_span, (code) * 4, NULL}, \
    {"failure_detector." path ".mean_ns", col "_mean_ns", NULL, MT_NUM, "ns",                                    \
     "mean time from a crash until " what " (null: none)", get_span, (code) * 4 + 1, NULL},                     \
    {"failure_detector." path ".max_ns", col "_max_ns", NULL, MT_NS, "ns",                                       \
     "longest time from a crash until " what " (null: none)", get_span, (code) * 4 + 2, NULL},

static const metric fd_metrics[] = {
    {"failure_detector.gossip_rounds", "fd_gossip_rounds", NULL, MT_COUNT, "rounds",
     "gossip rounds the nodes ran (heartbeat + 1, suspicion checks, a push to fanout peers)", FD_F(rounds)},
    {"failure_detector.gossip_messages", "fd_gossip_msgs", NULL, MT_COUNT, "messages",
     "gossip messages sent: the nodes' pushes, the client tier's pulls and their answers (= messages.gossip)",
     FD_F(messages)},
    {"failure_detector.suspicions", "fd_suspicions", NULL, MT_COUNT, "beliefs",
     "times a live observer (a node that is up, or the client tier) began to suspect another node", FD_F(suspicions)},
    {"failure_detector.false_suspicions", "fd_false_suspicions", NULL, MT_COUNT, "beliefs",
     "suspicions raised while the suspected node was up", FD_F(false_suspicions)},
    {"failure_detector.crashes", "fd_crashes", NULL, MT_COUNT, "crashes", "node crashes in the run", FD_F(crashes)},
    SPAN("detection", "fd_detection", 0, "crashes every live node came to suspect before the node recovered",
         "the first instant every live node (each node up, other than it) suspects the crashed node, over "
         "detection.count crashes")
    SPAN("first_suspicion", "fd_first_suspicion", 1, "crashes some live node came to suspect before the node recovered",
         "the first live node suspects the crashed node, over first_suspicion.count crashes")
    SPAN("client_detection", "fd_client_detection", 2, "crashes the client tier came to suspect before the node recovered",
         "the client tier suspects the crashed node, over client_detection.count crashes")
};

const module failure_detector_module = {
    .name = "failure_detector",
    .keys = &fd_table,
    .cfg_size = sizeof(fd_cfg),
    .check = check,
    .res_size = sizeof(fd_res),
    .create = create,
    .destroy = destroy,
    .metrics = fd_metrics,
    .nmetrics = sizeof fd_metrics / sizeof fd_metrics[0],
};
