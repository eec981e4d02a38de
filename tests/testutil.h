/* testutil: helpers shared by the cmocka tests. cmocka 1.1.5 compares assert_int_equal
 * as unsigned and prints hex; these print signed decimals and never compile away. */
#ifndef QSIM_TESTUTIL_H
#define QSIM_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

void tu_eq_i64(int64_t got, int64_t want, const char *what, const char *file, int line);
void tu_near(double got, double want, double tol, const char *what, const char *file, int line);
#define EQ(got, want) tu_eq_i64((int64_t)(got), (int64_t)(want), #got, __FILE__, __LINE__)
/* |got - want| <= tol */
#define NEAR(got, want, tol) tu_near((double)(got), (double)(want), (double)(tol), #got, __FILE__, __LINE__)
/* Absolute path of a file in the source tree. */
const char *tu_src(const char *rel);
#endif
