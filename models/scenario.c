/* scenario: binding the key tables into a validated struct scenario; see scenario.h. */
#include "models/scenario.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "sim/alloc.h"

static const cfg_key run_keys[] = {
    {"run", "seed", CFG_INT, "1", 0, 9007199254740991.0, NULL, offsetof(run_cfg, seed), NULL,
     "run seed: every random stream derives from it and an entity's name"},
    {"run", "ops", CFG_INT, "0", 0, 1e12, NULL, offsetof(run_cfg, ops), NULL,
     "client operations to issue (0 = no limit; then set duration)"},
    {"run", "duration", CFG_DURATION, "0", 0, 1e18, NULL, offsetof(run_cfg, duration), NULL,
     "stop issuing operations at this simulated time (0 = no limit)"},
    {"run", "warmup", CFG_INT, "0", 0, 1e12, NULL, offsetof(run_cfg, warmup), NULL,
     "first operations left out of every statistic"},
};
const cfg_table run_table = {run_keys, sizeof run_keys / sizeof run_keys[0], 0};

static const cfg_table *const tables[] = {
    &run_table, &cluster_table, &quorum_table, &net_table, &links_table, &node_table,
    &workload_table, &script_table, &faults_table, &trace_table,
};

const cfg_table *const *scenario_tables(size_t *n)
{
    *n = sizeof tables / sizeof tables[0];
    return tables;
}

typedef struct build {
    cfg *c;
    scenario *sc;
    int nodes;
    size_t nscript_entries; /* [script] entries seen, parsed or not */
} build;

/* A copy of s owned by the scenario; out of memory is an error (never a silent "?"). */
static const char *keep(build *b, const char *s)
{
    scenario *sc = b->sc;
    char **nn = mem_realloc(sc->names, (sc->nnames + 1) * sizeof *nn);
    char *d = nn ? mem_strdup(s) : NULL;
    if (nn)
        sc->names = nn;
    if (!d) {
        cfg_error(b->c, NULL, "out of memory");
        return "?";
    }
    sc->names[sc->nnames++] = d;
    return d;
}

static void on_node_section(void *ctx, const char *name, const cfg_entry *first)
{
    build *b = ctx;
    int id = ep_parse(name, b->nodes);
    char section[64];
    snprintf(section, sizeof section, "node.%s", name);
    if (id <= 0) {
        cfg_error(b->c, first, "unknown node in section [node.%s] (nodes are n1..n%d)", name, b->nodes);
        /* bind into a scratch struct so its keys are still checked and marked */
        node_cfg scratch = {0};
        cfg_bind(b->c, &node_table, section, &scratch, 0);
        cfg_release(&node_table, &scratch);
        return;
    }
    b->sc->node_mask[id] = cfg_bind(b->c, &node_table, section, &b->sc->node_over[id], 0);
}

static void on_link(void *ctx, cfg_entry *e)
{
    build *b = ctx;
    scenario *sc = b->sc;
    link_cfg lc = {0};
    char err[512], dir[4096];
    if (net_parse_link_name(e->key, b->nodes, &lc.src, &lc.dst, &lc.both, err, sizeof err)) {
        cfg_error(b->c, e, "%s", err);
        return;
    }
    cfg_entry_dir(b->c, e, dir, sizeof dir);
    if (net_parse_link_value(e->value, dir, &lc, err, sizeof err)) {
        cfg_error(b->c, e, "%s", err);
        return;
    }
    for (size_t i = 0; i < sc->nlinks; i++) {
        const link_cfg *o = &sc->links[i];
        int same = (o->src == lc.src && o->dst == lc.dst) || ((o->both || lc.both) && o->src == lc.dst && o->dst == lc.src);
        if (same) {
            dist_destroy(lc.latency);
            cfg_error(b->c, e, "this link is already set by another [links] entry");
            return;
        }
    }
    link_cfg *nl = mem_realloc(sc->links, (sc->nlinks + 1) * sizeof *nl);
    if (!nl) {
        dist_destroy(lc.latency);
        cfg_error(b->c, e, "out of memory");
        return;
    }
    sc->links = nl;
    sc->links[sc->nlinks++] = lc;
}

static void on_fault(void *ctx, cfg_entry *e)
{
    build *b = ctx;
    scenario *sc = b->sc;
    fault f = {0};
    char err[512], dir[4096];
    cfg_entry_dir(b->c, e, dir, sizeof dir);
    if (fault_parse(e->value, b->nodes, dir, &f, err, sizeof err)) {
        fault_free(&f);
        cfg_error(b->c, e, "%s", err);
        return;
    }
    fault *nf = mem_realloc(sc->faults, (sc->nfaults + 1) * sizeof *nf);
    if (!nf) {
        fault_free(&f);
        cfg_error(b->c, e, "out of memory");
        return;
    }
    f.name = keep(b, e->key);
    f.file = keep(b, e->file);
    f.text = keep(b, e->value);
    f.line = e->line;
    sc->faults = nf;
    sc->faults[sc->nfaults++] = f;
}

static void on_script(void *ctx, cfg_entry *e)
{
    build *b = ctx;
    scenario *sc = b->sc;
    script_op so = {0};
    char err[512];
    b->nscript_entries++;
    if (wl_parse_script(e->value, sc->wl.keys, b->nodes, &so, err, sizeof err)) {
        cfg_error(b->c, e, "%s", err);
        return;
    }
    script_op *ns = mem_realloc(sc->script, (sc->nscript + 1) * sizeof *ns);
    if (!ns) {
        cfg_error(b->c, e, "out of memory");
        return;
    }
    so.name = keep(b, e->key);
    so.file = keep(b, e->file);
    so.line = e->line;
    sc->script = ns;
    sc->script[sc->nscript++] = so;
}

/* A script's prefer list names replicas to read from first: they must own the key. The
 * ring depends only on node names, vnodes and N, so it can be consulted here. */
static void check_prefer(cfg *c, const scenario *sc)
{
    int any = 0;
    for (size_t i = 0; i < sc->nscript; i++) {
        any |= sc->script[i].nprefer > 0;
        if (sc->script[i].nprefer > 0 && sc->quorum.read_fanout != FANOUT_R)
            cfg_error(c, cfg_find(c, "script", sc->script[i].name),
                      "prefer needs quorum.read_fanout = r (with all, every owner is asked anyway)");
        if (sc->script[i].nprefer > 0 && sc->script[i].kind != OP_READ)
            cfg_error(c, cfg_find(c, "script", sc->script[i].name), "prefer applies to reads only");
    }
    ring *r = NULL;
    if (!any || cfg_nerrors(c))
        return;
    if (ring_create((int)sc->cluster.nodes, (int)sc->cluster.vnodes, (int)sc->cluster.replicas,
                    (uint32_t)sc->wl.keys, &r)) {
        cfg_error(c, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < sc->nscript; i++) {
        const script_op *so = &sc->script[i];
        for (int p = 0; p < so->nprefer; p++) {
            if (ring_owner_rank(r, so->key, so->prefer[p]) >= 0)
                continue;
            const uint16_t *own = ring_owners(r, so->key);
            char list[128] = "";
            for (int q = 0; q < sc->cluster.replicas; q++) {
                size_t l = strlen(list);
                snprintf(list + l, sizeof list - l, "%sn%d", q ? "," : "", own[q]);
            }
            cfg_error(c, cfg_find(c, "script", so->name), "prefer n%d: not an owner of k%u (its owners: %s)",
                      so->prefer[p], so->key + 1, list);
        }
    }
    ring_destroy(r);
}

static void resolve_level(cfg *c, const char *key, int64_t *v, int64_t n)
{
    if (*v == QL_QUORUM)
        *v = n / 2 + 1;
    else if (*v == QL_ALL)
        *v = n;
    else if (*v > n)
        cfg_error_key(c, "quorum", key, "must be <= replicas (%lld)", (long long)n);
}

size_t scenario_build(cfg *c, scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    size_t e0 = cfg_nerrors(c);
    cfg_begin_pass(c);
    cfg_bind(c, &run_table, "run", &sc->run, 1);
    cfg_bind(c, &cluster_table, "cluster", &sc->cluster, 1);
    cfg_bind(c, &quorum_table, "quorum", &sc->quorum, 1);
    cfg_bind(c, &net_table, "network", &sc->net, 1);
    cfg_bind(c, &node_table, "node", &sc->node, 1);
    cfg_bind(c, &workload_table, "workload", &sc->wl, 1);
    cfg_bind(c, &trace_table, "trace", &sc->trace, 1);

    build b = {c, sc, (int)sc->cluster.nodes, 0};
    if (b.nodes < 1)
        b.nodes = 1;
    sc->node_over = mem_calloc((size_t)b.nodes + 1, sizeof *sc->node_over);
    sc->node_mask = mem_calloc((size_t)b.nodes + 1, sizeof *sc->node_mask);
    if (!sc->node_over || !sc->node_mask) {
        cfg_error(c, NULL, "out of memory");
        return cfg_nerrors(c) - e0;
    }
    cfg_each_subsection(c, "node", on_node_section, &b);
    cfg_each(c, "links", on_link, &b);
    cfg_each(c, "faults", on_fault, &b);
    cfg_each(c, "script", on_script, &b);

    int64_t n = sc->cluster.replicas;
    if (n > sc->cluster.nodes) {
        if (cfg_find(c, "cluster", "replicas") || !cfg_find(c, "cluster", "nodes"))
            cfg_error_key(c, "cluster", "replicas", "must be <= nodes (%lld)", (long long)sc->cluster.nodes);
        else
            cfg_error_key(c, "cluster", "nodes", "must be >= replicas (%lld)", (long long)n);
    }
    resolve_level(c, "r", &sc->quorum.r, n);
    resolve_level(c, "w", &sc->quorum.w, n);

    if (sc->wl.mode == WL_SCRIPT) {
        if (b.nscript_entries == 0)
            cfg_error_key(c, "workload", "mode", "a script workload needs entries in [script]");
        if (cfg_find(c, "run", "ops"))
            cfg_error_key(c, "run", "ops", "not used with workload.mode = script (the script sets the operations)");
        if (cfg_find(c, "run", "duration"))
            cfg_error_key(c, "run", "duration", "not used with workload.mode = script");
    } else {
        if (sc->nscript > 0) {
            const cfg_entry *e = NULL;
            for (size_t i = 0; i < sc->nscript && !e; i++)
                e = cfg_find(c, "script", sc->script[i].name);
            cfg_error(c, e, "[script] entries need workload.mode = script");
        }
        if (sc->run.ops == 0 && sc->run.duration == 0)
            cfg_error(c, NULL, "set run.ops or run.duration: an open or closed workload needs a stop");
    }
    char err[512];
    if (sc->trace.keys && oracle_check_keys(sc->trace.keys, (uint32_t)sc->wl.keys, err, sizeof err))
        cfg_error_key(c, "trace", "keys", "%s", err);
    if (cfg_nerrors(c) == e0)
        check_prefer(c, sc);
    if (sc->wl.mode == WL_SCRIPT && sc->nscript > 0 && (size_t)sc->run.warmup >= sc->nscript)
        cfg_error_key(c, "run", "warmup", "must be smaller than the number of [script] entries (%zu)", sc->nscript);
    if (sc->run.ops > 0 && sc->run.warmup >= sc->run.ops)
        cfg_error_key(c, "run", "warmup", "must be smaller than run.ops (%lld)", (long long)sc->run.ops);

    size_t nt;
    const cfg_table *const *t = scenario_tables(&nt);
    cfg_check_unused(c, t, nt);
    return cfg_nerrors(c) - e0;
}

void scenario_free(scenario *sc)
{
    cfg_release(&net_table, &sc->net);
    cfg_release(&node_table, &sc->node);
    cfg_release(&workload_table, &sc->wl);
    cfg_release(&trace_table, &sc->trace);
    if (sc->node_over)
        for (int64_t i = 0; i <= sc->cluster.nodes; i++)
            cfg_release(&node_table, &sc->node_over[i]);
    mem_free(sc->node_over);
    mem_free(sc->node_mask);
    for (size_t i = 0; i < sc->nlinks; i++)
        dist_destroy(sc->links[i].latency);
    mem_free(sc->links);
    for (size_t i = 0; i < sc->nfaults; i++)
        fault_free(&sc->faults[i]);
    mem_free(sc->faults);
    mem_free(sc->script);
    for (size_t i = 0; i < sc->nnames; i++)
        mem_free(sc->names[i]);
    mem_free(sc->names);
    memset(sc, 0, sizeof *sc);
}

void scenario_node_cfg(const scenario *sc, int i, node_cfg *out)
{
    *out = sc->node;
    const node_cfg *o = &sc->node_over[i];
    uint64_t m = sc->node_mask[i];
    /* bit order follows node_table: read_service, write_service, concurrency, slow */
    if (m & 1)
        out->read_service = o->read_service;
    if (m & 2)
        out->write_service = o->write_service;
    if (m & 4)
        out->concurrency = o->concurrency;
    if (m & 8)
        out->slow = o->slow;
}
