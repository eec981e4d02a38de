/* hgrm: a latency histogram's whole percentile spectrum in HdrHistogram's percentile text
 * format, the .hgrm files that HdrHistogram's outputPercentileDistribution writes and its
 * plotting page (plotFiles.html) and HistogramLogAnalyzer read (docs/design.md section 5).
 * The report set holds one per configuration and operation kind:
 * latency/<config>.read.hgrm and latency/<config>.write.hgrm.
 *
 * Layout: a header line ("Value", "Percentile", "TotalCount", "1/(1-Percentile)") and an
 * empty line; then rows of value, percentile (a fraction, 12 decimals), count of values at
 * or below the row's value, and 1/(1 - percentile); the last row, at percentile 1, has no
 * fourth column; then three lines "#[Mean = ..., StdDeviation = ...]", "#[Max = ..., Total
 * count = ...]" and "#[Buckets = ..., SubBuckets = ...]". Rows come as HdrHistogram's
 * percentile iteration gives them: the percentile level starts at 0 and after each row
 * grows by 100 / (ticks * 2^(k + 1)) percent, k = floor(log2(100 / (100 - level))), so each
 * halving of the distance to 100% gets `ticks` rows; a row is written at the first bucket
 * whose cumulative count reaches the level (several rows may share a bucket); the bucket
 * holding the largest value gives one row at its level and the row at 1.
 *
 * Values are each bucket's highest value (HdrHistogram's "highest equivalent value": every
 * value counted at or below the row is at most this), except that the largest is the exact
 * maximum; they are divided by unit_ns and written with 3 decimals (unit_ns = 1e6: ms to
 * the microsecond; HdrHistogram's outputValueUnitScalingRatio). Mean is exact; StdDeviation
 * is computed from the buckets' midpoints around it. Buckets and SubBuckets are 56 and 256:
 * sim/hist.h's layout (exact below 256, 128 sub-buckets per power of two up to 2^63) is
 * HdrHistogram's for two significant digits. An empty histogram gives the header and the
 * three summary lines, all zero. */
#ifndef QSIM_HGRM_H
#define QSIM_HGRM_H
#include <stdio.h>
#include "sim/hist.h"

/* Percentile rows per halving of the distance to 100%: HdrHistogram's default. */
#define HGRM_TICKS 5
/* ns per unit of the values written: milliseconds. */
#define HGRM_UNIT_NS 1e6

/* Writes h to f in the layout above, values divided by unit_ns (> 0), ticks (>= 1) rows per
 * halving. O(HIST_NBUCKETS + rows); rows grow with log2(count) * ticks. */
void hgrm_write(FILE *f, const hist *h, double unit_ns, int ticks);
#endif
