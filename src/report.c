/* report: terminal table, runs.csv and summary.json from the metric descriptions; see report.h. */
#include "src/report.h"
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include "models/coord.h"
#include "models/dc.h"
#include "models/oracle.h"
#include "models/ring.h"
#include "models/run.h"
#include "models/scenario.h"
#include "models/stats.h"
#include "models/wl.h"
#include "sim/alloc.h"
#include "sim/json.h"
#include "sim/units.h"
#include "src/story.h"

const char *const verdict_name[] = {"latest", "possibly-stale", "lost", "no-reads"};

#define N_OF(sc) SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->replicas
/* R and W as counts: a datacenter level's replies in all (models/dc.h) */
#define R_OF(sc) dc_scenario_count(sc, SC_CFG(sc, MOD_QUORUM, quorum_cfg)->r)
#define W_OF(sc) dc_scenario_count(sc, SC_CFG(sc, MOD_QUORUM, quorum_cfg)->w)

static verdict verdict_of(const run_view *v)
{
    const stats_res *s = RV_RES(v, MOD_STATS, stats_res);
    if (s->lost_reads || RV_RES(v, MOD_ORACLE, oracle_res)->lost_writes)
        return V_LOST;
    if (s->stale)
        return V_STALE;
    if (s->ok[OP_READ] == 0)
        return V_NOREADS;
    return V_LATEST;
}

verdict report_verdict(const run_item *it)
{
    run_view v = {&it->sc, &it->rr};
    return verdict_of(&v);
}

/* Every read set meets every write set: R + W > N, or with datacenter levels the rule of
 * models/dc.h for every pair of datacenters with clients. */
static int overlap(const scenario *sc) { return dc_scenario_overlap(sc); }

/* R or W is a datacenter level (LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM). */
static int dc_levels(const scenario *sc)
{
    const quorum_cfg *q = SC_CFG(sc, MOD_QUORUM, quorum_cfg);
    return coord_level_is_dc(q->r) || coord_level_is_dc(q->w);
}

/* ---- the report's own summary metrics ---- */

static metric_val get_seed(const run_view *v, int arg)
{
    (void)arg;
    return mv_int(SC_CFG(v->sc, MOD_RUN, run_cfg)->seed);
}

/* arg: 0 N, 1 R, 2 W, 3 R + W */
static metric_val get_nrw(const run_view *v, int arg)
{
    int64_t r = R_OF(v->sc), w = W_OF(v->sc);
    int64_t x[4] = {N_OF(v->sc), r, w, r + w};
    return mv_int(x[arg]);
}

static metric_val get_overlap(const run_view *v, int arg)
{
    (void)arg;
    return mv_int(overlap(v->sc));
}

static metric_val get_verdict(const run_view *v, int arg)
{
    (void)arg;
    return mv_str(verdict_name[verdict_of(v)]);
}

/* Theory: R+W>N promises the latest version; R+W<=N only makes stale reads possible. Each
 * read is judged by its own R and the W of the write it missed, so a scripted read at ONE
 * in an R=2 scenario is not a disagreement. */
static metric_val get_agrees(const run_view *v, int arg)
{
    (void)arg;
    verdict vd = verdict_of(v);
    const stats_res *s = RV_RES(v, MOD_STATS, stats_res);
    if (vd == V_NOREADS)
        return mv_int(1);
    if (s->promised)
        return mv_int(0);
    if (overlap(v->sc))
        return mv_int(RV_RES(v, MOD_ORACLE, oracle_res)->lost_promised == 0);
    return mv_int(vd != V_LATEST);
}

/* The note is empty when observation matches theory. */
static metric_val get_note(const run_view *v, int arg)
{
    (void)arg;
    verdict vd = verdict_of(v);
    const stats_res *s = RV_RES(v, MOD_STATS, stats_res);
    if (vd == V_NOREADS)
        return mv_str(overlap(v->sc) ? "" : "no reads measured");
    if (s->promised)
        return mv_str(s->via_fallback ? "DISAGREES: anomaly despite R+W>N: a sloppy quorum's fallbacks acknowledged "
                                        "the write (see trace.jsonl)"
                                      : "DISAGREES: anomaly despite R+W>N (see trace.jsonl)");
    if (overlap(v->sc)) {
        const oracle_res *o = RV_RES(v, MOD_ORACLE, oracle_res);
        if (o->lost_promised)
            return mv_str("DISAGREES: an acknowledged write was lost despite R+W>N (see trace.jsonl)");
        if (s->stale + s->lost_reads || o->lost_writes)
            return mv_str("anomalies only in operations whose own R + W <= N (a weaker or downgraded level)");
        /* R and W count replies in all datacenters; the levels meet by the rule, not the sum */
        return mv_str(R_OF(v->sc) + W_OF(v->sc) <= N_OF(v->sc) ? "the levels meet by the datacenter rule, "
                                                                  "not by R+W>N in all"
                                                                : "");
    }
    if (vd == V_LATEST)
        return mv_str(SC_CFG(v->sc, MOD_QUORUM, quorum_cfg)->w == QL_ANY
                          ? "differs: writes at ANY promise no replica (W = 0), no stale read seen"
                      : dc_levels(v->sc) ? "differs: the levels need not meet (datacenter rule), no stale read seen"
                                         : "differs: R+W<=N allows stale reads, none seen");
    return mv_str("");
}

static const metric summary_metrics[] = {
    {"seed", "seed", NULL, MT_COUNT, "", "the run seed every random stream derives from", get_seed, 0, NULL},
    {"n", "n", "N", MT_COUNT, "replicas", "N: replicas of each key", get_nrw, 0, NULL},
    {"r", "r", "R", MT_COUNT, "replicas",
     "R: replies a read waits for (a LOCAL_ or EACH_QUORUM level: in all, for the first datacenter with clients)",
     get_nrw, 1, NULL},
    {"w", "w", "W", MT_COUNT, "replicas", "W: acknowledgements a write waits for (counted as R is)", get_nrw, 2, NULL},
    {"r_plus_w", "r_plus_w", "R+W", MT_COUNT, "replicas", "R + W", get_nrw, 3, NULL},
    {"r_plus_w_gt_n", "r_plus_w_gt_n", ">N?", MT_BOOL, "",
     "R + W > N: every read set meets every write set, so theory promises the latest version (datacenter levels: "
     "per datacenter, for every pair of datacenters with clients)",
     get_overlap, 0, NULL},
    {"verdict", "verdict", "verdict", MT_STR, "",
     "what was observed: lost (a lost read or lost write), possibly-stale (a stale read), latest, or no-reads",
     get_verdict, 0, NULL},
    {"theory_agrees", "theory_agrees", NULL, MT_BOOL, "",
     "the verdict is what R + W against N predicts (latest when R + W > N, an anomaly allowed otherwise)",
     get_agrees, 0, NULL},
    {"note", "note", "note", MT_STR, "", "empty, or why observation and theory differ", get_note, 0, NULL},
};
#define NSUMMARY (sizeof summary_metrics / sizeof summary_metrics[0])

/* Every metric in report order: the summary, then each module's. Calls fn for each. */
static void each_metric(void (*fn)(void *ctx, const metric *m), void *ctx)
{
    for (size_t i = 0; i < NSUMMARY; i++)
        fn(ctx, &summary_metrics[i]);
    for (int md = 0; md < MOD_COUNT; md++)
        for (size_t i = 0; i < module_list[md]->nmetrics; i++)
            fn(ctx, &module_list[md]->metrics[i]);
}

typedef struct finder {
    const char *path;
    const metric *found;
} finder;

static void find_one(void *ctx, const metric *m)
{
    finder *fd = ctx;
    if (!fd->found && strcmp(m->path, fd->path) == 0)
        fd->found = m;
}

static const metric *metric_named(const char *path)
{
    finder fd = {path, NULL};
    each_metric(find_one, &fd);
    return fd.found;
}

/* ---- formatting ---- */

static char *lat(int64_t ns, char *buf, size_t n)
{
    return units_format_latency(ns, buf, n);
}

/* A value as the terminal table shows it. */
static const char *cell(const metric *m, const run_view *v, char *buf, size_t n)
{
    metric_val x = m->get(v, m->arg);
    if (x.null)
        return "-";
    switch (m->type) {
    case MT_NS:
        return lat(x.i, buf, n);
    case MT_PCT:
        snprintf(buf, n, "%.3f", x.d);
        return buf;
    case MT_NUM:
        snprintf(buf, n, "%.4g", x.d);
        return buf;
    case MT_BOOL:
        return x.i ? "yes" : "no";
    case MT_STR:
        return x.s;
    default:
        snprintf(buf, n, "%" PRId64, x.i);
        return buf;
    }
}

/* The terminal tables' columns: a choice among the metrics, each formatted by its type. */
static const char *const table_columns[] = {
    "n", "r", "w", "r_plus_w", "r_plus_w_gt_n", "verdict", "staleness.stale_or_lost", "staleness.stale_pct",
    "writes_outcome.lost", "unavailable", "unavailable_pct", "reads.latency_ok.p50_ns", "reads.latency_ok.p99_ns",
    "reads.latency_ok.p999_ns", "writes.latency_ok.p50_ns", "writes.latency_ok.p99_ns", "writes.latency_ok.p999_ns",
    "note",
};
/* Repair activity, a second table shown when any of its counts (all but the last four
 * columns) is not zero in some configuration. */
static const char *const repair_columns[] = {
    "sloppy.ops_with_fallback", "hints.stored", "hints.delivered", "hints.dropped_window", "hints.dropped_capacity",
    "hints.dropped_crash", "hints.pending_at_end", "read_repair.reads_repaired", "read_repair.repairs_sent",
    "anti_entropy.exchanges_repairing", "anti_entropy.keys_streamed", "anti_entropy.time_to_agree_ns",
    "inconsistency.window_p99_ns", "inconsistency.window_max_ns", "inconsistency.open_at_end",
};
#define NREPAIR_COUNTS (sizeof repair_columns / sizeof repair_columns[0] - 4)
/* Tail latency and hedging, a third table shown when some configuration hedges. */
static const char *const hedge_columns[] = {
    "reads.latency_ok.p50_ns", "reads.latency_ok.p99_ns", "reads.latency_ok.p999_ns", "reads.latency_ok.max_ns",
    "hedge.extra_pct", "hedge.hedges", "hedge.won", "hedge.cancelled",
};
/* A closed loop's measured latencies next to the response times corrected for coordinated
 * omission, a fourth table shown when some configuration sets workload.expected_interval. */
static const char *const corrected_columns[] = {
    "reads.latency_ok.p50_ns",           "reads.latency_ok.p99_ns",           "reads.latency_corrected.p50_ns",
    "reads.latency_corrected.p99_ns",    "reads.latency_corrected.p999_ns",   "reads.latency_corrected.max_ns",
    "writes.latency_corrected.p50_ns",   "writes.latency_corrected.p99_ns",
};

/* Numbers right-aligned, words left-aligned, one space between; the last column is not
 * padded and an empty one leaves no trailing blank. */
static void put_cell(FILE *f, const metric *m, int width, size_t c, size_t ncols, const char *s)
{
    int last = c + 1 == ncols;
    if (last && !s[0]) {
        fputc('\n', f);
        return;
    }
    if (c > 0)
        fputc(' ', f);
    if (last)
        fprintf(f, "%s\n", s);
    else
        fprintf(f, m->type == MT_STR || m->type == MT_BOOL ? "%-*s" : "%*s", width, s);
}

/* One table: a row per configuration, the given metrics as columns, with a short
 * header name (the metric's label or the last part of its path). */
static void print_table(FILE *f, const report_meta *m, const run_item *items, size_t n, const char *const *names,
                        size_t ncols)
{
    const metric *col[32];
    int width[32];
    int lw = 6;
    for (size_t c = 0; c < ncols; c++) {
        col[c] = metric_named(names[c]);
        const char *h = col[c]->label ? col[c]->label : col[c]->path;
        width[c] = (int)strlen(h);
    }
    for (size_t i = 0; i < n; i++) {
        run_view v = {&items[i].sc, &items[i].rr};
        int l = (int)strlen(items[i].label);
        if (l > lw)
            lw = l;
        for (size_t c = 0; c < ncols; c++) {
            char buf[64];
            int cw = (int)strlen(cell(col[c], &v, buf, sizeof buf));
            if (cw > width[c])
                width[c] = cw;
        }
    }
    if (m->nsw)
        fprintf(f, "%-*s  ", lw, "config");
    for (size_t c = 0; c < ncols; c++)
        put_cell(f, col[c], width[c], c, ncols, col[c]->label ? col[c]->label : col[c]->path);
    for (size_t i = 0; i < n; i++) {
        run_view v = {&items[i].sc, &items[i].rr};
        if (m->nsw)
            fprintf(f, "%-*s  ", lw, items[i].label);
        for (size_t c = 0; c < ncols; c++) {
            char buf[64];
            put_cell(f, col[c], width[c], c, ncols, cell(col[c], &v, buf, sizeof buf));
        }
    }
}

static void report_table_rows(FILE *f, const report_meta *m, const run_item *items, size_t n);

/* Datacenters: a row per configuration and datacenter whose clients issued operations,
 * with what those clients saw (models/dc.h), shown when the scenario has datacenters. */
#define DC_COLS 9
static void print_dc_table(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    static const char *const head[DC_COLS] = {"dc",     "reads",     "read-p50",  "read-p99", "stale%",
                                              "writes", "write-p50", "write-p99", "unavail%"};
    int width[DC_COLS], lw = 6;
    for (int c = 0; c < DC_COLS; c++)
        width[c] = (int)strlen(head[c]);
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            fputs("\ndatacenters (where the clients are):\n", f);
            if (m->nsw)
                fprintf(f, "%-*s  ", lw, "config");
            for (int c = 0; c < DC_COLS; c++)
                fprintf(f, c ? " %*s" : "%-*s", width[c], head[c]);
            fputc('\n', f);
        }
        for (size_t i = 0; i < n; i++) {
            const dc_res *r = items[i].rr.res[MOD_DATACENTERS];
            for (int g = 0; g < r->ndc; g++) {
                const dc_stat *s = &r->per[g];
                uint64_t ops = s->measured[OP_READ] + s->measured[OP_WRITE];
                if (!ops)
                    continue;
                char cell[DC_COLS][32];
                snprintf(cell[0], sizeof cell[0], "%s", r->name[g]);
                snprintf(cell[1], sizeof cell[1], "%" PRIu64, s->ok[OP_READ]);
                snprintf(cell[5], sizeof cell[5], "%" PRIu64, s->ok[OP_WRITE]);
                for (int k = 0; k < 2; k++) {
                    const hist *h = &s->lat[k];
                    int at = k == OP_READ ? 2 : 6;
                    if (h->count) {
                        lat(hist_quantile(h, 0.5), cell[at], sizeof cell[at]);
                        lat(hist_quantile(h, 0.99), cell[at + 1], sizeof cell[at + 1]);
                    } else {
                        snprintf(cell[at], sizeof cell[at], "-");
                        snprintf(cell[at + 1], sizeof cell[at + 1], "-");
                    }
                }
                snprintf(cell[4], sizeof cell[4], "%.3f",
                         s->ok[OP_READ] ? 100.0 * (double)(s->stale + s->lost) / (double)s->ok[OP_READ] : 0.0);
                snprintf(cell[8], sizeof cell[8], "%.3f",
                         100.0 * (double)(s->unavailable[OP_READ] + s->unavailable[OP_WRITE]) / (double)ops);
                if (!pass) {
                    if ((int)strlen(items[i].label) > lw)
                        lw = (int)strlen(items[i].label);
                    for (int c = 0; c < DC_COLS; c++)
                        if ((int)strlen(cell[c]) > width[c])
                            width[c] = (int)strlen(cell[c]);
                    continue;
                }
                if (m->nsw)
                    fprintf(f, "%-*s  ", lw, items[i].label);
                for (int c = 0; c < DC_COLS; c++)
                    fprintf(f, c ? " %*s" : "%-*s", width[c], cell[c]);
                fputc('\n', f);
            }
        }
    }
}

/* ---- replications ---- */

/* The 97.5th percentile of Student's t with df degrees of freedom (a 95% interval). */
static double t975(size_t df)
{
    static const double t[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                               2.074, 2.069,  2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (df < sizeof t / sizeof t[0])
        return t[df];
    /* Cornish-Fisher expansion around the normal quantile, within 0.001 beyond 30 */
    double z = 1.959964, d = (double)df;
    return z + (z * z * z + z) / (4 * d) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
}

/* A metric's value as a number, for means; 0 with *ok = 0 when it has none. */
static double number(const metric *m, const run_view *v, int *ok)
{
    *ok = 0;
    if (m->type == MT_STR || m->type == MT_JSON)
        return 0;
    metric_val x = m->get(v, m->arg);
    if (x.null)
        return 0;
    *ok = 1;
    return m->type == MT_PCT || m->type == MT_NUM ? x.d : (double)x.i;
}

/* Mean and 95% half-width of metric m over items [a, b) (replications of one configuration),
 * or of its difference from the same replications of items [base, ...) when base < a. Returns
 * the number of values used. */
static size_t interval(const metric *m, const run_item *items, size_t a, size_t b, const run_item *base,
                       double *mean, double *hw)
{
    double sum = 0, sq = 0;
    size_t k = 0;
    for (size_t i = a; i < b; i++) {
        run_view v = {&items[i].sc, &items[i].rr};
        int ok, okb = 1;
        double x = number(m, &v, &ok);
        if (base) {
            run_view vb = {&base[i - a].sc, &base[i - a].rr};
            x -= number(m, &vb, &okb);
        }
        if (!ok || !okb)
            continue;
        sum += x;
        sq += x * x;
        k++;
    }
    *mean = k ? sum / (double)k : 0;
    double var = k > 1 ? (sq - sum * sum / (double)k) / (double)(k - 1) : 0;
    *hw = k > 1 ? t975(k - 1) * sqrt(var > 0 ? var : 0) / sqrt((double)k) : 0;
    return k;
}

/* Formats mean and half-width as the metric's type is shown. */
static void cell_ci(const metric *m, double mean, double hw, char *buf, size_t n)
{
    char a[40], b[40];
    if (m->type == MT_NS) {
        lat((int64_t)llround(mean), a, sizeof a);
        lat((int64_t)llround(hw), b, sizeof b);
    } else if (m->type == MT_PCT) {
        snprintf(a, sizeof a, "%.3f", mean);
        snprintf(b, sizeof b, "%.3f", hw);
    } else {
        snprintf(a, sizeof a, "%.4g", mean);
        snprintf(b, sizeof b, "%.3g", hw);
    }
    snprintf(buf, n, "%s ±%s", a, b);
}

/* The configurations' replications: mean and 95% interval of a few metrics, and the
 * difference of read p99 from the first configuration, replication by replication (same
 * seeds: common random numbers). */
static const char *const rep_columns[] = {
    "reads.latency_ok.p50_ns", "reads.latency_ok.p99_ns", "reads.latency_ok.p999_ns", "writes.latency_ok.p99_ns",
    "staleness.stale_pct", "unavailable_pct", "hedge.extra_pct",
};
#define NREP (sizeof rep_columns / sizeof rep_columns[0])

static void print_replications(FILE *f, const run_item *items, size_t n)
{
    const metric *col[NREP + 1];
    for (size_t c = 0; c < NREP; c++)
        col[c] = metric_named(rep_columns[c]);
    const metric *p99 = metric_named("reads.latency_ok.p99_ns");
    char buf[NREP + 1][96];
    int width[NREP + 2] = {6, 4};
    /* two passes: widths, then rows */
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            fprintf(f, "%-*s %*s", width[0], "config", width[1], "reps");
            for (size_t c = 0; c < NREP; c++)
                fprintf(f, " %*s", width[c + 2], col[c]->label ? col[c]->label : col[c]->path);
            fprintf(f, " %s\n", "read-p99 vs first");
        }
        for (size_t a = 0; a < n;) {
            size_t b = a + 1;
            while (b < n && items[b].config == items[a].config)
                b++;
            const char *label = items[a].label[0] ? items[a].label : "-";
            char reps[16];
            snprintf(reps, sizeof reps, "%zu", b - a);
            for (size_t c = 0; c < NREP; c++) {
                double mean, hw;
                interval(col[c], items, a, b, NULL, &mean, &hw);
                cell_ci(col[c], mean, hw, buf[c], sizeof buf[c]);
            }
            if (a == 0) {
                snprintf(buf[NREP], sizeof buf[NREP], "-");
            } else {
                double mean, hw;
                size_t k = b - a < items[0].reps ? b - a : items[0].reps;
                interval(p99, items, a, a + k, items, &mean, &hw);
                char x[32], y[32];
                lat((int64_t)llround(fabs(mean)), x, sizeof x);
                lat((int64_t)llround(hw), y, sizeof y);
                snprintf(buf[NREP], sizeof buf[NREP], "%s%s ±%s", mean < 0 ? "-" : "+", x, y);
            }
            if (!pass) {
                if ((int)strlen(label) > width[0])
                    width[0] = (int)strlen(label);
                for (size_t c = 0; c < NREP; c++) {
                    int l = (int)strlen(col[c]->label ? col[c]->label : col[c]->path);
                    int w = (int)strlen(buf[c]);
                    if ((l > w ? l : w) > width[c + 2])
                        width[c + 2] = l > w ? l : w;
                }
            } else {
                fprintf(f, "%-*s %*s", width[0], label, width[1], reps);
                for (size_t c = 0; c < NREP; c++)
                    fprintf(f, " %*s", width[c + 2], buf[c]);
                fprintf(f, " %s\n", buf[NREP]);
            }
            a = b;
        }
    }
}

static int replicated(const run_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (items[i].reps > 1)
            return 1;
    return 0;
}

void report_table(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    fprintf(f, "qsim %s: %s, seed %" PRId64 "\n", QSIM_VERSION, m->scenario,
            SC_CFG(&items[0].sc, MOD_RUN, run_cfg)->seed);
    if (replicated(items, n)) {
        fprintf(f, "replications: mean and 95%% interval over the seeds; the last column is the difference from the "
                   "first configuration with the same seeds\n");
        print_replications(f, items, n);
        fputs("\nthe first replication of each configuration:\n", f);
        /* the per-configuration tables below show replication 0 */
        run_item *first = mem_alloc(n * sizeof *first);
        size_t k = 0;
        for (size_t i = 0; first && i < n; i++)
            if (items[i].rep == 0)
                first[k++] = items[i];
        if (first) {
            report_meta m0 = *m;
            report_table_rows(f, &m0, first, k);
            mem_free(first);
        }
        return;
    }
    report_table_rows(f, m, items, n);
}

static void report_table_rows(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    print_table(f, m, items, n, table_columns, sizeof table_columns / sizeof table_columns[0]);
    int active = 0;
    for (size_t i = 0; i < n && !active; i++)
        active = ((const dc_res *)items[i].rr.res[MOD_DATACENTERS])->ndc > 0;
    if (active)
        print_dc_table(f, m, items, n);
    active = 0;
    for (size_t i = 0; i < n && !active; i++) {
        run_view v = {&items[i].sc, &items[i].rr};
        for (size_t c = 0; c < NREPAIR_COUNTS && !active; c++) {
            const metric *mt = metric_named(repair_columns[c]);
            active = mt->get(&v, mt->arg).i != 0;
        }
    }
    if (active) {
        fputs("\nrepair:\n", f);
        print_table(f, m, items, n, repair_columns, sizeof repair_columns / sizeof repair_columns[0]);
    }
    const metric *firsts = metric_named("hedge.first_requests");
    active = 0;
    for (size_t i = 0; i < n && !active; i++) {
        run_view v = {&items[i].sc, &items[i].rr};
        active = firsts->get(&v, firsts->arg).i != 0;
    }
    if (active) {
        fputs("\nreads and hedging:\n", f);
        print_table(f, m, items, n, hedge_columns, sizeof hedge_columns / sizeof hedge_columns[0]);
    }
    const metric *corrected = metric_named("reads.latency_corrected.count");
    active = 0;
    for (size_t i = 0; i < n && !active; i++) {
        run_view v = {&items[i].sc, &items[i].rr};
        active = !corrected->get(&v, corrected->arg).null;
    }
    if (active) {
        fputs("\nclosed loop, corrected for coordinated omission:\n", f);
        print_table(f, m, items, n, corrected_columns, sizeof corrected_columns / sizeof corrected_columns[0]);
    }
    /* stories: the timeline of every scripted operation and fault (src/story.h) */
    for (size_t i = 0; i < n; i++)
        story_print(f, &items[i]);
    story_writeup(f, items, n);
}

/* ---- runs.csv ---- */


static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

typedef struct csv_ctx {
    FILE *f;
    const run_view *v; /* NULL: the header */
} csv_ctx;

static void csv_one(void *ctx, const metric *m)
{
    const csv_ctx *c = ctx;
    if (!m->column || m->type == MT_JSON)
        return;
    fputc(',', c->f);
    if (!c->v) {
        csv_field(c->f, m->column);
        return;
    }
    metric_val x = m->get(c->v, m->arg);
    if (x.null)
        return;
    switch (m->type) {
    case MT_PCT:
        fprintf(c->f, "%.6f", x.d);
        break;
    case MT_NUM:
        fprintf(c->f, "%.10g", x.d);
        break;
    case MT_STR:
        csv_field(c->f, x.s);
        break;
    default:
        fprintf(c->f, "%" PRId64, x.i);
        break;
    }
}

void report_csv(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    int reps = replicated(items, n);
    fputs(reps ? "config,rep" : "config", f);
    for (size_t s = 0; s < m->nsw; s++) {
        fputc(',', f);
        csv_field(f, m->sw[s].key);
    }
    csv_ctx hc = {f, NULL};
    each_metric(csv_one, &hc);
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        const run_item *it = &items[i];
        run_view v = {&it->sc, &it->rr};
        fprintf(f, "%zu", it->config);
        if (reps)
            fprintf(f, ",%zu", it->rep);
        for (size_t k = 0; k < it->nover; k++) {
            fputc(',', f);
            csv_field(f, it->over[k].value);
        }
        csv_ctx rc = {f, &v};
        each_metric(csv_one, &rc);
        fputc('\n', f);
    }
}

/* ---- summary.json ---- */

/* The metrics' paths as a tree, children in the order they first appear, so metrics from
 * several modules that share an object ("messages") land in one object. */
typedef struct tnode {
    char name[48];
    const metric *m; /* a leaf's metric */
    int first, last, next; /* children and siblings, by index; 0 = none (0 is the root) */
} tnode;

typedef struct tree {
    tnode *t;
    int n, cap;
    int oom;
} tree;

static int child(tree *tr, int parent, const char *name, size_t len)
{
    for (int c = tr->t[parent].first; c; c = tr->t[c].next)
        if (strlen(tr->t[c].name) == len && strncmp(tr->t[c].name, name, len) == 0)
            return c;
    if (tr->n == tr->cap) {
        int cap = tr->cap ? tr->cap * 2 : 256;
        tnode *nt = mem_realloc(tr->t, (size_t)cap * sizeof *nt);
        if (!nt) {
            tr->oom = 1;
            return -1;
        }
        tr->t = nt;
        tr->cap = cap;
    }
    int c = tr->n++;
    memset(&tr->t[c], 0, sizeof tr->t[c]);
    snprintf(tr->t[c].name, sizeof tr->t[c].name, "%.*s", (int)len, name);
    if (tr->t[parent].last)
        tr->t[tr->t[parent].last].next = c;
    else
        tr->t[parent].first = c;
    tr->t[parent].last = c;
    return c;
}

static void tree_add(void *ctx, const metric *m)
{
    tree *tr = ctx;
    int at = 0;
    if (tr->oom)
        return;
    for (const char *p = m->path; at >= 0;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        at = child(tr, at, p, len);
        if (!dot)
            break;
        p = dot + 1;
    }
    if (at > 0)
        tr->t[at].m = m;
}

static void json_value(jw *j, const char *key, const metric *m, const run_view *v)
{
    if (m->type == MT_JSON) {
        m->json(j, key, v);
        return;
    }
    metric_val x = m->get(v, m->arg);
    if (x.null) {
        jw_null(j, key);
        return;
    }
    switch (m->type) {
    case MT_PCT:
    case MT_NUM:
        jw_num(j, key, x.d);
        break;
    case MT_BOOL:
        jw_bool(j, key, (int)x.i);
        break;
    case MT_STR:
        jw_str(j, key, x.s);
        break;
    default:
        jw_int(j, key, x.i);
        break;
    }
}

static void json_tree(jw *j, const tree *tr, int at, const run_view *v)
{
    for (int c = tr->t[at].first; c; c = tr->t[c].next) {
        const tnode *nd = &tr->t[c];
        if (nd->m) {
            json_value(j, nd->name, nd->m, v);
        } else {
            jw_obj(j, nd->name);
            json_tree(j, tr, c, v);
            jw_obj_end(j);
        }
    }
}

static void json_item(jw *j, const run_item *it, const tree *tr)
{
    run_view v = {&it->sc, &it->rr};
    jw_obj(j, NULL);
    jw_int(j, "config", (int64_t)it->config);
    if (it->reps > 1)
        jw_int(j, "rep", (int64_t)it->rep);
    jw_str(j, "label", it->label);
    jw_obj(j, "overrides");
    for (size_t k = 0; k < it->nover; k++)
        jw_str(j, it->over[k].key, it->over[k].value);
    jw_obj_end(j);
    json_tree(j, tr, 0, &v);
    jw_obj(j, "effective");
    for (size_t k = 0; k < it->neff; k++)
        jw_str(j, it->eff[k].key, it->eff[k].value);
    jw_obj_end(j);
    jw_obj_end(j);
}

typedef struct agg_ctx {
    jw *j;
    const run_item *items;
    size_t a, b;
    const run_item *base; /* NULL: the configuration's own means */
} agg_ctx;

static void agg_one(void *ctx, const metric *m)
{
    const agg_ctx *g = ctx;
    if (m->type == MT_STR || m->type == MT_JSON)
        return;
    double mean, hw;
    size_t k = interval(m, g->items, g->a, g->b, g->base, &mean, &hw);
    if (!k)
        return;
    jw_obj(g->j, m->path);
    jw_num(g->j, "mean", mean);
    jw_num(g->j, "ci95", hw);
    jw_int(g->j, "n", (int64_t)k);
    jw_obj_end(g->j);
}

/* Per configuration: every numeric metric's mean and 95% half-width over its replications,
 * and each metric's difference from the first configuration, seed by seed. */
static void json_replications(jw *j, const run_item *items, size_t n)
{
    jw_arr(j, "replications");
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && items[b].config == items[a].config)
            b++;
        jw_obj(j, NULL);
        jw_int(j, "config", (int64_t)items[a].config);
        jw_str(j, "label", items[a].label);
        jw_int(j, "reps", (int64_t)(b - a));
        jw_obj(j, "mean_ci95");
        agg_ctx g = {j, items, a, b, NULL};
        each_metric(agg_one, &g);
        jw_obj_end(j);
        if (a > 0) {
            size_t k = b - a < items[0].reps ? b - a : items[0].reps;
            jw_obj(j, "difference_from_first");
            agg_ctx d = {j, items, a, a + k, items};
            each_metric(agg_one, &d);
            jw_obj_end(j);
        }
        jw_obj_end(j);
        a = b;
    }
    jw_arr_end(j);
}

/* How qsim was invoked: its arguments, and the overrides among them. */
static void json_invocation(jw *j, const report_meta *m)
{
    jw_arr(j, "command_line");
    for (size_t i = 0; i < m->argc; i++)
        jw_str(j, NULL, m->argv[i]);
    jw_arr_end(j);
    jw_obj(j, "overrides");
    jw_str(j, "seed", m->seed);
    jw_arr(j, "set");
    for (size_t i = 0; i < m->nsets; i++)
        jw_str(j, NULL, m->sets[i]);
    jw_arr_end(j);
    jw_arr(j, "sweep");
    for (size_t i = 0; i < m->nsweep_args; i++)
        jw_str(j, NULL, m->sweep_args[i]);
    jw_arr_end(j);
    jw_obj_end(j);
}

/* The configurations of the cross product that were not run, and why. */
static void json_skipped(jw *j, const report_meta *m)
{
    jw_arr(j, "skipped");
    for (size_t i = 0; i < m->nskipped; i++) {
        jw_obj(j, NULL);
        jw_int(j, "config", (int64_t)m->skipped[i].config);
        jw_str(j, "label", m->skipped[i].label);
        jw_str(j, "why", m->skipped[i].why);
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

void report_json(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    tree tr = {0};
    tr.t = mem_calloc(1, sizeof *tr.t); /* the root */
    tr.cap = tr.n = 1;
    tr.oom = !tr.t;
    if (!tr.oom)
        each_metric(tree_add, &tr);
    jw j;
    jw_init(&j, f, 1);
    jw_obj(&j, NULL);
    jw_str(&j, "qsim_version", QSIM_VERSION);
    jw_str(&j, "scenario", m->scenario);
    jw_str(&j, "name", m->name);
    jw_int(&j, "seed", SC_CFG(&items[0].sc, MOD_RUN, run_cfg)->seed);
    json_invocation(&j, m);
    jw_arr(&j, "sweeps");
    for (size_t s = 0; s < m->nsw; s++) {
        jw_obj(&j, NULL);
        jw_str(&j, "key", m->sw[s].key);
        jw_arr(&j, "values");
        for (size_t v = 0; v < m->sw[s].n; v++)
            jw_str(&j, NULL, m->sw[s].values[v]);
        jw_arr_end(&j);
        jw_obj_end(&j);
    }
    jw_arr_end(&j);
    json_skipped(&j, m);
    jw_arr(&j, "configurations");
    for (size_t i = 0; i < n && !tr.oom; i++)
        json_item(&j, &items[i], &tr);
    jw_arr_end(&j);
    if (replicated(items, n))
        json_replications(&j, items, n);
    jw_obj_end(&j);
    if (tr.oom)
        fputs("\n(out of memory while writing the report)\n", f);
    mem_free(tr.t);
}

/* ---- qsim --metrics ---- */

static const char *const type_name[] = {"count", "duration", "percent", "number", "flag", "text", "structure"};

static void print_one(void *ctx, const metric *m)
{
    FILE *f = ctx;
    if (m->unit[0])
        fprintf(f, "%-34s %-20s %-9s %s [%s]\n", m->path, m->column ? m->column : "-", type_name[m->type], m->doc,
                m->unit);
    else
        fprintf(f, "%-34s %-20s %-9s %s\n", m->path, m->column ? m->column : "-", type_name[m->type], m->doc);
}

void report_print_metrics(FILE *f)
{
    fprintf(f, "%-34s %-20s %-9s %s\n", "summary.json path", "runs.csv column", "type", "meaning [unit]");
    each_metric(print_one, f);
}
