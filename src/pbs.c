/* pbs: visibility.csv and --predict; see pbs.h. */
#include "src/pbs.h"
#include <inttypes.h>
#include <string.h>
#include "models/coord.h"
#include "models/ring.h"
#include "models/run.h"
#include "models/scenario.h"
#include "models/stats.h"
#include "models/visibility.h"
#include "sim/alloc.h"
#include "sim/hist.h"
#include "sim/units.h"

const int64_t predict_t[PREDICT_NT] = {1000000, 10000000, 100000000, 1000000000};

/* Adds the t-visibility counts of items [a, b) (one configuration's replications). */
static void pool_bins(const run_item *items, size_t a, size_t b, uint64_t *reads, uint64_t *fresh)
{
    memset(reads, 0, VIS_NBINS * sizeof *reads);
    memset(fresh, 0, VIS_NBINS * sizeof *fresh);
    for (size_t i = a; i < b; i++) {
        const stats_res *s = items[i].rr.res[MOD_STATS];
        for (int k = 0; k < VIS_NBINS; k++) {
            reads[k] += s->vis_reads[k];
            fresh[k] += s->vis_fresh[k];
        }
    }
}

/* The end of the configuration that starts at item a. */
static size_t config_end(const run_item *items, size_t n, size_t a)
{
    size_t b = a + 1;
    while (b < n && items[b].config == items[a].config)
        b++;
    return b;
}

void report_visibility_csv(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    (void)m;
    uint64_t reads[VIS_NBINS], fresh[VIS_NBINS];
    fputs("config,t_lo_ns,t_hi_ns,reads,fresh,p_fresh,ci_lo,ci_hi\n", f);
    for (size_t a = 0; a < n;) {
        size_t b = config_end(items, n, a);
        pool_bins(items, a, b, reads, fresh);
        for (int k = 0; k < VIS_NBINS; k++) {
            if (!reads[k])
                continue;
            double lo, hi;
            vis_wilson(fresh[k], reads[k], &lo, &hi);
            fprintf(f, "%zu,%" PRId64 ",", items[a].config, vis_bin_lo(k));
            if (vis_bin_hi(k) >= 0)
                fprintf(f, "%" PRId64, vis_bin_hi(k));
            fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%.6f,%.6f,%.6f\n", reads[k], fresh[k],
                    (double)fresh[k] / (double)reads[k], lo, hi);
        }
        a = b;
    }
}

/* ---- --predict ---- */

/* A latency as the terminal shows it: 3 significant places. */
static const char *dur(int64_t ns, char *buf, size_t n) { return units_format_latency(ns, buf, n); }

/* One configuration's pooled counts. */
typedef struct pooled {
    uint64_t reads[VIS_NBINS], fresh[VIS_NBINS];
    uint64_t ok_reads, fresh_reads, stale_k1;
    hist lat[2]; /* successful reads, writes */
} pooled;

static void pool_all(const run_item *items, size_t a, size_t b, pooled *p)
{
    pool_bins(items, a, b, p->reads, p->fresh);
    p->ok_reads = p->fresh_reads = p->stale_k1 = 0;
    hist_init(&p->lat[OP_READ]);
    hist_init(&p->lat[OP_WRITE]);
    for (size_t i = a; i < b; i++) {
        const stats_res *s = items[i].rr.res[MOD_STATS];
        p->ok_reads += s->fresh + s->stale + s->lost_reads;
        p->fresh_reads += s->fresh;
        p->stale_k1 += s->stale_k[1];
        hist_merge(&p->lat[OP_READ], &s->lat[OP_READ][OUT_OK]);
        hist_merge(&p->lat[OP_WRITE], &s->lat[OP_WRITE][OUT_OK]);
    }
}

static void print_vis_time(FILE *f, const pooled *p, double q)
{
    char buf[48];
    int64_t t = vis_time(p->reads, p->fresh, q);
    if (t < 0)
        fprintf(f, ">= %g never", q);
    else
        fprintf(f, ">= %g from %s on", q, t ? units_format_duration(t, buf, sizeof buf) : "0");
}

static void print_one(FILE *f, const run_item *items, size_t a, size_t b, pooled *p)
{
    const scenario *sc = &items[a].sc;
    char buf[48], buf2[48];
    pool_all(items, a, b, p);
    if (items[a].label && items[a].label[0])
        fprintf(f, "%s: ", items[a].label);
    char rl[16], wl[16];
    fprintf(f, "N=%lld R=%s W=%s", (long long)SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->replicas,
            coord_level_name(SC_CFG(sc, MOD_QUORUM, quorum_cfg)->r, rl),
            coord_level_name(SC_CFG(sc, MOD_QUORUM, quorum_cfg)->w, wl));
    if (b - a > 1)
        fprintf(f, " (%zu replications pooled)", b - a);
    fprintf(f, "\n  %9s %9s  %13s  %s\n", "t", "reads", "P(consistent)", "95% interval");
    for (int i = 0; i < PREDICT_NT; i++) {
        int k = vis_bin(predict_t[i]);
        fprintf(f, "  %9s %9" PRIu64 "  ", units_format_duration(predict_t[i], buf, sizeof buf), p->reads[k]);
        if (!p->reads[k]) {
            fprintf(f, "%13s\n", "-");
            continue;
        }
        double lo, hi;
        vis_wilson(p->fresh[k], p->reads[k], &lo, &hi);
        fprintf(f, "%13.6f  [%.6f, %.6f]\n", (double)p->fresh[k] / (double)p->reads[k], lo, hi);
    }
    uint64_t any = 0;
    for (int k = 0; k < VIS_NBINS; k++)
        any += p->reads[k];
    if (!any) {
        fputs("  t-visibility: no read had an acknowledged latest(r)\n", f);
    } else {
        fputs("  t-visibility: P(consistent) ", f);
        print_vis_time(f, p, 0.99);
        fputs(", ", f);
        print_vis_time(f, p, 0.999);
        fputc('\n', f);
    }
    if (p->ok_reads)
        fprintf(f, "  P(within k versions): k=1 %.6f, k=2 %.6f (of %" PRIu64 " reads)\n",
                (double)p->fresh_reads / (double)p->ok_reads,
                (double)(p->fresh_reads + p->stale_k1) / (double)p->ok_reads, p->ok_reads);
    else
        fputs("  P(within k versions): - (no successful reads)\n", f);
    fprintf(f, "  latency p99.9: read %s, write %s\n",
            p->lat[OP_READ].count ? dur(hist_quantile(&p->lat[OP_READ], 0.999), buf, sizeof buf) : "-",
            p->lat[OP_WRITE].count ? dur(hist_quantile(&p->lat[OP_WRITE], 0.999), buf2, sizeof buf2) : "-");
}

void report_predict(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    fprintf(f, "qsim %s: %s, seed %" PRId64 ": consistency prediction (PBS)\n", QSIM_VERSION, m->scenario,
            SC_CFG(&items[0].sc, MOD_RUN, run_cfg)->seed);
    fputs("P(consistent) at t: the fraction of reads started t to 1.25t after their latest(r) was acknowledged\n"
          "that returned latest(r) or newer; P(within k versions): of all successful reads, those at most k-1\n"
          "acknowledged versions behind\n",
          f);
    pooled *p = mem_alloc(sizeof *p);
    if (!p) {
        fputs("\n(out of memory while writing the prediction)\n", f);
        return;
    }
    for (size_t a = 0; a < n;) {
        size_t b = config_end(items, n, a);
        fputc('\n', f);
        print_one(f, items, a, b, p);
        a = b;
    }
    mem_free(p);
}
