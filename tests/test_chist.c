/* test_chist: the compact histogram of the time series against exact sorted-array quantiles
 * (sim/chist.h: relative error 1/32, mergeable, memory only for the buckets reached). */
#include "tests/testutil.h"
#include "sim/alloc.h"
#include "sim/chist.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t xrand(void) { return tu_xorshift(&rng_state); }

static double xunit(void) /* [0, 1) */
{
    return (double)(xrand() >> 11) * (1.0 / 9007199254740992.0);
}

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

/* The quantile chist.h defines, on exact data: element of rank max(1, ceil(q * n)). */
static int64_t exact_quantile(const int64_t *sorted, size_t n, double q)
{
    if (q <= 0)
        return sorted[0];
    if (q >= 1)
        return sorted[n - 1];
    double r = ceil(q * (double)n);
    size_t rank = r < 1 ? 1 : r >= (double)n ? n : (size_t)r;
    return sorted[rank - 1];
}

enum { NRANGES = 7 };

static int64_t draw(int range)
{
    switch (range) {
    case 0: return (int64_t)(xrand() % 100);                                /* across the exact edge */
    case 1: return 1000 + (int64_t)(xrand() % 1000000);                     /* us .. ms */
    case 2: return (int64_t)(-250000.0 * log(1.0 - xunit()));               /* exp, mean 250us */
    case 3: return (int64_t)exp(log(1e3) + xunit() * log(1e9));             /* log-uniform 1us..1000s */
    case 4: return INT64_MAX - (int64_t)(xrand() % 1000000000000ULL);       /* top bucket */
    case 5: return (int64_t)(xrand() % 5) * 1000003;                        /* few distinct values */
    default: return xunit() < 0.99 ? 1000000 + (int64_t)(xrand() % 200000)  /* a tail 50x the body */
                                   : 50000000 + (int64_t)(xrand() % 10000000);
    }
}

static void check_quantiles(const chist *h, int64_t *v, size_t n, const char *what)
{
    static const double qs[] = {0.0, 0.001, 0.25, 0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 1.0};
    qsort(v, n, sizeof *v, cmp_i64);
    EQ(h->count, n);
    EQ(h->min, v[0]);
    EQ(h->max, v[n - 1]);
    for (size_t k = 0; k < sizeof qs / sizeof *qs; k++) {
        int64_t want = exact_quantile(v, n, qs[k]);
        int64_t got = chist_quantile(h, qs[k]);
        double err = fabs((double)got - (double)want);
        if (!(err <= CHIST_REL_ERROR * (double)want))
            fail_msg("%s q=%g: got %lld want %lld (error %g > 1/32)", what, qs[k], (long long)got, (long long)want,
                     err / (double)want);
    }
}

/* Every quantile within 1/32 of the exact order statistic of the same rank, for each range
 * alone, all mixed, and small samples (the size of a sparse interval). */
static void chist_quantiles_within_stated_error(void **state)
{
    (void)state;
    enum { N = 200000 };
    int64_t *v = mem_alloc(N * sizeof *v);
    assert_non_null(v);
    rng_state = 0x5EED5;
    char what[64];
    for (int range = 0; range <= NRANGES; range++) {
        chist h;
        chist_init(&h);
        for (size_t i = 0; i < N; i++) {
            v[i] = draw(range < NRANGES ? range : (int)(xrand() % NRANGES));
            EQ(chist_record(&h, v[i]), 0);
        }
        snprintf(what, sizeof what, "range %d", range);
        check_quantiles(&h, v, N, what);
        chist_free(&h);
    }
    for (size_t n = 1; n <= 64; n++) {
        chist h;
        chist_init(&h);
        for (size_t i = 0; i < n; i++) {
            v[i] = draw(2);
            EQ(chist_record(&h, v[i]), 0);
        }
        snprintf(what, sizeof what, "%zu values", n);
        check_quantiles(&h, v, n, what);
        chist_free(&h);
    }
    mem_free(v);
    EQ(mem_live(), 0);
}

/* The bound is the buckets' own: each bucket from 32 up is at most 1/16 of its lower edge
 * wide, so its midpoint is within 1/32 of anything in it; below 32 values are exact. */
static void chist_buckets_tile_the_range(void **state)
{
    (void)state;
    EQ(chist_bucket_lo(0), 0);
    for (int i = 0; i + 1 < CHIST_NBUCKETS; i++) {
        EQ(chist_bucket_hi(i), chist_bucket_lo(i + 1));
        int64_t lo = chist_bucket_lo(i), hi = chist_bucket_hi(i);
        EQ(chist_index(lo), i);
        EQ(chist_index(hi - 1), i);
        if (i < CHIST_EXACT)
            EQ(hi - lo, 1);
        else
            assert_true((double)(hi - lo) <= (double)lo / CHIST_SUB);
    }
    EQ(chist_index(INT64_MAX), CHIST_NBUCKETS - 1);
    EQ(chist_bucket_hi(CHIST_NBUCKETS - 1), INT64_MAX);
    EQ(chist_index(-5), 0);
}

/* Merging two halves gives the histogram of the whole, bucket for bucket. */
static void chist_merge_equals_recording_all(void **state)
{
    (void)state;
    enum { N = 50000 };
    rng_state = 77;
    chist a, b, all;
    chist_init(&a);
    chist_init(&b);
    chist_init(&all);
    for (int i = 0; i < N; i++) {
        int64_t x = draw(i % 2 ? 1 : 3); /* the halves reach different ranges */
        EQ(chist_record(i % 2 ? &a : &b, x), 0);
        EQ(chist_record(&all, x), 0);
    }
    chist empty;
    chist_init(&empty);
    EQ(chist_merge(&a, &empty), 0);
    EQ(chist_merge(&a, &b), 0);
    EQ(a.count, all.count);
    EQ(a.min, all.min);
    EQ(a.max, all.max);
    for (int i = 0; i < CHIST_NBUCKETS; i++) {
        uint64_t ca = i >= a.lo && i < a.lo + a.n ? a.c[i - a.lo] : 0;
        uint64_t cb = i >= all.lo && i < all.lo + all.n ? all.c[i - all.lo] : 0;
        EQ(ca, cb);
    }
    for (double q = 0; q <= 1.0; q += 0.125)
        EQ(chist_quantile(&a, q), chist_quantile(&all, q));
    EQ(chist_merge(&empty, &all), 0); /* into an empty one */
    EQ(chist_quantile(&empty, 0.99), chist_quantile(&all, 0.99));
    chist_free(&a);
    chist_free(&b);
    chist_free(&all);
    chist_free(&empty);
    EQ(mem_live(), 0);
}

/* Memory follows the range reached, never the number of values: a million values between
 * 1ms and 2ms take one power of two's 16 buckets and the margins. An empty histogram has
 * no quantile. A failed allocation records nothing. */
static void chist_memory_is_the_range_reached(void **state)
{
    (void)state;
    chist h;
    chist_init(&h);
    EQ(chist_quantile(&h, 0.5), -1);
    EQ(chist_bytes(&h), 0);
    rng_state = 3;
    for (int i = 0; i < 1000000; i++)
        EQ(chist_record(&h, 1000000 + (int64_t)(xrand() % 1000000)), 0);
    assert_true(chist_bytes(&h) <= (CHIST_SUB + 2 * 8 + 1) * sizeof(uint64_t));
    EQ(h.count, 1000000);
    mem_fail_at(1);
    EQ(chist_record(&h, 5), -1); /* needs a wider window */
    mem_fail_at(0);
    EQ(h.count, 1000000);
    EQ(h.min >= 1000000, 1);
    EQ(chist_record(&h, 5), 0);
    EQ(h.min, 5);
    assert_true(chist_bytes(&h) <= CHIST_NBUCKETS * sizeof(uint64_t));
    chist_free(&h);
    EQ(mem_live(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chist_quantiles_within_stated_error),
        cmocka_unit_test(chist_buckets_tile_the_range),
        cmocka_unit_test(chist_merge_equals_recording_all),
        cmocka_unit_test(chist_memory_is_the_range_reached),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
