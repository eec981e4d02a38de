/* test_dist: every distribution's mean and quantiles against the closed form, dist_cdf
 * against known values, empirical files, and every parse error (docs/design.md section 2).
 * Fixed seeds; each tolerance is derived from the sample size in the comment above it. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#endif
#include "sim/alloc.h"
#include "sim/dist.h"
#include "sim/rng.h"
#include "tests/testutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 48
#define TWO_POW_62 INT64_C(4611686018427387904)

static char tmpdir[64];
static char files[MAX_FILES][128];
static int nfiles;
static long live_at_start;

/* Writes text to tmpdir/name (removed at teardown); returns the absolute path. */
static const char *write_file(const char *name, const char *text)
{
    assert_true(nfiles < MAX_FILES);
    char *path = files[nfiles++];
    snprintf(path, sizeof files[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static dist *parse_ok(const char *text, const char *base)
{
    dist *d = NULL;
    char err[256] = "";
    if (dist_parse(text, base, &d, err, sizeof err) != 0)
        fail_msg("'%s' did not parse: %s", text, err);
    assert_non_null(d);
    return d;
}

/* Asserts that text is rejected, *out untouched, nothing leaked, and the message is want. */
static void parse_fails(const char *text, const char *base, const char *want)
{
    long live = mem_live();
    dist *d = (dist *)&live; /* a sentinel that must survive */
    char err[512] = "";
    int rc = dist_parse(text, base, &d, err, sizeof err);
    assert_true(rc < 0);
    assert_true(d == (dist *)&live);
    EQ(mem_live(), live);
    if (strcmp(err, want) != 0)
        fail_msg("'%s': error '%s', want '%s'", text ? text : "(null)", err, want);
}

typedef struct qpt {
    double x; /* ns */
    double p; /* closed-form P(X <= x) */
} qpt;

#define NSAMPLES 200000

/* Checks a law three ways. (1) dist_mean and dist_cdf against closed forms computed
 * independently (to 1e-9 relative / absolute). (2) The sample mean of n = 200000 draws
 * within 5 standard errors, SE = s / sqrt(n) with s the sample sd. (3) At each closed-form
 * quantile x_p, the fraction of draws <= x_p within 5 binomial standard errors,
 * 5 sqrt(p(1-p)/n) (about 0.0056 at p = 0.5). Rounding draws to whole ns moves a fraction
 * by at most density * 0.5ns, below 1e-6 for these ms-scale laws. */
static void check_law(const char *text, uint64_t seed, double want_mean, const qpt *q, size_t nq)
{
    long live = mem_live();
    dist *d = parse_ok(text, NULL);
    NEAR(dist_mean(d), want_mean, 1e-9 * want_mean);
    for (size_t i = 0; i < nq; i++)
        NEAR(dist_cdf(d, q[i].x), q[i].p, 1e-9);
    rng r;
    rng_seed(&r, seed, 1);
    double sum = 0.0, sum2 = 0.0;
    long below[8] = {0};
    assert_true(nq <= 8);
    for (int i = 0; i < NSAMPLES; i++) {
        int64_t v = dist_sample(d, &r);
        assert_true(v >= 0);
        sum += (double)v;
        sum2 += (double)v * (double)v;
        for (size_t j = 0; j < nq; j++)
            below[j] += (double)v <= q[j].x;
    }
    double mean = sum / NSAMPLES;
    double sd = sqrt(fmax(sum2 / NSAMPLES - mean * mean, 0.0));
    NEAR(mean, want_mean, 5.0 * sd / sqrt(NSAMPLES));
    for (size_t j = 0; j < nq; j++) {
        double p = q[j].p;
        NEAR((double)below[j] / NSAMPLES, p, 5.0 * sqrt(p * (1.0 - p) / NSAMPLES));
    }
    dist_destroy(d);
    EQ(mem_live(), live);
}

static void dist_const_is_exact(void **state)
{
    (void)state;
    long live = mem_live();
    dist *d = parse_ok("const(1.5ms)", NULL);
    rng r;
    rng_seed(&r, 1, 1);
    for (int i = 0; i < 1000; i++)
        EQ(dist_sample(d, &r), 1500000);
    NEAR(dist_mean(d), 1500000.0, 0);
    NEAR(dist_cdf(d, 1499999.0), 0.0, 0);
    NEAR(dist_cdf(d, 1500000.0), 1.0, 0);
    assert_true(dist_is_const(d));
    dist_destroy(d);
    EQ(mem_live(), live);
}

/* uniform(1ms, 3ms): quantile x_p = 1ms + 2ms p. */
static void dist_uniform_mean_and_quantiles(void **state)
{
    (void)state;
    const qpt q[] = {{1.2e6, 0.1}, {2.0e6, 0.5}, {2.8e6, 0.9}, {0.5e6, 0.0}, {3.5e6, 1.0}};
    check_law("uniform(1ms, 3ms)", 2, 2e6, q, 5);
    dist *d = parse_ok("uniform(2ms,2ms)", NULL);
    NEAR(dist_cdf(d, 2e6 - 1), 0.0, 0);
    NEAR(dist_cdf(d, 2e6), 1.0, 0);
    dist_destroy(d);
}

/* exp(1ms): x_p = -1ms ln(1 - p): ln 2, ln 10, ln 100 ms for p = 0.5, 0.9, 0.99. */
static void dist_exp_mean_and_quantiles(void **state)
{
    (void)state;
    const qpt q[] = {{1e6 * log(2.0), 0.5}, {1e6 * log(10.0), 0.9}, {1e6 * log(100.0), 0.99}, {-1.0, 0.0}};
    check_law("exp(1ms)", 3, 1e6, q, 4);
}

/* normal(1ms, 1ms) loses 15.9% of its mass below 0, so truncation matters. Known values
 * (Phi from the standard normal table): mean = mu + sd phi(1)/Phi(1) = 1287599.97ns;
 * F(x) = (Phi((x-mu)/sd) - Phi(-1)) / Phi(1): F(0.5ms) = 0.178146099, F(1ms) = 0.405713291,
 * F(2ms) = 0.811426583. */
static void dist_normal_truncated_mean_and_quantiles(void **state)
{
    (void)state;
    const qpt q[] = {{0.5e6, 0.17814609943771986}, {1e6, 0.40571329132746986}, {2e6, 0.8114265826549397},
                     {-1.0, 0.0}};
    check_law("normal(1ms, 1ms)", 4, 1287599.9709391783, q, 4);
}

/* normal(0, sd) truncated is the half-normal: mean sd sqrt(2/pi), F(x) = erf(x / (sd sqrt 2)):
 * F(1ms) = 0.682689492, F(2ms) = 0.954499736. */
static void dist_normal_half_normal_at_zero_mean(void **state)
{
    (void)state;
    const qpt q[] = {{1e6, 0.6826894921370859}, {2e6, 0.9544997361036416}};
    check_law("normal(0, 1ms)", 5, 797884.5608028654, q, 2);
    dist *d = parse_ok("normal(3ms, 0ns)", NULL);
    rng r;
    rng_seed(&r, 5, 5);
    EQ(dist_sample(d, &r), 3000000);
    NEAR(dist_mean(d), 3e6, 0);
    NEAR(dist_cdf(d, 3e6), 1.0, 0);
    dist_destroy(d);
}

/* lognormal(1ms, 0.5): mean = 1ms exp(0.125); x_p = 1ms exp(0.5 z_p), z_0.9 = 1.28155157. */
static void dist_lognormal_mean_and_quantiles(void **state)
{
    (void)state;
    const qpt q[] = {{526883.5182960365, 0.1}, {1e6, 0.5}, {1897952.7073347105, 0.9}, {0.0, 0.0}};
    check_law("lognormal(1ms, 0.5)", 6, 1133148.4530668263, q, 4);
}

/* pareto(0.235ms, 10): mean = 10 xm / 9; x_p = xm (1 - p)^(-1/10). */
static void dist_pareto_quantile(void **state)
{
    (void)state;
    const qpt q[] = {{235000.0 * pow(2.0, 0.1), 0.5}, {235000.0 * pow(100.0, 0.1), 0.99}, {234999.0, 0.0}};
    check_law("pareto(0.235ms, 10)", 7, 261111.11111111112, q, 3);
}

static void dist_pareto_heavy_tail_has_infinite_mean(void **state)
{
    (void)state;
    dist *d = parse_ok("pareto(1ms, 1)", NULL);
    assert_true(isinf(dist_mean(d)));
    NEAR(dist_cdf(d, 2e6), 0.5, 1e-12);
    dist_destroy(d);
    d = parse_ok("pareto(1ms, 0.5)", NULL);
    assert_true(isinf(dist_mean(d)));
    NEAR(dist_cdf(d, 4e6), 0.5, 1e-12);
    dist_destroy(d);
}

/* A law whose scale is 0 (a lognormal's median; pareto's XM must be > 0) draws only 0: its
 * mean is 0 and its CDF a step at 0, never NaN from 0 * exp(huge). Found by fuzz_dist:
 * lognormal(0ms,80). */
static void dist_zero_scale_laws_have_zero_mean_not_nan(void **state)
{
    (void)state;
    static const char *const texts[] = {"lognormal(0ms,80)", "lognormal(0, 0.5)", "lognormal(0, 1000)",
                                        "mix(1 lognormal(0ms, 80), 1 const(0))"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        dist *d = parse_ok(texts[i], NULL);
        rng r;
        rng_seed(&r, 3, 3);
        for (int k = 0; k < 100; k++)
            EQ(dist_sample(d, &r), 0);
        if (dist_mean(d) != 0.0)
            fail_msg("%s: mean %g, want 0", texts[i], dist_mean(d));
        NEAR(dist_cdf(d, -1), 0, 0);
        NEAR(dist_cdf(d, 0), 1, 0);
        NEAR(dist_cdf(d, 1e9), 1, 0);
        dist_destroy(d);
    }
    /* shifted, the step moves */
    dist *d = parse_ok("shift(2ms, lognormal(0, 50))", NULL);
    NEAR(dist_mean(d), 2e6, 0);
    NEAR(dist_cdf(d, 2e6 - 1), 0, 0);
    NEAR(dist_cdf(d, 2e6), 1, 0);
    dist_destroy(d);
}

/* Draws beyond 2^62 ns are clamped there, never wrapped negative. pareto(1ms, 0.01) exceeds
 * 2^62 ns with probability (1e6 / 2^62)^0.01 = 0.75, so the clamp is exercised often. */
static void dist_huge_draws_clamp_at_2pow62(void **state)
{
    (void)state;
    dist *d = parse_ok("pareto(1ms, 0.01)", NULL);
    rng r;
    rng_seed(&r, 8, 8);
    int clamped = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t v = dist_sample(d, &r);
        assert_true(v >= 1000000 && v <= TWO_POW_62);
        clamped += v == TWO_POW_62;
    }
    assert_true(clamped > 500);
    dist_destroy(d);
    d = parse_ok("shift(9000000000000000000ns, exp(1ms))", NULL);
    EQ(dist_sample(d, &r), TWO_POW_62);
    dist_destroy(d);
    d = parse_ok("const(9223372036854775807ns)", NULL);
    EQ(dist_sample(d, &r), TWO_POW_62);
    dist_destroy(d);
}

/* The docs/design.md example. mean = 0.9122 (10/9) 0.235ms + 0.0878 0.602ms; F is the weighted
 * sum of the components' closed forms. */
static void dist_mix_mean_and_quantiles(void **state)
{
    (void)state;
    const qpt q[] = {{250000.0, 0.4507137864553053}, {300000.0, 0.8673063905754818}, {1e6, 0.9833241755757247}};
    check_law("mix(0.9122 pareto(0.235ms,10), 0.0878 exp(0.602ms))", 9, 291041.15555555554, q, 3);
}

/* Weights 3 and 1 normalise to 0.75 and 0.25: mean 2ms exactly; with n = 200000 the share of
 * 1ms draws has SE sqrt(0.75 0.25 / n) = 9.7e-4, 5 SE = 4.9e-3. */
static void dist_mix_mean_matches_weights(void **state)
{
    (void)state;
    long live = mem_live();
    dist *d = parse_ok("mix(3 const(1ms), 1 const(5ms))", NULL);
    NEAR(dist_mean(d), 2e6, 1e-6);
    NEAR(dist_cdf(d, 1e6), 0.75, 1e-12);
    NEAR(dist_cdf(d, 5e6), 1.0, 1e-12);
    assert_false(dist_is_const(d));
    rng r;
    rng_seed(&r, 10, 10);
    long ones = 0;
    for (int i = 0; i < NSAMPLES; i++) {
        int64_t v = dist_sample(d, &r);
        assert_true(v == 1000000 || v == 5000000);
        ones += v == 1000000;
    }
    NEAR((double)ones / NSAMPLES, 0.75, 4.9e-3);
    dist_destroy(d);
    EQ(mem_live(), live);
}

/* shift(1ms, exp(1ms)): mean 2ms, median 1ms + ln2 ms, nothing below 1ms. */
static void dist_shift_adds_minimum(void **state)
{
    (void)state;
    const qpt q[] = {{1e6, 0.0}, {1e6 + 1e6 * log(2.0), 0.5}, {1e6 + 1e6 * log(10.0), 0.9}};
    check_law("shift(1ms, exp(1ms))", 11, 2e6, q, 3);
    dist *d = parse_ok("shift(1ms, const(2ms))", NULL);
    assert_true(dist_is_const(d));
    rng r;
    rng_seed(&r, 1, 2);
    EQ(dist_sample(d, &r), 3000000);
    dist_destroy(d);
    d = parse_ok("shift(1ms, exp(2ms))", NULL);
    assert_false(dist_is_const(d));
    dist_destroy(d);
}

static void dist_same_seed_same_draws(void **state)
{
    (void)state;
    dist *d = parse_ok("mix(1 lognormal(1ms, 1), 1 normal(2ms, 1ms))", NULL);
    rng a, b;
    rng_derive(&a, 99, rng_entity_id("node n1 service"));
    rng_derive(&b, 99, rng_entity_id("node n1 service"));
    for (int i = 0; i < 10000; i++)
        EQ(dist_sample(d, &a), dist_sample(d, &b));
    dist_destroy(d);
}

static void dist_whitespace_allowed_between_tokens(void **state)
{
    (void)state;
    dist *d = parse_ok("  mix (  0.5   exp ( 1ms ) ,\t0.5const( 2 ms ) )  ", NULL);
    NEAR(dist_mean(d), 1.5e6, 1e-6);
    dist_destroy(d);
    d = parse_ok("shift(\n1ms\n,\nuniform(0,2ms))", NULL);
    NEAR(dist_mean(d), 2e6, 1e-6);
    dist_destroy(d);
}

/* One column, unsorted, with comments, blank lines and a bare number (ns): mean 2.5ms and a
 * step CDF. Each of the 4 values has share 0.25, SE sqrt(0.25 0.75 / n) = 9.7e-4 at
 * n = 200000, 5 SE = 4.9e-3. */
static void dist_empirical_samples_file(void **state)
{
    (void)state;
    long live = mem_live();
    write_file("samples.csv", "# latency samples\n3ms\n\n1ms\n  4000000  \n# more\n2ms\n");
    dist *d = parse_ok("empirical(samples.csv)", tmpdir);
    NEAR(dist_mean(d), 2.5e6, 1e-6);
    NEAR(dist_cdf(d, 0.5e6), 0.0, 0);
    NEAR(dist_cdf(d, 1e6), 0.25, 0);
    NEAR(dist_cdf(d, 2.5e6), 0.5, 0);
    NEAR(dist_cdf(d, 4e6), 1.0, 0);
    rng r;
    rng_seed(&r, 12, 12);
    long count[4] = {0};
    for (int i = 0; i < NSAMPLES; i++) {
        int64_t v = dist_sample(d, &r);
        assert_true(v % 1000000 == 0 && v >= 1000000 && v <= 4000000);
        count[v / 1000000 - 1]++;
    }
    for (int i = 0; i < 4; i++)
        NEAR((double)count[i] / NSAMPLES, 0.25, 4.9e-3);
    dist_destroy(d);
    EQ(mem_live(), live);
}

/* value,cdf: mass 0.2 at 1ms, then linear to 0.5 at 2ms and to 1 at 4ms. Mean =
 * 0.2 (1ms) + 0.3 (1.5ms) + 0.5 (3ms) = 2.15ms; F(1.5ms) = 0.35, F(3ms) = 0.75. */
static void dist_empirical_cdf_file(void **state)
{
    (void)state;
    const char *path = write_file("cdf.csv", "# value,cdf\n1ms, 0.2\n2000000,0.5\r\n4ms ,1\n");
    char text[256];
    snprintf(text, sizeof text, "empirical( %s )", path); /* absolute path: base_dir unused */
    long live = mem_live();
    const qpt q[] = {{0.999e6, 0.0}, {1e6, 0.2}, {1.5e6, 0.35}, {3e6, 0.75}, {4e6, 1.0}};
    dist *d = parse_ok(text, "/nonexistent");
    NEAR(dist_mean(d), 2.15e6, 1e-6);
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        NEAR(dist_cdf(d, q[i].x), q[i].p, 1e-12);
    dist_destroy(d);
    EQ(mem_live(), live);
    check_law(text, 13, 2.15e6, q, 5);
}

static void dist_empirical_cdf_tolerates_rounding_at_one(void **state)
{
    (void)state;
    write_file("almost.csv", "1ms,0.5\n2ms,0.9999999995\n");
    dist *d = parse_ok("empirical(almost.csv)", tmpdir);
    NEAR(dist_cdf(d, 2e6), 1.0, 0);
    dist_destroy(d);
}

static void dist_rejects_negative_parameter(void **state)
{
    (void)state;
    parse_fails("const(-5ns)", NULL, "const: value must be >= 0");
    parse_fails("uniform(-1ms, 2ms)", NULL, "uniform: a must be >= 0");
    parse_fails("exp(-1ms)", NULL, "exp: mean must be >= 0");
    parse_fails("normal(-1ms, 1ms)", NULL, "normal: mean must be >= 0");
    parse_fails("normal(1ms, -1ms)", NULL, "normal: sd must be >= 0");
    parse_fails("lognormal(-1ms, 0.5)", NULL, "lognormal: median must be >= 0");
    parse_fails("lognormal(1ms, -0.5)", NULL, "lognormal: sigma must be > 0");
    parse_fails("lognormal(1ms, 0)", NULL, "lognormal: sigma must be > 0");
    parse_fails("pareto(-1ms, 2)", NULL, "pareto: xm must be >= 0");
    parse_fails("pareto(0, 2)", NULL, "pareto: xm must be > 0");
    parse_fails("pareto(1ms, -2)", NULL, "pareto: alpha must be > 0");
    parse_fails("mix(-0.5 exp(1ms), 1.5 exp(2ms))", NULL, "mix: weight must be > 0");
    parse_fails("mix(0 exp(1ms))", NULL, "mix: weight must be > 0");
    parse_fails("shift(-1ms, exp(1ms))", NULL, "shift: d must be >= 0");
}

static void dist_rejects_uniform_reversed(void **state)
{
    (void)state;
    parse_fails("uniform(3ms, 1ms)", NULL, "uniform: a must be <= b");
}

static void dist_rejects_unknown_name(void **state)
{
    (void)state;
    parse_fails("expo(1ms)", NULL,
                "unknown distribution 'expo' (const, uniform, exp, normal, lognormal, pareto, mix, "
                "empirical, shift)");
    parse_fails("mix(1 gauss(1ms))", NULL,
                "unknown distribution 'gauss' (const, uniform, exp, normal, lognormal, pareto, mix, "
                "empirical, shift)");
}

static void dist_rejects_trailing_garbage(void **state)
{
    (void)state;
    parse_fails("exp(1ms) x", NULL, "unexpected 'x' after the distribution");
    parse_fails("exp(1ms))", NULL, "unexpected ')' after the distribution");
    parse_fails("exp(1ms), const(1ms)", NULL, "unexpected ', const(1ms)' after the distribution");
}

static void dist_rejects_malformed_syntax(void **state)
{
    (void)state;
    parse_fails("", NULL, "expected a distribution name at end of text");
    parse_fails(NULL, NULL, "expected a distribution name at end of text");
    parse_fails("(1ms)", NULL, "expected a distribution name at '(1ms)'");
    parse_fails("exp 1ms", NULL, "exp: expected '(' at '1ms'");
    parse_fails("exp(1ms", NULL, "exp: expected ')' at end of text");
    parse_fails("exp()", NULL, "exp: missing mean");
    parse_fails("exp(5)", NULL, "exp: mean '5': missing unit (ns, us, ms, s)");
    parse_fails("exp(fast)", NULL, "exp: mean 'fast': not a number");
    parse_fails("const(exp(1ms))", NULL, "const: value 'exp': not a number");
    parse_fails("uniform(1ms)", NULL, "uniform: expected ',' at ')'");
    parse_fails("uniform(1ms 2ms)", NULL, "uniform: a '1ms 2ms': unexpected text after the duration");
    parse_fails("lognormal(1ms, abc)", NULL, "lognormal: sigma 'abc' is not a number");
    parse_fails("pareto(1ms, 2ms)", NULL, "pareto: alpha '2ms' is not a number");
    parse_fails("mix()", NULL, "mix: expected a weight before each component at ')'");
    parse_fails("mix(exp(1ms))", NULL, "mix: expected a weight before each component at 'exp(1ms))'");
    parse_fails("mix(1 exp(1ms) 2 exp(2ms))", NULL, "mix: expected ',' or ')' at '2 exp(2ms))'");
    parse_fails("mix(1 exp(1ms),)", NULL, "mix: expected a weight before each component at ')'");
    parse_fails("shift(1ms)", NULL, "shift: expected ',' at ')'");
    parse_fails("shift(1ms, 2ms)", NULL, "unknown distribution '2ms' (const, uniform, exp, normal, lognormal, "
                                         "pareto, mix, empirical, shift)");
    parse_fails("empirical()", NULL, "empirical: missing file name");
    parse_fails("empirical(a.csv", NULL, "empirical: expected ')' at end of text");
}

static void dist_rejects_deep_nesting(void **state)
{
    (void)state;
    char text[1024] = "";
    for (int i = 0; i < 40; i++)
        strcat(text, "shift(0,");
    strcat(text, "const(0)");
    for (int i = 0; i < 40; i++)
        strcat(text, ")");
    parse_fails(text, NULL, "distribution nested too deeply");
}

static void dist_empirical_rejects_missing_file(void **state)
{
    (void)state;
    char want[256];
    snprintf(want, sizeof want, "empirical: cannot open '%s/nope.csv': No such file or directory", tmpdir);
    parse_fails("empirical(nope.csv)", tmpdir, want);
    parse_fails("empirical(nope.csv)", NULL, "empirical: cannot open './nope.csv': No such file or directory");
}

/* Asserts that the file made of text is rejected with "empirical: PATH<suffix>". */
static void file_fails(const char *name, const char *text, const char *suffix)
{
    char want[512], expr[160];
    const char *path = write_file(name, text);
    snprintf(want, sizeof want, "empirical: %s%s", path, suffix);
    snprintf(expr, sizeof expr, "empirical(%s)", name);
    parse_fails(expr, tmpdir, want);
}

static void dist_empirical_rejects_empty_file(void **state)
{
    (void)state;
    file_fails("empty.csv", "", ": no data");
    file_fails("comments.csv", "# only a comment\n\n   \n", ": no data");
}

static void dist_empirical_rejects_bad_cdf(void **state)
{
    (void)state;
    file_fails("down.csv", "1ms,0.3\n2ms,0.6\n3ms,0.5\n4ms,1\n", ":3: cdf must be non-decreasing");
    file_fails("short.csv", "1ms,0.5\n# end\n2ms,0.9\n", ":3: cdf must end at 1 (last is 0.9)");
    file_fails("over.csv", "1ms,0.5\n2ms,1.5\n", ":2: cdf must be within [0, 1]");
    file_fails("negcdf.csv", "1ms,-0.1\n2ms,1\n", ":1: cdf must be within [0, 1]");
    file_fails("back.csv", "2ms,0.5\n1ms,1\n", ":2: values must be non-decreasing in a cdf file");
    file_fails("nancdf.csv", "1ms,x\n", ":1: cdf 'x' is not a number");
}

static void dist_empirical_rejects_negative_value(void **state)
{
    (void)state;
    file_fails("neg.csv", "1ms\n-2ms\n", ":2: negative value");
    file_fails("negbare.csv", "# c\n-5\n", ":2: negative value");
    file_fails("negcdfv.csv", "-1ms,0.5\n2ms,1\n", ":1: negative value");
}

static void dist_empirical_rejects_malformed_lines(void **state)
{
    (void)state;
    file_fails("header.csv", "value,cdf\n1ms,1\n",
               ":1: 'value' is not a duration (use '#' for comment or header lines)");
    file_fails("cols.csv", "1ms,0.5\n2ms\n", ":2: expected 2 columns like the first line");
    file_fails("cols1.csv", "1ms\n2ms,1\n", ":2: expected 1 column like the first line");
    file_fails("three.csv", "1ms,0.5,x\n", ":1: expected 'value' or 'value,cdf'");
}

/* Writes len bytes (NULs allowed) to tmpdir/name (removed at teardown). */
static const char *write_bytes(const char *name, const char *bytes, size_t len)
{
    assert_true(nfiles < MAX_FILES);
    char *path = files[nfiles++];
    snprintf(path, sizeof files[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_true(fwrite(bytes, 1, len, f) == len);
    assert_true(fclose(f) == 0);
    return path;
}

/* A path in tmpdir, removed at teardown (a FIFO, a directory, a link). */
static const char *temp_path(const char *name)
{
    assert_true(nfiles < MAX_FILES);
    char *path = files[nfiles++];
    snprintf(path, sizeof files[0], "%s/%s", tmpdir, name);
    return path;
}

/* An empirical file that is a directory, a FIFO (which used to block forever) or a device
 * (read until memory ran out) is an error naming it; the alarm turns a hang into a failure. */
static void dist_empirical_non_regular_files_are_errors(void **state)
{
    (void)state;
    char want[512];
    alarm(60);
    assert_true(mkdir(temp_path("dir.csv"), 0700) == 0);
    assert_true(mkfifo(temp_path("fifo.csv"), 0600) == 0);
    assert_true(symlink("/dev/zero", temp_path("zero.csv")) == 0);
    snprintf(want, sizeof want, "empirical: '%s/dir.csv' is a directory, not a regular file", tmpdir);
    parse_fails("empirical(dir.csv)", tmpdir, want);
    snprintf(want, sizeof want, "empirical: '%s/fifo.csv' is a FIFO (named pipe), not a regular file", tmpdir);
    parse_fails("empirical(fifo.csv)", tmpdir, want);
    snprintf(want, sizeof want, "empirical: '%s/zero.csv' is a character device, not a regular file", tmpdir);
    parse_fails("mix(1 exp(1ms), 1 empirical(zero.csv))", tmpdir, want);
    parse_fails("empirical(/dev/zero)", tmpdir, "empirical: '/dev/zero' is a character device, not a regular file");
    alarm(0);
}

/* An empirical file has a size limit (64 MiB), stated in the error. */
static void dist_empirical_oversized_file_is_error(void **state)
{
    (void)state;
    const char *path = temp_path("huge.csv");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_true(ftruncate(fd, ((off_t)64 << 20) + 1) == 0); /* sparse */
    close(fd);
    char want[512];
    snprintf(want, sizeof want, "empirical: '%s' is larger than 64 MiB, the limit for empirical files", path);
    parse_fails("empirical(huge.csv)", tmpdir, want);
}

/* A NUL byte (fgets used to end the line there, dropping the rest of it) or a carriage
 * return not followed by a line feed would silently change the data: each is an error. */
static void dist_empirical_bytes_that_would_change_meaning_are_errors(void **state)
{
    (void)state;
    char want[512];
    static const char nul[] = "1ms\n2ms\0 and 7s\n3ms\n";
    const char *path = write_bytes("nul.csv", nul, sizeof nul - 1);
    snprintf(want, sizeof want, "empirical: %s:2: line holds a NUL byte: is this a text file?", path);
    parse_fails("empirical(nul.csv)", tmpdir, want);
    file_fails("cr.csv", "1ms\r2ms\r3ms\r", ":1: carriage return not followed by a line feed: lines end with LF or CRLF");
    file_fails("crmid.csv", "1ms,0.5\r\n2ms\r,1\r\n", ":2: carriage return not followed by a line feed: lines end "
                                                     "with LF or CRLF");
}

/* CRLF line ends and a UTF-8 byte-order mark, as editors and spreadsheets write them, give
 * the same distribution as plain LF. */
static void dist_empirical_editor_line_endings_accepted(void **state)
{
    (void)state;
    write_file("lf.csv", "# latency,cdf\n1ms,0.25\n2ms,0.5\n4ms,1\n");
    write_file("crlf.csv", "\xEF\xBB\xBF# latency,cdf\r\n1ms,0.25\r\n2ms,0.5\r\n4ms,1"); /* no final line end */
    write_file("bom.csv", "\xEF\xBB\xBF" "1ms\r\n3ms\r\n");
    dist *a = parse_ok("empirical(lf.csv)", tmpdir), *b = parse_ok("empirical(crlf.csv)", tmpdir);
    for (double x = 0; x <= 5e6; x += 1e5)
        NEAR(dist_cdf(b, x), dist_cdf(a, x), 0);
    NEAR(dist_mean(b), dist_mean(a), 0);
    dist_destroy(a);
    dist_destroy(b);
    dist *c = parse_ok("empirical(bom.csv)", tmpdir);
    NEAR(dist_mean(c), 2e6, 0);
    dist_destroy(c);
}

/* Every allocation of a parse that nests mix, shift and empirical is made to fail in turn:
 * each failure must be reported and leave nothing live, until the parse succeeds. */
static void dist_parse_survives_allocation_failure(void **state)
{
    (void)state;
    write_file("oom.csv", "1ms,0.5\n2ms,1\n");
    const char *text = "mix(1 shift(1ms, empirical(oom.csv)), 2 exp(1ms), 1 mix(1 const(1ms)))";
    long live = mem_live();
    int ok = 0;
    for (long k = 1; k < 100 && !ok; k++) {
        dist *d = NULL;
        char err[256] = "";
        mem_fail_at(k);
        int rc = dist_parse(text, tmpdir, &d, err, sizeof err);
        mem_fail_at(0);
        if (rc == 0) {
            ok = 1;
            NEAR(dist_mean(d), 0.25 * (1e6 + 1.25e6) + 0.5 * 1e6 + 0.25 * 1e6, 1e-6);
            dist_destroy(d);
        } else {
            assert_null(d);
            assert_string_equal(err, "out of memory");
        }
        EQ(mem_live(), live);
    }
    assert_true(ok);
}

static void dist_destroy_null_is_noop(void **state)
{
    (void)state;
    dist_destroy(NULL);
}

static int group_setup(void **state)
{
    (void)state;
    live_at_start = mem_live();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/qsim_test_dist_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* Removes the temp files and checks that no test left a block live. */
static int group_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < nfiles; i++)
        remove(files[i]);
    int rc = rmdir(tmpdir);
    return rc == 0 && mem_live() == live_at_start ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dist_const_is_exact),
        cmocka_unit_test(dist_uniform_mean_and_quantiles),
        cmocka_unit_test(dist_exp_mean_and_quantiles),
        cmocka_unit_test(dist_normal_truncated_mean_and_quantiles),
        cmocka_unit_test(dist_normal_half_normal_at_zero_mean),
        cmocka_unit_test(dist_lognormal_mean_and_quantiles),
        cmocka_unit_test(dist_pareto_quantile),
        cmocka_unit_test(dist_pareto_heavy_tail_has_infinite_mean),
        cmocka_unit_test(dist_zero_scale_laws_have_zero_mean_not_nan),
        cmocka_unit_test(dist_huge_draws_clamp_at_2pow62),
        cmocka_unit_test(dist_mix_mean_and_quantiles),
        cmocka_unit_test(dist_mix_mean_matches_weights),
        cmocka_unit_test(dist_shift_adds_minimum),
        cmocka_unit_test(dist_same_seed_same_draws),
        cmocka_unit_test(dist_whitespace_allowed_between_tokens),
        cmocka_unit_test(dist_empirical_samples_file),
        cmocka_unit_test(dist_empirical_cdf_file),
        cmocka_unit_test(dist_empirical_cdf_tolerates_rounding_at_one),
        cmocka_unit_test(dist_rejects_negative_parameter),
        cmocka_unit_test(dist_rejects_uniform_reversed),
        cmocka_unit_test(dist_rejects_unknown_name),
        cmocka_unit_test(dist_rejects_trailing_garbage),
        cmocka_unit_test(dist_rejects_malformed_syntax),
        cmocka_unit_test(dist_rejects_deep_nesting),
        cmocka_unit_test(dist_empirical_rejects_missing_file),
        cmocka_unit_test(dist_empirical_non_regular_files_are_errors),
        cmocka_unit_test(dist_empirical_oversized_file_is_error),
        cmocka_unit_test(dist_empirical_bytes_that_would_change_meaning_are_errors),
        cmocka_unit_test(dist_empirical_editor_line_endings_accepted),
        cmocka_unit_test(dist_empirical_rejects_empty_file),
        cmocka_unit_test(dist_empirical_rejects_bad_cdf),
        cmocka_unit_test(dist_empirical_rejects_negative_value),
        cmocka_unit_test(dist_empirical_rejects_malformed_lines),
        cmocka_unit_test(dist_parse_survives_allocation_failure),
        cmocka_unit_test(dist_destroy_null_is_noop),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
