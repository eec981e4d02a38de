/* dist: latency and service-time distributions parsed from text, sampled in ns
 * (docs/design.md section 2). Grammar (durations take units, see units.h):
 *   const(D)               always D
 *   uniform(A, B)          A <= B
 *   exp(MEAN)              exponential with that mean
 *   normal(MEAN, SD)       normal, truncated at 0 by resampling (draws until >= 0)
 *   lognormal(MEDIAN, SIGMA)   exp(N(ln MEDIAN, SIGMA^2)); SIGMA a plain number
 *   pareto(XM, ALPHA)      scale XM (a duration), shape ALPHA > 0 (plain number)
 *   mix(W1 D1, W2 D2, ...) weighted mixture; weights > 0, normalised to sum 1
 *   empirical(FILE.csv)    samples from a file, relative to base_dir; one value per line
 *                          (a duration with unit, or a bare number read as ns), or
 *                          two columns "value,cdf" with cdf rising to 1 (piecewise linear
 *                          inverse CDF between points); '#' lines are comments. The
 *                          file must be a regular file of at most 64 MiB (FILE_CSV_MAX);
 *                          lines end with LF or CRLF, a UTF-8 byte-order mark is skipped,
 *                          a NUL byte or a lone CR is an error
 *   shift(D, DIST)         D plus a draw from DIST
 * Every parameter must be >= 0; ALPHA and SIGMA > 0 where the law needs it. */
#ifndef QSIM_DIST_H
#define QSIM_DIST_H
#include <stddef.h>
#include <stdint.h>
#include "sim/rng.h"

typedef struct dist dist;

/* Parses text into a new distribution. base_dir (may be NULL = ".") resolves empirical
 * files. On error returns a negative code, leaves *out untouched and writes a one-line
 * reason to err ("exp: mean must be >= 0", "unknown distribution 'expo'"). */
int dist_parse(const char *text, const char *base_dir, dist **out, char *err, size_t errlen);
void dist_destroy(dist *d); /* NULL is a no-op; frees the whole tree */

/* One draw, in ns, >= 0 (rounded to nearest ns). O(1) except empirical (O(log n)) and mix
 * (O(components)). */
int64_t dist_sample(const dist *d, rng *r);
/* Closed-form mean in ns (INFINITY for pareto with ALPHA <= 1). For normal, the mean of the
 * truncated law. */
double dist_mean(const dist *d);
/* Closed-form CDF P(X <= x), x in ns (for tests and the validation of order statistics).
 * Exact for every kind (truncated normal included; mixtures and shifts compose). */
double dist_cdf(const dist *d, double x);
/* True if every draw is the same value (const, or shift of const). */
int dist_is_const(const dist *d);
#endif
