/* stats: latency, availability and staleness counts at each answer; see stats.h. */
#include "models/stats.h"
#include <errno.h>
#include <math.h>
#include <string.h>
#include "models/run.h"
#include "models/scenario.h"
#include "models/wl.h"
#include "models/world.h"
#include "sim/alloc.h"

void stats_res_init(stats_res *r)
{
    memset(r, 0, sizeof *r);
    for (int k = 0; k < 2; k++)
        for (int o = 0; o < 2; o++)
            hist_init(&r->lat[k][o]);
    hist_init(&r->lat_corrected[0]);
    hist_init(&r->lat_corrected[1]);
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
    if (st->expected_interval > 0)
        hist_record_corrected(&r->lat_corrected[o->kind], o->answered - o->start, st->expected_interval);
    if (!ok || o->kind != OP_READ)
        return;
    const op_verdict *v = &o->v;
    if (v->cls == RC_FRESH) {
        r->fresh++;
    } else if (v->cls == RC_STALE || v->cls == RC_LOST) {
        if (v->cls == RC_STALE) {
            r->stale++;
            r->stale_promised += v->promised;
            r->stale_promised_fallback += v->promised && v->via_fallback;
        } else {
            r->lost_reads++;
            r->lost_promised += v->promised;
        }
        r->promised += v->promised;
        r->via_fallback += v->via_fallback;
        r->stale_k[v->k < STALE_KMAX ? v->k : STALE_KMAX]++;
    }
    if (v->has_latest) {
        int bin = vis_bin(o->start - v->latest_ack);
        r->vis_reads[bin]++;
        r->vis_fresh[bin] += v->cls == RC_FRESH;
    }
}

int stats_init(stats *st, uint64_t warmup, int64_t expected_interval, coord *c, stats_res *res)
{
    st->warmup = warmup;
    st->expected_interval = expected_interval;
    st->res = res;
    op_observer ob = {.name = "stats", .ctx = st, .answer = on_answer};
    return coord_observe(c, &ob);
}

/* ---- metrics ---- */

#define RES(v) RV_RES(v, MOD_STATS, stats_res)

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static const double quantile[] = {0.5, 0.9, 0.95, 0.99, 0.999, 1.0};

/* One statistic of h: 0 count, 1 mean, 2.. the quantiles. */
static metric_val hist_stat(const hist *h, int what)
{
    if (what == 0)
        return mv_int((int64_t)h->count);
    if (what == 1)
        return mv_num(hist_mean(h));
    return mv_int(hist_quantile(h, quantile[what - 2]));
}

/* arg: (kind * 2 + outcome) * 16 + statistic */
static metric_val get_lat(const run_view *v, int arg)
{
    return hist_stat(&RES(v)->lat[(arg >> 5) & 1][(arg >> 4) & 1], arg & 15);
}

/* arg: kind * 16 + statistic; null without workload.expected_interval */
static metric_val get_lat_corrected(const run_view *v, int arg)
{
    if (SC_CFG(v->sc, MOD_WORKLOAD, wl_cfg)->expected_interval <= 0)
        return mv_null();
    return hist_stat(&RES(v)->lat_corrected[(arg >> 4) & 1], arg & 15);
}

static metric_val get_stale_pct(const run_view *v, int arg)
{
    (void)arg;
    const stats_res *r = RES(v);
    return mv_num(pct(r->stale + r->lost_reads, r->ok[OP_READ]));
}

static metric_val get_stale_or_lost(const run_view *v, int arg)
{
    (void)arg;
    return mv_int((int64_t)(RES(v)->stale + RES(v)->lost_reads));
}

static metric_val get_unavailable(const run_view *v, int arg)
{
    (void)arg;
    return mv_int((int64_t)(RES(v)->unavailable[0] + RES(v)->unavailable[1]));
}

static metric_val get_unavailable_pct(const run_view *v, int arg)
{
    (void)arg;
    const stats_res *r = RES(v);
    return mv_num(pct(r->unavailable[0] + r->unavailable[1], r->measured[0] + r->measured[1]));
}

static metric_val get_vis_time(const run_view *v, int arg)
{
    int64_t t = vis_time(RES(v)->vis_reads, RES(v)->vis_fresh, arg ? 0.999 : 0.99);
    return t >= 0 ? mv_int(t) : mv_null();
}

static metric_val get_vis_reads(const run_view *v, int arg)
{
    (void)arg;
    uint64_t n = 0;
    for (int b = 0; b < VIS_NBINS; b++)
        n += RES(v)->vis_reads[b];
    return mv_int((int64_t)n);
}

/* The bins with reads. */
static void json_bins(jw *j, const char *key, const run_view *v)
{
    const stats_res *s = RES(v);
    jw_arr(j, key);
    for (int b = 0; b < VIS_NBINS; b++) {
        if (!s->vis_reads[b])
            continue;
        double lo, hi;
        vis_wilson(s->vis_fresh[b], s->vis_reads[b], &lo, &hi);
        jw_obj(j, NULL);
        jw_int(j, "t_lo_ns", vis_bin_lo(b));
        if (vis_bin_hi(b) >= 0)
            jw_int(j, "t_hi_ns", vis_bin_hi(b));
        else
            jw_null(j, "t_hi_ns");
        jw_int(j, "reads", (int64_t)s->vis_reads[b]);
        jw_int(j, "fresh", (int64_t)s->vis_fresh[b]);
        jw_num(j, "p_fresh", (double)s->vis_fresh[b] / (double)s->vis_reads[b]);
        jw_num(j, "ci_lo", lo);
        jw_num(j, "ci_hi", hi);
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

#define F(field) metric_u64, MFIELD(MOD_STATS, stats_res, field), NULL
#define LAT1(kname, oname, cname, label, code, stat, sname, sdoc, type, unit)                              \
    {kname "." oname "." sname, cname, label, type, unit, sdoc, get_lat, (code) * 16 + (stat), NULL},
/* one latency histogram: count, mean and the quantiles */
#define LAT(kname, oname, cpre, lpre, code, what)                                                       \
    LAT1(kname, oname, NULL, NULL, code, 0, "count", what ": how many", MT_COUNT, "operations")         \
    LAT1(kname, oname, cpre "_mean_ns", NULL, code, 1, "mean_ns", what ": mean latency from start", MT_NUM, "ns") \
    LAT1(kname, oname, cpre "_p50_ns", lpre "-p50", code, 2, "p50_ns", what ": median latency from start (intended; a closed loop's actual send)", MT_NS, "ns") \
    LAT1(kname, oname, cpre "_p90_ns", NULL, code, 3, "p90_ns", what ": 90th percentile latency", MT_NS, "ns") \
    LAT1(kname, oname, cpre "_p95_ns", NULL, code, 4, "p95_ns", what ": 95th percentile latency", MT_NS, "ns") \
    LAT1(kname, oname, cpre "_p99_ns", lpre "-p99", code, 5, "p99_ns", what ": 99th percentile latency", MT_NS, "ns") \
    LAT1(kname, oname, cpre "_p999_ns", lpre "-p999", code, 6, "p999_ns", what ": 99.9th percentile latency", MT_NS, "ns") \
    LAT1(kname, oname, cpre "_max_ns", lpre "-max", code, 7, "max_ns", what ": largest latency", MT_NS, "ns")
#define LATC1(kname, cname, label, kind, stat, sname, sdoc, type, unit)                                    \
    {kname ".latency_corrected." sname, cname, label, type, unit, sdoc, get_lat_corrected, (kind) * 16 + (stat), NULL},
/* the corrected histogram: every answer, ok or failed, and the answers a client keeping to
 * workload.expected_interval would have had while it waited (hist_record_corrected) */
#define LATC(kname, cpre, lpre, kind, what)                                                              \
    LATC1(kname, NULL, NULL, kind, 0, "count", what ": how many, measured and back-filled", MT_COUNT, "operations") \
    LATC1(kname, NULL, NULL, kind, 1, "mean_ns", what ": mean response time", MT_NUM, "ns")               \
    LATC1(kname, cpre "_p50_ns", lpre "-p50", kind, 2, "p50_ns", what ": median response time", MT_NS, "ns") \
    LATC1(kname, NULL, NULL, kind, 3, "p90_ns", what ": 90th percentile response time", MT_NS, "ns")      \
    LATC1(kname, NULL, NULL, kind, 4, "p95_ns", what ": 95th percentile response time", MT_NS, "ns")      \
    LATC1(kname, cpre "_p99_ns", lpre "-p99", kind, 5, "p99_ns", what ": 99th percentile response time", MT_NS, "ns") \
    LATC1(kname, cpre "_p999_ns", lpre "-p999", kind, 6, "p999_ns", what ": 99.9th percentile response time", MT_NS, "ns") \
    LATC1(kname, NULL, lpre "-max", kind, 7, "max_ns", what ": largest response time", MT_NS, "ns")
#define KIND(kname, cname, kind, what)                                                                  \
    {kname ".measured", cname "s", NULL, MT_COUNT, "operations", what " issued after the warm-up", F(measured[kind])}, \
    {kname ".ok", cname "s_ok", NULL, MT_COUNT, "operations", what " answered with success in time", F(ok[kind])},   \
    {kname ".unavailable", cname "s_unavailable", NULL, MT_COUNT, "operations",                             \
     what " not answered by start + quorum.timeout", F(unavailable[kind])},                                 \
    LAT(kname, "latency_ok", cname, cname, (kind) * 2 + OUT_OK, "successful " what)                         \
    LAT(kname, "latency_failed", cname "_failed", cname "-failed", (kind) * 2 + OUT_FAILED, "failed " what) \
    LATC(kname, cname "_corrected", "corr-" cname, kind, what " corrected for coordinated omission (workload.expected_interval)")
#define KB(k, name) {"staleness.k_behind." name, "stale_k" name, NULL, MT_COUNT, "reads",                  \
    "stale or lost reads " name " acknowledged versions behind", F(stale_k[k])},

static const metric stats_metrics[] = {
    KIND("reads", "read", OP_READ, "reads")
    KIND("writes", "write", OP_WRITE, "writes")
    {"staleness.fresh", "fresh", NULL, MT_COUNT, "reads", "successful reads that returned latest(r) or newer",
     F(fresh)},
    {"staleness.stale", "stale", NULL, MT_COUNT, "reads",
     "successful reads older than latest(r) while some holder still had latest(r)", F(stale)},
    {"staleness.lost", "lost_reads", NULL, MT_COUNT, "reads",
     "successful reads older than latest(r) when no holder had it any more", F(lost_reads)},
    {"staleness.despite_overlap", "stale_despite_overlap", NULL, MT_COUNT, "reads",
     "stale or lost reads whose own R plus the W of the write they missed exceeds N", F(promised)},
    {"staleness.via_fallback", "stale_via_fallback", NULL, MT_COUNT, "reads",
     "stale or lost reads that missed a write acknowledged by sloppy-quorum fallbacks", F(via_fallback)},
    {"staleness.stale_or_lost", "stale_or_lost", "stale", MT_COUNT, "reads",
     "stale and lost reads: the count of which stale_pct is the percent", get_stale_or_lost, 0, NULL},
    {"staleness.stale_pct", "stale_pct", "stale%", MT_PCT, "%", "stale and lost reads among successful reads",
     get_stale_pct, 0, NULL},
    KB(1, "1") KB(2, "2") KB(3, "3") KB(4, "4") KB(5, "5") KB(6, "6") KB(7, "7")
    {"staleness.k_behind.8+", "stale_k8plus", NULL, MT_COUNT, "reads",
     "stale or lost reads 8 or more versions behind (or deeper than the oracle tracks)", F(stale_k[STALE_KMAX])},
    {"visibility.reads", "vis_reads", NULL, MT_COUNT, "reads",
     "successful reads with an acknowledged latest(r): those the t-visibility curve counts", get_vis_reads, 0, NULL},
    {"visibility.bins", NULL, NULL, MT_JSON, "",
     "P(fresh | t), t = start - acknowledgement of latest(r): per bin of t with reads (ten per decade from 1us), "
     "reads, fresh reads, their ratio and its 95% Wilson interval (visibility.csv: the same per configuration)",
     NULL, 0, json_bins},
    {"visibility.t_vis_99_ns", "t_vis_99_ns", "t-vis99", MT_NS, "ns",
     "the first t from which P(fresh | t) stays >= 0.99 in every later bin with reads (a bin falls short when its "
     "95% interval lies below p; null: the last bin with reads falls short, or no reads)", get_vis_time, 0, NULL},
    {"visibility.t_vis_999_ns", "t_vis_999_ns", "t-vis999", MT_NS, "ns",
     "the first t from which P(fresh | t) stays >= 0.999 in every later bin with reads (a bin falls short when its "
     "95% interval lies below p; null: the last bin with reads falls short, or no reads)", get_vis_time, 1, NULL},
    {"unavailable", "unavailable", "unavail", MT_COUNT, "operations",
     "operations (reads and writes) not answered in time: the count of which unavailable_pct is the percent",
     get_unavailable, 0, NULL},
    {"unavailable_pct", "unavailable_pct", "unavail%", MT_PCT, "%",
     "operations not answered in time among those measured", get_unavailable_pct, 0, NULL},
};

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
    return stats_init(st, (uint64_t)SC_CFG(w->sc, MOD_RUN, run_cfg)->warmup,
                      SC_CFG(w->sc, MOD_WORKLOAD, wl_cfg)->expected_interval, &w->coord, res)
               ? -ENOMEM
               : 0;
}

static void destroy(void *state) { mem_free(state); }

const module stats_module = {
    .name = "stats",
    .res_size = sizeof(stats_res),
    .res_init = res_init,
    .create = create,
    .destroy = destroy,
    .metrics = stats_metrics,
    .nmetrics = sizeof stats_metrics / sizeof stats_metrics[0],
};
