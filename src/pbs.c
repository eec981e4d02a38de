/* pbs: visibility.csv; see pbs.h. */
#include "src/pbs.h"
#include <inttypes.h>
#include <string.h>
#include "models/stats.h"
#include "models/visibility.h"

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
