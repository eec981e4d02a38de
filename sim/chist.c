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

/* Moves the window up to start at lo, adding the buckets that fall below into the new
 * lowest. 0, or -1 when that bucket would overflow (h unchanged). */
static int move_up(chist *h, uint32_t lo)
{
    uint32_t d = lo - h->lo;
    uint64_t low = 0;
    for (uint32_t i = 0; i <= d && i < CHIST_WINDOW; i++)
        low += h->c[i];
    if (low > UINT32_MAX)
        return -1;
    if (d < CHIST_WINDOW) {
        memmove(h->c, h->c + d, (CHIST_WINDOW - d) * sizeof h->c[0]);
        memset(h->c + (CHIST_WINDOW - d), 0, d * sizeof h->c[0]);
    } else {
        memset(h->c, 0, sizeof h->c);
    }
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

int chist_merge(chist *dst, const chist *src)
{
    if (src->count == 0)
        return 0;
    uint32_t lo = dst->lo > src->lo ? dst->lo : src->lo;
    chist t = *dst; /* dst stays as it was if a bucket would overflow */
    if (lo > t.lo && move_up(&t, lo))
        return -1;
    for (uint32_t i = 0; i < CHIST_WINDOW; i++) {
        uint32_t at = src->lo + i < lo ? 0 : src->lo + i - lo;
        if ((uint64_t)t.c[at] + src->c[i] > UINT32_MAX)
            return -1;
        t.c[at] += src->c[i];
    }
    if (t.count == 0 || src->min < t.min)
        t.min = src->min;
    if (t.count == 0 || src->max > t.max)
        t.max = src->max;
    t.count += src->count;
    *dst = t;
    return 0;
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
    uint32_t i = 0;
    for (; i < CHIST_WINDOW - 1; i++) {
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
