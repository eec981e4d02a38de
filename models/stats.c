/* stats: latency, availability and staleness counts at each answer; see stats.h. */
#include "models/stats.h"
#include <errno.h>
#include <string.h>
#include "models/run.h"
#include "models/scenario.h"
#include "models/world.h"
#include "sim/alloc.h"

const int64_t vis_band_edge[VIS_NBANDS] = {
    0, 100000, 200000, 500000, 1000000, 2000000, 5000000, 10000000, 20000000, 50000000,
    100000000, 200000000, 500000000, 1000000000, 2000000000, 5000000000, 10000000000,
};

int stats_vis_band(int64_t t)
{
    int b = 0;
    while (b + 1 < VIS_NBANDS && t >= vis_band_edge[b + 1])
        b++;
    return b;
}

void stats_res_init(stats_res *r)
{
    memset(r, 0, sizeof *r);
    for (int k = 0; k < 2; k++)
        for (int o = 0; o < 2; o++)
            hist_init(&r->lat[k][o]);
    hist_init(&r->vis_all);
    hist_init(&r->vis_stale);
}

static void on_answer(void *ctx, op *o)
{
    stats *st = ctx;
    stats_res *r = st->res;
    if (o->index < st->warmup)
        return;
    int ok = o->ok;
    r->measured[o->kind]++;
    if (ok)
        r->ok[o->kind]++;
    else
        r->unavailable[o->kind]++;
    hist_record(&r->lat[o->kind][ok ? OUT_OK : OUT_FAILED], o->answered - o->start);
    if (!ok || o->kind != OP_READ)
        return;
    const op_verdict *v = &o->v;
    if (v->cls == RC_FRESH) {
        r->fresh++;
    } else if (v->cls == RC_STALE || v->cls == RC_LOST) {
        if (v->cls == RC_STALE)
            r->stale++;
        else
            r->lost_reads++;
        r->stale_k[v->k < STALE_KMAX ? v->k : STALE_KMAX]++;
    }
    if (v->has_latest) {
        int64_t t = o->start - v->latest_ack;
        int band = stats_vis_band(t);
        hist_record(&r->vis_all, t);
        r->vis_reads[band]++;
        if (v->cls != RC_FRESH)
            hist_record(&r->vis_stale, t);
        else
            r->vis_fresh[band]++;
    }
}

int stats_init(stats *st, uint64_t warmup, coord *c, stats_res *res)
{
    st->warmup = warmup;
    st->res = res;
    op_observer ob = {.name = "stats", .ctx = st, .answer = on_answer};
    return coord_observe(c, &ob);
}

/* ---- the stats module ---- */

static void res_init(void *res) { stats_res_init(res); }

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    (void)mcfg;
    (void)err;
    (void)n;
    stats *st = mem_calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    *state = st;
    return stats_init(st, (uint64_t)SC_CFG(w->sc, MOD_RUN, run_cfg)->warmup, &w->coord, res) ? -ENOMEM : 0;
}

static void destroy(void *state) { mem_free(state); }

const module stats_module = {
    .name = "stats",
    .res_size = sizeof(stats_res),
    .res_init = res_init,
    .create = create,
    .destroy = destroy,
};
