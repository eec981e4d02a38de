/* gossip: heartbeat gossip and suspicion by timeout or phi accrual; see gossip.h. */
#include "models/gossip.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "models/route.h"
#include "models/world.h"
#include "sim/alloc.h"

#define GSP_CHUNK 64       /* tables per slab chunk */
#define PHI_WINDOW 1000    /* intervals in the arithmetic mean before it becomes a moving one */
#define LN10 2.302585092994045684

static size_t at(const gossip *g, int o, int j) { return (size_t)o * (size_t)g->n + (size_t)(j - 1); }

/* ---- heartbeat tables in flight ---- */

static uint64_t *table(const gossip *g, uint32_t b)
{
    return g->tab[b / GSP_CHUNK] + (size_t)(b % GSP_CHUNK) * (size_t)g->n;
}

/* A free table (its reference count 0), or GSP_NONE when out of memory. Grows by a chunk
 * when none is free: amortised, never per message. */
static uint32_t table_new(gossip *g)
{
    if (g->free_tab == GSP_NONE) {
        size_t chunks = g->ntab / GSP_CHUNK, cap = (size_t)g->ntab + GSP_CHUNK;
        uint64_t **nt = mem_realloc(g->tab, (chunks + 1) * sizeof *nt);
        if (!nt)
            return GSP_NONE;
        g->tab = nt;
        uint32_t *nr = mem_realloc(g->refs, cap * sizeof *nr);
        if (!nr)
            return GSP_NONE;
        g->refs = nr;
        uint32_t *nf = mem_realloc(g->next_free, cap * sizeof *nf);
        if (!nf)
            return GSP_NONE;
        g->next_free = nf;
        uint64_t *chunk = mem_alloc(GSP_CHUNK * (size_t)g->n * sizeof *chunk);
        if (!chunk)
            return GSP_NONE;
        g->tab[chunks] = chunk;
        for (uint32_t i = GSP_CHUNK; i-- > 0;) {
            uint32_t b = g->ntab + i;
            g->refs[b] = 0;
            g->next_free[b] = g->free_tab;
            g->free_tab = b;
        }
        g->ntab += GSP_CHUNK;
    }
    uint32_t b = g->free_tab;
    g->free_tab = g->next_free[b];
    g->refs[b] = 0;
    return b;
}

static void unref(gossip *g, uint32_t b)
{
    if (--g->refs[b] == 0) {
        g->next_free[b] = g->free_tab;
        g->free_tab = b;
    }
}

/* A snapshot of o's table, held once by the caller. */
static uint32_t snapshot(gossip *g, int o)
{
    uint32_t b = table_new(g);
    if (b == GSP_NONE) {
        sim_fail(g->s);
        return GSP_NONE;
    }
    memcpy(table(g, b), &g->hb[at(g, o, 1)], (size_t)g->n * sizeof *g->hb);
    g->refs[b] = 1;
    return b;
}

/* The pool's release hook: the message is back, wherever it ended. */
static void on_release(void *ctx, msg *m)
{
    gossip *g = ctx;
    g->inflight--;
    if (m->pl.gossip.table != GSP_NONE)
        unref(g, m->pl.gossip.table);
}

static void send(gossip *g, int src, int dst, uint32_t tb)
{
    msg *m = msg_get(g->pool);
    if (!m) {
        sim_fail(g->s);
        return;
    }
    m->kind = MSG_GOSSIP;
    m->src = (uint16_t)src;
    m->dst = (uint16_t)dst;
    m->pl.gossip.table = tb;
    if (tb != GSP_NONE)
        g->refs[tb]++;
    g->inflight++;
    g->res->messages++;
    if (net_send(g->net, m))
        sim_fail(g->s);
}

/* ---- beliefs ---- */

static void believe(gossip *g, int o, int j, int up)
{
    gsp_entry *e = &g->e[at(g, o, j)];
    e->up = (uint8_t)up;
    e->since = g->s->now;
    fd_book_note(g->book, o, j, up);
}

/* o sees j's heartbeat grow to hb. */
static void heard(gossip *g, int o, int j, uint64_t hb)
{
    size_t k = at(g, o, j);
    gsp_entry *e = &g->e[k];
    int64_t now = g->s->now;
    if (g->p.phi > 0) {
        if (hb >> 32 != g->hb[k] >> 32) {
            e->mean = 2.0 * (double)g->p.interval; /* a new generation: the window starts again */
            e->nint = 1;
        } else if (now - e->last <= 2 * g->p.interval) {
            if (e->nint < PHI_WINDOW)
                e->nint++;
            e->mean += ((double)(now - e->last) - e->mean) / (double)e->nint;
        }
    }
    g->hb[k] = hb;
    e->last = now;
    if (!e->up)
        believe(g, o, j, 1);
}

static void merge(gossip *g, int r, const uint64_t *t)
{
    const uint64_t *row = &g->hb[at(g, r, 1)];
    for (int j = 1; j <= g->n; j++)
        if (j != r && t[j - 1] > row[j - 1])
            heard(g, r, j, t[j - 1]);
}

static int suspect(const gossip *g, const gsp_entry *e, int64_t now)
{
    if (g->p.phi > 0)
        return (double)(now - e->last) / (e->mean * LN10) > g->p.phi;
    return now - e->last >= g->p.suspect_after;
}

/* ---- rounds ---- */

static void stop(gossip *g)
{
    g->stopped = 1;
    for (int o = 0; o <= g->n; o++)
        sim_cancel(g->s, &g->m[o].round);
    g->timers = 0;
}

static void schedule(gossip *g, gsp_member *mb, int64_t at_ns)
{
    if (sim_schedule_lane(g->s, &g->lane, &mb->round, at_ns)) {
        sim_fail(g->s);
        return;
    }
    g->timers++;
}

/* The member's first round instant after now: phase + k * interval, k >= 1. */
static int64_t next_slot(const gossip *g, const gsp_member *mb, int64_t now)
{
    int64_t iv = g->p.interval, first = mb->phase + iv;
    if (now < first)
        return first;
    return first + ((now - first) / iv + 1) * iv;
}

static void on_round(sim *s, sim_event *ev)
{
    gsp_member *mb = SIM_CONTAINER_OF(ev, gsp_member, round);
    gossip *g = mb->g;
    g->timers--;
    /* nothing but gossip left to happen for a suspicion horizon, and no crash waiting to be
     * detected: stop */
    if (sim_pending(s) != (size_t)g->timers + g->inflight)
        g->idle_since = -1;
    else if (g->idle_since < 0)
        g->idle_since = s->now;
    if (g->idle_since >= 0 && s->now - g->idle_since >= g->horizon && fd_book_open(g->book) == 0) {
        stop(g);
        return;
    }
    int o = mb->ep, n = g->n;
    int64_t now = s->now;
    if (o != EP_CLIENT) {
        g->hb[at(g, o, o)]++;
        g->res->rounds++;
    }
    int nup = 0, ndown = 0;
    for (int j = 1; j <= n; j++) {
        if (j == o)
            continue;
        const gsp_entry *e = &g->e[at(g, o, j)];
        if (e->up && suspect(g, e, now))
            believe(g, o, j, 0);
        if (e->up)
            g->pick[nup++] = (uint16_t)j;
        else
            g->pick[n - 1 - ndown++] = (uint16_t)j;
    }
    uint32_t tb = o == EP_CLIENT ? GSP_NONE : snapshot(g, o);
    if (o == EP_CLIENT || tb != GSP_NONE) {
        int k = g->p.fanout < nup ? g->p.fanout : nup;
        for (int i = 0; i < k; i++) {
            uint32_t r = (uint32_t)i + rng_bounded(&mb->r, (uint32_t)(nup - i));
            uint16_t t = g->pick[i];
            g->pick[i] = g->pick[r];
            g->pick[r] = t;
            send(g, o, g->pick[i], tb);
        }
        if (ndown > 0 && rng_uniform(&mb->r) * (double)(nup + 1) < (double)ndown)
            send(g, o, g->pick[n - 1 - (int)rng_bounded(&mb->r, (uint32_t)ndown)], tb);
        if (tb != GSP_NONE)
            unref(g, tb);
    }
    schedule(g, mb, sim_after(s, g->p.interval));
}

/* ---- messages ---- */

static void on_gossip(void *ctx, msg *m)
{
    gossip *g = ctx;
    uint32_t tb = m->pl.gossip.table;
    if (tb == GSP_NONE) { /* the client tier's pull: answer with this node's table */
        int me = m->dst;
        uint32_t nb = snapshot(g, me);
        if (nb == GSP_NONE) {
            msg_put(g->pool, m);
            return;
        }
        m->pl.gossip.table = nb; /* the message holds the snapshot's one reference */
        m->dst = m->src;
        m->src = (uint16_t)me;
        g->res->messages++;
        if (net_send(g->net, m))
            sim_fail(g->s);
        return;
    }
    merge(g, m->dst, table(g, tb));
    msg_put(g->pool, m);
}

static void on_node(void *ctx, int nd, node_event ev)
{
    gossip *g = ctx;
    gsp_member *mb = &g->m[nd];
    if (ev == NODE_CRASH) {
        mb->down = 1;
        if (sim_event_pending(&mb->round)) {
            sim_cancel(g->s, &mb->round);
            g->timers--;
        }
        return;
    }
    if (!mb->down)
        return; /* "recovered" while it was up: nothing restarted */
    mb->down = 0;
    int64_t now = g->s->now;
    uint64_t gen = (g->hb[at(g, nd, nd)] >> 32) + 1;
    for (int j = 1; j <= g->n; j++) {
        size_t k = at(g, nd, j);
        gsp_entry *e = &g->e[k];
        g->hb[k] = j == nd ? gen << 32 : 0; /* a fresh generation; nothing heard of the others */
        e->last = now;
        e->mean = 2.0 * (double)g->p.interval;
        e->nint = 1;
        if (!e->up)
            believe(g, nd, j, 1);
        e->since = now;
    }
    if (!g->stopped)
        schedule(g, mb, next_slot(g, mb, now));
}

static int gossip_up(const void *self, int observer, int nd, int64_t *since)
{
    const gossip *g = self;
    const gsp_entry *e = &g->e[at(g, observer, nd)];
    if (since)
        *since = e->since;
    return e->up;
}

fd_iface gossip_iface(const gossip *g) { return (fd_iface){gossip_up, g, "gossip", NULL}; }

int gossip_init(gossip *g, const gossip_params *p, world *w, fd_book *book, fd_res *res, char *err, size_t n)
{
    memset(g, 0, sizeof *g);
    g->s = &w->s;
    g->net = &w->net;
    g->pool = &w->pool;
    g->ns = &w->nodes;
    g->book = book;
    g->res = res;
    g->p = *p;
    g->n = w->nodes.count;
    g->free_tab = GSP_NONE;
    g->idle_since = -1;
    /* the longest a suspicion can take after the last heartbeat: phi's mean is at most
     * 2 * interval */
    g->horizon = p->phi > 0 ? (int64_t)(p->phi * LN10 * 2.0 * (double)p->interval) + 1 : p->suspect_after;
    size_t cells = ((size_t)g->n + 1) * (size_t)g->n;
    g->hb = mem_calloc(cells, sizeof *g->hb);
    g->e = mem_calloc(cells, sizeof *g->e);
    g->m = mem_calloc((size_t)g->n + 1, sizeof *g->m);
    g->pick = mem_calloc((size_t)g->n, sizeof *g->pick);
    if (!g->hb || !g->e || !g->m || !g->pick)
        return -ENOMEM;
    for (int o = 0; o <= g->n; o++) {
        for (int j = 1; j <= g->n; j++) {
            size_t k = at(g, o, j);
            g->hb[k] = UINT64_C(1) << 32; /* generation 1, counter 0 */
            g->e[k].mean = 2.0 * (double)p->interval;
            g->e[k].nint = 1;
            g->e[k].up = 1;
        }
    }
    if (router_add(&w->rt, MSG_GOSSIP, SVC_NONE, on_gossip, g, "failure_detector", err, n))
        return -EINVAL;
    msg_pool_on_release(g->pool, MSG_GOSSIP, on_release, g);
    node_listener l = {g, on_node};
    if (net_own_streams(g->net, MSG_GOSSIP) || sim_lane_init(g->s, &g->lane) || nodes_listen(&w->nodes, &l))
        return -ENOMEM;
    for (int o = 0; o <= g->n; o++) {
        gsp_member *mb = &g->m[o];
        char name[32], ep[16];
        snprintf(name, sizeof name, "gossip %s", ep_name(o, ep));
        rng_derive(&mb->r, w->seed, rng_entity_id(name));
        mb->g = g;
        mb->ep = o;
        sim_event_init(&mb->round, on_round);
        if (!p->lockstep) {
            mb->phase = (int64_t)(rng_uniform(&mb->r) * (double)p->interval);
            if (mb->phase >= p->interval)
                mb->phase = p->interval - 1;
        }
        schedule(g, mb, mb->phase + p->interval);
        if (g->s->failed)
            return -ENOMEM;
    }
    return 0;
}

void gossip_fini(gossip *g)
{
    if (g->pool)
        msg_pool_on_release(g->pool, MSG_GOSSIP, NULL, NULL);
    for (size_t c = 0; c < g->ntab / GSP_CHUNK; c++)
        mem_free(g->tab[c]);
    mem_free(g->tab);
    mem_free(g->refs);
    mem_free(g->next_free);
    mem_free(g->hb);
    mem_free(g->e);
    mem_free(g->m);
    mem_free(g->pick);
    memset(g, 0, sizeof *g);
}
