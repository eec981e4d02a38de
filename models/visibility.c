/* visibility: t-visibility bins, the Wilson interval and t_vis(p); see visibility.h. */
#include "models/visibility.h"
#include <math.h>

/* R10 mantissas, in units of 1/100 of the decade's first edge. */
static const int64_t r10[VIS_PER_DECADE] = {100, 125, 160, 200, 250, 315, 400, 500, 630, 800};

int64_t vis_bin_lo(int b)
{
    if (b <= 0)
        return 0;
    int64_t p = 10; /* 1us / 100 */
    for (int d = (b - 1) / VIS_PER_DECADE; d > 0; d--)
        p *= 10;
    return r10[(b - 1) % VIS_PER_DECADE] * p;
}

int64_t vis_bin_hi(int b) { return b + 1 < VIS_NBINS ? vis_bin_lo(b + 1) : -1; }

int vis_bin(int64_t t)
{
    if (t < 1000)
        return 0;
    if (t >= vis_bin_lo(VIS_NBINS - 1))
        return VIS_NBINS - 1;
    int d = 0;
    int64_t p = 1000; /* the decade's first edge */
    while (t >= p * 10) {
        p *= 10;
        d++;
    }
    int k = VIS_PER_DECADE - 1;
    while (r10[k] * (p / 100) > t)
        k--;
    return 1 + d * VIS_PER_DECADE + k;
}

void vis_wilson(uint64_t x, uint64_t n, double *lo, double *hi)
{
    double nn = (double)n, ph = (double)x / nn, z2 = VIS_Z95 * VIS_Z95;
    double den = 1 + z2 / nn;
    double centre = (ph + z2 / (2 * nn)) / den;
    double half = VIS_Z95 / den * sqrt(ph * (1 - ph) / nn + z2 / (4 * nn * nn));
    *lo = x == 0 ? 0 : centre - half < 0 ? 0 : centre - half;
    *hi = x == n ? 1 : centre + half > 1 ? 1 : centre + half;
}

int64_t vis_time(const uint64_t *reads, const uint64_t *fresh, double p)
{
    int last_short = -1, last_read = -1;
    for (int b = 0; b < VIS_NBINS; b++) {
        if (!reads[b])
            continue;
        last_read = b;
        double lo, hi;
        vis_wilson(fresh[b], reads[b], &lo, &hi);
        if (hi < p)
            last_short = b;
    }
    if (last_read < 0 || last_short == last_read)
        return -1;
    for (int b = last_short + 1; b < VIS_NBINS; b++)
        if (reads[b])
            return vis_bin_lo(b);
    return -1; /* not reached: last_read > last_short has reads */
}
