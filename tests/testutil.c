/* testutil: see testutil.h. */
#include "tests/testutil.h"
#include <math.h>
#include <stdio.h>

void tu_eq_i64(int64_t got, int64_t want, const char *what, const char *file, int line)
{
    if (got != want) {
        print_error("%s:%d: %s = %lld, want %lld\n", file, line, what, (long long)got, (long long)want);
        _fail(file, line);
    }
}

void tu_near(double got, double want, double tol, const char *what, const char *file, int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s:%d: %s = %.9g, want %.9g +- %.3g\n", file, line, what, got, want, tol);
        _fail(file, line);
    }
}

const char *tu_src(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", QSIM_SOURCE_DIR, rel);
    return buf;
}
