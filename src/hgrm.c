/* hgrm: HdrHistogram's percentile text format; see hgrm.h. */
#include "src/hgrm.h"
#include <inttypes.h>
#include <math.h>

/* The histogram layout in HdrHistogram's terms (hgrm.h). */
#define HGRM_BUCKETS 56
#define HGRM_SUB_BUCKETS 256

/* A bucket's highest value, and its midpoint, in ns (the top bucket's bound saturates). */
static int64_t bucket_top(int i) { return hist_bucket_hi(i) - 1; }

static double bucket_mid(int i)
{
    int64_t lo = hist_bucket_lo(i), hi = hist_bucket_hi(i);
    return hi - lo <= 1 ? (double)lo : (double)lo + (double)(hi - lo) / 2.0;
}

/* The next percentile level after level (percent), ticks rows per halving of 100 - level. */
static double next_level(double level, int ticks)
{
    double halvings = floor(log2(100.0 / (100.0 - level)));
    return level + 100.0 / ((double)ticks * ldexp(1.0, (int)halvings + 1));
}

static void row(FILE *f, int64_t value, double unit_ns, double level, uint64_t cum)
{
    fprintf(f, "%12.3f %2.12f %10" PRIu64, (double)value / unit_ns, level / 100.0, cum);
    if (level < 100.0)
        fprintf(f, " %14.2f", 1.0 / (1.0 - level / 100.0));
    fputc('\n', f);
}

void hgrm_write(FILE *f, const hist *h, double unit_ns, int ticks)
{
    fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
    int last = -1;
    for (int i = 0; i < HIST_NBUCKETS; i++)
        if (h->bucket[i])
            last = i;
    double level = 0.0, var = 0.0;
    uint64_t cum = 0;
    for (int i = 0; i <= last; i++) {
        if (!h->bucket[i])
            continue;
        cum += h->bucket[i];
        int64_t top = bucket_top(i);
        if (top > h->max)
            top = h->max;
        double d = bucket_mid(i) - hist_mean(h);
        var += d * d * (double)h->bucket[i];
        /* rows while this bucket reaches the level; the last bucket gives one, then 100% */
        while (100.0 * (double)cum / (double)h->count >= level) {
            row(f, top, unit_ns, level, cum);
            level = next_level(level, ticks);
            if (i == last)
                break;
        }
        if (i == last)
            row(f, h->max, unit_ns, 100.0, cum);
    }
    double mean = h->count ? hist_mean(h) : 0.0, sd = h->count ? sqrt(var / (double)h->count) : 0.0;
    fprintf(f, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean / unit_ns, sd / unit_ns);
    fprintf(f, "#[Max     = %12.3f, Total count    = %12" PRIu64 "]\n", h->count ? (double)h->max / unit_ns : 0.0,
            h->count);
    fprintf(f, "#[Buckets = %12d, SubBuckets     = %12d]\n", HGRM_BUCKETS, HGRM_SUB_BUCKETS);
}
