/* fault: parsing and applying the fault timeline; see fault.h. */
#include "models/fault.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "models/ring.h"
#include "models/scenario.h"
#include "models/world.h"
#include "sim/alloc.h"
#include <stdlib.h>
#include "sim/json.h"
#include "sim/units.h"

const char *const fault_kind_name[] = {
#define X(e, n) #n,
    FAULT_KINDS(X)
#undef X
};

static const cfg_key faults_keys[] = {
    {"faults", "*", CFG_LIST, "", 1, 0, NULL, 0, NULL,
     "NAME = TIME crash NODE [durable|volatile] | recover NODE | partition G1 | G2 | partition G1 > G2 (groups of "
     "nodes, client, datacenters) | heal"
     " | slow NODE FACTOR [until TIME] | link A>B latency DIST|default | link A>B loss P|default"},
};
const cfg_table faults_table = {faults_keys, 1, 0};

/* Splits on blanks into at most max tokens; returns the count (max + 1 if there are more). */
static int split(char *s, char **tok, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (n == max)
            return max + 1;
        tok[n++] = t;
    }
    return n;
}

static int node_arg(const char *t, int nodes, int *out, char *err, size_t n)
{
    int e = ep_parse(t, nodes);
    if (e <= 0) {
        snprintf(err, n, "unknown node '%s' (n1..n%d)", t, nodes);
        return -1;
    }
    *out = e;
    return 0;
}

/* Puts endpoint e in group g; -1 with err when it is in a group already. */
static int join_group(fault *f, int e, int g, const char *t, char *err, size_t n)
{
    if (f->group[e] >= 0) {
        snprintf(err, n, "partition: '%s' is in two groups", t);
        return -1;
    }
    f->group[e] = (int8_t)g;
    return 0;
}

/* "n1,n2 | n3" or "n1 > n2,n3": groups of endpoints; a datacenter's name stands for its
 * nodes (dcs may be NULL). */
static int parse_partition(const char *spec, int nodes, const ring_dc_list *dcs, fault *f, char *err, size_t n)
{
    f->group = mem_alloc((size_t)(nodes + 1));
    if (!f->group) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    memset(f->group, -1, (size_t)(nodes + 1));
    f->oneway = strchr(spec, '>') != NULL;
    if (f->oneway && strchr(spec, '|')) {
        snprintf(err, n, "partition: use '|' between groups (both ways) or one '>' (one way), not both");
        return -1;
    }
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    int g = 0;
    char *save = NULL;
    for (char *grp = strtok_r(buf, f->oneway ? ">" : "|", &save); grp; grp = strtok_r(NULL, f->oneway ? ">" : "|", &save), g++) {
        if (g > 100) {
            snprintf(err, n, "partition: too many groups");
            return -1;
        }
        char *s2 = NULL;
        int members = 0;
        for (char *t = strtok_r(grp, ", \t", &s2); t; t = strtok_r(NULL, ", \t", &s2)) {
            int d = dcs ? ring_dc_find(dcs, t) : -1;
            if (d >= 0) {
                int first = 1;
                for (int i = 0; i < d; i++)
                    first += (int)dcs->count[i];
                for (int e = first; e < first + (int)dcs->count[d] && e <= nodes; e++)
                    if (join_group(f, e, g, t, err, n))
                        return -1;
                members++;
                continue;
            }
            int e = ep_parse(t, nodes);
            if (e < 0) {
                if (dcs && dcs->n)
                    snprintf(err, n, "partition: unknown endpoint '%s' (client, n1..n%d or a datacenter)", t, nodes);
                else
                    snprintf(err, n, "partition: unknown endpoint '%s' (client or n1..n%d)", t, nodes);
                return -1;
            }
            if (join_group(f, e, g, t, err, n))
                return -1;
            members++;
        }
        if (!members) {
            snprintf(err, n, "partition: empty group");
            return -1;
        }
    }
    if (g < 2 || (f->oneway && g != 2)) {
        snprintf(err, n, f->oneway ? "partition: one way is 'G1 > G2'" : "partition: needs at least two groups 'G1 | G2'");
        return -1;
    }
    return 0;
}

int fault_parse(const char *text, int nodes, const char *dir, fault *f, char *err, size_t n)
{
    return fault_parse_dc(text, nodes, NULL, dir, f, err, n);
}

int fault_parse_dc(const char *text, int nodes, const ring_dc_list *dcs, const char *dir, fault *f, char *err,
                   size_t n)
{
    char buf[FAULT_TEXT_MAX + 1];
    if (strlen(text) >= sizeof buf) {
        snprintf(err, n, "too long: at most %zu characters", sizeof buf - 1);
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", text);
    char *sp = buf;
    while (*sp == ' ' || *sp == '\t')
        sp++;
    char *t_end = strpbrk(sp, " \t");
    if (!t_end) {
        snprintf(err, n, "expected 'TIME ACTION ...'");
        return -1;
    }
    *t_end = '\0';
    char e2[128];
    if (units_parse_duration(sp, &f->at, e2, sizeof e2) || f->at < 0) {
        snprintf(err, n, "time '%s': %s", sp, f->at < 0 ? "must be >= 0" : e2);
        return -1;
    }
    char *rest = t_end + 1;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    char *a_end = strpbrk(rest, " \t");
    char *args = a_end ? a_end + 1 : rest + strlen(rest);
    if (a_end)
        *a_end = '\0';
    const char *action = rest;
    char *tok[8];
    int nt;
    f->until = 0;
    f->loss = -1;
    if (strcmp(action, "crash") == 0) {
        f->kind = FAULT_CRASH;
        nt = split(args, tok, 2);
        if (nt < 1 || nt > 2 || node_arg(tok[0], nodes, &f->node, err, n)) {
            if (nt < 1 || nt > 2)
                snprintf(err, n, "crash: expected 'crash NODE [durable|volatile]'");
            return -1;
        }
        if (nt == 2 && strcmp(tok[1], "durable") != 0 && strcmp(tok[1], "volatile") != 0) {
            snprintf(err, n, "crash: storage '%s' must be durable or volatile", tok[1]);
            return -1;
        }
        f->storage_volatile = nt == 2 && strcmp(tok[1], "volatile") == 0;
    } else if (strcmp(action, "recover") == 0) {
        f->kind = FAULT_RECOVER;
        nt = split(args, tok, 1);
        if (nt != 1) {
            snprintf(err, n, "recover: expected 'recover NODE'");
            return -1;
        }
        if (node_arg(tok[0], nodes, &f->node, err, n))
            return -1;
    } else if (strcmp(action, "partition") == 0) {
        f->kind = FAULT_PARTITION;
        return parse_partition(args, nodes, dcs, f, err, n);
    } else if (strcmp(action, "heal") == 0) {
        f->kind = FAULT_HEAL;
        if (split(args, tok, 0) != 0) {
            snprintf(err, n, "heal takes no arguments (it restores every cut link)");
            return -1;
        }
    } else if (strcmp(action, "slow") == 0) {
        f->kind = FAULT_SLOW;
        nt = split(args, tok, 6);
        if (nt != 2 && nt != 4 && nt != 6) {
            snprintf(err, n, "slow: expected 'slow NODE FACTOR [on service|network|both] [until TIME]'");
            return -1;
        }
        if (node_arg(tok[0], nodes, &f->node, err, n))
            return -1;
        if (units_parse_double(tok[1], &f->factor) || f->factor <= 0 || f->factor > 1e6) {
            snprintf(err, n, "slow: factor '%s' must be a number in (0, 1e6]", tok[1]);
            return -1;
        }
        f->slow_on = SLOW_BOTH;
        for (int i = 2; i + 1 < nt; i += 2) {
            if (strcmp(tok[i], "on") == 0 && i == 2) {
                if (strcmp(tok[i + 1], "service") == 0)
                    f->slow_on = SLOW_SERVICE;
                else if (strcmp(tok[i + 1], "network") == 0)
                    f->slow_on = SLOW_NETWORK;
                else if (strcmp(tok[i + 1], "both") != 0) {
                    snprintf(err, n, "slow: 'on %s': must be service, network or both", tok[i + 1]);
                    return -1;
                }
            } else if (strcmp(tok[i], "until") == 0 && !f->until) {
                if (units_parse_duration(tok[i + 1], &f->until, e2, sizeof e2)) {
                    snprintf(err, n, "slow: until '%s': %s", tok[i + 1], e2);
                    return -1;
                }
                if (f->until <= f->at) {
                    snprintf(err, n, "slow: 'until' must be later than the start");
                    return -1;
                }
            } else {
                snprintf(err, n, "slow: expected 'slow NODE FACTOR [on service|network|both] [until TIME]'");
                return -1;
            }
        }
    } else if (strcmp(action, "link") == 0) {
        f->kind = FAULT_LINK;
        char *lname = args;
        while (*lname == ' ')
            lname++;
        char *l_end = strpbrk(lname, " \t");
        if (!l_end) {
            snprintf(err, n, "link: expected 'link A>B latency DIST|default' or 'link A>B loss P|default'");
            return -1;
        }
        *l_end = '\0';
        if (net_parse_link_name(lname, nodes, &f->src, &f->dst, &f->both, err, n))
            return -1;
        char *what = l_end + 1;
        while (*what == ' ')
            what++;
        char *w_end = strpbrk(what, " \t");
        if (!w_end) {
            snprintf(err, n, "link: expected 'latency DIST|default' or 'loss P|default'");
            return -1;
        }
        *w_end = '\0';
        char *val = w_end + 1;
        while (*val == ' ')
            val++;
        f->to_default = strcmp(val, "default") == 0;
        if (strcmp(what, "latency") == 0) {
            f->link_loss = 0;
            if (!f->to_default && dist_parse(val, dir, &f->latency, err, n) < 0)
                return -1;
        } else if (strcmp(what, "loss") == 0) {
            f->link_loss = 1;
            if (!f->to_default && (units_parse_double(val, &f->loss) || f->loss < 0 || f->loss > 1)) {
                snprintf(err, n, "link: loss must be a probability between 0 and 1");
                return -1;
            }
        } else {
            snprintf(err, n, "link: '%s' must be latency or loss", what);
            return -1;
        }
    } else {
        snprintf(err, n, "unknown action '%s' (crash, recover, partition, heal, slow, link)", action);
        return -1;
    }
    return 0;
}

void fault_free(fault *f)
{
    mem_free(f->group);
    dist_destroy(f->latency);
    f->group = NULL;
    f->latency = NULL;
}

/* A node's slowdown is its configured factor times every slow window active on it, so
 * overlapping windows compose and the end of one leaves the others in force; service and
 * network each take the windows that slow them. */
static void recompute_slow(faults *fs, int nd)
{
    double svc = nodes_base_slow(fs->ns, nd), netf = nodes_base_slow_net(fs->ns, nd);
    for (size_t i = 0; i < fs->n; i++) {
        if (!fs->rt[i].active || fs->rt[i].f->node != nd)
            continue;
        if (fs->rt[i].f->slow_on & SLOW_SERVICE)
            svc *= fs->rt[i].f->factor;
        if (fs->rt[i].f->slow_on & SLOW_NETWORK)
            netf *= fs->rt[i].f->factor;
    }
    nodes_set_slow(fs->ns, nd, svc);
    net_set_slow(fs->net, nd, netf);
}

static void apply(faults *fs, fault_rt *rt)
{
    const fault *f = rt->f;
    int ending = rt->ending;
    int nnodes = fs->ns->count;
    /* fault_parse takes at most FAULT_TEXT_MAX characters; escaped, each takes at most 6 */
    char spec[FAULT_TEXT_MAX * 6 + 1];
    jw_escape_to(spec, sizeof spec, f->text);
    char members[sizeof spec + 128], a[16], b[16];
    switch (f->kind) {
    case FAULT_CRASH:
        nodes_crash(fs->ns, f->node, f->storage_volatile);
        snprintf(members, sizeof members, "\"action\":\"crash\",\"node\":\"%s\",\"storage\":\"%s\"",
                 ep_name(f->node, a), f->storage_volatile ? "volatile" : "durable");
        break;
    case FAULT_RECOVER:
        nodes_recover(fs->ns, f->node);
        snprintf(members, sizeof members, "\"action\":\"recover\",\"node\":\"%s\"", ep_name(f->node, a));
        break;
    case FAULT_PARTITION:
        for (int x = 0; x <= nnodes; x++)
            for (int y = 0; y <= nnodes; y++) {
                int gx = f->group[x], gy = f->group[y];
                if (gx < 0 || gy < 0 || gx == gy)
                    continue;
                if (!f->oneway || (gx == 0 && gy == 1))
                    net_set_cut(fs->net, x, y, 1);
            }
        snprintf(members, sizeof members, "\"action\":\"partition\",\"spec\":\"%s\"", spec);
        break;
    case FAULT_HEAL:
        net_heal(fs->net);
        snprintf(members, sizeof members, "\"action\":\"heal\"");
        break;
    case FAULT_SLOW: {
        /* the window's start event carries its active flag; the end event follows it */
        (ending ? rt - 1 : rt)->active = !ending;
        recompute_slow(fs, f->node);
        snprintf(members, sizeof members, "\"action\":\"%s\",\"node\":\"%s\",\"factor\":%.10g%s",
                 ending ? "slow_end" : "slow", ep_name(f->node, a), ending ? 1.0 : f->factor,
                 f->slow_on == SLOW_BOTH ? "" : f->slow_on == SLOW_SERVICE ? ",\"on\":\"service\"" : ",\"on\":\"network\"");
        break;
    }
    case FAULT_LINK:
        for (int d = 0; d < (f->both ? 2 : 1); d++) {
            int x = d ? f->dst : f->src, y = d ? f->src : f->dst;
            if (f->link_loss)
                net_set_loss(fs->net, x, y, f->loss, f->to_default);
            else
                net_set_latency(fs->net, x, y, f->latency, f->to_default);
        }
        snprintf(members, sizeof members, "\"action\":\"link\",\"link\":\"%s%s%s\",\"spec\":\"%s\"",
                 ep_name(f->src, a), f->both ? "-" : ">", ep_name(f->dst, b), spec);
        break;
    default:
        return;
    }
    if (fs->res)
        fs->res->ev[fs->res->n++] = (fault_event){fs->tr->s->now, (uint32_t)(f - fs->fc->f), (uint8_t)ending};
    jw j;
    if (!tracer_begin(fs->tr, &j, "fault"))
        return;
    fprintf(fs->tr->f, ",%s", members);
    tracer_end(&j);
}

static void on_fault(sim *s, sim_event *ev)
{
    (void)s;
    fault_rt *rt = SIM_CONTAINER_OF(ev, fault_rt, ev);
    apply(rt->owner, rt);
}

int faults_init(faults *fs, const faults_cfg *fc, sim *s, node_set *ns, net *nt, tracer *tr, faults_res *res)
{
    fs->ns = ns;
    fs->net = nt;
    fs->tr = tr;
    fs->fc = fc;
    fs->res = res;
    size_t n = 0;
    for (size_t i = 0; i < fc->n; i++)
        n += fc->f[i].kind == FAULT_SLOW && fc->f[i].until > 0 ? 2 : 1;
    fs->rt = mem_calloc(n ? n : 1, sizeof *fs->rt);
    if (!fs->rt)
        return -ENOMEM;
    fs->n = n;
    if (res) {
        res->ev = mem_calloc(n ? n : 1, sizeof *res->ev);
        if (!res->ev)
            return -ENOMEM;
        res->n = 0;
    }
    size_t j = 0;
    for (size_t i = 0; i < fc->n; i++) {
        const fault *f = &fc->f[i];
        for (int end = 0; end < 2; end++) {
            if (end && !(f->kind == FAULT_SLOW && f->until > 0))
                break;
            fault_rt *rt = &fs->rt[j++];
            rt->owner = fs;
            rt->f = f;
            rt->ending = end;
            sim_event_init(&rt->ev, on_fault);
            if (sim_schedule(s, &rt->ev, end ? f->until : f->at))
                return -ENOMEM;
        }
    }
    return 0;
}

void faults_fini(faults *fs)
{
    mem_free(fs->rt);
    fs->rt = NULL;
    fs->n = 0;
}

/* ---- the faults module ---- */

typedef struct entry_load {
    cfg *c;
    scenario *sc;
} entry_load;

static void on_entry(void *ctx, cfg_entry *e)
{
    const entry_load *el = ctx;
    cfg *c = el->c;
    scenario *sc = el->sc;
    faults_cfg *fc = sc->cfg[MOD_FAULTS];
    const cluster_cfg *cc = SC_CFG(sc, MOD_CLUSTER, cluster_cfg);
    int nodes = (int)cc->nodes;
    fault f = {0};
    char err[512], dir[4096];
    cfg_entry_dir(c, e, dir, sizeof dir);
    if (fault_parse_dc(e->value, nodes < 1 ? 1 : nodes, &cc->dcs, dir, &f, err, sizeof err)) {
        fault_free(&f);
        cfg_error(c, e, "%s", err);
        return;
    }
    fault *nf = mem_grow(fc->f, &fc->cap, fc->n + 1, sizeof *nf);
    if (!nf) {
        fault_free(&f);
        cfg_error(c, e, "out of memory");
        return;
    }
    f.name = scenario_keep(c, sc, e->key);
    f.file = scenario_keep(c, sc, e->file);
    f.text = scenario_keep(c, sc, e->value);
    f.line = e->line;
    fc->f = nf;
    fc->f[fc->n++] = f;
}

static void load(cfg *c, scenario *sc, void *mcfg)
{
    (void)mcfg;
    entry_load el = {c, sc};
    cfg_each(c, "faults", on_entry, &el);
}

/* Does node nd spend time serving (a service distribution with a mean above zero)? */
static int node_serves_for_time(const scenario *sc, int nd)
{
    node_cfg c;
    nodes_cfg_of(SC_CFG(sc, MOD_NODE, nodes_cfg), nd, &c);
    return dist_mean(c.read_service) > 0 || dist_mean(c.write_service) > 0;
}

/* Can any message take time (a latency with a mean above zero anywhere)? */
static int net_takes_time(const scenario *sc)
{
    const net_cfg *nc = SC_CFG(sc, MOD_NETWORK, net_cfg);
    if (dist_mean(nc->latency) > 0 || nc->nlinks || (nc->dc_latency && dist_mean(nc->dc_latency) > 0) ||
        nc->ndc_links)
        return 1;
    for (int k = 0; k < MSG_NKINDS; k++)
        if (nc->kind[k] && dist_mean(nc->kind[k]) > 0)
            return 1;
    return 0;
}

typedef struct timed_fault {
    int64_t at;
    size_t i;
} timed_fault;

static int timed_cmp(const void *a, const void *b)
{
    const timed_fault *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i; /* same instant: file order, as they run */
}

/* Does link entry g set the property f sets on a direction f changed? */
static int same_link_property(const fault *f, const fault *g)
{
    if (f->link_loss != g->link_loss)
        return 0;
    for (int d = 0; d < (f->both ? 2 : 1); d++) {
        int a = d ? f->dst : f->src, b = d ? f->src : f->dst;
        for (int e = 0; e < (g->both ? 2 : 1); e++)
            if (a == (e ? g->dst : g->src) && b == (e ? g->src : g->dst))
                return 1;
    }
    return 0;
}

long faults_windows(const faults_cfg *fc, fault_window **out)
{
    *out = NULL;
    if (!fc->n)
        return 0;
    timed_fault *t = mem_alloc(fc->n * sizeof *t);
    fault_window *w = mem_calloc(fc->n, sizeof *w); /* at most one window per entry */
    if (!t || !w) {
        mem_free(t);
        mem_free(w);
        return -1;
    }
    for (size_t i = 0; i < fc->n; i++)
        t[i] = (timed_fault){fc->f[i].at, i};
    qsort(t, fc->n, sizeof *t, timed_cmp);
    long n = 0;
    for (size_t k = 0; k < fc->n; k++) {
        const fault *f = &fc->f[t[k].i];
        /* the windows this entry closes */
        for (long i = 0; i < n; i++) {
            fault_window *x = &w[i];
            if (x->to >= 0 || x->end)
                continue;
            int closes = (f->kind == FAULT_RECOVER && x->f->kind == FAULT_CRASH && x->f->node == f->node) ||
                         (f->kind == FAULT_HEAL && x->f->kind == FAULT_PARTITION) ||
                         (f->kind == FAULT_LINK && x->f->kind == FAULT_LINK && same_link_property(x->f, f));
            if (closes) {
                x->end = f;
                x->to = f->at;
            }
        }
        int opens = f->kind == FAULT_CRASH || f->kind == FAULT_PARTITION || f->kind == FAULT_SLOW ||
                    (f->kind == FAULT_LINK && !f->to_default);
        if (opens)
            w[n++] = (fault_window){f, NULL, f->at, f->kind == FAULT_SLOW && f->until > 0 ? f->until : -1};
    }
    mem_free(t);
    if (!n)
        mem_free(w);
    else
        *out = w;
    return n;
}

/* A fault that can have no effect is an error: the timeline alone decides whether a node
 * is up, whether a partition is in force, whether a link has a changed value, so walking it
 * in time order finds every crash of a node already down, recovery of a node up, heal with
 * nothing cut, slowdown by 1, and link reset with nothing to reset. */
static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const faults_cfg *fc = mcfg;
    int nodes = (int)SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->nodes;
    if (!fc->n || nodes < 1)
        return;
    timed_fault *t = mem_alloc(fc->n * sizeof *t);
    int *down_by = mem_calloc((size_t)nodes + 1, sizeof *down_by);       /* fault index + 1 */
    uint8_t *changed = mem_calloc((size_t)(nodes + 1) * (size_t)(nodes + 1), 2); /* [a][b][latency|loss] */
    if (!t || !down_by || !changed) {
        cfg_error(c, NULL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < fc->n; i++)
        t[i] = (timed_fault){fc->f[i].at, i};
    qsort(t, fc->n, sizeof *t, timed_cmp);
    int cut = 0;
    for (size_t k = 0; k < fc->n; k++) {
        const fault *f = &fc->f[t[k].i];
        const cfg_entry *e = cfg_find(c, "faults", f->name);
        char when[32];
        units_format_duration(f->at, when, sizeof when);
        switch (f->kind) {
        case FAULT_CRASH:
            if (down_by[f->node])
                cfg_error(c, e, "n%d is already down at %s (crashed by '%s'): this crash would do nothing", f->node,
                          when, fc->f[down_by[f->node] - 1].name);
            else
                down_by[f->node] = (int)t[k].i + 1;
            break;
        case FAULT_RECOVER:
            if (!down_by[f->node])
                cfg_error(c, e, "n%d is up at %s: this recovery would do nothing", f->node, when);
            down_by[f->node] = 0;
            break;
        case FAULT_PARTITION:
            cut = 1;
            break;
        case FAULT_HEAL:
            if (!cut)
                cfg_error(c, e, "no partition is in force at %s: this heal would do nothing", when);
            cut = 0;
            break;
        case FAULT_SLOW:
            if (f->factor == 1.0)
                cfg_error(c, e, "a slowdown by a factor of 1 does nothing");
            else if (f->slow_on == SLOW_SERVICE && !node_serves_for_time(sc, f->node))
                cfg_error(c, e, "n%d's service times are all zero: slowing its service does nothing (slow it on "
                                "network or both)",
                          f->node);
            else if (f->slow_on == SLOW_NETWORK && !net_takes_time(sc))
                cfg_error(c, e, "every message's latency is zero: slowing n%d's network does nothing", f->node);
            break;
        case FAULT_LINK:
            for (int d = 0; d < (f->both ? 2 : 1); d++) {
                int a = d ? f->dst : f->src, b = d ? f->src : f->dst;
                uint8_t *ch = &changed[((size_t)a * (size_t)(nodes + 1) + (size_t)b) * 2 + (size_t)f->link_loss];
                if (f->to_default && !*ch) {
                    cfg_error(c, e, "the link's %s is not changed at %s: this reset would do nothing",
                              f->link_loss ? "loss" : "latency", when);
                    break;
                }
                *ch = !f->to_default;
            }
            break;
        default:
            break;
        }
    }
done:
    mem_free(t);
    mem_free(down_by);
    mem_free(changed);
}

static void release(void *mcfg)
{
    faults_cfg *fc = mcfg;
    for (size_t i = 0; i < fc->n; i++)
        fault_free(&fc->f[i]);
    mem_free(fc->f);
    fc->f = NULL;
    fc->n = fc->cap = 0;
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    (void)err;
    (void)n;
    faults *fs = mem_calloc(1, sizeof *fs);
    if (!fs)
        return -ENOMEM;
    *state = fs;
    return faults_init(fs, mcfg, &w->s, &w->nodes, &w->net, &w->tr, res);
}

static void res_free(void *res)
{
    faults_res *r = res;
    mem_free(r->ev);
    r->ev = NULL;
    r->n = 0;
}

const char *fault_describe(const fault *f, int ending, char *buf, size_t n)
{
    char a[16];
    if (ending) {
        snprintf(buf, n, "slow %s ends", ep_name(f->node, a));
        return buf;
    }
    if (f->kind == FAULT_CRASH) { /* the storage, also when the entry leaves it to the default */
        snprintf(buf, n, "crash %s %s", ep_name(f->node, a), f->storage_volatile ? "volatile" : "durable");
        return buf;
    }
    /* the entry's own words after its time: "9ms crash n1 volatile" -> "crash n1 volatile" */
    const char *t = f->text ? f->text : "";
    while (*t == ' ' || *t == '\t')
        t++;
    while (*t && *t != ' ' && *t != '\t')
        t++;
    while (*t == ' ' || *t == '\t')
        t++;
    snprintf(buf, n, "%s", *t ? t : fault_kind_name[f->kind]);
    return buf;
}

static const char *action_name(const fault *f, int ending)
{
    return ending ? "slow_end" : fault_kind_name[f->kind];
}

/* summary.json: the timeline as it happened */
static void json_timeline(jw *j, const char *key, const run_view *v)
{
    const faults_res *r = RV_RES(v, MOD_FAULTS, faults_res);
    const faults_cfg *fc = SC_CFG(v->sc, MOD_FAULTS, faults_cfg);
    jw_arr(j, key);
    for (size_t i = 0; r && i < r->n; i++) {
        const fault *f = &fc->f[r->ev[i].fault];
        char what[FAULT_TEXT_MAX + 16];
        jw_obj(j, NULL);
        jw_str(j, "name", f->name);
        jw_int(j, "t_ns", r->ev[i].at);
        jw_str(j, "action", action_name(f, r->ev[i].ending));
        jw_str(j, "what", fault_describe(f, r->ev[i].ending, what, sizeof what));
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

static const metric fault_metrics[] = {
    {"faults", NULL, NULL, MT_JSON, "",
     "the fault timeline as it happened: each [faults] entry (and the end of each slow window) with its time",
     NULL, 0, json_timeline},
};

static void destroy(void *state)
{
    faults_fini(state);
    mem_free(state);
}

static const cfg_table *const fault_lists[] = {&faults_table, NULL};

const module faults_module = {
    .name = "faults",
    .lists = fault_lists,
    .cfg_size = sizeof(faults_cfg),
    .load = load,
    .check = check,
    .release = release,
    .res_size = sizeof(faults_res),
    .res_free = res_free,
    .create = create,
    .destroy = destroy,
    .metrics = fault_metrics,
    .nmetrics = sizeof fault_metrics / sizeof fault_metrics[0],
};
