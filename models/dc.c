/* dc: coordinator placement, the LOCAL_ONE, LOCAL_QUORUM and EACH_QUORUM levels and what
 * each datacenter's clients saw; see dc.h. */
#include "models/dc.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "models/run.h"
#include "models/scenario.h"
#include "models/wl.h"
#include "models/world.h"
#include "sim/alloc.h"

/* Per operation: counted replies per datacenter. */
typedef struct dc_op {
    uint8_t got[RING_MAX_DCS];
} dc_op;

/* The least number of replies a level takes from each datacenter (per) and in all; a count
 * (0 for ANY, which promises no replica) takes none from any one datacenter. */
static int span(const int *rf, int ndc, int lvl, int local, int *per)
{
    int total = 0;
    for (int d = 0; d < ndc; d++)
        per[d] = 0;
    if (lvl >= 0)
        return lvl;
    for (int d = 0; d < ndc; d++) {
        if (!rf[d] || (lvl != QL_EACH_QUORUM && d != local))
            continue;
        per[d] = lvl == QL_LOCAL_ONE ? 1 : rf[d] / 2 + 1;
        total += per[d];
    }
    return total;
}

int dc_levels_overlap(const int *rf, int ndc, int n, int rlvl, int rdc, int wlvl, int wdc)
{
    int r[RING_MAX_DCS], w[RING_MAX_DCS];
    int rt = span(rf, ndc, rlvl, rdc, r), wt = span(rf, ndc, wlvl, wdc, w), rs = 0, ws = 0;
    for (int d = 0; d < ndc; d++) {
        if (r[d] + w[d] > rf[d])
            return 1; /* they meet in d */
        rs += r[d];
        ws += w[d];
    }
    return (rt > rs ? rt : rs) + (wt > ws ? wt : ws) > n;
}

/* ---- the quorum rule ---- */

static int rule_need(void *ctx, const op *o, int64_t level)
{
    const dc *d = ctx;
    int per[RING_MAX_DCS];
    return span(d->rf, d->ndc, (int)level, o->dc, per);
}

static int rule_counts(void *ctx, const op *o, int nd)
{
    const dc *d = ctx;
    return o->lvl == QL_EACH_QUORUM || ring_dc_of(d->rg, nd) == o->dc;
}

static int rule_reached(void *ctx, op *o, int row)
{
    const dc *d = ctx;
    dc_op *x = op_ext(o, d->ext);
    int g = ring_dc_of(d->rg, o->t[row].node);
    x->got[g]++;
    if (o->lvl != QL_EACH_QUORUM)
        return x->got[o->dc] >= o->need;
    for (int i = 0; i < d->ndc; i++)
        if (d->rf[i] && x->got[i] < d->q[i])
            return 0;
    return 1;
}

static int rule_pick(void *ctx, op *o, const uint16_t *cand, int n, uint16_t *out)
{
    const dc *d = ctx;
    uint16_t sub[RING_MAX_REPLICAS];
    int got = 0;
    for (int g = 0; g < d->ndc; g++) {
        int each = o->lvl == QL_EACH_QUORUM;
        if ((!each && g != o->dc) || (each && !d->rf[g]))
            continue;
        int m = 0;
        for (int i = 0; i < n; i++)
            if (ring_dc_of(d->rg, cand[i]) == g)
                sub[m++] = cand[i];
        got += coord_choose_reads(d->c, o, sub, m, each ? d->q[g] : o->need, out + got);
    }
    return got;
}

static int rule_overlap(void *ctx, int rlvl, int rdc, int wlvl, int wdc)
{
    const dc *d = ctx;
    if (rdc >= 0)
        return dc_levels_overlap(d->rf, d->ndc, d->n, rlvl, rdc, wlvl, wdc);
    for (int g = 0; g < d->ndc; g++)
        if ((d->client_mask >> g & 1) && !dc_levels_overlap(d->rf, d->ndc, d->n, rlvl, g, wlvl, wdc))
            return 0;
    return 1;
}

/* ---- placement and statistics ---- */

static int place(void *ctx, const op *o)
{
    dc *d = ctx;
    if (d->place == COORD_AT_OWNER) {
        const uint16_t *own = ring_owners(d->rg, o->key);
        for (int i = 0; i < d->n; i++)
            if (ring_dc_of(d->rg, own[i]) == o->dc)
                return own[i];
    }
    return ring_dc_first(d->rg, o->dc) + (int)rng_bounded(&d->r_place, (uint32_t)ring_dc_size(d->rg, o->dc));
}

static void on_answer(void *ctx, op *o)
{
    dc *d = ctx;
    if (o->index < d->warmup)
        return;
    dc_stat *s = &d->res->per[o->dc];
    s->measured[o->kind]++;
    if (!o->ok) {
        s->unavailable[o->kind]++;
        return;
    }
    s->ok[o->kind]++;
    hist_record(&s->lat[o->kind], o->answered - o->start);
    if (o->kind != OP_READ)
        return;
    s->fresh += o->v.cls == RC_FRESH;
    s->stale += o->v.cls == RC_STALE;
    s->lost += o->v.cls == RC_LOST;
}

int dc_init(dc *d, coord *c, const ring *rg, int place_at, uint32_t client_mask, uint64_t warmup, uint64_t seed,
            dc_res *res, char *err, size_t n)
{
    memset(d, 0, sizeof *d);
    d->c = c;
    d->rg = rg;
    d->ndc = ring_dcs(rg);
    d->place = place_at;
    d->n = ring_replicas(rg);
    d->client_mask = client_mask;
    d->warmup = warmup;
    d->res = res;
    if (!d->ndc)
        return 0;
    res->per = mem_calloc((size_t)d->ndc, sizeof *res->per);
    if (!res->per)
        return -ENOMEM;
    res->ndc = d->ndc;
    for (int g = 0; g < d->ndc; g++) {
        d->rf[g] = ring_dc_rf(rg, g);
        d->q[g] = d->rf[g] / 2 + 1;
        snprintf(res->name[g], sizeof res->name[g], "%s", ring_dc_name(rg, g));
        res->nodes[g] = ring_dc_size(rg, g);
        res->rf[g] = d->rf[g];
        int racks = 0;
        for (int nd = ring_dc_first(rg, g); nd < ring_dc_first(rg, g) + ring_dc_size(rg, g); nd++)
            racks = ring_rack_of(rg, nd) + 1 > racks ? ring_rack_of(rg, nd) + 1 : racks;
        res->racks[g] = racks;
        hist_init(&res->per[g].lat[0]);
        hist_init(&res->per[g].lat[1]);
    }
    rng_derive(&d->r_place, seed, rng_entity_id("datacenter coordinator placement"));
    d->ext = coord_ext(c, sizeof(dc_op));
    coord_rule rule = {d, rule_need, rule_counts, rule_reached, rule_pick, rule_overlap};
    if (coord_set_rule(c, &rule, "datacenters", err, n) ||
        (place_at != COORD_AT_CLIENT && coord_set_place(c, place, d, "datacenters", err, n)))
        return -EINVAL;
    op_observer ob = {.name = "datacenters", .ctx = d, .answer = on_answer};
    return coord_observe(c, &ob) ? -ENOMEM : 0;
}

/* ---- the datacenters module ---- */

static int scenario_rf(const scenario *sc, int *rf)
{
    const cluster_cfg *cc = SC_CFG(sc, MOD_CLUSTER, cluster_cfg);
    for (int d = 0; d < cc->dcs.n; d++)
        rf[d] = (int)cc->dc_rf[d];
    return cc->dcs.n;
}

int dc_scenario_overlap(const scenario *sc)
{
    const cluster_cfg *cc = SC_CFG(sc, MOD_CLUSTER, cluster_cfg);
    const quorum_cfg *q = SC_CFG(sc, MOD_QUORUM, quorum_cfg);
    uint32_t mask = SC_CFG(sc, MOD_WORKLOAD, wl_cfg)->dc_mask;
    int rf[RING_MAX_DCS], ndc = scenario_rf(sc, rf);
    int64_t w = q->w == QL_ANY ? 0 : q->w; /* ANY promises no replica */
    if (!ndc)
        return q->r + w > cc->replicas;
    for (int rd = 0; rd < ndc; rd++)
        for (int wd = 0; wd < ndc; wd++)
            if ((mask >> rd & 1) && (mask >> wd & 1) &&
                !dc_levels_overlap(rf, ndc, (int)cc->replicas, (int)q->r, rd, (int)w, wd))
                return 0;
    return 1;
}

int dc_scenario_count(const scenario *sc, int64_t level)
{
    uint32_t mask = SC_CFG(sc, MOD_WORKLOAD, wl_cfg)->dc_mask;
    int rf[RING_MAX_DCS], per[RING_MAX_DCS], ndc = scenario_rf(sc, rf), first = 0;
    while (first < ndc - 1 && !(mask >> first & 1))
        first++;
    if (level == QL_ANY)
        return 0;
    return level > 0 ? (int)level : span(rf, ndc, (int)level, first, per);
}

/* Levels need datacenters, and a LOCAL_ level needs replicas where its clients are. */
static void check_level(cfg *c, const cluster_cfg *cc, int64_t level, uint32_t mask, const cfg_entry *e,
                        const char *section, const char *key)
{
    char name[16];
    if (!coord_level_is_dc(level))
        return;
    coord_level_name(level, name);
    const char *why = NULL;
    char why_buf[256];
    if (!cc->dcs.n) {
        why = "needs cluster.datacenters";
    } else if (level != QL_EACH_QUORUM) {
        for (int d = 0; d < cc->dcs.n && !why; d++) {
            if ((mask >> d & 1) && !cc->dc_rf[d]) {
                snprintf(why_buf, sizeof why_buf, "clients in %s, which keeps no replica (cluster.replicas), could never reach it",
                         cc->dcs.name[d]);
                why = why_buf;
            }
        }
    }
    if (!why)
        return;
    if (e)
        cfg_error(c, e, "at %s: %s", name, why);
    else
        cfg_error_key(c, section, key, "%s", why);
}

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    (void)mcfg;
    const cluster_cfg *cc = SC_CFG(sc, MOD_CLUSTER, cluster_cfg);
    const quorum_cfg *q = SC_CFG(sc, MOD_QUORUM, quorum_cfg);
    const wl_cfg *wc = SC_CFG(sc, MOD_WORKLOAD, wl_cfg);
    /* the datacenters whose operations take the scenario's R (W): every client's, or in a
     * script those of the reads (writes) that name no level */
    uint32_t mask[2] = {wc->dc_mask, wc->dc_mask};
    if (wc->mode == WL_SCRIPT) {
        mask[OP_READ] = mask[OP_WRITE] = 0;
        for (size_t i = 0; i < wc->nscript; i++)
            if (!wc->script[i].level)
                mask[wc->script[i].kind] |= 1u << wc->script[i].dc;
    }
    check_level(c, cc, q->r, mask[OP_READ], NULL, "quorum", "r");
    check_level(c, cc, q->w, mask[OP_WRITE], NULL, "quorum", "w");
    for (size_t i = 0; i < wc->nscript; i++) {
        const script_op *so = &wc->script[i];
        check_level(c, cc, so->level, 1u << so->dc, cfg_find(c, "script", so->name), NULL, NULL);
    }
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    (void)mcfg;
    if (!ring_dcs(w->ring))
        return 0;
    dc *d = mem_calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    *state = d;
    const cluster_cfg *cc = SC_CFG(w->sc, MOD_CLUSTER, cluster_cfg);
    const wl_cfg *wc = SC_CFG(w->sc, MOD_WORKLOAD, wl_cfg);
    uint64_t warmup = (uint64_t)SC_CFG(w->sc, MOD_RUN, run_cfg)->warmup;
    return dc_init(d, &w->coord, w->ring, cc->coordinator, wc->dc_mask, warmup, w->seed, res, err, n);
}

static void destroy(void *state) { mem_free(state); }

static void res_free(void *res)
{
    dc_res *r = res;
    mem_free(r->per);
    r->per = NULL;
    r->ndc = 0;
}

static void json_kind(jw *j, const char *key, const dc_stat *s, int kind)
{
    static const double q[] = {0.5, 0.99, 0.999, 1.0};
    static const char *const qn[] = {"p50_ns", "p99_ns", "p999_ns", "max_ns"};
    const hist *h = &s->lat[kind];
    jw_obj(j, key);
    jw_int(j, "measured", (int64_t)s->measured[kind]);
    jw_int(j, "ok", (int64_t)s->ok[kind]);
    jw_int(j, "unavailable", (int64_t)s->unavailable[kind]);
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        if (h->count)
            jw_int(j, qn[i], hist_quantile(h, q[i]));
        else
            jw_null(j, qn[i]);
    }
    jw_obj_end(j);
}

static void json_dcs(jw *j, const char *key, const run_view *v)
{
    const dc_res *r = RV_RES(v, MOD_DATACENTERS, dc_res);
    if (!r->ndc)
        return;
    jw_arr(j, key);
    for (int g = 0; g < r->ndc; g++) {
        const dc_stat *s = &r->per[g];
        jw_obj(j, NULL);
        jw_str(j, "name", r->name[g]);
        jw_int(j, "nodes", r->nodes[g]);
        jw_int(j, "racks", r->racks[g]);
        jw_int(j, "replicas", r->rf[g]);
        json_kind(j, "reads", s, OP_READ);
        json_kind(j, "writes", s, OP_WRITE);
        jw_int(j, "fresh", (int64_t)s->fresh);
        jw_int(j, "stale", (int64_t)s->stale);
        jw_int(j, "lost", (int64_t)s->lost);
        if (s->ok[OP_READ])
            jw_num(j, "stale_pct", 100.0 * (double)(s->stale + s->lost) / (double)s->ok[OP_READ]);
        else
            jw_null(j, "stale_pct");
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

static const metric dc_metrics[] = {
    {"datacenters", NULL, NULL, MT_JSON, "",
     "per datacenter: nodes, racks, replicas, and what its clients saw: operations, latency percentiles of successful "
     "ones, fresh, stale and lost reads (absent without datacenters)",
     NULL, 0, json_dcs},
};

const module datacenters_module = {
    .name = "datacenters",
    .check = check,
    .res_size = sizeof(dc_res),
    .res_free = res_free,
    .create = create,
    .destroy = destroy,
    .metrics = dc_metrics,
    .nmetrics = sizeof dc_metrics / sizeof dc_metrics[0],
};
