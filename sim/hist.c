/* hist: log-linear latency histogram; see hist.h.
 * Part of the engine (docs/design.md section 2, "Latency histograms"). Index of v >= 256 is
 * shift * 128 + (v >> shift) with shift = floor(log2 v) - 7, i.e. 256 + (e-8)*128 + (sub-128). */
#include "sim/hist.h"
#include <assert.h>
#include <math.h>
#include <string.h>

void hist_init(hist *h)
{
    memset(h, 0, sizeof *h);
}

int hist_index(int64_t v)
{
    uint64_t u = v < 0 ? 0 : (uint64_t)v;
    if (u < HIST_EXACT)
        return (int)u;
    int shift = 63 - __builtin_clzll(u) - 7;
    return shift * HIST_SUB + (int)(u >> shift);
}

void hist_record(hist *h, int64_t v)
{
    if (v < 0)
        v = 0;
    h->bucket[hist_index(v)]++;
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (h->count == 0 || v > h->max)
        h->max = v;
    h->count++;
    h->sum += (double)v;
}

/* The back-filled values are v - k*e for k = 1..m, m = v/e - 1. Few of them are recorded
 * one by one; many are counted bucket by bucket: the k with lo <= v - k*e <= hi are those
 * from ceil((v - hi) / e) to floor((v - lo) / e). */
void hist_record_corrected(hist *h, int64_t v, int64_t e)
{
    hist_record(h, v);
    if (e <= 0 || v <= e)
        return;
    int64_t m = v / e - 1;
    if (m <= 64) {
        for (int64_t x = v - e; x >= e; x -= e)
            hist_record(h, x);
        return;
    }
    int64_t low = v - m * e, high = v - e;
    for (int i = hist_index(low), last = hist_index(high); i <= last; i++) {
        int64_t lo = hist_bucket_lo(i), hi = hist_bucket_hi(i) - 1;
        if (lo < low)
            lo = low;
        if (hi > high)
            hi = high;
        int64_t a = v - hi, kmin = a / e + (a % e != 0), kmax = (v - lo) / e;
        if (kmax >= kmin)
            h->bucket[i] += (uint64_t)(kmax - kmin + 1);
    }
    if (low < h->min)
        h->min = low;
    h->count += (uint64_t)m;
    h->sum += (double)m * (double)v - (double)e * ((double)m * (double)(m + 1) / 2.0);
}

void hist_merge(hist *dst, const hist *src)
{
    if (src->count == 0)
        return;
    if (dst->count == 0 || src->min < dst->min)
        dst->min = src->min;
    if (dst->count == 0 || src->max > dst->max)
        dst->max = src->max;
    dst->count += src->count;
    dst->sum += src->sum;
    for (int i = 0; i < HIST_NBUCKETS; i++)
        dst->bucket[i] += src->bucket[i];
}

int64_t hist_bucket_lo(int i)
{
    assert(i >= 0 && i < HIST_NBUCKETS);
    if (i < HIST_EXACT)
        return i;
    int shift = i / HIST_SUB - 1;
    int64_t sub = HIST_SUB + i % HIST_SUB;
    return sub << shift;
}

/* The top bucket's true bound is 2^63, which does not fit: it saturates at INT64_MAX. */
int64_t hist_bucket_hi(int i)
{
    assert(i >= 0 && i < HIST_NBUCKETS);
    if (i < HIST_EXACT)
        return (int64_t)i + 1;
    if (i == HIST_NBUCKETS - 1)
        return INT64_MAX;
    int shift = i / HIST_SUB - 1;
    return hist_bucket_lo(i) + ((int64_t)1 << shift);
}

/* Midpoint of a wide bucket, computed from its width so the top bucket cannot overflow. */
static int64_t bucket_mid(int i)
{
    if (i < HIST_EXACT)
        return i;
    int shift = i / HIST_SUB - 1;
    return hist_bucket_lo(i) + ((int64_t)1 << (shift - 1));
}

int64_t hist_quantile(const hist *h, double q)
{
    if (h->count == 0)
        return 0;
    if (!(q > 0.0))
        return h->min;
    if (q >= 1.0)
        return h->max;
    double r = ceil(q * (double)h->count);
    uint64_t rank = r < 1.0 ? 1 : r >= (double)h->count ? h->count : (uint64_t)r;
    uint64_t cum = 0;
    int i = 0;
    for (; i < HIST_NBUCKETS - 1; i++) {
        cum += h->bucket[i];
        if (cum >= rank)
            break;
    }
    int64_t v = bucket_mid(i);
    if (v < h->min)
        v = h->min;
    if (v > h->max)
        v = h->max;
    return v;
}

double hist_mean(const hist *h)
{
    return h->count ? h->sum / (double)h->count : 0.0;
}

uint64_t hist_count_at_least(const hist *h, int64_t v)
{
    if (v <= 0)
        return h->count;
    int i = hist_index(v);
    if (hist_bucket_lo(i) < v)
        i++;
    uint64_t n = 0;
    for (; i < HIST_NBUCKETS; i++)
        n += h->bucket[i];
    return n;
}
