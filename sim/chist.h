/* chist: a compact log-linear histogram, for the many small histograms of a time series
 * (docs/design.md sections 2 and 5: one per interval and fault phase). The same idea as
 * hist.h at a coarser grain: values below 32 are counted exactly; above, each power of two
 * is split into 16 equal sub-buckets, so a bucket is at most 1/16 of the values it holds
 * and a quantile, reported as its bucket's midpoint clamped to [min, max], is within 1/32
 * (3.125%) of the true order statistic. Counts are kept only for the range of buckets the
 * recorded values reached (a window that grows as needed), so a histogram of latencies
 * spanning ten powers of two costs about 1.3 KiB, and an empty one 32 bytes; 960 buckets
 * (7.5 KiB) at most, whatever the number of values. Mergeable. Not thread-safe. */
#ifndef QSIM_CHIST_H
#define QSIM_CHIST_H
#include <stddef.h>
#include <stdint.h>

#define CHIST_EXACT 32
#define CHIST_SUB 16
#define CHIST_NBUCKETS (CHIST_EXACT + (63 - 5) * CHIST_SUB)
/* Stated bound on |reported - true| / true for any quantile. */
#define CHIST_REL_ERROR (1.0 / 32.0)

typedef struct chist {
    uint64_t count;
    int64_t min, max; /* valid when count > 0 */
    uint64_t *c;      /* counts of buckets [lo, lo + n); NULL while n = 0 */
    uint16_t lo, n;
} chist;

/* An empty histogram (no allocation). */
void chist_init(chist *h);
/* Frees the counts; h is empty again. */
void chist_free(chist *h);
/* Records one value (ns; negative values count as 0). O(1); grows the window, allocating,
 * when v falls outside it. Returns 0, or -1 when out of memory (nothing recorded). */
int chist_record(chist *h, int64_t v);
/* dst += src. 0, or -1 when out of memory (dst unchanged). O(buckets of both). */
int chist_merge(chist *dst, const chist *src);
/* Value at quantile q in [0, 1]: the smallest bucket whose cumulative count reaches
 * ceil(q * count) (at least 1), reported as its midpoint clamped to [min, max]; q >= 1
 * gives max, q <= 0 min exactly. -1 when empty. O(window). */
int64_t chist_quantile(const chist *h, double q);
/* Bucket index of v, and the [lo, hi) range of bucket i (hi saturates at INT64_MAX). */
int chist_index(int64_t v);
int64_t chist_bucket_lo(int i);
int64_t chist_bucket_hi(int i);
/* Bytes the counts take. */
static inline size_t chist_bytes(const chist *h) { return (size_t)h->n * sizeof *h->c; }
#endif
