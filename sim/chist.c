/* chist: compact log-linear histogram; see chist.h. Index of v >= 32 is shift * 16 +
 * (v >> shift) with shift = floor(log2 v) - 4, i.e. 32 + (e - 5) * 16 + (sub - 16). */
#include "sim/chist.h"
#include <assert.h>
#include <math.h>
#include <string.h>
#include "sim/alloc.h"

/* Buckets added beyond the one that made the window grow, so a slowly drifting range does
 * not reallocate at every new bucket. */
#define MARGIN 8

void chist_init(chist *h) { memset(h, 0, sizeof *h); }

void chist_free(chist *h)
{
    mem_free(h->c);
    chist_init(h);
}

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

/* Makes the window cover buckets [a, b). 0 or -1 (out of memory; h unchanged). */
static int cover(chist *h, int a, int b)
{
    int lo = h->lo, hi = h->lo + h->n;
    if (h->n && a >= lo && b <= hi)
        return 0;
    if (!h->n || a < lo)
        lo = a - MARGIN < 0 ? 0 : a - MARGIN;
    if (!h->n || b > hi)
        hi = b + MARGIN > CHIST_NBUCKETS ? CHIST_NBUCKETS : b + MARGIN;
    uint64_t *c = mem_calloc((size_t)(hi - lo), sizeof *c);
    if (!c)
        return -1;
    if (h->n)
        memcpy(c + (h->lo - lo), h->c, (size_t)h->n * sizeof *c);
    mem_free(h->c);
    h->c = c;
    h->lo = (uint16_t)lo;
    h->n = (uint16_t)(hi - lo);
    return 0;
}

int chist_record(chist *h, int64_t v)
{
    if (v < 0)
        v = 0;
    int i = chist_index(v);
    if ((unsigned)(i - h->lo) >= h->n && cover(h, i, i + 1))
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
    if (cover(dst, src->lo, src->lo + src->n))
        return -1;
    for (int i = 0; i < src->n; i++)
        dst->c[src->lo + i - dst->lo] += src->c[i];
    if (dst->count == 0 || src->min < dst->min)
        dst->min = src->min;
    if (dst->count == 0 || src->max > dst->max)
        dst->max = src->max;
    dst->count += src->count;
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
    int i = 0;
    for (; i < h->n - 1; i++) {
        cum += h->c[i];
        if (cum >= rank)
            break;
    }
    int64_t v = bucket_mid(h->lo + i);
    if (v < h->min)
        v = h->min;
    if (v > h->max)
        v = h->max;
    return v;
}
