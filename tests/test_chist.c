/* test_chist: the compact histogram of the time series against exact sorted-array quantiles
 * (sim/chist.h: relative error 1/32 within its window, mergeable, no allocation). */
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

/* Every quantile within 1/32 of the exact order statistic of the same rank, when that
 * lies in the window; below it (lumped into the lowest bucket), no more than the window's
 * floor. */
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
        if (want < chist_floor(h) && qs[k] > 0 && qs[k] < 1) {
            if (got > chist_floor(h) || got < want)
                fail_msg("%s q=%g: got %lld, want %lld in the lumped bucket below %lld", what, qs[k], (long long)got,
                         (long long)want, (long long)chist_floor(h));
            continue;
        }
        if (!(err <= CHIST_REL_ERROR * (double)want))
            fail_msg("%s q=%g: got %lld want %lld (error %g > 1/32)", what, qs[k], (long long)got, (long long)want,
                     err / (double)want);
    }
}

/* Every quantile within 1/32 of the exact order statistic of the same rank, for each range
 * alone, all mixed (from 0 to near INT64_MAX: the window moves to the top and the smallest
 * values are lumped), and small samples (the size of a sparse interval). */
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
    EQ(a.lo, all.lo);
    for (int i = 0; i < CHIST_WINDOW; i++)
        EQ(a.c[i], all.c[i]);
    for (double q = 0; q <= 1.0; q += 0.125)
        EQ(chist_quantile(&a, q), chist_quantile(&all, q));
    EQ(chist_merge(&empty, &all), 0); /* into an empty one */
    EQ(chist_quantile(&empty, 0.99), chist_quantile(&all, 0.99));
}

/* A value past the window moves it up to end at that value's bucket; what falls below is
 * lumped into the lowest bucket, never lost: an hour and 2 us still resolve (31 powers of
 * two apart), 1 ns does not. A chist never allocates. */
static void chist_window_follows_the_largest_value(void **state)
{
    (void)state;
    long live = mem_live();
    chist h;
    chist_init(&h);
    EQ(chist_quantile(&h, 0.5), -1);
    EQ(chist_floor(&h), 0);
    for (int i = 0; i < 1000000; i++)
        EQ(chist_record(&h, 1000000 + (i % 1000) * 1000), 0); /* 1ms .. 2ms */
    EQ(chist_floor(&h), 0);
    EQ(chist_record(&h, INT64_C(3600000000000)), 0); /* an hour */
    assert_true(chist_floor(&h) > 1 && chist_floor(&h) <= 2000);
    EQ(chist_record(&h, 2000), 0);
    EQ(chist_record(&h, 1), 0);
    EQ(chist_record(&h, 5), 0);
    EQ(h.count, 1000004);
    EQ(h.min, 1);
    EQ(chist_quantile(&h, 0.0), 1);
    EQ(chist_quantile(&h, 1.0), INT64_C(3600000000000));
    /* 1 and 5 share the lowest bucket: the second smallest is reported within it; 2 us
     * (the third) resolves */
    int64_t q = chist_quantile(&h, 2.0 / 1000004.0);
    assert_true(q >= 5 && q <= chist_floor(&h));
    NEAR(chist_quantile(&h, 3.0 / 1000004.0), 2000, 2000.0 / 32);
    double p50 = (double)chist_quantile(&h, 0.5);
    assert_true(fabs(p50 - 1499000.0) <= 1499000.0 / 32);
    EQ(mem_live(), live);
    assert_true(sizeof(chist) <= 2100);
}

/* a and b hold the same: counts, bounds, window and every bucket. */
static void same(const chist *a, const chist *b)
{
    EQ(a->count, b->count);
    EQ(a->min, b->min);
    EQ(a->max, b->max);
    EQ(a->lo, b->lo);
    assert_memory_equal(a->c, b->c, sizeof a->c);
}

/* Clearing gives back the empty histogram, bucket for bucket, whatever the window did; merging
 * into a cleared one copies, and merges whose windows differ in every direction agree with
 * recording all. Clear, merge and quantile only visit the buckets between min's and max's,
 * so this checks that no count lies outside them. */
static void chist_clear_and_merge_across_windows(void **state)
{
    (void)state;
    static const int64_t sets[][4] = {
        {5, 17, 31, 3},                                           /* the exact buckets */
        {1000, 2000, 1500000, 999},                               /* within the first window */
        {INT64_C(3600000000000), 1, 2000, 5},                     /* moved, with values lumped below */
        {INT64_C(1) << 40, INT64_C(1) << 41, INT64_C(1) << 45, 0}, /* moved, nothing below */
        {INT64_MAX, 7, INT64_C(1) << 50, 33},                     /* to the top */
    };
    enum { NS = sizeof sets / sizeof sets[0] };
    chist *h = calloc(4, sizeof *h);
    assert_non_null(h);
    chist *empty = &h[0], *x = &h[1], *y = &h[2], *all = &h[3];
    chist_init(empty);
    for (int p = 0; p < NS; p++)
        for (int q = 0; q < NS; q++) {
            chist_init(x);
            chist_init(y);
            chist_init(all);
            for (int i = 0; i < 4; i++) {
                for (int r = 0; r < 3; r++) { /* a few of each, near it */
                    int64_t v = sets[p][i] > 2 ? sets[p][i] - r : sets[p][i] + r;
                    EQ(chist_record(x, v), 0);
                    EQ(chist_record(all, v), 0);
                }
                EQ(chist_record(y, sets[q][i]), 0);
                EQ(chist_record(all, sets[q][i]), 0);
            }
            chist m = *empty;
            EQ(chist_merge(&m, x), 0);
            same(&m, x);
            EQ(chist_merge(&m, y), 0);
            same(&m, all);
            for (double f = 0; f <= 1.0; f += 1.0 / 16)
                EQ(chist_quantile(&m, f), chist_quantile(all, f));
            chist_clear(&m);
            same(&m, empty);
            chist_clear(x);
            same(x, empty);
        }
    free(h);
}

/* A full bucket refuses the next value rather than wrapping, in record and merge. */
static void chist_full_bucket_refuses(void **state)
{
    (void)state;
    chist *h = calloc(2, sizeof *h);
    assert_non_null(h);
    chist_init(&h[0]);
    chist_init(&h[1]);
    EQ(chist_record(&h[0], 7), 0);
    h[0].c[7] = UINT32_MAX; /* as if 2^32 - 1 sevens had been recorded */
    h[0].count = UINT32_MAX;
    EQ(chist_record(&h[0], 7), -1);
    EQ(chist_record(&h[1], 7), 0);
    EQ(chist_merge(&h[1], &h[0]), -1);
    EQ(h[1].count, 1);
    EQ(h[1].c[7], 1);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chist_quantiles_within_stated_error),
        cmocka_unit_test(chist_buckets_tile_the_range),
        cmocka_unit_test(chist_merge_equals_recording_all),
        cmocka_unit_test(chist_window_follows_the_largest_value),
        cmocka_unit_test(chist_clear_and_merge_across_windows),
        cmocka_unit_test(chist_full_bucket_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
