/* wl: open-loop, closed-loop and scripted clients; see wl.h. */
#include "models/wl.h"
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/world.h"
#include "sim/alloc.h"
#include "sim/units.h"

static const cfg_key workload_keys[] = {
    {"workload", "mode", CFG_ENUM, "open", 1, 0, "open|closed|script", offsetof(wl_cfg, mode), NULL,
     "open loop (rate), closed loop (clients, think) or the [script] entries"},
    {"workload", "rate", CFG_RATE, "1000/s", 1e-9, 1e9, NULL, offsetof(wl_cfg, rate), NULL,
     "open loop: operations per second, e.g. 2000/s"},
    {"workload", "arrival", CFG_ENUM, "poisson", 1, 0, "poisson|fixed", offsetof(wl_cfg, arrival), NULL,
     "open loop: exponential or fixed gaps between arrivals"},
    {"workload", "clients", CFG_INT, "1", 1, 1000000, NULL, offsetof(wl_cfg, clients), NULL,
     "closed loop: clients, each with one operation outstanding"},
    {"workload", "think", CFG_DIST, "const(0)", 1, 0, NULL, offsetof(wl_cfg, think), NULL,
     "closed loop: pause between an answer and the client's next operation"},
    {"workload", "read_ratio", CFG_NUM, "0.9", 0, 1, NULL, offsetof(wl_cfg, read_ratio), NULL,
     "fraction of operations that are reads"},
    {"workload", "keys", CFG_INT, "1000", 1, 10000000, NULL, offsetof(wl_cfg, keys), NULL,
     "number of keys, named k1, k2, ..."},
    {"workload", "popularity", CFG_ENUM, "uniform", 1, 0, "uniform|zipf|hotspot", offsetof(wl_cfg, popularity), NULL,
     "how operations pick keys"},
    {"workload", "zipf_s", CFG_NUM, "1", 0, 10, NULL, offsetof(wl_cfg, zipf_s), NULL,
     "zipf: exponent s, P(key i) proportional to 1/i^s"},
    {"workload", "hot_keys", CFG_NUM, "0.2", 1e-9, 1, NULL, offsetof(wl_cfg, hot_keys), NULL,
     "hotspot: fraction of the keys that are hot (the first ones)"},
    {"workload", "hot_ops", CFG_NUM, "0.8", 0, 1, NULL, offsetof(wl_cfg, hot_ops), NULL,
     "hotspot: fraction of operations that go to the hot keys"},
};
const cfg_table workload_table = {workload_keys, sizeof workload_keys / sizeof workload_keys[0], 0};

static const cfg_key script_keys[] = {
    {"script", "*", CFG_LIST, "", 1, 0, NULL, 0, NULL,
     "NAME = TIME read|write kK [prefer nA,nB] (workload.mode = script), e.g. w1 = 10ms write k1"},
};
const cfg_table script_table = {script_keys, 1, 0};

int wl_parse_script(const char *text, int64_t nkeys, int nodes, script_op *so, char *err, size_t n)
{
    char buf[512], *save = NULL;
    if (strlen(text) >= sizeof buf) {
        snprintf(err, n, "too long: at most %zu characters", sizeof buf - 1);
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", text);
    char *tok[8];
    int nt = 0;
    for (char *t = strtok_r(buf, " \t", &save); t && nt < 8; t = strtok_r(NULL, " \t", &save))
        tok[nt++] = t;
    if (nt != 3 && nt != 5) {
        snprintf(err, n, "expected 'TIME read|write kK [prefer nA,nB]'");
        return -1;
    }
    char e2[128];
    if (units_parse_duration(tok[0], &so->at, e2, sizeof e2) || so->at < 0) {
        snprintf(err, n, "time '%s': %s", tok[0], so->at < 0 ? "must be >= 0" : e2);
        return -1;
    }
    if (strcmp(tok[1], "read") == 0)
        so->kind = OP_READ;
    else if (strcmp(tok[1], "write") == 0)
        so->kind = OP_WRITE;
    else {
        snprintf(err, n, "operation '%s': must be read or write", tok[1]);
        return -1;
    }
    char *end = tok[2];
    unsigned long k = 0;
    errno = 0;
    if (tok[2][0] == 'k' && tok[2][1] >= '1' && tok[2][1] <= '9')
        k = strtoul(tok[2] + 1, &end, 10);
    if (k == 0 || errno == ERANGE || *end || k > (unsigned long)nkeys) {
        snprintf(err, n, "key '%s': must be k1..k%lld (workload.keys)", tok[2], (long long)nkeys);
        return -1;
    }
    so->key = (uint32_t)(k - 1);
    so->nprefer = 0;
    if (nt == 5) {
        if (strcmp(tok[3], "prefer") != 0) {
            snprintf(err, n, "'%s': expected 'prefer nA,nB'", tok[3]);
            return -1;
        }
        char *s2 = NULL;
        for (char *t = strtok_r(tok[4], ",", &s2); t; t = strtok_r(NULL, ",", &s2)) {
            int e = ep_parse(t, nodes);
            if (e <= 0) {
                snprintf(err, n, "prefer: unknown node '%s' (n1..n%d)", t, nodes);
                return -1;
            }
            for (int q = 0; q < so->nprefer; q++) {
                if (so->prefer[q] == e) {
                    snprintf(err, n, "prefer: %s is named twice", t);
                    return -1;
                }
            }
            if (so->nprefer == RING_MAX_REPLICAS) {
                snprintf(err, n, "prefer: at most %d nodes", RING_MAX_REPLICAS);
                return -1;
            }
            so->prefer[so->nprefer++] = (uint16_t)e;
        }
    }
    return 0;
}

static void on_arrive(sim *s, sim_event *ev);
static void on_think(sim *s, sim_event *ev);
static void on_script(sim *s, sim_event *ev);

typedef struct timed {
    int64_t at;
    uint32_t i;
} timed;

static int timed_cmp(const void *a, const void *b)
{
    const timed *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->i < y->i ? -1 : (x->i > y->i);
}

int wl_init(world *w, wl *l, uint64_t seed)
{
    const wl_cfg *c = &w->sc->wl;
    memset(l, 0, sizeof *l);
    rng_derive(&l->r_arrival, seed, rng_entity_id("workload arrivals"));
    rng_derive(&l->r_op, seed, rng_entity_id("workload operations"));
    rng_derive(&l->r_think, seed, rng_entity_id("workload think"));
    l->limit = (uint64_t)w->sc->run.ops;
    l->deadline = w->sc->run.duration;
    if (c->popularity == POP_ZIPF) {
        l->zipf_cdf = mem_alloc((size_t)c->keys * sizeof *l->zipf_cdf);
        if (!l->zipf_cdf)
            return -ENOMEM;
        double sum = 0;
        for (int64_t i = 0; i < c->keys; i++)
            l->zipf_cdf[i] = (sum += pow((double)(i + 1), -c->zipf_s));
        for (int64_t i = 0; i < c->keys; i++)
            l->zipf_cdf[i] /= sum;
    }
    if (c->mode == WL_OPEN) {
        sim_event_init(&l->arrive, on_arrive);
        return sim_schedule(&w->s, &l->arrive, 0) ? -ENOMEM : 0;
    }
    if (c->mode == WL_CLOSED) {
        l->nclients = (size_t)c->clients;
        l->clients = mem_calloc(l->nclients, sizeof *l->clients);
        if (!l->clients)
            return -ENOMEM;
        for (size_t i = 0; i < l->nclients; i++) {
            l->clients[i].id = (uint32_t)i;
            sim_event_init(&l->clients[i].ev, on_think);
            if (sim_schedule(&w->s, &l->clients[i].ev, 0))
                return -ENOMEM;
        }
        return 0;
    }
    size_t n = w->sc->nscript;
    l->order = mem_alloc((n ? n : 1) * sizeof *l->order);
    if (!l->order)
        return -ENOMEM;
    timed *t = mem_alloc((n ? n : 1) * sizeof *t);
    if (!t)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        t[i] = (timed){w->sc->script[i].at, (uint32_t)i};
    qsort(t, n, sizeof *t, timed_cmp); /* equal times keep their order in the file */
    for (size_t i = 0; i < n; i++)
        l->order[i] = t[i].i;
    mem_free(t);
    sim_event_init(&l->arrive, on_script);
    if (n && sim_schedule(&w->s, &l->arrive, w->sc->script[l->order[0]].at))
        return -ENOMEM;
    return 0;
}

void wl_fini(wl *l)
{
    mem_free(l->clients);
    mem_free(l->zipf_cdf);
    mem_free(l->order);
    memset(l, 0, sizeof *l);
}

static uint32_t pick_key(world *w)
{
    const wl_cfg *c = &w->sc->wl;
    rng *r = &w->wl.r_op;
    uint32_t nkeys = (uint32_t)c->keys;
    switch (c->popularity) {
    case POP_ZIPF: {
        double u = rng_uniform(r);
        const double *cdf = w->wl.zipf_cdf;
        uint32_t lo = 0, hi = nkeys - 1;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (cdf[mid] <= u)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
    case POP_HOTSPOT: {
        uint32_t hot = (uint32_t)ceil(c->hot_keys * nkeys - 1e-9);
        if (hot < 1)
            hot = 1;
        int to_hot = rng_uniform(r) < c->hot_ops;
        if (hot >= nkeys)
            return rng_bounded(r, nkeys);
        return to_hot ? rng_bounded(r, hot) : hot + rng_bounded(r, nkeys - hot);
    }
    default:
        return rng_bounded(r, nkeys);
    }
}

/* Issues one drawn operation for client; returns 0 when the run's limits forbid it. */
static int issue(world *w, uint32_t client)
{
    wl *l = &w->wl;
    if ((l->limit && w->st->issued >= l->limit) || (l->deadline && w->s.now >= l->deadline))
        return 0;
    op_kind kind = rng_uniform(&l->r_op) < w->sc->wl.read_ratio ? OP_READ : OP_WRITE;
    uint32_t key = pick_key(w);
    coord_submit(w, kind, key, client, -1, NULL, 0);
    return 1;
}

static void on_arrive(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER_OF(s, world, s);
    wl *l = &w->wl;
    if (!issue(w, 0))
        return;
    const wl_cfg *c = &w->sc->wl;
    double gap_s = c->arrival == ARRIVAL_FIXED ? 1.0 / c->rate : -log(rng_uniform_pos(&l->r_arrival)) / c->rate;
    double gap_ns = gap_s * 1e9 + 0.5;
    int64_t gap = gap_ns >= (double)SIM_TIME_MAX ? SIM_TIME_MAX : (int64_t)gap_ns;
    if (sim_schedule(s, ev, sim_after(s, gap)))
        w->failed = 1;
}

static void on_think(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER_OF(s, world, s);
    issue(w, SIM_CONTAINER_OF(ev, wl_client, ev)->id);
}

static void on_script(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER_OF(s, world, s);
    wl *l = &w->wl;
    const scenario *sc = w->sc;
    while (l->next < sc->nscript && sc->script[l->order[l->next]].at <= s->now) {
        uint32_t i = l->order[l->next++];
        const script_op *so = &sc->script[i];

        coord_submit(w, so->kind, so->key, 0, (int32_t)i, so->prefer, so->nprefer);
    }
    if (l->next < sc->nscript && sim_schedule(s, ev, sc->script[l->order[l->next]].at))
        w->failed = 1;
}

void wl_on_done(world *w, const op *o)
{
    if (w->sc->wl.mode != WL_CLOSED)
        return;
    wl_client *c = &w->wl.clients[o->client];
    int64_t think = dist_sample(w->sc->wl.think, &w->wl.r_think);
    if (sim_schedule(&w->s, &c->ev, sim_after(&w->s, think)))
        w->failed = 1;
}
