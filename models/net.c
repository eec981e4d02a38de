/* net: message delays, loss and partitions; see net.h. */
#include "models/net.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "sim/alloc.h"
#include "models/scenario.h"
#include "models/world.h"
#include "sim/units.h"

#define KIND_KEY(e, nm)                                                                                  \
    {"network", #nm, CFG_DIST, "", 1, 0, NULL, offsetof(net_cfg, kind) + (e) * sizeof(dist *), NULL,   \
     "one-way latency of " #nm " messages (empty: use latency)"},

static const cfg_key net_keys[] = {
    {"network", "latency", CFG_DIST, "exp(1ms)", 1, 0, NULL, offsetof(net_cfg, latency), NULL,
     "one-way latency of every message, e.g. exp(1ms), shift(0.2ms, exp(0.5ms))"},
    {"network", "loss", CFG_NUM, "0", 0, 1, NULL, offsetof(net_cfg, loss), NULL,
     "probability that a message is dropped"},
    MSG_KINDS(KIND_KEY)
    {"network", "dc_latency", CFG_DIST, "", 1, 0, NULL, offsetof(net_cfg, dc_latency), NULL,
     "one-way latency added to a message between nodes of different datacenters, e.g. const(40ms)"},
};
const cfg_table net_table = {net_keys, sizeof net_keys / sizeof net_keys[0], 0};

static const cfg_key links_keys[] = {
    {"links", "*", CFG_LIST, "", 1, 0, NULL, 0, NULL,
     "A>B = DIST [loss P] (one direction) or A-B = ... (both): per-link latency, e.g. client>n3 = const(20ms)"},
};
const cfg_table links_table = {links_keys, 1, 0};

static const cfg_key dc_links_keys[] = {
    {"dc_links", "*", CFG_LIST, "", 1, 0, NULL, 0, NULL,
     "dc1>dc2 = DIST [loss P] (one direction) or dc1-dc2 = ... (both): replaces network.dc_latency (and network.loss) "
     "between two datacenters"},
};
const cfg_table dc_links_table = {dc_links_keys, 1, 0};

int net_parse_link_name(const char *text, int nodes, int *src, int *dst, int *both, char *err, size_t n)
{
    const char *sep = strpbrk(text, ">-");
    if (!sep) {
        snprintf(err, n, "a link is written A>B (one direction) or A-B (both), e.g. client>n2");
        return -1;
    }
    char a[64], b[64];
    snprintf(a, sizeof a, "%.*s", (int)(sep - text), text);
    snprintf(b, sizeof b, "%s", sep + 1);
    int ea = ep_parse(a, nodes), eb = ep_parse(b, nodes);
    if (ea < 0 || eb < 0) {
        snprintf(err, n, "unknown endpoint '%s' (client or n1..n%d)", ea < 0 ? a : b, nodes);
        return -1;
    }
    if (ea == eb) {
        snprintf(err, n, "a link joins two different endpoints");
        return -1;
    }
    *src = ea;
    *dst = eb;
    *both = *sep == '-';
    return 0;
}

int net_parse_link_value(const char *text, const char *dir, link_cfg *lc, char *err, size_t n)
{
    char buf[512];
    if (strlen(text) >= sizeof buf) {
        snprintf(err, n, "too long: at most %zu characters", sizeof buf - 1);
        return -1;
    }
    memcpy(buf, text, strlen(text) + 1);
    lc->latency = NULL;
    lc->loss = -1;
    /* "loss P" at the start, or " loss P" after a distribution: cut the text there */
    char *cut = strncmp(buf, "loss ", 5) == 0 ? buf : strstr(buf, " loss ");
    if (cut) {
        const char *val = cut + (cut == buf ? 5 : 6);
        double p;
        if (units_parse_double(val, &p) || p < 0 || p > 1) {
            snprintf(err, n, "loss must be a probability between 0 and 1");
            return -1;
        }
        lc->loss = p;
        *cut = '\0';
    }
    char *s = buf;
    while (*s == ' ')
        s++;
    if (*s && dist_parse(s, dir, &lc->latency, err, n) < 0)
        return -1;
    if (!lc->latency && lc->loss < 0) {
        snprintf(err, n, "expected a latency distribution and/or 'loss P'");
        return -1;
    }
    return 0;
}

int net_init(net *n, const net_cfg *nc, int nodes, uint64_t seed, sim *s, msg_pool *pool, net_res *res,
             sim_handler on_arrive)
{
    memset(n, 0, sizeof *n);
    n->nend = nodes + 1;
    n->l = mem_calloc((size_t)n->nend * (size_t)n->nend, sizeof *n->l);
    n->slow = mem_alloc((size_t)n->nend * sizeof *n->slow);
    if (!n->l || !n->slow)
        return -ENOMEM;
    for (int i = 0; i < n->nend; i++)
        n->slow[i] = 1.0;
    n->s = s;
    n->pool = pool;
    n->res = res;
    n->def_lat = nc->latency;
    n->def_loss = nc->loss;
    for (int k = 0; k < MSG_NKINDS; k++)
        n->kind_lat[k] = nc->kind[k];
    n->on_arrive = on_arrive;
    n->seed = seed;
    for (int a = 0; a < n->nend; a++) {
        for (int b = 0; b < n->nend; b++) {
            net_link *l = &n->l[a * n->nend + b];
            char na[16], nb[16], name[64];
            snprintf(name, sizeof name, "link %s>%s", ep_name(a, na), ep_name(b, nb));
            rng_derive(&l->r, seed, rng_entity_id(name));
            l->loss = l->base_loss = -1;
        }
    }
    for (size_t i = 0; i < nc->nlinks; i++) {
        const link_cfg *lc = &nc->links[i];
        for (int dir = 0; dir < (lc->both ? 2 : 1); dir++) {
            int a = dir ? lc->dst : lc->src, b = dir ? lc->src : lc->dst;
            net_link *l = &n->l[a * n->nend + b];
            if (lc->latency)
                l->lat = l->base_lat = lc->latency;
            if (lc->loss >= 0)
                l->loss = l->base_loss = lc->loss;
        }
    }
    return 0;
}

void net_fini(net *n)
{
    mem_free(n->l);
    mem_free(n->slow);
    n->l = NULL;
    n->slow = NULL;
    for (int k = 0; k < MSG_NKINDS; k++) {
        mem_free(n->kind_rng[k]);
        n->kind_rng[k] = NULL;
    }
}

double net_mean_latency(const net *n, int a, int b, int k)
{
    if (a == b)
        return 0;
    const net_link *l = &n->l[a * n->nend + b];
    const dist *d = l->lat ? l->lat : n->kind_lat[k] ? n->kind_lat[k] : n->def_lat;
    double mean = dist_mean(d);
    if (l->wan && !l->lat)
        mean += dist_mean(l->wan);
    return mean * n->slow[a] * n->slow[b];
}

void net_set_datacenters(net *n, const uint8_t *dc_of, int ndc, const dist *const *wan, const double *wan_loss)
{
    for (int a = 1; a < n->nend; a++) {
        for (int b = 1; b < n->nend; b++) {
            net_link *l = &n->l[a * n->nend + b];
            l->cross = dc_of[a] != dc_of[b];
            l->wan = l->cross ? wan[dc_of[a] * ndc + dc_of[b]] : NULL;
            if (l->cross && l->base_loss < 0 && wan_loss[dc_of[a] * ndc + dc_of[b]] >= 0)
                l->loss = l->base_loss = wan_loss[dc_of[a] * ndc + dc_of[b]];
        }
    }
}

void net_set_slow(net *n, int ep, double factor)
{
    n->slow[ep] = factor;
    n->slowed = 0;
    for (int i = 0; i < n->nend; i++)
        n->slowed |= n->slow[i] != 1.0;
}

int net_own_streams(net *n, msg_kind kind)
{
    if (n->kind_rng[kind])
        return 0;
    rng *r = mem_calloc((size_t)n->nend * (size_t)n->nend, sizeof *r);
    if (!r)
        return -1;
    for (int a = 0; a < n->nend; a++) {
        for (int b = 0; b < n->nend; b++) {
            char na[16], nb[16], name[96];
            snprintf(name, sizeof name, "link %s>%s %s", ep_name(a, na), ep_name(b, nb), msg_kind_name[kind]);
            rng_derive(&r[a * n->nend + b], n->seed, rng_entity_id(name));
        }
    }
    n->kind_rng[kind] = r;
    return 0;
}

int net_send(net *n, msg *m)
{
    n->res->sent[m->kind]++;
    int64_t delay = 0;
    if (m->src != m->dst) {
        int li = m->src * n->nend + m->dst;
        net_link *l = &n->l[li];
        n->res->cross_dc += l->cross;
        if (l->cut) {
            n->res->cut++;
            msg_put(n->pool, m);
            return 0;
        }
        rng *r = n->kind_rng[m->kind] ? &n->kind_rng[m->kind][li] : &l->r;
        double loss = l->loss >= 0 ? l->loss : n->def_loss;
        if (loss > 0 && rng_uniform(r) < loss) {
            n->res->lost++;
            msg_put(n->pool, m);
            return 0;
        }
        const dist *d = l->lat ? l->lat : n->kind_lat[m->kind] ? n->kind_lat[m->kind] : n->def_lat;
        delay = dist_sample(d, r);
        if (l->wan && !l->lat)
            delay += dist_sample(l->wan, r);
        if (n->slowed) {
            double f = n->slow[m->src] * n->slow[m->dst];
            if (f != 1.0) {
                double slowed = (double)delay * f + 0.5;
                delay = slowed >= (double)SIM_TIME_MAX ? SIM_TIME_MAX : (int64_t)slowed;
            }
        }
    }
    sim_event_init(&m->ev, n->on_arrive);
    if (sim_schedule(n->s, &m->ev, sim_after(n->s, delay))) {
        msg_put(n->pool, m);
        return -1;
    }
    return 0;
}

void net_set_cut(net *n, int a, int b, int cut) { n->l[a * n->nend + b].cut = (uint8_t)cut; }

void net_heal(net *n)
{
    for (int i = 0; i < n->nend * n->nend; i++)
        n->l[i].cut = 0;
}

void net_set_latency(net *n, int a, int b, const dist *d, int to_default)
{
    net_link *l = &n->l[a * n->nend + b];
    l->lat = to_default ? l->base_lat : d;
}

void net_set_loss(net *n, int a, int b, double p, int to_default)
{
    net_link *l = &n->l[a * n->nend + b];
    l->loss = to_default ? l->base_loss : p;
}

/* ---- the network module ---- */

typedef struct link_load {
    cfg *c;
    net_cfg *nc;
    int nodes;
} link_load;

static void on_link(void *ctx, cfg_entry *e)
{
    const link_load *ll = ctx;
    cfg *c = ll->c;
    net_cfg *nc = ll->nc;
    int nodes = ll->nodes;
    link_cfg lc = {0};
    char err[512], dir[4096];
    if (net_parse_link_name(e->key, nodes, &lc.src, &lc.dst, &lc.both, err, sizeof err)) {
        cfg_error(c, e, "%s", err);
        return;
    }
    cfg_entry_dir(c, e, dir, sizeof dir);
    if (net_parse_link_value(e->value, dir, &lc, err, sizeof err)) {
        cfg_error(c, e, "%s", err);
        return;
    }
    for (size_t i = 0; i < nc->nlinks; i++) {
        const link_cfg *o = &nc->links[i];
        int same = (o->src == lc.src && o->dst == lc.dst) || ((o->both || lc.both) && o->src == lc.dst && o->dst == lc.src);
        if (same) {
            dist_destroy(lc.latency);
            cfg_error(c, e, "this link is already set by another [links] entry");
            return;
        }
    }
    link_cfg *nl = mem_grow(nc->links, &nc->links_cap, nc->nlinks + 1, sizeof *nl);
    if (!nl) {
        dist_destroy(lc.latency);
        cfg_error(c, e, "out of memory");
        return;
    }
    nc->links = nl;
    nc->links[nc->nlinks++] = lc;
}

typedef struct dc_link_load {
    cfg *c;
    net_cfg *nc;
    const ring_dc_list *dcs;
} dc_link_load;

static void on_dc_link(void *ctx, cfg_entry *e)
{
    const dc_link_load *dl = ctx;
    net_cfg *nc = dl->nc;
    const char *sep = strpbrk(e->key, ">-");
    if (!sep) {
        cfg_error(dl->c, e, "a pair of datacenters is written A>B (one direction) or A-B (both), e.g. dc1-dc2");
        return;
    }
    char a[64], b[64];
    snprintf(a, sizeof a, "%.*s", (int)(sep - e->key), e->key);
    snprintf(b, sizeof b, "%s", sep + 1);
    dc_link_cfg lc = {ring_dc_find(dl->dcs, a), ring_dc_find(dl->dcs, b), *sep == '-', NULL, -1};
    if (lc.a < 0 || lc.b < 0) {
        char names[RING_DC_NAMES_MAX];
        if (dl->dcs->n)
            cfg_error(dl->c, e, "unknown datacenter %s (cluster.datacenters: %s)", lc.a < 0 ? a : b,
                      ring_dc_names(dl->dcs, names, sizeof names));
        else
            cfg_error(dl->c, e, "[dc_links] needs cluster.datacenters");
        return;
    }
    if (lc.a == lc.b) {
        cfg_error(dl->c, e, "a pair joins two different datacenters");
        return;
    }
    for (size_t i = 0; i < nc->ndc_links; i++) {
        const dc_link_cfg *o = &nc->dc_links[i];
        if ((o->a == lc.a && o->b == lc.b) || ((o->both || lc.both) && o->a == lc.b && o->b == lc.a)) {
            cfg_error(dl->c, e, "this pair is already set by another [dc_links] entry");
            return;
        }
    }
    char err[512], dir[4096];
    cfg_entry_dir(dl->c, e, dir, sizeof dir);
    link_cfg v = {0};
    if (net_parse_link_value(e->value, dir, &v, err, sizeof err)) {
        cfg_error(dl->c, e, "%s", err);
        return;
    }
    lc.latency = v.latency;
    lc.loss = v.loss;
    dc_link_cfg *nl = mem_grow(nc->dc_links, &nc->dc_links_cap, nc->ndc_links + 1, sizeof *nl);
    if (!nl) {
        dist_destroy(lc.latency);
        cfg_error(dl->c, e, "out of memory");
        return;
    }
    nc->dc_links = nl;
    nc->dc_links[nc->ndc_links++] = lc;
}

static void load(cfg *c, scenario *sc, void *mcfg)
{
    const cluster_cfg *cc = SC_CFG(sc, MOD_CLUSTER, cluster_cfg);
    int nodes = (int)cc->nodes;
    if (nodes < 1)
        nodes = 1;
    link_load ll = {c, mcfg, nodes};
    cfg_each(c, "links", on_link, &ll);
    dc_link_load dl = {c, mcfg, &cc->dcs};
    cfg_each(c, "dc_links", on_dc_link, &dl);
}

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const net_cfg *nc = mcfg;
    if (nc->dc_latency && !SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->dcs.n)
        cfg_error_key(c, "network", "dc_latency", "needs cluster.datacenters");
}

static void release(void *mcfg)
{
    net_cfg *nc = mcfg;
    for (size_t i = 0; i < nc->nlinks; i++)
        dist_destroy(nc->links[i].latency);
    mem_free(nc->links);
    nc->links = NULL;
    nc->nlinks = nc->links_cap = 0;
    for (size_t i = 0; i < nc->ndc_links; i++)
        dist_destroy(nc->dc_links[i].latency);
    mem_free(nc->dc_links);
    nc->dc_links = NULL;
    nc->ndc_links = nc->dc_links_cap = 0;
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const net_cfg *nc = mcfg;
    (void)err;
    (void)n;
    *state = &w->net;
    int nodes = (int)SC_CFG(w->sc, MOD_CLUSTER, cluster_cfg)->nodes;
    if (net_init(&w->net, nc, nodes, w->seed, &w->s, &w->pool, res, world_on_arrive))
        return -ENOMEM;
    int ndc = ring_dcs(w->ring);
    if (!ndc)
        return 0;
    /* the latency and loss between each ordered pair of datacenters: [dc_links], else
     * dc_latency and [network] loss */
    for (int a = 0; a < ndc; a++)
        for (int b = 0; b < ndc; b++) {
            w->net.wan[a * ndc + b] = nc->dc_latency;
            w->net.wan_loss[a * ndc + b] = -1;
        }
    for (size_t i = 0; i < nc->ndc_links; i++) {
        const dc_link_cfg *lc = &nc->dc_links[i];
        for (int dir = 0; dir < (lc->both ? 2 : 1); dir++) {
            int ab = dir ? lc->b * ndc + lc->a : lc->a * ndc + lc->b;
            if (lc->latency)
                w->net.wan[ab] = lc->latency;
            if (lc->loss >= 0)
                w->net.wan_loss[ab] = lc->loss;
        }
    }
    uint8_t dc_of[RING_MAX_NODES + 1] = {0};
    for (int nd = 1; nd <= nodes; nd++)
        dc_of[nd] = (uint8_t)ring_dc_of(w->ring, nd);
    net_set_datacenters(&w->net, dc_of, ndc, (const dist *const *)w->net.wan, w->net.wan_loss);
    return 0;
}

static void finish(void *state, void *res)
{
    const net *nt = state;
    ((net_res *)res)->peak_msgs = nt->pool->peak;
}

static void destroy(void *state) { net_fini(state); }

static const cfg_table *const net_lists[] = {&links_table, &dc_links_table, NULL};

#define SENT_METRIC(e, nm)                                                                              \
    {"messages." #nm, "msgs_" #nm, NULL, MT_COUNT, "messages", #nm " messages sent (lost and cut ones included)", \
     metric_u64, MFIELD(MOD_NETWORK, net_res, sent) + (int)((e) * sizeof(uint64_t)), NULL},

static const metric net_metrics[] = {
    MSG_KINDS(SENT_METRIC)
    {"messages.lost", "msgs_lost", NULL, MT_COUNT, "messages", "messages dropped by link loss", metric_u64,
     MFIELD(MOD_NETWORK, net_res, lost), NULL},
    {"messages.cut_by_partition", "msgs_cut", NULL, MT_COUNT, "messages", "messages dropped by a partition",
     metric_u64, MFIELD(MOD_NETWORK, net_res, cut), NULL},
    {"messages.cross_dc", "msgs_cross_dc", NULL, MT_COUNT, "messages",
     "messages sent between nodes of different datacenters (lost and cut ones included)", metric_u64,
     MFIELD(MOD_NETWORK, net_res, cross_dc), NULL},
    {"peak_inflight_msgs", "peak_inflight_msgs", NULL, MT_COUNT, "messages",
     "most messages in flight, queued or in service at once", metric_u64,
     MFIELD(MOD_NETWORK, net_res, peak_msgs), NULL},
};

const module network_module = {
    .name = "network",
    .keys = &net_table,
    .lists = net_lists,
    .cfg_size = sizeof(net_cfg),
    .load = load,
    .check = check,
    .release = release,
    .res_size = sizeof(net_res),
    .create = create,
    .finish = finish,
    .destroy = destroy,
    .metrics = net_metrics,
    .nmetrics = sizeof net_metrics / sizeof net_metrics[0],
};
