/* net: message delays, loss and partitions; see net.h. */
#include "models/net.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "sim/alloc.h"
#include "sim/units.h"

#define KIND_KEY(e, nm)                                                                                  \
    {"network", #nm, CFG_DIST, "", 1, 0, NULL, offsetof(net_cfg, kind) + e * sizeof(dist *), NULL,     \
     "one-way latency of " #nm " messages (empty: use latency)"},

static const cfg_key net_keys[] = {
    {"network", "latency", CFG_DIST, "exp(1ms)", 1, 0, NULL, offsetof(net_cfg, latency), NULL,
     "one-way latency of every message, e.g. exp(1ms), shift(0.2ms, exp(0.5ms))"},
    {"network", "loss", CFG_NUM, "0", 0, 1, NULL, offsetof(net_cfg, loss), NULL,
     "probability that a message is dropped"},
    MSG_KINDS(KIND_KEY)
};
const cfg_table net_table = {net_keys, sizeof net_keys / sizeof net_keys[0], 0};

static const cfg_key links_keys[] = {
    {"links", "*", CFG_LIST, "", 1, 0, NULL, 0, NULL,
     "A>B = DIST [loss P] (one direction) or A-B = ... (both): per-link latency, e.g. client>n3 = const(20ms)"},
};
const cfg_table links_table = {links_keys, 1, 0};

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
    snprintf(buf, sizeof buf, "%s", text);
    lc->latency = NULL;
    lc->loss = -1;
    char *lp = strstr(buf, " loss ");
    if (!lp && strncmp(buf, "loss ", 5) == 0)
        lp = buf - 1;
    if (lp) {
        double p;
        if (units_parse_double(lp + 6, &p) || p < 0 || p > 1) {
            snprintf(err, n, "loss must be a probability between 0 and 1");
            return -1;
        }
        lc->loss = p;
        if (lp >= buf)
            *lp = '\0';
        else
            buf[0] = '\0';
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

int net_init(net *n, const net_cfg *nc, const link_cfg *links, size_t nlinks, int nodes, uint64_t seed,
             sim *s, msg_pool *pool, run_stats *st, sim_handler on_arrive)
{
    memset(n, 0, sizeof *n);
    n->nend = nodes + 1;
    n->l = mem_calloc((size_t)n->nend * (size_t)n->nend, sizeof *n->l);
    if (!n->l)
        return -ENOMEM;
    n->s = s;
    n->pool = pool;
    n->st = st;
    n->def_lat = nc->latency;
    n->def_loss = nc->loss;
    for (int k = 0; k < MSG_NKINDS; k++)
        n->kind_lat[k] = nc->kind[k];
    n->on_arrive = on_arrive;
    for (int a = 0; a < n->nend; a++) {
        for (int b = 0; b < n->nend; b++) {
            net_link *l = &n->l[a * n->nend + b];
            char na[16], nb[16], name[64];
            snprintf(name, sizeof name, "link %s>%s", ep_name(a, na), ep_name(b, nb));
            rng_derive(&l->r, seed, rng_entity_id(name));
            l->loss = l->base_loss = -1;
        }
    }
    for (size_t i = 0; i < nlinks; i++) {
        const link_cfg *lc = &links[i];
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
    n->l = NULL;
}

int net_send(net *n, msg *m)
{
    n->st->msgs_sent[m->kind]++;
    int64_t delay = 0;
    if (m->src != m->dst) {
        net_link *l = &n->l[m->src * n->nend + m->dst];
        if (l->cut) {
            n->st->msgs_cut++;
            msg_put(n->pool, m);
            return 0;
        }
        double loss = l->loss >= 0 ? l->loss : n->def_loss;
        if (loss > 0 && rng_uniform(&l->r) < loss) {
            n->st->msgs_lost++;
            msg_put(n->pool, m);
            return 0;
        }
        const dist *d = l->lat ? l->lat : n->kind_lat[m->kind] ? n->kind_lat[m->kind] : n->def_lat;
        delay = dist_sample(d, &l->r);
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
