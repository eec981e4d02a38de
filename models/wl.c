/* wl: open-loop, closed-loop and scripted clients; see wl.h. */
#include "models/wl.h"
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/probe.h"
#include "models/run.h"
#include "models/scenario.h"
#include "models/world.h"
#include "sim/alloc.h"
#include "sim/units.h"

/* "dc1", or "dc1:3 dc2:1" (weights >= 0, spaces or commas between entries). */
static int parse_client_dc(const char *text, void *dst, char *err, size_t n)
{
    char buf[512], *save = NULL;
    if (strlen(text) >= sizeof buf) {
        snprintf(err, n, "too long: at most %zu characters", sizeof buf - 1);
        return -1;
    }
    memcpy(buf, text, strlen(text) + 1);
    wl_dc_share sh;
    memset(&sh, 0, sizeof sh);
    double total = 0;
    for (char *t = strtok_r(buf, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
        char *colon = strchr(t, ':');
        double w = 1;
        if (colon) {
            *colon = '\0';
            if (units_parse_double(colon + 1, &w) || !(w >= 0) || w > 1e9) {
                snprintf(err, n, "%s:%.20s: a weight is a number >= 0", t, colon + 1);
                return -1;
            }
        }
        if (!*t || strlen(t) >= RING_DC_NAME) {
            snprintf(err, n, "'%.40s': expected a datacenter, or NAME:WEIGHT (dc1:3 dc2:1)", t);
            return -1;
        }
        for (int i = 0; i < sh.n; i++) {
            if (strcmp(sh.name[i], t) == 0) {
                snprintf(err, n, "datacenter %s is named twice", t);
                return -1;
            }
        }
        if (sh.n == RING_MAX_DCS) {
            snprintf(err, n, "at most %d datacenters", RING_MAX_DCS);
            return -1;
        }
        memcpy(sh.name[sh.n], t, strlen(t) + 1);
        sh.weight[sh.n++] = w;
        total += w;
    }
    if (sh.n && total <= 0) {
        snprintf(err, n, "some datacenter needs a weight above 0");
        return -1;
    }
    memcpy(dst, &sh, sizeof sh);
    return 0;
}

static const cfg_key workload_keys[] = {
    {"workload", "mode", CFG_ENUM, "open", 1, 0, "open|closed|script|probe", offsetof(wl_cfg, mode), NULL,
     "open loop (rate), closed loop (clients, think), the [script] entries, or probes (clients, read_after, gap)"},
    {"workload", "rate", CFG_RATE, "1000/s", 1e-9, 1e9, NULL, offsetof(wl_cfg, rate), NULL,
     "open loop: operations per second, e.g. 2000/s"},
    {"workload", "arrival", CFG_ENUM, "poisson", 1, 0, "poisson|fixed", offsetof(wl_cfg, arrival), NULL,
     "open loop: exponential or fixed gaps between arrivals"},
    {"workload", "clients", CFG_INT, "1", 1, 1000000, NULL, offsetof(wl_cfg, clients), NULL,
     "closed loop: clients, each with one operation outstanding; probe: probes in parallel, on distinct keys"},
    {"workload", "think", CFG_DIST, "const(0)", 1, 0, NULL, offsetof(wl_cfg, think), NULL,
     "closed loop: pause between an answer and the client's next operation"},
    {"workload", "expected_interval", CFG_DURATION, "0", 0, 3600e9, NULL, offsetof(wl_cfg, expected_interval), NULL,
     "closed loop: how often each client means to send; > 0 adds latency_corrected (coordinated omission back-filled)"},
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
    {"workload", "read_after", CFG_DIST, "uniform(0ms, 100ms)", 1, 0, NULL, offsetof(wl_cfg, read_after), NULL,
     "probe: from a write's acknowledgement to the start of its one read (the read's t-visibility t)"},
    {"workload", "gap", CFG_DIST, "const(0)", 1, 0, NULL, offsetof(wl_cfg, gap), NULL,
     "probe: from the end of a probe's read to its client's next write"},
    {"workload", "client_dc", CFG_CUSTOM, "", 1, 0, "dc1|dc1:W dc2:W", offsetof(wl_cfg, client_dc), parse_client_dc,
     "the clients' datacenter, or weights (dc1:3 dc2:1): each open-loop operation, closed-loop or probe client draws its own"},
};
const cfg_table workload_table = {workload_keys, sizeof workload_keys / sizeof workload_keys[0], 0};

static const cfg_key script_keys[] = {
    {"script", "*", CFG_LIST, "", 1, 0, NULL, 0, NULL,
     "NAME = TIME read|write kK [at LEVEL] [prefer nA,nB] [from DC] (workload.mode = script; LEVEL: this operation's R or W; DC: its client's datacenter), e.g. r1 = 10ms read k1 at ONE"},
};
const cfg_table script_table = {script_keys, 1, 0};

void wl_trace_op(jw *j, const wl_cfg *c, const op *o)
{
    if (c && o->script >= 0 && (size_t)o->script < c->nscript)
        jw_str(j, "op", c->script[o->script].name);
    else
        jw_int(j, "op", (int64_t)o->index);
}

int wl_parse_script(const char *text, int64_t nkeys, int nodes, script_op *so, char *err, size_t n)
{
    char buf[512], *save = NULL;
    if (strlen(text) >= sizeof buf) {
        snprintf(err, n, "too long: at most %zu characters", sizeof buf - 1);
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", text);
    char *tok[10];
    int nt = 0;
    for (char *t = strtok_r(buf, " \t", &save); t && nt < 10; t = strtok_r(NULL, " \t", &save))
        tok[nt++] = t;
    if (nt != 3 && nt != 5 && nt != 7 && nt != 9) {
        snprintf(err, n, "expected 'TIME read|write kK [at LEVEL] [prefer nA,nB] [from DC]'");
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
    so->level = 0;
    so->from[0] = '\0';
    int seen_at = 0, seen_prefer = 0, seen_from = 0;
    for (int i = 3; i + 1 < nt; i += 2) {
        if (strcmp(tok[i], "at") == 0 && !seen_at) {
            seen_at = 1;
            if (coord_parse_level(tok[i + 1], &so->level, e2, sizeof e2)) {
                snprintf(err, n, "at %s: %s", tok[i + 1], e2);
                return -1;
            }
            continue;
        }
        if (strcmp(tok[i], "from") == 0 && !seen_from) {
            seen_from = 1;
            if (strlen(tok[i + 1]) >= sizeof so->from) {
                snprintf(err, n, "from %.40s: not a datacenter's name", tok[i + 1]);
                return -1;
            }
            memcpy(so->from, tok[i + 1], strlen(tok[i + 1]) + 1);
            continue;
        }
        if (strcmp(tok[i], "prefer") != 0 || seen_prefer) {
            snprintf(err, n, "'%s': expected 'at LEVEL', 'prefer nA,nB' or 'from DC' (each at most once)", tok[i]);
            return -1;
        }
        seen_prefer = 1;
        char *s2 = NULL;
        for (char *t = strtok_r(tok[i + 1], ",", &s2); t; t = strtok_r(NULL, ",", &s2)) {
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

int wl_init(wl *l, const wl_cfg *c, sim *s, op_submitter sub, int64_t ops, int64_t duration, uint64_t seed,
            wl_res *res)
{
    memset(l, 0, sizeof *l);
    l->c = c;
    l->s = s;
    l->sub = sub;
    l->res = res;
    rng_derive(&l->r_arrival, seed, rng_entity_id("workload arrivals"));
    rng_derive(&l->r_op, seed, rng_entity_id("workload operations"));
    rng_derive(&l->r_think, seed, rng_entity_id("workload think"));
    rng_derive(&l->r_dc, seed, rng_entity_id("workload client datacenter"));
    l->limit = (uint64_t)ops;
    l->deadline = duration;
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
        return sim_schedule(s, &l->arrive, 0) ? -ENOMEM : 0;
    }
    if (c->mode == WL_CLOSED) {
        l->nclients = (size_t)c->clients;
        l->clients = mem_calloc(l->nclients, sizeof *l->clients);
        if (!l->clients)
            return -ENOMEM;
        for (size_t i = 0; i < l->nclients; i++) {
            l->clients[i].l = l;
            l->clients[i].id = (uint32_t)i;
            l->clients[i].dc = wl_draw_dc(l);
            sim_event_init(&l->clients[i].ev, on_think);
            if (sim_schedule(s, &l->clients[i].ev, 0))
                return -ENOMEM;
        }
        return 0;
    }
    if (c->mode == WL_PROBE)
        return probe_start(l, seed);
    size_t n = c->nscript;
    if (n) {
        res->script = mem_calloc(n, sizeof *res->script);
        if (!res->script)
            return -ENOMEM;
        res->nscript = n;
        for (size_t i = 0; i < n; i++)
            snprintf(res->script[i].name, sizeof res->script[i].name, "%s", c->script[i].name);
    }
    l->order = mem_alloc((n ? n : 1) * sizeof *l->order);
    if (!l->order)
        return -ENOMEM;
    timed *t = mem_alloc((n ? n : 1) * sizeof *t);
    if (!t)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        t[i] = (timed){c->script[i].at, (uint32_t)i};
    qsort(t, n, sizeof *t, timed_cmp); /* equal times keep their order in the file */
    for (size_t i = 0; i < n; i++)
        l->order[i] = t[i].i;
    mem_free(t);
    sim_event_init(&l->arrive, on_script);
    if (n && sim_schedule(s, &l->arrive, c->script[l->order[0]].at))
        return -ENOMEM;
    return 0;
}

void wl_fini(wl *l)
{
    probe_fini(l);
    mem_free(l->clients);
    mem_free(l->zipf_cdf);
    mem_free(l->order);
    memset(l, 0, sizeof *l);
}

static uint32_t pick_key(wl *l)
{
    const wl_cfg *c = l->c;
    rng *r = &l->r_op;
    uint32_t nkeys = (uint32_t)c->keys;
    switch (c->popularity) {
    case POP_ZIPF: {
        double u = rng_uniform(r);
        const double *cdf = l->zipf_cdf;
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

static void submit(wl *l, const op_request *rq)
{
    l->issued++;
    l->sub.submit(l->sub.ctx, rq);
}

uint8_t wl_draw_dc(wl *l)
{
    const wl_cfg *c = l->c;
    if (c->ndraw <= 1)
        return c->draw_dc[0];
    double u = rng_uniform(&l->r_dc);
    for (int i = 0; i < c->ndraw - 1; i++)
        if (u < c->draw_cum[i])
            return c->draw_dc[i];
    return c->draw_dc[c->ndraw - 1];
}

/* Issues one drawn operation for a client in datacenter dc; returns 0 when the run's
 * limits forbid it. */
static int issue(wl *l, uint32_t client, uint8_t dc)
{
    if ((l->limit && l->issued >= l->limit) || (l->deadline && l->s->now >= l->deadline))
        return 0;
    op_kind kind = rng_uniform(&l->r_op) < l->c->read_ratio ? OP_READ : OP_WRITE;
    uint32_t key = pick_key(l);
    op_request rq = {.kind = (uint8_t)kind, .key = key, .client = client, .script = -1, .dc = dc};
    submit(l, &rq);
    return 1;
}

static void on_arrive(sim *s, sim_event *ev)
{
    wl *l = SIM_CONTAINER_OF(ev, wl, arrive);
    if ((l->limit && l->issued >= l->limit) || (l->deadline && l->s->now >= l->deadline))
        return;
    issue(l, 0, wl_draw_dc(l));
    const wl_cfg *c = l->c;
    double gap_s = c->arrival == ARRIVAL_FIXED ? 1.0 / c->rate : -log(rng_uniform_pos(&l->r_arrival)) / c->rate;
    double gap_ns = gap_s * 1e9 + 0.5;
    int64_t gap = gap_ns >= (double)SIM_TIME_MAX ? SIM_TIME_MAX : (int64_t)gap_ns;
    if (sim_schedule(s, ev, sim_after(s, gap)))
        sim_fail(s);
}

static void on_think(sim *s, sim_event *ev)
{
    (void)s;
    wl_client *cl = SIM_CONTAINER_OF(ev, wl_client, ev);
    issue(cl->l, cl->id, cl->dc);
}

static void on_script(sim *s, sim_event *ev)
{
    wl *l = SIM_CONTAINER_OF(ev, wl, arrive);
    const wl_cfg *c = l->c;
    while (l->next < c->nscript && c->script[l->order[l->next]].at <= s->now) {
        uint32_t i = l->order[l->next++];
        const script_op *so = &c->script[i];
        op_request rq = {.kind = so->kind, .key = so->key, .client = 0, .script = (int32_t)i, .prefer = so->prefer,
                         .nprefer = so->nprefer, .level = so->level, .dc = so->dc};
        submit(l, &rq);
    }
    if (l->next < c->nscript && sim_schedule(s, ev, c->script[l->order[l->next]].at))
        sim_fail(s);
}

static void on_answer(void *ctx, op *o)
{
    wl *l = ctx;
    if (o->script >= 0) {
        script_result *r = &l->res->script[o->script];
        r->ok = o->ok;
        r->end = o->answered;
        r->kind = o->kind;
        r->key = o->key;
        r->start = o->start;
        if (o->kind == OP_WRITE) {
            r->version = o->ver.seq;
        } else if (o->ok) {
            r->version = o->ver.seq;
            r->latest = o->v.has_latest ? o->v.latest.seq : 0;
            r->cls = o->v.cls;
            r->k = o->v.k;
        } else {
            r->latest = o->v.has_latest ? o->v.latest.seq : 0;
        }
    }
    if (l->c->mode == WL_PROBE)
        probe_on_answer(l, o);
    if (l->c->mode != WL_CLOSED)
        return;
    wl_client *cl = &l->clients[o->client];
    int64_t think = dist_sample(l->c->think, &l->r_think);
    if (sim_schedule(l->s, &cl->ev, sim_after(l->s, think)))
        sim_fail(l->s);
}

op_observer wl_observer(wl *l)
{
    op_observer ob = {.name = "workload", .ctx = l, .answer = on_answer};
    if (l->c->mode == WL_PROBE)
        ob.respond = probe_on_respond;
    return ob;
}

/* ---- the workload module ---- */

typedef struct script_load {
    cfg *c;
    scenario *sc;
    wl_cfg *wc;
    size_t entries; /* [script] entries seen, parsed or not */
} script_load;

static void on_script_entry(void *ctx, cfg_entry *e)
{
    script_load *sl = ctx;
    wl_cfg *wc = sl->wc;
    int nodes = (int)SC_CFG(sl->sc, MOD_CLUSTER, cluster_cfg)->nodes;
    script_op so = {0};
    char err[512];
    sl->entries++;
    if (wl_parse_script(e->value, wc->keys, nodes < 1 ? 1 : nodes, &so, err, sizeof err)) {
        cfg_error(sl->c, e, "%s", err);
        return;
    }
    script_op *ns = mem_grow(wc->script, &wc->script_cap, wc->nscript + 1, sizeof *ns);
    if (!ns) {
        cfg_error(sl->c, e, "out of memory");
        return;
    }
    so.name = scenario_keep(sl->c, sl->sc, e->key);
    so.file = scenario_keep(sl->c, sl->sc, e->file);
    so.line = e->line;
    wc->script = ns;
    wc->script[wc->nscript++] = so;
}

/* Where operations come from: the draw table from client_dc, each script entry's datacenter,
 * and the mask of datacenters with clients (the datacenters module reads it in its check). */
static void load_dcs(cfg *c, const scenario *sc, wl_cfg *wc)
{
    const ring_dc_list *dcs = &SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->dcs;
    wc->ndraw = 1;
    wc->draw_dc[0] = 0;
    wc->draw_cum[0] = 1;
    wc->dc_mask = 0;
    if (!dcs->n && wc->client_dc.n)
        cfg_error_key(c, "workload", "client_dc", "needs cluster.datacenters");
    if (dcs->n && wc->client_dc.n) {
        double total = 0, acc = 0;
        int k = 0;
        for (int i = 0; i < wc->client_dc.n; i++) {
            int d = ring_dc_find(dcs, wc->client_dc.name[i]);
            if (d < 0) {
                char names[RING_DC_NAMES_MAX];
                cfg_error_key(c, "workload", "client_dc", "unknown datacenter %s (cluster.datacenters: %s)",
                              wc->client_dc.name[i], ring_dc_names(dcs, names, sizeof names));
                return;
            }
            total += wc->client_dc.weight[i];
        }
        for (int i = 0; i < wc->client_dc.n; i++) {
            if (wc->client_dc.weight[i] <= 0)
                continue;
            acc += wc->client_dc.weight[i];
            wc->draw_dc[k] = (uint8_t)ring_dc_find(dcs, wc->client_dc.name[i]);
            wc->draw_cum[k++] = acc / total;
        }
        wc->ndraw = k;
    }
    if (wc->mode != WL_SCRIPT)
        for (int i = 0; i < wc->ndraw; i++)
            wc->dc_mask |= 1u << wc->draw_dc[i];
    for (size_t i = 0; i < wc->nscript; i++) {
        script_op *so = &wc->script[i];
        so->dc = wc->draw_dc[0];
        if (so->from[0]) {
            int d = ring_dc_find(dcs, so->from);
            if (d < 0)
                cfg_error(c, cfg_find(c, "script", so->name), "from %s: %s", so->from,
                          dcs->n ? "not one of cluster.datacenters" : "needs cluster.datacenters");
            else
                so->dc = (uint8_t)d;
        }
        wc->dc_mask |= 1u << so->dc;
    }
}

static void load(cfg *c, scenario *sc, void *mcfg)
{
    wl_cfg *wc = mcfg;
    sc->nkeys = (uint32_t)wc->keys;
    script_load sl = {c, sc, wc, 0};
    cfg_each(c, "script", on_script_entry, &sl);
    if (wc->mode == WL_SCRIPT && sl.entries == 0)
        cfg_error_key(c, "workload", "mode", "a script workload needs entries in [script]");
    load_dcs(c, sc, wc);
}

/* A script's prefer list names replicas to read from first: they must own the key. The
 * ring depends only on node names, vnodes and N, so it can be consulted here. */
static void check_prefer(cfg *c, const scenario *sc, const wl_cfg *wc)
{
    const cluster_cfg *cc = SC_CFG(sc, MOD_CLUSTER, cluster_cfg);
    int any = 0;
    for (size_t i = 0; i < wc->nscript; i++) {
        const script_op *so = &wc->script[i];
        any |= so->nprefer > 0;
        if (so->nprefer > 0 && SC_CFG(sc, MOD_QUORUM, quorum_cfg)->read_fanout != FANOUT_R)
            cfg_error(c, cfg_find(c, "script", so->name),
                      "prefer needs quorum.read_fanout = r (with all, every owner is asked anyway)");
        if (so->nprefer > 0 && so->kind != OP_READ)
            cfg_error(c, cfg_find(c, "script", so->name), "prefer applies to reads only");
    }
    ring *r = NULL;
    if (!any || cc->replicas > cc->nodes)
        return;
    int rc = ring_create_cfg(cc, sc->nkeys, &r);
    if (rc) {
        if (rc != -EINVAL) /* a bad [cluster] has its own errors */
            cfg_error(c, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < wc->nscript; i++) {
        const script_op *so = &wc->script[i];
        for (int p = 0; p < so->nprefer; p++) {
            if (ring_owner_rank(r, so->key, so->prefer[p]) >= 0)
                continue;
            const uint16_t *own = ring_owners(r, so->key);
            char list[128] = "";
            for (int q = 0; q < cc->replicas; q++) {
                size_t len = strlen(list);
                snprintf(list + len, sizeof list - len, "%sn%d", q ? "," : "", own[q]);
            }
            cfg_error(c, cfg_find(c, "script", so->name), "prefer n%d: not an owner of k%u (its owners: %s)",
                      so->prefer[p], so->key + 1, list);
        }
    }
    ring_destroy(r);
}

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const wl_cfg *wc = mcfg;
    const run_cfg *rc = SC_CFG(sc, MOD_RUN, run_cfg);
    if (wc->mode == WL_SCRIPT) {
        if (cfg_find(c, "run", "ops"))
            cfg_error_key(c, "run", "ops", "not used with workload.mode = script (the script sets the operations)");
        if (cfg_find(c, "run", "duration"))
            cfg_error_key(c, "run", "duration", "not used with workload.mode = script");
        if (wc->nscript > 0 && (size_t)rc->warmup >= wc->nscript)
            cfg_error_key(c, "run", "warmup", "must be smaller than the number of [script] entries (%zu)", wc->nscript);
    } else {
        if (wc->nscript > 0) {
            const cfg_entry *e = NULL;
            for (size_t i = 0; i < wc->nscript && !e; i++)
                e = cfg_find(c, "script", wc->script[i].name);
            cfg_error(c, e, "[script] entries need workload.mode = script");
        }
        if (rc->ops == 0 && rc->duration == 0)
            cfg_error(c, NULL, "set run.ops or run.duration: an open or closed workload needs a stop");
    }
    if (wc->expected_interval > 0 && wc->mode != WL_CLOSED)
        cfg_error_key(c, "workload", "expected_interval",
                      "corrects a closed loop's latencies; an open loop and a script already measure from the "
                      "intended start (workload.mode = closed)");
    int64_t nrep = SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->replicas;
    int node_coord = SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->coordinator != COORD_AT_CLIENT;
    for (size_t i = 0; i < wc->nscript; i++) {
        const script_op *so = &wc->script[i];
        if (so->level > nrep)
            cfg_error(c, cfg_find(c, "script", so->name), "at %lld: must be <= replicas (%lld)",
                      (long long)so->level, (long long)nrep);
        else if (so->level == QL_ANY && so->kind == OP_READ)
            cfg_error(c, cfg_find(c, "script", so->name), "at ANY: a write level (a hint answers no read)");
        else if (so->level == QL_ANY && !node_coord)
            cfg_error(c, cfg_find(c, "script", so->name),
                      "at ANY: needs a node coordinator to keep the hint (cluster.coordinator = any or owner)");
    }
    check_prefer(c, sc, wc);
    probe_check(c, sc, wc);
}

static void release(void *mcfg)
{
    wl_cfg *wc = mcfg;
    mem_free(wc->script);
    wc->script = NULL;
    wc->nscript = wc->script_cap = 0;
}

static void res_free(void *res)
{
    wl_res *r = res;
    mem_free(r->script);
    r->script = NULL;
    r->nscript = 0;
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    (void)err;
    (void)n;
    const run_cfg *rc = SC_CFG(w->sc, MOD_RUN, run_cfg);
    wl *l = mem_calloc(1, sizeof *l);
    if (!l)
        return -ENOMEM;
    *state = l;
    if (wl_init(l, mcfg, &w->s, coord_submitter(&w->coord), rc->ops, rc->duration, w->seed, res))
        return -ENOMEM;
    op_observer ob = wl_observer(l);
    return coord_observe(&w->coord, &ob) ? -ENOMEM : 0;
}

static void destroy(void *state)
{
    wl_fini(state);
    mem_free(state);
}

static const cfg_table *const wl_lists[] = {&script_table, NULL};

static void json_script(jw *j, const char *key, const run_view *v)
{
    const wl_res *wr = RV_RES(v, MOD_WORKLOAD, wl_res);
    if (!wr->nscript)
        return;
    jw_arr(j, key);
    for (size_t k = 0; k < wr->nscript; k++) {
        const script_result *r = &wr->script[k];
        char kn[16];
        snprintf(kn, sizeof kn, "k%u", r->key + 1);
        jw_obj(j, NULL);
        jw_str(j, "name", r->name);
        jw_str(j, "op", r->kind == OP_READ ? "read" : "write");
        jw_str(j, "key", kn);
        jw_int(j, "start_ns", r->start);
        jw_int(j, "end_ns", r->end);
        jw_bool(j, "ok", r->ok);
        jw_int(j, "version", r->version);
        if (r->kind == OP_READ) {
            jw_int(j, "latest", r->latest);
            jw_str(j, "class", r->ok ? read_class_name[r->cls] : "unavailable");
            jw_int(j, "k", r->k);
        }
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

static const metric wl_metrics[] = {
    {"script", NULL, NULL, MT_JSON, "",
     "every scripted operation: its times, the version it wrote or returned, latest(r) and the oracle's class",
     NULL, 0, json_script},
};

const module workload_module = {
    .name = "workload",
    .keys = &workload_table,
    .lists = wl_lists,
    .cfg_size = sizeof(wl_cfg),
    .load = load,
    .check = check,
    .release = release,
    .res_size = sizeof(wl_res),
    .res_free = res_free,
    .create = create,
    .destroy = destroy,
    .metrics = wl_metrics,
    .nmetrics = sizeof wl_metrics / sizeof wl_metrics[0],
};
