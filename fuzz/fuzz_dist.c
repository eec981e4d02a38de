/* fuzz_dist: dist_parse on any text (empirical files resolve in the sandbox). A parsed
 * distribution is also sampled and its mean and CDF taken: a draw is never negative. */
#include <math.h>
#include <stdlib.h>
#include "fuzz/fuzz.h"
#include "sim/alloc.h"
#include "sim/dist.h"
#include "sim/rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    const char *dir = fuzz_dir();
    long before = mem_live();
    dist *d = NULL;
    char err[256];
    if (dist_parse(text, dir, &d, err, sizeof err) == 0) {
        rng r;
        rng_seed(&r, 42, 54);
        for (int i = 0; i < 16; i++)
            if (dist_sample(d, &r) < 0)
                abort();
        double m = dist_mean(d);
        if (m < 0 || isnan(m))
            abort();
        double c0 = dist_cdf(d, 0), c1 = dist_cdf(d, 1e6), c2 = dist_cdf(d, 1e12);
        if (!(c0 >= 0 && c0 <= c1 + 1e-12 && c1 <= c2 + 1e-12 && c2 <= 1 + 1e-12))
            abort();
        dist_destroy(d);
    } else if (d) {
        abort(); /* *out must be untouched on failure */
    }
    fuzz_check_leaks(before, "dist_parse");
    free(text);
    return 0;
}
