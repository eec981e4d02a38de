/* chist: a compact log-linear histogram, for the many small histograms of a time series
 * (docs/design.md sections 2 and 5: one per interval and fault phase). The same idea as
 * hist.h at a coarser grain: values below 32 are counted exactly; above, each power of two
 * is split into 16 equal sub-buckets, so a bucket is at most 1/16 of the values it holds
 * and a quantile, reported as its bucket's midpoint clamped to [min, max], is within 1/32
 * (3.125%) of the true order statistic of the same rank.
 *
 * Size: a plain value of about 2 KiB (hist.h's is 58 KiB), no allocation ever. It counts a
 * window of CHIST_WINDOW consecutive buckets (31 powers of two): at first buckets 0..511,
 * every value below 2^35 ns (34.4 s). A larger value moves the window up to end at its bucket,
 * and the buckets that fall below are added to the window's lowest; a value below the
 * window is counted there too. So the bound holds for every quantile whose order
 * statistic lies in the window: always, when the values recorded stay below 34.4 s or
 * span less than 2^31 (a latency of an hour and one of 1.7 us still fit); a quantile that
 * falls on values lumped into the lowest bucket is reported as that bucket's midpoint or
 * min, whichever is larger. Mergeable. Counts are 32-bit: a bucket holds at most
 * 2^32 - 1 values (chist_record refuses more). Not thread-safe. */
#ifndef QSIM_CHIST_H
#define QSIM_CHIST_H
#include <stddef.h>
#include <stdint.h>

#define CHIST_EXACT 32
#define CHIST_SUB 16
#define CHIST_NBUCKETS (CHIST_EXACT + (63 - 5) * CHIST_SUB)
#define CHIST_WINDOW 512
/* Stated bound on |reported - true| / true for any quantile in the window. */
#define CHIST_REL_ERROR (1.0 / 32.0)

typedef struct chist {
    uint64_t count;
    int64_t min, max;      /* valid when count > 0 */
    uint32_t lo;           /* the window: buckets [lo, lo + CHIST_WINDOW) */
    uint32_t c[CHIST_WINDOW];
} chist;

/* An empty histogram, its window at buckets 0..511. */
void chist_init(chist *h);
/* Records one value (ns; negative values count as 0). O(1), or O(CHIST_WINDOW) when the
 * window moves. Returns 0, or -1 when its bucket is full (2^32 - 1 values; nothing
 * recorded). */
int chist_record(chist *h, int64_t v);
/* dst += src (the window of the two ends at the higher top). 0, or -1 when a bucket would
 * pass 2^32 - 1 (dst unchanged). O(buckets the two span). */
int chist_merge(chist *dst, const chist *src);
/* Empties h, as chist_init does, in time proportional to the buckets its values spanned. */
void chist_clear(chist *h);
/* Value at quantile q in [0, 1]: the smallest bucket whose cumulative count reaches
 * ceil(q * count) (at least 1), reported as its midpoint clamped to [min, max]; q >= 1
 * gives max, q <= 0 min exactly. -1 when empty. O(buckets its values span). */
int64_t chist_quantile(const chist *h, double q);
/* Bucket index of v, and the [lo, hi) range of bucket i (hi saturates at INT64_MAX). */
int chist_index(int64_t v);
int64_t chist_bucket_lo(int i);
int64_t chist_bucket_hi(int i);
/* The smallest value the window resolves: once the window has moved, values below the
 * upper edge of its lowest bucket share that bucket; 0 while it has not. */
static inline int64_t chist_floor(const chist *h) { return h->lo ? chist_bucket_hi((int)h->lo) : 0; }
#endif
