/* The percentile spectrum in HdrHistogram's text format (src/hgrm.h): the exact header,
 * rows and summary lines for small histograms worked out by hand, and for random ones
 * checks against the recorded values themselves: each row's count is the number of values
 * at or below its value, levels follow the ticks-per-half-distance rule, the mean is exact
 * and the standard deviation within the histogram's error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/hgrm.h"
#include "tests/testutil.h"

static char *render(const hist *h, double unit, int ticks)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    hgrm_write(f, h, unit, ticks);
    fclose(f);
    return buf;
}

static void expect_text(const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        fail_msg("got:\n%s\nwant:\n%s", got, want);
}

static const char header[] = "       Value     Percentile TotalCount 1/(1-Percentile)\n\n";

static void hgrm_empty_histogram_has_header_and_zero_summary(void **state)
{
    (void)state;
    hist h;
    hist_init(&h);
    char *t = render(&h, 1e6, 5);
    expect_text(t, "       Value     Percentile TotalCount 1/(1-Percentile)\n"
                   "\n"
                   "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
                   "#[Max     =        0.000, Total count    =            0]\n"
                   "#[Buckets =           56, SubBuckets     =          256]\n");
    free(t);
}

/* One value: the row at level 0 and the row at 1, both the value itself. */
static void hgrm_one_value(void **state)
{
    (void)state;
    hist h;
    hist_init(&h);
    hist_record(&h, 1500000); /* 1.5ms, in the bucket [1499136, 1507328): midpoint 3232 ns above */
    char *t = render(&h, 1e6, 5);
    char want[1024];
    snprintf(want, sizeof want,
             "%s"
             "       1.500 0.000000000000          1           1.00\n"
             "       1.500 1.000000000000          1\n"
             "#[Mean    =        1.500, StdDeviation   =        0.003]\n"
             "#[Max     =        1.500, Total count    =            1]\n"
             "#[Buckets =           56, SubBuckets     =          256]\n",
             header);
    expect_text(t, want);
    free(t);
}

/* Values 1..20 ns (exact buckets), in ns: levels 0, 10, ..., 50, then 55, 60, ... 75, then
 * 77.5, ...: each value v holds level 5v%, so the row at level L is at the first v with
 * 5v >= L; the last bucket (20) gives one row, at the level then pending, and the row at 1. */
static void hgrm_levels_follow_ticks_per_half_distance(void **state)
{
    (void)state;
    hist h;
    hist_init(&h);
    for (int v = 1; v <= 20; v++)
        hist_record(&h, v);
    char *t = render(&h, 1.0, 5);
    char want[4096];
    snprintf(want, sizeof want,
             "%s"
             "       1.000 0.000000000000          1           1.00\n"
             "       2.000 0.100000000000          2           1.11\n"
             "       4.000 0.200000000000          4           1.25\n"
             "       6.000 0.300000000000          6           1.43\n"
             "       8.000 0.400000000000          8           1.67\n"
             "      10.000 0.500000000000         10           2.00\n"
             "      11.000 0.550000000000         11           2.22\n"
             "      12.000 0.600000000000         12           2.50\n"
             "      13.000 0.650000000000         13           2.86\n"
             "      14.000 0.700000000000         14           3.33\n"
             "      15.000 0.750000000000         15           4.00\n"
             "      16.000 0.775000000000         16           4.44\n"
             "      16.000 0.800000000000         16           5.00\n"
             "      17.000 0.825000000000         17           5.71\n"
             "      17.000 0.850000000000         17           6.67\n"
             "      18.000 0.875000000000         18           8.00\n"
             "      18.000 0.887500000000         18           8.89\n"
             "      18.000 0.900000000000         18          10.00\n"
             "      19.000 0.912500000000         19          11.43\n"
             "      19.000 0.925000000000         19          13.33\n"
             "      19.000 0.937500000000         19          16.00\n"
             "      19.000 0.943750000000         19          17.78\n"
             "      19.000 0.950000000000         19          20.00\n"
             "      20.000 0.956250000000         20          22.86\n"
             "      20.000 1.000000000000         20\n"
             "#[Mean    =       10.500, StdDeviation   =        5.766]\n"
             "#[Max     =       20.000, Total count    =           20]\n"
             "#[Buckets =           56, SubBuckets     =          256]\n",
             header);
    expect_text(t, want);
    free(t);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Random latencies over six decades: every row read back and checked against the values. */
static void hgrm_rows_count_the_values_at_or_below(void **state)
{
    (void)state;
    enum { N = 20000 };
    static int64_t vals[N];
    hist *h = malloc(sizeof *h);
    assert_non_null(h);
    hist_init(h);
    uint64_t seed = 7;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < N; i++) {
        double u = (double)(tu_xorshift(&seed) >> 11) / 9007199254740992.0;
        vals[i] = (int64_t)exp(log(100.0) + u * log(1e6)); /* 100ns .. 100ms, log-uniform */
        hist_record(h, vals[i]);
        sum += (double)vals[i];
    }
    qsort(vals, N, sizeof vals[0], cmp_i64);
    double mean = sum / N;
    for (int i = 0; i < N; i++)
        sum2 += ((double)vals[i] - mean) * ((double)vals[i] - mean);
    char *t = render(h, 1.0, 5); /* in ns: values read back exactly */
    if (strncmp(t, header, strlen(header)) != 0)
        fail_msg("header: %.80s", t);
    const char *line = t + strlen(header);
    double last_p = -1, last_v = -1;
    long rows = 0, last_count = -1;
    int final = 0;
    while (*line && *line != '#') {
        double v, p, inv;
        long count;
        int fields = sscanf(line, "%lf %lf %ld %lf", &v, &p, &count, &inv);
        if (final)
            fail_msg("a row after the row at 1: %.80s", line);
        if (fields == 3) {
            final = 1;
            NEAR(p, 1.0, 0);
            EQ(count, N);
            NEAR(v, (double)vals[N - 1], 0); /* the exact maximum */
        } else {
            EQ(fields, 4);
            NEAR(inv, 1.0 / (1.0 - p), 0.005 + 1e-9 * inv);
        }
        assert_true(p >= last_p && v >= last_v && count >= last_count);
        /* the count is of the values at or below the row's value, which is a bucket's top */
        long at_or_below = 0;
        while (at_or_below < N && (double)vals[at_or_below] <= v)
            at_or_below++;
        EQ(count, at_or_below);
        if (!final) {
            assert_true(100.0 * (double)count / N >= p * 100.0 - 1e-9); /* the row's level is reached */
            /* row j's level in closed form: halving k = j / 5 starts at 100 (1 - 2^-k) and
             * takes five steps of 100 / (5 * 2^(k + 1)) */
            double k = (double)(rows / 5), step = 100.0 / (5.0 * pow(2.0, k + 1.0));
            NEAR(p * 100.0, 100.0 * (1.0 - pow(2.0, -k)) + (double)(rows % 5) * step, 1e-9);
        }
        if ((int64_t)v != vals[N - 1]) /* a bucket's top, but in the largest value's bucket: that value */
            EQ(hist_bucket_hi(hist_index((int64_t)v)) - 1, (int64_t)v);
        last_p = p;
        last_v = v;
        last_count = count;
        rows++;
        line = strchr(line, '\n') + 1;
    }
    assert_true(final);
    /* ticks = 5 per halving: about 5 * log2(N) rows before the last */
    /* the last row before 1 is in the largest value's bucket: the levels ran up to its share */
    if (rows < 5 * 10)
        fail_msg("%ld rows", rows);
    double m, sd, mx;
    long total;
    EQ(sscanf(line, "#[Mean    = %lf, StdDeviation   = %lf]\n", &m, &sd), 2);
    line = strchr(line, '\n') + 1;
    EQ(sscanf(line, "#[Max     = %lf, Total count    = %ld]\n", &mx, &total), 2);
    NEAR(m, mean, 0.0005 + mean * 1e-12);
    NEAR(sd, sqrt(sum2 / N), sqrt(sum2 / N) * 0.004);
    NEAR(mx, (double)vals[N - 1], 0);
    EQ(total, N);
    free(t);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hgrm_empty_histogram_has_header_and_zero_summary),
        cmocka_unit_test(hgrm_one_value),
        cmocka_unit_test(hgrm_levels_follow_ticks_per_half_distance),
        cmocka_unit_test(hgrm_rows_count_the_values_at_or_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
