/* sweep: the sweep language of --sweep and [sweep] (docs/design.md section 7): one key and
 * the values it takes, "section.key=V1,V2,...". A value is split from the next at a comma
 * outside parentheses and quotes, so distributions need no quoting
 * (network.latency=mix(0.9 exp(1ms), 0.1 exp(50ms)),const(1ms)); blanks around a value are
 * dropped. A value in double quotes is taken as it is written between them (commas,
 * parentheses, "..", blanks; "" is an empty value); the quotes hold the whole value and
 * cannot hold a quote. An unquoted value with ".." outside parentheses is a range of
 * integers: A..B is A, A+1, ..., B (or down to B when B < A), A..B..S takes every S-th
 * (S > 0) from A, up to B at most: 1..9..2 is 1,3,5,7,9. Ranges and single values mix:
 * 1..3,8. Semicolons are not separators (in a scenario file they start a comment). */
#ifndef QSIM_SWEEP_H
#define QSIM_SWEEP_H
#include <stddef.h>
#include "src/runner.h"

/* Parses arg into s (key and values, each allocated; free with sweep_free). On failure
 * returns -1 with the reason in why (n bytes) and leaves s empty, nothing allocated: a
 * missing '=' or key, a key that is not section.key, no values, an empty unquoted value
 * ("value 2 of 3 is empty"), a parenthesis or quote not closed, a quote inside an unquoted
 * value, text after a closing quote, a malformed range, more than RUNNER_MAX_CONFIGS values
 * in all, or a value given twice (as written: 1..3,2 repeats 2). O(length of arg + values
 * log values). */
int sweep_parse(const char *arg, sweep *s, char *why, size_t n);
/* Frees what sweep_parse allocated in each of the n sweeps and empties them. */
void sweep_free(sweep *sw, size_t n);
#endif
