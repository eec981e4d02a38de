/* hist: log-linear latency histogram (HdrHistogram's idea), docs/design.md section 2.
 * Values are int64_t >= 0 (ns). Values below 256 are counted exactly; above, each power
 * of two is split into 128 equal sub-buckets, so a bucket is at most 1/128 of the values
 * it holds. A quantile is reported as its bucket's midpoint, clamped to [min, max]:
 * relative error <= 1/256 (0.4%). Constant memory (HIST_NBUCKETS counters), mergeable;
 * the struct is a plain value (about 58 KiB): embed it or allocate it, no create/destroy. */
#ifndef QSIM_HIST_H
#define QSIM_HIST_H
#include <stdint.h>

#define HIST_EXACT 256
#define HIST_SUB 128
#define HIST_NBUCKETS (HIST_EXACT + (63 - 8) * HIST_SUB)
/* Stated bound on |reported - true| / true for any quantile. */
#define HIST_REL_ERROR (1.0 / 256.0)

typedef struct hist {
    uint64_t count;
    int64_t min, max; /* valid when count > 0 */
    double sum;       /* exact sum of recorded values, for the mean */
    uint64_t bucket[HIST_NBUCKETS];
} hist;

void hist_init(hist *h);
/* Records one value; negative values are recorded as 0. O(1). */
void hist_record(hist *h, int64_t v);
/* Records v corrected for coordinated omission (HdrHistogram's expected-interval
 * correction): v, and when v > e > 0 also v - e, v - 2e, ... down to the last value >= e,
 * the latencies a client sending every e would have seen while one request stalled it.
 * O(min(v / e, buckets between e and v)). */
void hist_record_corrected(hist *h, int64_t v, int64_t e);
/* dst += src. O(HIST_NBUCKETS). */
void hist_merge(hist *dst, const hist *src);
/* Value at quantile q in [0, 1]: the smallest recorded bucket whose cumulative count
 * reaches ceil(q * count) (at least 1), reported as described above; q = 1 gives max
 * exactly, q = 0 gives min. 0 when empty. O(HIST_NBUCKETS). */
int64_t hist_quantile(const hist *h, double q);
/* Exact mean (sum / count); 0 when empty. */
double hist_mean(const hist *h);
/* Number of recorded values >= v (bucket resolution: counts whole buckets whose lower
 * bound is >= v, after rounding v up to its bucket's lower bound). */
uint64_t hist_count_at_least(const hist *h, int64_t v);
/* Bucket index of v, and the [lo, hi) range of a bucket: for iteration by reports. */
int hist_index(int64_t v);
int64_t hist_bucket_lo(int i);
int64_t hist_bucket_hi(int i);
#endif
