/* t-visibility (models/visibility.h, docs/design.md section 4): the bins of t, the Wilson
 * interval against published values, and t_vis(p) on hand-made counts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/visibility.h"
#include "src/pbs.h"
#include "tests/testutil.h"

#define MS 1000000

/* Bin 0 is [0, 1us); then ten R10 bins per decade; every bin's edges map back to it. */
static void bins_are_r10_decades_from_one_microsecond(void **state)
{
    (void)state;
    static const int64_t first[] = {1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000};
    EQ(vis_bin_lo(0), 0);
    EQ(vis_bin_hi(0), 1000);
    EQ(vis_bin(-5), 0);
    EQ(vis_bin(0), 0);
    EQ(vis_bin(999), 0);
    for (int b = 1; b <= 11; b++)
        EQ(vis_bin_lo(b), first[b - 1]);
    EQ(vis_bin_lo(vis_bin(1 * MS)), 1 * MS);
    EQ(vis_bin_lo(vis_bin(10 * MS)), 10 * MS);
    EQ(vis_bin_lo(vis_bin(100 * MS)), 100 * MS);
    EQ(vis_bin_lo(vis_bin(1000 * MS)), 1000 * MS);
    EQ(vis_bin_hi(vis_bin(1 * MS)), 1250000);
    EQ(vis_bin(3149999), vis_bin(3150000) - 1);
    for (int b = 1; b < VIS_NBINS - 1; b++) {
        int64_t lo = vis_bin_lo(b), hi = vis_bin_hi(b);
        EQ(hi, vis_bin_lo(b + 1));
        EQ(vis_bin(lo), b);
        EQ(vis_bin(lo - 1), b - 1);
        EQ(vis_bin(hi - 1), b);
        EQ(vis_bin((lo + hi) / 2), b);
        /* log-spaced: each bin 25% to 28% wider than its lower edge, a decade 10 bins */
        assert_true((double)hi >= 1.25 * (double)lo && (double)hi <= 1.28 * (double)lo);
        if (b + VIS_PER_DECADE < VIS_NBINS)
            EQ(vis_bin_lo(b + VIS_PER_DECADE), 10 * lo);
    }
    EQ(vis_bin_lo(VIS_NBINS - 1), 1000000000000000000LL);
    EQ(vis_bin_hi(VIS_NBINS - 1), -1);
    EQ(vis_bin(INT64_MAX), VIS_NBINS - 1);
    EQ(vis_bin(999999999999999999LL), VIS_NBINS - 2);
}

/* Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven
 * methods", Statistics in Medicine 17 (1998), the Wilson score interval (his method 3) for
 * 81/263, 15/148, 0/20 and 1/29, given to 4 decimals; and the closed forms at the ends:
 * 0 of n gives [0, z^2 / (n + z^2)], n of n gives [n / (n + z^2), 1]. */
static void wilson_interval_matches_published_values(void **state)
{
    (void)state;
    static const struct {
        uint64_t x, n;
        double lo, hi;
    } pub[] = {{81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605}, {0, 20, 0.0, 0.1611}, {1, 29, 0.0061, 0.1718}};
    for (size_t i = 0; i < sizeof pub / sizeof pub[0]; i++) {
        double lo, hi;
        vis_wilson(pub[i].x, pub[i].n, &lo, &hi);
        NEAR(lo, pub[i].lo, 0.00005 + 1e-12);
        NEAR(hi, pub[i].hi, 0.00005 + 1e-12);
    }
    double z2 = VIS_Z95 * VIS_Z95, lo, hi;
    vis_wilson(0, 10, &lo, &hi);
    EQ(lo == 0.0, 1);
    NEAR(hi, z2 / (10 + z2), 1e-12);
    vis_wilson(10, 10, &lo, &hi);
    NEAR(lo, 10 / (10 + z2), 1e-12);
    EQ(hi == 1.0, 1);
}

/* Hand-made counts. For p = 0.99: the 1ms bin (600/1000) and the 4ms bin (975/1000, upper
 * end 0.9830) fall short; the 2ms bin (985/1000, p-hat 0.985 but upper end 0.9909) does not:
 * its reads cannot tell it from 0.99. The 5ms bin is empty, so t_vis_99 is the lower edge of
 * the next bin with reads, 6.3ms (1998/2000), after which 10ms (2990/3000), 12.5ms (100/100)
 * and 16ms (5/5, sparse) all reach 0.99. For p = 0.999 the 10ms bin falls short too (upper
 * end 0.9982), and 6.3ms does not (0.99973): t_vis_999 = 12.5ms. */
static void t_vis_is_the_first_bin_after_the_last_shortfall(void **state)
{
    (void)state;
    uint64_t reads[VIS_NBINS], fresh[VIS_NBINS];
    memset(reads, 0, sizeof reads);
    memset(fresh, 0, sizeof fresh);
    EQ(vis_time(reads, fresh, 0.99), -1); /* no reads: null */
    static const struct {
        int64_t t;
        uint64_t n, f;
    } set[] = {{1 * MS, 1000, 600},  {2 * MS, 1000, 985},     {4 * MS, 1000, 975}, {6300000, 2000, 1998},
               {10 * MS, 3000, 2990}, {12500000, 100, 100}, {16 * MS, 5, 5}};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
        int b = vis_bin(set[i].t);
        EQ(vis_bin_lo(b), set[i].t);
        reads[b] = set[i].n;
        fresh[b] = set[i].f;
    }
    EQ(vis_time(reads, fresh, 0.99), 6300000);
    EQ(vis_time(reads, fresh, 0.999), 12500000);
    EQ(vis_time(reads, fresh, 0.5), 1 * MS); /* nothing falls short: the first bin with reads */
    /* one stale read of 2 in the last bin is a shortfall at 0.99 (upper end 0.905): null */
    int last = vis_bin(20 * MS);
    reads[last] = 2;
    fresh[last] = 1;
    EQ(vis_time(reads, fresh, 0.99), -1);
    EQ(vis_time(reads, fresh, 0.999), -1);
    /* and 49 of 50 is not (0.9965): the answer is back */
    reads[last] = 50;
    fresh[last] = 49;
    EQ(vis_time(reads, fresh, 0.99), 6300000);
    EQ(vis_time(reads, fresh, 0.999), -1);
}

/* visibility.csv on hand-made counts: configuration 0 has Newcombe's 81 fresh of 263 at 1ms;
 * configuration 1 has two replications, 10 of 100 and 5 of 48 fresh at 10ms, pooled into
 * his 15 of 148, and 0 of 20 in the last, open bin (t_hi_ns empty). The intervals are his
 * (to 4 decimals; here the 6 this formula gives). Bins without reads have no row. */
static void visibility_csv_pools_replications_with_wilson_intervals(void **state)
{
    (void)state;
    stats_res *s = calloc(3, sizeof *s);
    assert_non_null(s);
    run_item items[3];
    memset(items, 0, sizeof items);
    for (size_t i = 0; i < 3; i++) {
        items[i].config = i ? 1 : 0;
        items[i].rep = i == 2;
        items[i].reps = i ? 2 : 1;
        items[i].rr.res[MOD_STATS] = &s[i];
    }
    s[0].vis_reads[vis_bin(1 * MS)] = 263;
    s[0].vis_fresh[vis_bin(1 * MS)] = 81;
    s[1].vis_reads[vis_bin(10 * MS)] = 100;
    s[1].vis_fresh[vis_bin(10 * MS)] = 10;
    s[2].vis_reads[vis_bin(10 * MS)] = 48;
    s[2].vis_fresh[vis_bin(10 * MS)] = 5;
    s[2].vis_reads[VIS_NBINS - 1] = 20;
    char *csv = NULL;
    size_t len;
    FILE *f = open_memstream(&csv, &len);
    report_meta m = {.scenario = "x.ini", .name = "x"};
    report_visibility_csv(f, &m, items, 3);
    fclose(f);
    const char *want = "config,t_lo_ns,t_hi_ns,reads,fresh,p_fresh,ci_lo,ci_hi\n"
                       "0,1000000,1250000,263,81,0.307985,0.255289,0.366210\n"
                       "1,10000000,12500000,148,15,0.101351,0.062386,0.160487\n"
                       "1,1000000000000000000,,20,0,0.000000,0.000000,0.161125\n";
    if (strcmp(csv, want) != 0)
        fail_msg("visibility.csv:\n%s\nwant:\n%s", csv, want);
    free(csv);
    /* no read with a latest(r): the header only */
    memset(s, 0, 3 * sizeof *s);
    f = open_memstream(&csv, &len);
    report_visibility_csv(f, &m, items, 3);
    fclose(f);
    if (strcmp(csv, "config,t_lo_ns,t_hi_ns,reads,fresh,p_fresh,ci_lo,ci_hi\n") != 0)
        fail_msg("visibility.csv without reads: %s", csv);
    free(csv);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bins_are_r10_decades_from_one_microsecond),
        cmocka_unit_test(wilson_interval_matches_published_values),
        cmocka_unit_test(t_vis_is_the_first_bin_after_the_last_shortfall),
        cmocka_unit_test(visibility_csv_pools_replications_with_wilson_intervals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
