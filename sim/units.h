/* units: durations, rates and numbers in the scenario language (docs/design.md section 2).
 * Durations are int64_t nanoseconds; text takes units ns, us, ms, s ("250us", "1.5ms", "2s").
 * Rates are written "2000/s" (also /ms, /us, /ns) and held as events per second. */
#ifndef QSIM_UNITS_H
#define QSIM_UNITS_H
#include <stddef.h>
#include <stdint.h>

#define NS_PER_US INT64_C(1000)
#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)

/* Parses a whole string (surrounding blanks allowed) as a duration; a unit is required
 * except for a plain "0". Result rounded to the nearest ns. Negative values are accepted
 * here (callers range-check). Returns 0, or -1 with a reason in err (may be NULL). */
int units_parse_duration(const char *s, int64_t *ns, char *err, size_t errlen);
/* "2000/s" -> 2000.0 per second; must be > 0. Returns 0 or -1 with a reason. */
int units_parse_rate(const char *s, double *per_s, char *err, size_t errlen);
/* Whole-string decimal number (strtod syntax, finite). Returns 0 or -1. */
int units_parse_double(const char *s, double *out);
/* Whole-string integer, base 10. Returns 0 or -1 (also on overflow). */
int units_parse_int(const char *s, int64_t *out);
/* Shortest exact rendering with the largest unit that divides it: 1500000 -> "1.5ms",
 * 2000000000 -> "2s", 7 -> "7ns". Writes at most n bytes; returns buf. */
char *units_format_duration(int64_t ns, char *buf, size_t n);
/* A measured duration with three significant figures or so, as reports show latencies:
 * 812 -> "812ns", 1500 -> "1.5us", 1650354 -> "1.65ms", 2.5e9 -> "2.500s". Writes at most n
 * bytes; returns buf. */
char *units_format_latency(int64_t ns, char *buf, size_t n);
#endif
