/* The sweep language (src/sweep.h, docs/design.md section 7): values split at commas outside
 * parentheses and quotes, quoted values taken as written, blanks dropped, integer ranges
 * with a step, and every malformed sweep refused with its reason and nothing allocated
 * (also when an allocation fails part way). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/alloc.h"
#include "src/sweep.h"
#include "tests/testutil.h"

/* Parses arg and checks the key and the values, joined by '|'. */
static void expect_sweep(const char *arg, const char *key, const char *values)
{
    sweep s;
    char why[320] = "";
    long live = mem_live();
    if (sweep_parse(arg, &s, why, sizeof why))
        fail_msg("%s: refused: %s", arg, why);
    char got[8192] = "";
    for (size_t i = 0; i < s.n; i++) {
        if (i)
            strcat(got, "|");
        strcat(got, s.values[i]);
    }
    if (strcmp(s.key, key) != 0)
        fail_msg("%s: key '%s', want '%s'", arg, s.key, key);
    if (strcmp(got, values) != 0)
        fail_msg("%s: values '%s', want '%s'", arg, got, values);
    sweep_free(&s, 1);
    EQ(s.n, 0);
    EQ(mem_live(), live);
}

static void expect_refused(const char *arg, const char *reason)
{
    sweep s;
    char why[320] = "";
    long live = mem_live();
    if (sweep_parse(arg, &s, why, sizeof why) == 0)
        fail_msg("%s: accepted", arg);
    if (strcmp(why, reason) != 0)
        fail_msg("%s: reason '%s', want '%s'", arg, why, reason);
    assert_null(s.key);
    assert_null(s.values);
    EQ(s.n, 0);
    EQ(mem_live(), live);
}

static void sweep_commas_inside_parentheses_do_not_split(void **state)
{
    (void)state;
    expect_sweep("quorum.r=1,2,3", "quorum.r", "1|2|3");
    expect_sweep("network.latency=mix(0.9 exp(1ms), 0.1 exp(50ms)),const(1ms)", "network.latency",
                 "mix(0.9 exp(1ms), 0.1 exp(50ms))|const(1ms)");
    expect_sweep("network.latency=uniform(1ms,2ms),shift(1ms, uniform(0ms, 5ms))", "network.latency",
                 "uniform(1ms,2ms)|shift(1ms, uniform(0ms, 5ms))");
    /* blanks around keys and values are dropped, inside values kept */
    expect_sweep("  quorum.w =  1 ,\t2 ", "quorum.w", "1|2");
    expect_sweep("network.latency= mix(0.5 const(1ms), 0.5 const(2ms)) , exp(1ms)", "network.latency",
                 "mix(0.5 const(1ms), 0.5 const(2ms))|exp(1ms)");
    /* empirical(...) holds a path: its ".." is no range */
    expect_sweep("network.latency=empirical(../data/lat.csv),exp(1ms)", "network.latency",
                 "empirical(../data/lat.csv)|exp(1ms)");
    /* a semicolon is part of a value */
    expect_sweep("a.b=x;y,z", "a.b", "x;y|z");
}

static void sweep_quoted_values_are_taken_as_written(void **state)
{
    (void)state;
    expect_sweep("faults.f=\"5ms crash n2\",\"5ms partition n1,n2 | n3,client\"", "faults.f",
                 "5ms crash n2|5ms partition n1,n2 | n3,client");
    expect_sweep("a.b=\"1..3\", \" x \" ,\"(\"", "a.b", "1..3| x |(");
    expect_sweep("a.b=\"\",1", "a.b", "|1"); /* "" is an empty value, on purpose */
    expect_sweep("a.b=\"x,y\"", "a.b", "x,y");
}

static void sweep_ranges_of_integers(void **state)
{
    (void)state;
    expect_sweep("quorum.r=1..3", "quorum.r", "1|2|3");
    expect_sweep("quorum.r=3..1", "quorum.r", "3|2|1");
    expect_sweep("run.seed=1..9..2", "run.seed", "1|3|5|7|9");
    expect_sweep("run.seed=1..10..4", "run.seed", "1|5|9"); /* up to 10 at most */
    expect_sweep("run.seed=10..1..4", "run.seed", "10|6|2");
    expect_sweep("run.seed=5..5", "run.seed", "5");
    expect_sweep("a.b=-2..2..2", "a.b", "-2|0|2");
    expect_sweep("a.b=+1..2", "a.b", "1|2");
    expect_sweep("quorum.r=1..2,5,7..8", "quorum.r", "1|2|5|7|8");
    expect_sweep(" quorum.r = 1 .. 2 ", "quorum.r", "1|2");
    /* the whole int64_t range, without overflow */
    expect_sweep("a.b=-9223372036854775808..9223372036854775807..9223372036854775807", "a.b",
                 "-9223372036854775808|-1|9223372036854775806");
    /* as many values as configurations run, and no more */
    sweep s;
    char why[320];
    EQ(sweep_parse("run.seed=1..4096", &s, why, sizeof why), 0);
    EQ(s.n, RUNNER_MAX_CONFIGS);
    assert_string_equal(s.values[4095], "4096");
    sweep_free(&s, 1);
    expect_refused("run.seed=1..4097", "value 1 '1..4097': the range has more than 4096 values; at most 4096 "
                                       "configurations are run");
    expect_refused("run.seed=0..9223372036854775807", "value 1 '0..9223372036854775807': the range has more than "
                                                      "4096 values; at most 4096 configurations are run");
    expect_refused("run.seed=1..4000,5000..5096", "more than 4096 values; at most 4096 configurations are run");
}

static void sweep_malformed_is_refused_with_its_reason(void **state)
{
    (void)state;
    static const char range[] = "a range is INTEGER..INTEGER or INTEGER..INTEGER..STEP with STEP > 0 (quote a value "
                                "that holds '..' and is not a range)";
    static const struct {
        const char *arg, *why;
    } bad[] = {
        {"quorum.r", "no '='"},
        {"=1,2", "no key before '='"},
        {"  =1", "no key before '='"},
        {"quorum=1,2", "the key 'quorum' is not section.key"},
        {".r=1", "the key '.r' is not section.key"},
        {"quorum.=1", "the key 'quorum.' is not section.key"},
        {"quorum.r=", "no values after '='"},
        {"quorum.r=  ", "no values after '='"},
        {"quorum.r=1,,2", "value 2 of 3 is empty"},
        {"quorum.r=1, ,2", "value 2 of 3 is empty"},
        {"quorum.r=1,2,", "value 3 of 3 is empty"},
        {"quorum.r=,1", "value 1 of 2 is empty"},
        {"network.latency=exp(1ms", "value 1: a '(' is not closed"},
        {"network.latency=exp(1ms),uniform(1ms,(2ms)", "value 2: a '(' is not closed"},
        {"network.latency=exp(1ms))", "value 1: a ')' without its '('"},
        {"network.latency=\"exp(1ms)", "value 1: the quote is not closed"},
        {"network.latency=\"a\"b", "value 1: text after the closing quote (the quotes hold the whole value)"},
        {"network.latency=1,a\"b\"", "value 2: a '\"' inside a value (put the whole value in quotes)"},
        {"quorum.r=1,2,1", "the value '1' is given twice (a range may include it): each value runs once"},
        {"quorum.r=1..3,2", "the value '2' is given twice (a range may include it): each value runs once"},
        {"network.latency=\"exp(1ms)\",exp(1ms)",
         "the value 'exp(1ms)' is given twice (a range may include it): each value runs once"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_refused(bad[i].arg, bad[i].why);
    static const char *const ranges[] = {"1..", "..3", "1..3..0", "1..3..-1", "1.5..3", "a..b", "1...3",
                                         "1..3..", "1..2..3..4", "99999999999999999999..1"};
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        char arg[64], why[320];
        snprintf(arg, sizeof arg, "run.seed=7,%s", ranges[i]);
        snprintf(why, sizeof why, "value 2 '%s': %s", ranges[i], range);
        expect_refused(arg, why);
    }
}

/* Every allocation of a sweep, failed in turn: refused as out of memory, nothing leaked. */
static void sweep_out_of_memory_leaks_nothing(void **state)
{
    (void)state;
    const char *arg = "network.latency=mix(0.9 exp(1ms), 0.1 exp(50ms)),\"const(1ms)\",1..3";
    int failed = 0;
    for (long k = 1; k < 100; k++) {
        sweep s;
        char why[320] = "";
        long live = mem_live();
        mem_fail_at(k);
        int rc = sweep_parse(arg, &s, why, sizeof why);
        mem_fail_at(0);
        if (rc == 0) {
            EQ(s.n, 5);
            sweep_free(&s, 1);
            EQ(mem_live(), live);
            break;
        }
        failed++;
        assert_string_equal(why, "out of memory");
        assert_null(s.key);
        EQ(s.n, 0);
        EQ(mem_live(), live);
    }
    EQ(failed, 8); /* the key, the array, five values, the duplicate check's sorted copy */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sweep_commas_inside_parentheses_do_not_split),
        cmocka_unit_test(sweep_quoted_values_are_taken_as_written),
        cmocka_unit_test(sweep_ranges_of_integers),
        cmocka_unit_test(sweep_malformed_is_refused_with_its_reason),
        cmocka_unit_test(sweep_out_of_memory_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
