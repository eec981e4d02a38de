/* chist: compact log-linear histogram; see chist.h. Index of v >= 32 is shift * 16 +
 * (v >> shift) with shift = floor(log2 v) - 4, i.e. 32 + (e - 5) * 16 + (sub - 16). */
#include "sim/chist.h"
#include <assert.h>
#include <math.h>
#include <string.h>

void chist_init(chist *h) { memset(h, 0, sizeof *h); }

int chist_index(int64_t v)
{
    uint64_t u = v < 0 ? 0 : (uint64_t)v;
    if (u < CHIST_EXACT)
        return (int)u;
    int shift = 63 - __builtin_clzll(u) - 4;
    return shift * CHIST_SUB + (int)(u >> shift);
}

int64_t chist_bucket_lo(int i)
{
    assert(i >= 0 && i < CHIST_NBUCKETS);
    if (i < CHIST_EXACT)
        return i;
    int shift = i / CHIST_SUB - 1;
    return (int64_t)(CHIST_SUB + i % CHIST_SUB) << shift;
}

int64_t chist_bucket_hi(int i)
{
    assert(i >= 0 && i < CHIST_NBUCKETS);
    if (i < CHIST_EXACT)
        return (int64_t)i + 1;
    if (i == CHIST_NBUCKETS - 1)
        return INT64_MAX;
    return chist_bucket_lo(i) + ((int64_t)1 << (i / CHIST_SUB - 1));
}

/* Midpoint of a bucket, from its width so the top bucket cannot overflow. */
static int64_t bucket_mid(int i)
{
    if (i < CHIST_EXACT)
        return i;
    return chist_bucket_lo(i) + ((int64_t)1 << (i / CHIST_SUB - 2));
}

/* The window positions that can hold counts: [*first, *last], from the buckets of min and
 * max (a value below the window is counted at position 0, and the window always reaches
 * max's bucket); *first > *last when h is empty. Bounding every loop by them keeps the
 * operations on a series' many small histograms in proportion to the values' spread, not
 * to the window's 512 buckets. */
static void used(const chist *h, uint32_t *first, uint32_t *last)
{
    if (h->count == 0) {
        *first = 1;
        *last = 0;
        return;
    }
    uint32_t a = (uint32_t)chist_index(h->min), b = (uint32_t)chist_index(h->max);
    *first = a < h->lo ? 0 : a - h->lo;
    *last = b < h->lo ? 0 : b - h->lo;
    assert(*last < CHIST_WINDOW);
}

/* Moves the window up to start at lo, adding the buckets that fall below into the new
 * lowest. 0, or -1 when that bucket would overflow (h unchanged). */
static int move_up(chist *h, uint32_t lo)
{
    uint32_t d = lo - h->lo, a, b;
    used(h, &a, &b);
    uint64_t low = 0;
    for (uint32_t i = a; i <= b && i <= d; i++)
        low += h->c[i];
    if (low > UINT32_MAX)
        return -1;
    for (uint32_t i = a; i <= b && i <= d; i++)
        h->c[i] = 0;
    for (uint32_t i = a > d ? a : d + 1; i <= b; i++) { /* ascending: i - d < i */
        h->c[i - d] = h->c[i];
        h->c[i] = 0;
    }
    if (a <= d && a <= b)
        h->c[0] = (uint32_t)low;
    h->lo = lo;
    return 0;
}

int chist_record(chist *h, int64_t v)
{
    if (v < 0)
        v = 0;
    uint32_t i = (uint32_t)chist_index(v);
    if (i - h->lo >= CHIST_WINDOW) { /* above the window, or below it (wraps) */
        if (i > h->lo) {
            if (move_up(h, i - (CHIST_WINDOW - 1)))
                return -1;
        } else {
            i = h->lo;
        }
    }
    if (h->c[i - h->lo] == UINT32_MAX)
        return -1;
    h->c[i - h->lo]++;
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (h->count == 0 || v > h->max)
        h->max = v;
    h->count++;
    return 0;
}

/* dst += src; with check, -1 (and dst part-way) when a bucket would overflow. */
static int merge_into(chist *dst, const chist *src, int check)
{
    uint32_t lo = dst->lo > src->lo ? dst->lo : src->lo, a, b;
    if (lo > dst->lo && move_up(dst, lo))
        return -1;
    used(src, &a, &b);
    for (uint32_t i = a; i <= b; i++) {
        uint32_t at = src->lo + i < lo ? 0 : src->lo + i - lo;
        if (check && (uint64_t)dst->c[at] + src->c[i] > UINT32_MAX)
            return -1;
        dst->c[at] += src->c[i];
    }
    if (dst->count == 0 || src->min < dst->min)
        dst->min = src->min;
    if (dst->count == 0 || src->max > dst->max)
        dst->max = src->max;
    dst->count += src->count;
    return 0;
}

int chist_merge(chist *dst, const chist *src)
{
    if (src->count == 0)
        return 0;
    /* no bucket can pass the total count: in place, unless the total passes 2^32 - 1 */
    if (dst->count + src->count <= UINT32_MAX)
        return merge_into(dst, src, 0);
    chist t = *dst; /* dst stays as it was if a bucket would overflow */
    if (merge_into(&t, src, 1))
        return -1;
    *dst = t;
    return 0;
}

void chist_clear(chist *h)
{
    uint32_t a, b;
    used(h, &a, &b);
    for (uint32_t i = a; i <= b; i++)
        h->c[i] = 0;
    h->count = 0;
    h->min = h->max = 0;
    h->lo = 0;
}

int64_t chist_quantile(const chist *h, double q)
{
    if (h->count == 0)
        return -1;
    if (!(q > 0.0))
        return h->min;
    if (q >= 1.0)
        return h->max;
    double r = ceil(q * (double)h->count);
    uint64_t rank = r < 1.0 ? 1 : r >= (double)h->count ? h->count : (uint64_t)r;
    uint64_t cum = 0;
    uint32_t i, last;
    used(h, &i, &last);
    for (; i < last; i++) {
        cum += h->c[i];
        if (cum >= rank)
            break;
    }
    int64_t v = bucket_mid((int)(h->lo + i));
    if (v < h->min)
        v = h->min;
    if (v > h->max)
        v = h->max;
    return v;
}
