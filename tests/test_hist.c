/* test_hist: the latency histogram against exact sorted-array quantiles
 * (docs/design.md section 2, "Latency histograms": stated relative error, mergeable). */
#include "tests/testutil.h"
#include "sim/alloc.h"
#include "sim/hist.h"
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

/* The quantile hist.h defines, on exact data: element of rank max(1, ceil(q * n)). */
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

enum { NRANGES = 6 };

static int64_t draw(int range)
{
    switch (range) {
    case 0: return (int64_t)(xrand() % 300);                      /* across the exact edge */
    case 1: return 1000 + (int64_t)(xrand() % 1000000);           /* us .. ms */
    case 2: return (int64_t)(-250000.0 * log(1.0 - xunit()));     /* exp, mean 250us */
    case 3: return (int64_t)exp(log(1e3) + xunit() * log(1e9));   /* log-uniform 1us..1000s */
    case 4: return INT64_MAX - (int64_t)(xrand() % 1000000000000ULL); /* top bucket */
    default: return (int64_t)(xrand() % 5) * 1000003;             /* few distinct values */
    }
}

static void hist_quantiles_within_stated_error(void **state)
{
    (void)state;
    enum { N = 200000 };
    static const double qs[] = {0.0, 0.001, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0};
    int64_t *v = mem_alloc(N * sizeof *v);
    hist *h = mem_alloc(sizeof *h);
    assert_non_null(v);
    assert_non_null(h);
    rng_state = 0xC0FFEE;
    /* Each range alone, then all ranges mixed. */
    for (int range = 0; range <= NRANGES; range++) {
        hist_init(h);
        for (size_t i = 0; i < N; i++) {
            v[i] = draw(range < NRANGES ? range : (int)(xrand() % NRANGES));
            hist_record(h, v[i]);
        }
        qsort(v, N, sizeof *v, cmp_i64);
        EQ(h->count, N);
        EQ(h->min, v[0]);
        EQ(h->max, v[N - 1]);
        for (size_t k = 0; k < sizeof qs / sizeof *qs; k++) {
            int64_t want = exact_quantile(v, N, qs[k]);
            int64_t got = hist_quantile(h, qs[k]);
            double err = fabs((double)got - (double)want);
            if (!(err <= HIST_REL_ERROR * (double)want))
                print_error("range %d q=%g: got %lld want %lld\n", range, qs[k], (long long)got,
                            (long long)want);
            assert_true(err <= HIST_REL_ERROR * (double)want);
        }
        EQ(hist_quantile(h, 1.0), v[N - 1]);
        EQ(hist_quantile(h, 0.0), v[0]);
    }
    mem_free(h);
    mem_free(v);
}

static void hist_exact_below_256(void **state)
{
    (void)state;
    static hist h;
    hist_init(&h);
    EQ(hist_quantile(&h, 0.5), 0);
    NEAR(hist_mean(&h), 0.0, 0.0);
    for (int64_t v = 0; v < HIST_EXACT; v++) {
        EQ(hist_index(v), v);
        EQ(hist_bucket_lo((int)v), v);
        EQ(hist_bucket_hi((int)v), v + 1);
        for (int64_t k = 0; k <= v % 3; k++)
            hist_record(&h, v);
    }
    for (int i = 0; i < HIST_EXACT; i++)
        EQ(h.bucket[i], 1 + i % 3);
    hist_init(&h);
    for (int64_t v = 0; v < HIST_EXACT; v++)
        hist_record(&h, v);
    for (int k = 0; k < HIST_EXACT; k++)
        EQ(hist_quantile(&h, (k + 1) / 256.0), k);
    EQ(hist_count_at_least(&h, 200), 56);
    EQ(hist_count_at_least(&h, 0), 256);
    EQ(hist_count_at_least(&h, 256), 0);
    hist_record(&h, -5); /* negative recorded as 0 */
    EQ(h.min, 0);
    EQ(h.bucket[0], 2);
}

static void hist_bucket_bounds_tile_the_range(void **state)
{
    (void)state;
    for (int i = 0; i < HIST_NBUCKETS; i++) {
        int64_t lo = hist_bucket_lo(i), hi = hist_bucket_hi(i);
        assert_true(lo < hi);
        EQ(hist_index(lo), i);
        EQ(hist_index(hi - 1), i);
        if (i + 1 < HIST_NBUCKETS)
            EQ(hist_bucket_lo(i + 1), hi);
        if (i >= HIST_EXACT)
            assert_true((double)(hi - lo) <= (double)lo / HIST_SUB);
    }
    EQ(hist_index(INT64_MAX), HIST_NBUCKETS - 1);
    EQ(hist_bucket_hi(HIST_NBUCKETS - 1), INT64_MAX);
    EQ(hist_index(256), 256);
    EQ(hist_index(511), 383);
    EQ(hist_index(512), 384);
    EQ(hist_index(1000), 256 + (9 - 8) * 128 + (250 - 128)); /* e = 9, 1000 >> 2 = 250 */
}

static void hist_count_at_least_rounds_up(void **state)
{
    (void)state;
    static hist h;
    hist_init(&h);
    hist_record(&h, 1000); /* bucket [1000, 1004) */
    hist_record(&h, 1004);
    hist_record(&h, 5000);
    EQ(hist_count_at_least(&h, 1000), 3);
    EQ(hist_count_at_least(&h, 1001), 2); /* rounded up to 1004: 1000's bucket not counted */
    EQ(hist_count_at_least(&h, 1004), 2);
    EQ(hist_count_at_least(&h, 1005), 1);
    EQ(hist_count_at_least(&h, INT64_MAX), 0);
}

static void hist_merge_equals_recording_both(void **state)
{
    (void)state;
    static hist a, b, both, empty;
    hist_init(&a);
    hist_init(&b);
    hist_init(&both);
    hist_init(&empty);
    rng_state = 777;
    for (int i = 0; i < 50000; i++) {
        int64_t v = draw((int)(xrand() % 4));
        if (xrand() & 1)
            hist_record(&a, v);
        else
            hist_record(&b, v);
        hist_record(&both, v);
    }
    hist_merge(&a, &empty); /* no effect */
    hist_merge(&empty, &b); /* into an empty histogram: takes b's min/max */
    EQ(empty.min, b.min);
    EQ(empty.max, b.max);
    hist_merge(&a, &b);
    EQ(a.count, both.count);
    EQ(a.min, both.min);
    EQ(a.max, both.max);
    NEAR(a.sum, both.sum, 0.0);
    assert_memory_equal(a.bucket, both.bucket, sizeof a.bucket);
    static const double qs[] = {0.5, 0.9, 0.95, 0.99, 0.999};
    for (size_t k = 0; k < sizeof qs / sizeof *qs; k++)
        EQ(hist_quantile(&a, qs[k]), hist_quantile(&both, qs[k]));
}

static void hist_mean_exact(void **state)
{
    (void)state;
    static hist h;
    hist_init(&h);
    for (int64_t v = 1; v <= 1000; v++)
        hist_record(&h, v * 1000003);
    NEAR(hist_mean(&h), 500.5 * 1000003, 0.0);
    hist_init(&h);
    hist_record(&h, 1);
    hist_record(&h, 2);
    hist_record(&h, 1000000000000LL);
    NEAR(hist_mean(&h), 1000000000003.0 / 3.0, 0.0);
}

/* The coordinated-omission correction, recorded bucket by bucket, against recording every
 * back-filled value one at a time: v, then v - e, v - 2e, ... while the value is >= e. */
static void hist_corrected_equals_backfilling_one_by_one(void **state)
{
    (void)state;
    static hist fast, slow;
    rng_state = 4242;
    for (int trial = 0; trial < 60; trial++) {
        hist_init(&fast);
        hist_init(&slow);
        /* small intervals back-fill thousands of values (counted per bucket), large ones a few */
        int64_t e = trial == 0 ? 1 : 1 + (int64_t)(xrand() % (trial % 2 ? 10000 : 3000000));
        for (int i = 0; i < 200; i++) {
            int64_t v = i % 7 == 0 ? e * (int64_t)(xrand() % 4) : (int64_t)(xrand() % 20000000);
            if (trial == 0)
                v = (int64_t)(xrand() % 5000);
            hist_record_corrected(&fast, v, e);
            hist_record(&slow, v);
            for (int64_t m = v - e; m >= e; m -= e)
                hist_record(&slow, m);
        }
        EQ(fast.count, slow.count);
        EQ(fast.min, slow.min);
        EQ(fast.max, slow.max);
        NEAR(fast.sum, slow.sum, 1e-9 * slow.sum);
        assert_memory_equal(fast.bucket, slow.bucket, sizeof fast.bucket);
    }
    /* a value at or below the interval, and an interval of 0, back-fill nothing */
    hist_init(&fast);
    hist_record_corrected(&fast, 5000, 5000);
    hist_record_corrected(&fast, 4000, 5000);
    hist_record_corrected(&fast, 9000, 0);
    EQ(fast.count, 3);
    /* 10 ms stalled behind a 1 ms interval: 10, 9, ..., 1 ms */
    hist_init(&fast);
    hist_record_corrected(&fast, 10000000, 1000000);
    EQ(fast.count, 10);
    EQ(fast.min, 1000000);
    NEAR(fast.sum, 55e6, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hist_quantiles_within_stated_error),
        cmocka_unit_test(hist_exact_below_256),
        cmocka_unit_test(hist_bucket_bounds_tile_the_range),
        cmocka_unit_test(hist_count_at_least_rounds_up),
        cmocka_unit_test(hist_merge_equals_recording_both),
        cmocka_unit_test(hist_mean_exact),
        cmocka_unit_test(hist_corrected_equals_backfilling_one_by_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
