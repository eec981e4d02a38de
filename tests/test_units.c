/* test_units: durations, rates and numbers of the scenario language (docs/design.md section 2):
 * exact decimal parsing, rounding, every error message, and format/parse round trips. */
#include "sim/alloc.h"
#include "sim/rng.h"
#include "sim/units.h"
#include "tests/testutil.h"
#include <stdio.h>
#include <string.h>

static int64_t dur(const char *s)
{
    int64_t v = -12345;
    char err[128] = "";
    if (units_parse_duration(s, &v, err, sizeof err) != 0)
        fail_msg("'%s' did not parse: %s", s, err);
    return v;
}

/* Asserts that s is rejected with exactly the message want. */
static void dur_fails(const char *s, const char *want)
{
    int64_t v = -12345;
    char err[128] = "";
    EQ(units_parse_duration(s, &v, err, sizeof err), -1);
    EQ(v, -12345);
    if (strcmp(err, want) != 0)
        fail_msg("'%s': error '%s', want '%s'", s, err, want);
}

static void units_parse_each_unit(void **state)
{
    (void)state;
    EQ(dur("100ns"), 100);
    EQ(dur("250us"), 250 * NS_PER_US);
    EQ(dur("3ms"), 3 * NS_PER_MS);
    EQ(dur("2s"), 2 * NS_PER_S);
}

static void units_parse_fractional_ms_exact(void **state)
{
    (void)state;
    EQ(dur("0.1ms"), 100000);
    EQ(dur("1.5ms"), 1500000);
    EQ(dur("0.3us"), 300);
    EQ(dur("1.1s"), 1100000000);
    EQ(dur("0.000001s"), 1000);
    EQ(dur(".5ms"), 500000);
    EQ(dur("2.ms"), 2000000);
    /* Every millisecond value with three decimals, none through double rounding. */
    char buf[32];
    for (int i = 0; i < 20; i++)
        for (int j = 0; j < 1000; j++) {
            snprintf(buf, sizeof buf, "%d.%03dms", i, j);
            EQ(dur(buf), (int64_t)i * NS_PER_MS + (int64_t)j * NS_PER_US);
        }
}

static void units_parse_exponent(void **state)
{
    (void)state;
    EQ(dur("1e3us"), NS_PER_MS);
    EQ(dur("2.5E-3s"), 2500000);
    EQ(dur("1e-9s"), 1);
}

static void units_rounds_to_nearest_ns(void **state)
{
    (void)state;
    EQ(dur("0.5ns"), 1);
    EQ(dur("0.4999ns"), 0);
    EQ(dur("1.5ns"), 2);
    EQ(dur("-1.5ns"), -2);
    EQ(dur("0.0000015ms"), 2);
    EQ(dur("0.0000014999ms"), 1);
    EQ(dur("1e-12s"), 0);
}

static void units_allows_surrounding_blanks(void **state)
{
    (void)state;
    EQ(dur("  2s  "), 2 * NS_PER_S);
    EQ(dur("\t1.5ms\n"), 1500000);
    EQ(dur("1.5 ms"), 1500000);
}

static void units_plain_zero_needs_no_unit(void **state)
{
    (void)state;
    EQ(dur("0"), 0);
    EQ(dur(" 0.0 "), 0);
    EQ(dur("-0"), 0);
    EQ(dur("0ms"), 0);
}

static void units_accepts_negative_duration(void **state)
{
    (void)state;
    EQ(dur("-1.5ms"), -1500000);
    EQ(dur("-9223372036854775808ns"), INT64_MIN);
}

static void units_rejects_missing_unit(void **state)
{
    (void)state;
    dur_fails("5", "missing unit (ns, us, ms, s)");
    dur_fails("1.5", "missing unit (ns, us, ms, s)");
}

static void units_rejects_unknown_unit(void **state)
{
    (void)state;
    dur_fails("5m", "unknown unit 'm' (ns, us, ms, s)");
    dur_fails("2sec", "unknown unit 'sec' (ns, us, ms, s)");
}

static void units_rejects_not_a_number(void **state)
{
    (void)state;
    dur_fails("ms", "not a number");
    dur_fails("abc", "not a number");
    dur_fails("inf", "not a number");
    dur_fails("nan", "not a number");
    dur_fails("-", "not a number");
    dur_fails("", "empty duration");
    dur_fails("   ", "empty duration");
}

static void units_rejects_trailing_text(void **state)
{
    (void)state;
    dur_fails("1ms2", "unexpected text after the duration");
    dur_fails("1.2.3ms", "unexpected text after the duration");
    dur_fails("1ms x", "unexpected text after the duration");
}

static void units_rejects_beyond_int64(void **state)
{
    (void)state;
    EQ(dur("9223372036854775807ns"), INT64_MAX);
    EQ(dur("9223372036.854775807s"), INT64_MAX);
    dur_fails("9223372036854775808ns", "out of range");
    dur_fails("-9223372036854775809ns", "out of range");
    dur_fails("1e10s", "out of range");
    dur_fails("1e99999999s", "out of range");
    dur_fails("99999999999999999999999ns", "out of range");
}

static void units_error_buffer_may_be_null(void **state)
{
    (void)state;
    int64_t v;
    double r;
    EQ(units_parse_duration("5", &v, NULL, 0), -1);
    EQ(units_parse_rate("5", &r, NULL, 0), -1);
    char tiny[4];
    EQ(units_parse_duration("5", &v, tiny, sizeof tiny), -1);
    assert_string_equal(tiny, "mis");
}

static void units_parse_rate_each_unit(void **state)
{
    (void)state;
    double r;
    char err[128];
    EQ(units_parse_rate("2000/s", &r, err, sizeof err), 0);
    NEAR(r, 2000.0, 0);
    EQ(units_parse_rate("2/ms", &r, err, sizeof err), 0);
    NEAR(r, 2000.0, 0);
    EQ(units_parse_rate("0.5/us", &r, err, sizeof err), 0);
    NEAR(r, 500000.0, 0);
    EQ(units_parse_rate("1/ns", &r, err, sizeof err), 0);
    NEAR(r, 1e9, 0);
    EQ(units_parse_rate("  2000 / s ", &r, err, sizeof err), 0);
    NEAR(r, 2000.0, 0);
}

static void rate_fails(const char *s, const char *want)
{
    double r = -1.0;
    char err[128] = "";
    EQ(units_parse_rate(s, &r, err, sizeof err), -1);
    NEAR(r, -1.0, 0);
    if (strcmp(err, want) != 0)
        fail_msg("'%s': error '%s', want '%s'", s, err, want);
}

static void units_rate_rejects_bad_input(void **state)
{
    (void)state;
    rate_fails("2000", "missing '/unit' (e.g. 2000/s)");
    rate_fails("abc/s", "not a number");
    rate_fails("/s", "not a number");
    rate_fails("inf/s", "not a number");
    rate_fails("2/min", "unknown unit 'min' (ns, us, ms, s)");
    rate_fails("2/", "missing unit after '/' (ns, us, ms, s)");
    rate_fails("2/s x", "unexpected text after the rate");
    rate_fails("0/s", "rate must be > 0 and finite");
    rate_fails("-5/s", "rate must be > 0 and finite");
    rate_fails("1e308/ns", "rate must be > 0 and finite");
}

static void units_parse_double_whole_string(void **state)
{
    (void)state;
    double v = 0.0;
    EQ(units_parse_double("1.5", &v), 0);
    NEAR(v, 1.5, 0);
    EQ(units_parse_double(" -2e3 ", &v), 0);
    NEAR(v, -2000.0, 0);
    v = 7.0;
    EQ(units_parse_double("1.5x", &v), -1);
    EQ(units_parse_double("", &v), -1);
    EQ(units_parse_double("  ", &v), -1);
    EQ(units_parse_double("inf", &v), -1);
    EQ(units_parse_double("nan", &v), -1);
    EQ(units_parse_double("1e999", &v), -1);
    NEAR(v, 7.0, 0);
}

static void units_parse_int_whole_string(void **state)
{
    (void)state;
    int64_t v = 0;
    EQ(units_parse_int("42", &v), 0);
    EQ(v, 42);
    EQ(units_parse_int(" -7 ", &v), 0);
    EQ(v, -7);
    EQ(units_parse_int("9223372036854775807", &v), 0);
    EQ(v, INT64_MAX);
    v = 5;
    EQ(units_parse_int("9223372036854775808", &v), -1);
    EQ(units_parse_int("-9223372036854775809", &v), -1);
    EQ(units_parse_int("1.5", &v), -1);
    EQ(units_parse_int("12a", &v), -1);
    EQ(units_parse_int("", &v), -1);
    EQ(v, 5);
}

static void fmt_is(int64_t ns, const char *want)
{
    char buf[64];
    assert_string_equal(units_format_duration(ns, buf, sizeof buf), want);
}

static void units_format_uses_largest_exact_unit(void **state)
{
    (void)state;
    fmt_is(1500000, "1.5ms");
    fmt_is(2000000000, "2s");
    fmt_is(7, "7ns");
    fmt_is(999, "999ns");
    fmt_is(1000, "1us");
    fmt_is(1500, "1.5us");
    fmt_is(1001, "1.001us");
    fmt_is(500000, "500us");
    fmt_is(1234567, "1234.567us");
    fmt_is(1200000000, "1.2s");
    fmt_is(1250000000, "1.25s");
    fmt_is(0, "0ns");
    fmt_is(-1500000, "-1.5ms");
    fmt_is(INT64_MIN, "-9223372036854775.808us");
}

static void units_format_truncates_to_buffer(void **state)
{
    (void)state;
    char buf[8] = "xxxxxxx";
    assert_string_equal(units_format_duration(1500000, buf, 4), "1.5");
    assert_true(units_format_duration(1500000, buf, 0) == buf);
    assert_string_equal(buf, "1.5");
}

/* Values of every magnitude, both signs, and the int64 limits survive format then parse. */
static void units_format_parse_round_trip(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 21, 22);
    char buf[64];
    for (int i = 0; i < 100000; i++) {
        uint64_t raw = ((uint64_t)rng_next(&r) << 32) | rng_next(&r);
        int64_t v = (int64_t)(raw >> rng_bounded(&r, 64));
        if (i % 3 == 0)
            v = (v / 1000) * 1000;
        if (i % 2)
            v = -v;
        EQ(dur(units_format_duration(v, buf, sizeof buf)), v);
    }
    EQ(dur(units_format_duration(INT64_MAX, buf, sizeof buf)), INT64_MAX);
    EQ(dur(units_format_duration(INT64_MIN, buf, sizeof buf)), INT64_MIN);
}

static long live_at_start;

static int group_setup(void **state)
{
    (void)state;
    live_at_start = mem_live();
    return 0;
}

/* Parsing and printing never allocate: nothing may be left live. */
static int group_teardown(void **state)
{
    (void)state;
    return mem_live() == live_at_start ? 0 : -1;
}

/* Latencies as reports show them: three figures or so, the unit that fits. */
static void units_format_latency_three_figures(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(units_format_latency(812, b, sizeof b), "812ns");
    assert_string_equal(units_format_latency(1500, b, sizeof b), "1.5us");
    assert_string_equal(units_format_latency(1650354, b, sizeof b), "1.65ms");
    assert_string_equal(units_format_latency(25000000, b, sizeof b), "25.00ms");
    assert_string_equal(units_format_latency(2500000000, b, sizeof b), "2.500s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(units_parse_each_unit),
        cmocka_unit_test(units_parse_fractional_ms_exact),
        cmocka_unit_test(units_parse_exponent),
        cmocka_unit_test(units_rounds_to_nearest_ns),
        cmocka_unit_test(units_allows_surrounding_blanks),
        cmocka_unit_test(units_plain_zero_needs_no_unit),
        cmocka_unit_test(units_accepts_negative_duration),
        cmocka_unit_test(units_rejects_missing_unit),
        cmocka_unit_test(units_rejects_unknown_unit),
        cmocka_unit_test(units_rejects_not_a_number),
        cmocka_unit_test(units_rejects_trailing_text),
        cmocka_unit_test(units_rejects_beyond_int64),
        cmocka_unit_test(units_error_buffer_may_be_null),
        cmocka_unit_test(units_parse_rate_each_unit),
        cmocka_unit_test(units_rate_rejects_bad_input),
        cmocka_unit_test(units_parse_double_whole_string),
        cmocka_unit_test(units_parse_int_whole_string),
        cmocka_unit_test(units_format_uses_largest_exact_unit),
        cmocka_unit_test(units_format_truncates_to_buffer),
        cmocka_unit_test(units_format_parse_round_trip),
        cmocka_unit_test(units_format_latency_three_figures),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
