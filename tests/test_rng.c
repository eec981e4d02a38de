/* test_rng: PCG32 against the reference output, stream derivation, and the statistics of
 * every draw (docs/design.md section 2). Fixed seeds; each tolerance is justified from n. */
#include "sim/alloc.h"
#include "sim/rng.h"
#include "tests/testutil.h"
#include <math.h>
#include <string.h>

static void rng_reference_seed42_stream54(void **state)
{
    (void)state;
    static const uint32_t want[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e};
    rng r;
    rng_seed(&r, 42, 54);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        EQ(rng_next(&r), want[i]);
}

static void rng_same_seed_same_sequence(void **state)
{
    (void)state;
    rng a, b;
    rng_derive(&a, 7, rng_entity_id("workload"));
    rng_derive(&b, 7, rng_entity_id("workload"));
    for (int i = 0; i < 1000; i++)
        EQ(rng_next(&a), rng_next(&b));
}

static void rng_entity_id_is_fnv1a64(void **state)
{
    (void)state;
    /* Published FNV-1a 64 test vectors. */
    assert_true(rng_entity_id("") == UINT64_C(0xcbf29ce484222325));
    assert_true(rng_entity_id("a") == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(rng_entity_id("foobar") == UINT64_C(0x85944171f73967e8));
}

static int popcount32(uint32_t x)
{
    int c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
}

/* Adjacent entity ids must give unrelated streams: the first draws of ids i and i+1 differ
 * in 16 of 32 bits on average. One pair's distance has sd sqrt(32/4) = 2.83; over 10000
 * pairs the mean's standard error is 0.028, and 5 SE = 0.14. */
static void rng_streams_differ_by_entity(void **state)
{
    (void)state;
    const int n = 10000;
    double total = 0.0;
    int equal_first = 0;
    for (int i = 0; i < n; i++) {
        rng a, b;
        rng_derive(&a, 1, (uint64_t)i);
        rng_derive(&b, 1, (uint64_t)i + 1);
        uint32_t x = rng_next(&a), y = rng_next(&b);
        equal_first += x == y;
        total += popcount32(x ^ y);
    }
    NEAR(total / n, 16.0, 0.14);
    assert_true(equal_first <= 1);
}

static void rng_streams_differ_by_run_seed(void **state)
{
    (void)state;
    rng a, b;
    rng_derive(&a, 1, rng_entity_id("node n1 service"));
    rng_derive(&b, 2, rng_entity_id("node n1 service"));
    int same = 0;
    for (int i = 0; i < 100; i++)
        same += rng_next(&a) == rng_next(&b);
    assert_true(same <= 1);
    assert_true(a.inc != b.inc || a.state != b.state);
}

/* rng_uniform is built from exactly two draws: 27 high and 26 low bits. */
static void rng_uniform_uses_53_bits_from_two_draws(void **state)
{
    (void)state;
    rng r, copy;
    rng_seed(&r, 3, 4);
    for (int i = 0; i < 1000; i++) {
        copy = r;
        uint64_t hi = rng_next(&copy) >> 5, lo = rng_next(&copy) >> 6;
        double want = (double)((hi << 26) | lo) / 9007199254740992.0;
        double got = rng_uniform(&r);
        assert_true(got == want);
        assert_true(memcmp(&r, &copy, sizeof r) == 0);
    }
}

/* Mean of U(0,1) is 1/2 with sd 1/sqrt(12) = 0.2887; n = 1e6 gives SE 2.9e-4, 5 SE = 1.5e-3.
 * P(U < 0.1) = 0.1 with binomial SE sqrt(0.09/n) = 3e-4, 5 SE = 1.5e-3. */
static void rng_uniform_in_range_and_mean_half(void **state)
{
    (void)state;
    const int n = 1000000;
    rng r;
    rng_seed(&r, 11, 12);
    double sum = 0.0, sum_pos = 0.0;
    int below = 0;
    for (int i = 0; i < n; i++) {
        double u = rng_uniform(&r);
        double v = rng_uniform_pos(&r);
        assert_true(u >= 0.0 && u < 1.0);
        assert_true(v > 0.0 && v < 1.0);
        sum += u;
        sum_pos += v;
        below += u < 0.1;
    }
    NEAR(sum / n, 0.5, 1.5e-3);
    NEAR(sum_pos / n, 0.5, 1.5e-3);
    NEAR((double)below / n, 0.1, 1.5e-3);
}

/* Chi-square over 10 cells with 100000 draws (10000 expected per cell, 9 degrees of
 * freedom). 44.81 is the 1 - 1e-6 quantile of chi-square(9): a correct generator fails
 * with probability 1e-6. Repeated for a bound that is not a power of two and for 1. */
static void rng_bounded_is_uniform(void **state)
{
    (void)state;
    const int n = 100000, k = 10;
    long count[10] = {0};
    rng r;
    rng_seed(&r, 5, 6);
    for (int i = 0; i < n; i++) {
        uint32_t v = rng_bounded(&r, (uint32_t)k);
        assert_true(v < (uint32_t)k);
        count[v]++;
    }
    double expect = (double)n / k, chi2 = 0.0;
    for (int i = 0; i < k; i++)
        chi2 += ((double)count[i] - expect) * ((double)count[i] - expect) / expect;
    assert_true(chi2 < 44.81);
    for (int i = 0; i < 100; i++)
        EQ(rng_bounded(&r, 1), 0);
}

/* With bound = 3 * 2^30, taking x % bound would put the values below 2^30 at probability
 * 1/2 instead of 1/3. n = 100000 gives a binomial SE of sqrt((1/3)(2/3)/n) = 1.5e-3,
 * 5 SE = 7.5e-3, far from the 0.17 a biased reduction would show. */
static void rng_bounded_has_no_modulo_bias(void **state)
{
    (void)state;
    const int n = 100000;
    const uint32_t bound = UINT32_C(3) << 30;
    rng r;
    rng_seed(&r, 8, 9);
    int low = 0;
    for (int i = 0; i < n; i++) {
        uint32_t v = rng_bounded(&r, bound);
        assert_true(v < bound);
        low += v < (UINT32_C(1) << 30);
    }
    NEAR((double)low / n, 1.0 / 3.0, 7.5e-3);
}

/* N(0,1) with n = 1e6: the mean has SE 1e-3 (5 SE = 5e-3); the variance has SE sqrt(2/n) =
 * 1.41e-3 (5 SE = 7.1e-3); P(Z <= 1) = 0.841345 with SE sqrt(p(1-p)/n) = 3.65e-4
 * (5 SE = 1.83e-3), and P(Z <= -2) = 0.022750 with SE 1.49e-4 (5 SE = 7.5e-4). */
static void rng_normal_moments_and_quantiles(void **state)
{
    (void)state;
    const int n = 1000000;
    rng r;
    rng_seed(&r, 13, 14);
    double sum = 0.0, sum2 = 0.0;
    int below1 = 0, below_m2 = 0;
    for (int i = 0; i < n; i++) {
        double z = rng_normal(&r);
        sum += z;
        sum2 += z * z;
        below1 += z <= 1.0;
        below_m2 += z <= -2.0;
    }
    double mean = sum / n;
    NEAR(mean, 0.0, 5e-3);
    NEAR(sum2 / n - mean * mean, 1.0, 7.1e-3);
    NEAR((double)below1 / n, 0.841344746, 1.83e-3);
    NEAR((double)below_m2 / n, 0.022750132, 7.5e-4);
}

/* No hidden cache: a copy of the state gives the same next normal as the original. */
static void rng_normal_depends_only_on_state(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 15, 16);
    for (int i = 0; i < 1000; i++) {
        rng copy = r;
        double a = rng_normal(&r);
        double b = rng_normal(&copy);
        assert_true(a == b);
        assert_true(memcmp(&r, &copy, sizeof r) == 0);
    }
}

static long live_at_start;

static int group_setup(void **state)
{
    (void)state;
    live_at_start = mem_live();
    return 0;
}

/* The generator never allocates: nothing may be left live. */
static int group_teardown(void **state)
{
    (void)state;
    return mem_live() == live_at_start ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rng_reference_seed42_stream54),
        cmocka_unit_test(rng_same_seed_same_sequence),
        cmocka_unit_test(rng_entity_id_is_fnv1a64),
        cmocka_unit_test(rng_streams_differ_by_entity),
        cmocka_unit_test(rng_streams_differ_by_run_seed),
        cmocka_unit_test(rng_uniform_uses_53_bits_from_two_draws),
        cmocka_unit_test(rng_uniform_in_range_and_mean_half),
        cmocka_unit_test(rng_bounded_is_uniform),
        cmocka_unit_test(rng_bounded_has_no_modulo_bias),
        cmocka_unit_test(rng_normal_moments_and_quantiles),
        cmocka_unit_test(rng_normal_depends_only_on_state),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
