/* visibility: t-visibility as PBS defines it (Bailis et al., "Probabilistically Bounded
 * Staleness", VLDB 2012; docs/design.md section 4): P(fresh | t), where t is a read's start
 * minus the acknowledgement time of latest(r), estimated pointwise in bins of t. The
 * arithmetic only: stats counts reads and fresh reads into the bins, the reports read
 * them through these functions.
 *
 * Bins. Bin 0 is [0, 1us). From 1 us on, bins are log-spaced, ten per decade, with the
 * edges of the Renard R10 preferred numbers (ISO 3: 1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3,
 * 8 times a power of ten): 1us, 1.25us, 1.6us, ..., 8ms, 10ms, 12.5ms, ... up to 1e18 ns
 * (about 32 years); the last bin, [1e18 ns, ...), is open. Why ten per decade: a bin is
 * 25% to 28% wide (about a third of an octave; every edge within 1% of log-uniform), fine
 * enough that the curve's shape and its 99% point are resolved to a quarter of t, coarse
 * enough that 10^5 reads spread evenly in log t over two decades put 5000 in each bin;
 * and the edges are round numbers a person reads (1ms, 2ms, 2.5ms, 5ms, 10ms), every
 * decade among them. A run's reads never
 * reach past its length, so only the bins up to it can have reads; the reports list the
 * bins with reads.
 *
 * Interval. Each bin's P(fresh) = fresh / reads comes with a 95% Wilson score interval
 * (z = 1.959964), which stays inside [0, 1] and behaves at 0 and n fresh reads, where
 * the normal approximation collapses to a point.
 *
 * t_vis(p), "the first t from which P(fresh) stays at or above p": a bin *falls short* of
 * p when the upper end of its Wilson interval is below p, that is, when its reads show at
 * 95% confidence that P(fresh) < p there. t_vis(p) is the lower edge of the first bin with
 * reads after the last bin that falls short (of the first bin with reads when none does);
 * null (-1 here) when the last bin with reads falls short, or when no read had a latest(r).
 * So a bin too sparse to tell (all its reads fresh, or one stale read among enough fresh
 * ones) never pushes t_vis later on its own; more reads narrow the intervals and can only
 * reveal a shortfall. Bins without reads are no evidence either way: t_vis is always the
 * lower edge of a bin in which reads were seen meeting p. */
#ifndef QSIM_VISIBILITY_H
#define QSIM_VISIBILITY_H
#include <stdint.h>

#define VIS_PER_DECADE 10
#define VIS_DECADES 15 /* 1us .. 1e18 ns */
#define VIS_NBINS (1 + VIS_DECADES * VIS_PER_DECADE + 1)
#define VIS_Z95 1.959963984540054

/* The bin of t (ns; t < 0 counts as 0). */
int vis_bin(int64_t t);
/* Lower edge of bin b (ns). */
int64_t vis_bin_lo(int b);
/* Upper edge of bin b (ns, exclusive), or -1 for the last, open bin. */
int64_t vis_bin_hi(int b);
/* 95% Wilson score interval of x successes in n trials (n > 0), in [0, 1]. */
void vis_wilson(uint64_t x, uint64_t n, double *lo, double *hi);
/* t_vis(p) from per-bin counts (VIS_NBINS each), as the header says: ns, or -1 (null). */
int64_t vis_time(const uint64_t *reads, const uint64_t *fresh, double p);
#endif
