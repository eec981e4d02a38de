/* test_series: what clients saw over time and per fault phase (models/series.h): exact
 * counts per interval by answer time on fixed arrivals with constant latency, the auto
 * width, widening past the cap, the fault windows the timeline defines, and exact phase
 * boundaries by start time, overlapping windows included. */
#include <string.h>
#include "models/series.h"
#include "sim/alloc.h"
#include "tests/testutil.h"

#define MS INT64_C(1000000)

/* 1000 operations, one every 1ms from 0 (fixed arrivals), every message 1ms: each answered
 * 2ms after its start, operation k at (k + 2) ms. */
static const char *const steady =
    "[run]\nseed = 3\nops = 1000\n[cluster]\nnodes = 3\nreplicas = 3\n[quorum]\nr = 2\nw = 2\n"
    "[network]\nlatency = const(1ms)\n[workload]\nrate = 1000/s\narrival = fixed\nread_ratio = 0.5\nkeys = 10\n";

static const series_res *series_of(const run_stats *st) { return st->rr.res[MOD_SERIES]; }

static uint64_t ops_of(const series_row *r) { return r->n[0] + r->n[1]; }

/* Interval i of width w holds the operations answered in [i w, (i + 1) w). */
static void intervals_count_operations_by_answer_time_exactly(void **state)
{
    (void)state;
    run_stats st;
    const char *sets[] = {"series.interval=100ms"};
    tu_run_text(steady, sets, 1, &st);
    const series_res *r = series_of(&st);
    EQ(r->width, 100 * MS);
    EQ(r->configured, 100 * MS);
    EQ(r->widened, 0);
    EQ(r->nrows, 11); /* the last answer is at 1001ms */
    EQ(ops_of(&r->rows[0]), 98); /* answered at 2..99ms */
    for (size_t i = 1; i < 10; i++)
        EQ(ops_of(&r->rows[i]), 100);
    EQ(ops_of(&r->rows[10]), 2); /* 1000ms and 1001ms */
    uint64_t reads = 0, writes = 0;
    for (size_t i = 0; i < r->nrows; i++) {
        const series_row *w = &r->rows[i];
        reads += w->n[OP_READ];
        writes += w->n[OP_WRITE];
        EQ(w->failed[0] + w->failed[1], 0);
        EQ(w->stale, 0);
        for (int k = 0; k < 2; k++)
            for (int q = 0; q < 3; q++)
                EQ(w->q[k][q], w->n[k] ? 2 * MS : -1); /* every latency exactly 2ms */
    }
    EQ(reads, st.stats->measured[OP_READ]);
    EQ(writes, st.stats->measured[OP_WRITE]);
    EQ(reads + writes, 1000);
    tu_run_free(&st);
}

/* auto: the smallest of 1, 2, 10, 20, ... us with the run in at most 200 intervals: 1001ms
 * needs more than 5ms, so 10ms, 101 intervals. The warm-up is left out. */
static void auto_width_is_the_smallest_that_fits(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text(steady, NULL, 0, &st);
    const series_res *r = series_of(&st);
    EQ(r->configured, 0);
    EQ(r->width, 10 * MS);
    EQ(r->widened, 0);
    EQ(r->nrows, 101);
    EQ(ops_of(&r->rows[0]), 8);
    for (size_t i = 1; i < 100; i++)
        EQ(ops_of(&r->rows[i]), 10);
    EQ(ops_of(&r->rows[100]), 2);
    tu_run_free(&st);
    const char *sets[] = {"run.warmup=100"}; /* operations 0..99 answered up to 101ms */
    tu_run_text(steady, sets, 1, &st);
    r = series_of(&st);
    EQ(r->nrows, 101);
    for (size_t i = 0; i < 10; i++)
        EQ(ops_of(&r->rows[i]), 0);
    EQ(ops_of(&r->rows[10]), 8); /* 102..109ms */
    EQ(ops_of(&r->rows[11]), 10);
    tu_run_free(&st);
}

/* A configured width that would pass 10000 intervals is widened 2x, 5x, 2x, ...: 1us, 2us,
 * 10us, 20us, 100us (10011 intervals: still too many), 200us; each answer alone in its
 * interval. */
static void configured_width_is_widened_past_the_cap(void **state)
{
    (void)state;
    run_stats st;
    const char *sets[] = {"series.interval=1us"};
    tu_run_text(steady, sets, 1, &st);
    const series_res *r = series_of(&st);
    EQ(r->configured, 1000);
    EQ(r->width, 200000);
    EQ(r->widened, 1);
    EQ(r->nrows, 5006);
    for (size_t i = 0; i < r->nrows; i++)
        EQ(ops_of(&r->rows[i]), i >= 10 && i % 5 == 0 ? 1 : 0);
    tu_run_free(&st);
}

/* A width the run is known (run.duration) to take past 10000 intervals is an error at its
 * line. */
static void width_past_the_cap_is_an_error(void **state)
{
    (void)state;
    char errs[2048];
    const char *text = "[run]\nduration = 100s\n[series]\ninterval = 1ms\n";
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    if (!strstr(errs, ":4: series.interval = 1ms: 1ms intervals over run.duration = 100s make 100000 intervals; "
                      "at most 10000"))
        fail_msg("%s", errs);
    EQ(tu_check_text("[run]\nops = 10\n[series]\ninterval = 0\n", NULL, 0, errs, sizeof errs), 1);
    if (!strstr(errs, ":4: series.interval = 0: must be auto or a duration above zero"))
        fail_msg("%s", errs);
    EQ(tu_check_text("[run]\nduration = 100s\n[series]\ninterval = 10ms\n", NULL, 0, errs, sizeof errs), 0);
}

/* The timeline's windows: crash..recover of that node, partition..heal (every partition),
 * slow..until, a link change until the same link's property is set again; a window that
 * nothing closes runs to the end (-1). */
static void fault_windows_follow_the_timeline(void **state)
{
    (void)state;
    const char *text = "[run]\nops = 100\n[cluster]\nnodes = 4\nreplicas = 3\n[faults]\n"
                       "c1 = 10ms crash n1\nc2 = 12ms crash n2\nr2 = 20ms recover n2\n"
                       "p1 = 30ms partition n1 | n2,n3,n4\np2 = 31ms partition n3 > n4\nh = 40ms heal\n"
                       "s = 50ms slow n3 4 until 70ms\ns2 = 55ms slow n4 2\n"
                       "l1 = 60ms link n1-n2 latency const(5ms)\nl2 = 65ms link n2>n1 latency default\n"
                       "l3 = 66ms link n3>n4 loss 0.5\nl4 = 67ms link n3>n4 loss 0.1\n";
    char errs[1024];
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 0);
    run_stats st;
    tu_run_text(text, NULL, 0, &st);
    const series_res *r = series_of(&st);
    static const struct {
        const char *name, *end;
        int64_t from, to;
    } want[] = {
        {"c1", NULL, 10, -1}, {"c2", "r2", 12, 20}, {"p1", "h", 30, 40},  {"p2", "h", 31, 40},  {"s", NULL, 50, 70},
        {"s2", NULL, 55, -1}, {"l1", "l2", 60, 65}, {"l3", "l4", 66, 67}, {"l4", NULL, 67, -1},
    };
    EQ(r->nwin, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < r->nwin; i++) {
        const series_window *w = &r->win[i];
        if (strcmp(w->name, want[i].name) != 0)
            fail_msg("window %zu opened by %s, want %s", i, w->name, want[i].name);
        if ((w->end == NULL) != (want[i].end == NULL) || (w->end && strcmp(w->end, want[i].end) != 0))
            fail_msg("window %s closed by %s", want[i].name, w->end ? w->end : "nothing");
        EQ(w->from, want[i].from * MS);
        EQ(w->to, want[i].to < 0 ? -1 : want[i].to * MS);
    }
    tu_run_free(&st);
}

/* A script whose operations start before, during and after n2's crash window, two of them
 * at the cuts themselves (they belong to the phase that begins there). */
static const char *const crash_story =
    "[run]\nseed = 7\n[cluster]\nnodes = 3\nreplicas = 3\n[quorum]\nr = 2\nw = 2\ntimeout = 100ms\n"
    "[network]\nlatency = uniform(0.5ms, 1.5ms)\n[workload]\nmode = script\nkeys = 1\n"
    "[script]\nw1 = 0ms write k1\nr1 = 10ms read k1\nw2 = 20ms write k1\nr2 = 25ms read k1\nw3 = 30ms write k1\n"
    "r3 = 40ms read k1\nr4 = 45ms read k1\nr5 = 60ms read k1\n"
    "[faults]\ncrash = 25ms crash n2 durable\nrecover = 45ms recover n2\n";

static void expect_phase(const series_res *r, size_t k, int64_t lo, int64_t hi, const char *in_force, uint64_t reads,
                         uint64_t writes)
{
    const series_phase *p = &r->phases[k];
    EQ(p->lo, lo);
    EQ(p->hi, hi);
    char names[256] = "";
    for (size_t i = 0; i < p->count; i++) {
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s", i ? "+" : "", r->win[r->in_force[p->first + i]].name);
    }
    if (strcmp(names, in_force) != 0)
        fail_msg("phase %zu: in force '%s', want '%s'", k, names, in_force);
    EQ(p->row.n[OP_READ], reads);
    EQ(p->row.n[OP_WRITE], writes);
}

static void phases_split_operations_by_start_at_the_fault_cuts(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text(crash_story, NULL, 0, &st);
    const series_res *r = series_of(&st);
    EQ(r->nphases, 3);
    expect_phase(r, 0, 0, 25 * MS, "", 1, 2);         /* w1 r1 w2 */
    expect_phase(r, 1, 25 * MS, 45 * MS, "crash", 2, 1); /* r2 (at the crash) w3 r3 */
    expect_phase(r, 2, 45 * MS, -1, "", 2, 0);        /* r4 (at the recovery) r5 */
    for (size_t k = 0; k < 3; k++) {
        EQ(r->phases[k].row.failed[0] + r->phases[k].row.failed[1], 0);
        EQ(r->phases[k].row.stale, 0);
    }
    tu_run_free(&st);
    /* n1 slow from 35ms to 55ms overlaps the crash: a phase for each stretch with the same
     * windows in force */
    const char *sets[] = {"faults.slow=35ms slow n1 3 until 55ms"};
    tu_run_text(crash_story, sets, 1, &st);
    r = series_of(&st);
    EQ(r->nphases, 5);
    expect_phase(r, 0, 0, 25 * MS, "", 1, 2);
    expect_phase(r, 1, 25 * MS, 35 * MS, "crash", 1, 1);        /* r2 w3 */
    expect_phase(r, 2, 35 * MS, 45 * MS, "crash+slow", 1, 0);   /* r3 */
    expect_phase(r, 3, 45 * MS, 55 * MS, "slow", 1, 0);         /* r4 */
    expect_phase(r, 4, 55 * MS, -1, "", 1, 0);                  /* r5 */
    tu_run_free(&st);
}

/* Without faults there is one phase, the whole run, with every measured operation. */
static void no_faults_one_phase(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text(steady, NULL, 0, &st);
    const series_res *r = series_of(&st);
    EQ(r->nwin, 0);
    EQ(r->nphases, 1);
    EQ(r->phases[0].lo, 0);
    EQ(r->phases[0].hi, -1);
    EQ(r->phases[0].count, 0);
    EQ(ops_of(&r->phases[0].row), 1000);
    tu_run_free(&st);
}

/* The cuts and the phase of an instant: the last cut at or before it. */
static void phase_of_is_the_last_cut_at_or_before(void **state)
{
    (void)state;
    series_window w[] = {{NULL, NULL, 10, 20}, {NULL, NULL, 15, -1}, {NULL, NULL, 20, 20}, {NULL, NULL, 0, 5}};
    int64_t *c;
    long n = series_cuts(w, 4, &c);
    EQ(n, 5);
    static const int64_t want[] = {0, 5, 10, 15, 20};
    for (long i = 0; i < n; i++)
        EQ(c[i], want[i]);
    EQ(series_phase_of(c, (size_t)n, 0), 0);
    EQ(series_phase_of(c, (size_t)n, 4), 0);
    EQ(series_phase_of(c, (size_t)n, 5), 1);
    EQ(series_phase_of(c, (size_t)n, 14), 2);
    EQ(series_phase_of(c, (size_t)n, 20), 4);
    EQ(series_phase_of(c, (size_t)n, INT64_MAX), 4);
    mem_free(c);
}

/* scenarios/slow-30s.ini: n1 ten times slow from 20 s to 50 s of 90 s. Three phases; read
 * p99 during the window several times the p99 before it, and after it back within a quarter
 * of before; second by second, every interval inside the window has a read p99 above every
 * interval of the first 20 s, and from 51 s on every one is back below 1.5 times the worst
 * of the first 20 s (the interval of 50 s still answers reads started in the window). */
static void slow_30s_p99_rises_in_the_window_and_recovers(void **state)
{
    (void)state;
    run_stats st;
    tu_run_file(tu_src("scenarios/slow-30s.ini"), NULL, 0, &st);
    const series_res *r = series_of(&st);
    EQ(r->nphases, 3);
    expect_phase(r, 0, 0, 20000 * MS, "", r->phases[0].row.n[OP_READ], r->phases[0].row.n[OP_WRITE]);
    expect_phase(r, 1, 20000 * MS, 50000 * MS, "slow_n1", r->phases[1].row.n[OP_READ], r->phases[1].row.n[OP_WRITE]);
    expect_phase(r, 2, 50000 * MS, -1, "", r->phases[2].row.n[OP_READ], r->phases[2].row.n[OP_WRITE]);
    int64_t before = r->phases[0].row.q[OP_READ][1], during = r->phases[1].row.q[OP_READ][1],
            after = r->phases[2].row.q[OP_READ][1];
    assert_true(during > 5 * before);
    assert_true(after < before + before / 4 && after > before - before / 4);
    for (int k = 0; k < 3; k++) {
        EQ(r->phases[k].row.failed[0] + r->phases[k].row.failed[1], 0);
        assert_true(ops_of(&r->phases[k].row) > 1900 * 20); /* about 2000 operations a second */
    }
    EQ(r->width, 1000 * MS);
    EQ(r->nrows, 91); /* the last answers come just after 90 s */
    int64_t worst_before = 0;
    for (size_t i = 0; i < 20; i++)
        worst_before = r->rows[i].q[OP_READ][1] > worst_before ? r->rows[i].q[OP_READ][1] : worst_before;
    for (size_t i = 20; i < 50; i++)
        assert_true(r->rows[i].q[OP_READ][1] > worst_before);
    for (size_t i = 51; i < 90; i++)
        assert_true(r->rows[i].q[OP_READ][1] < worst_before + worst_before / 2);
    tu_run_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(intervals_count_operations_by_answer_time_exactly),
        cmocka_unit_test(auto_width_is_the_smallest_that_fits),
        cmocka_unit_test(configured_width_is_widened_past_the_cap),
        cmocka_unit_test(width_past_the_cap_is_an_error),
        cmocka_unit_test(fault_windows_follow_the_timeline),
        cmocka_unit_test(phases_split_operations_by_start_at_the_fault_cuts),
        cmocka_unit_test(no_faults_one_phase),
        cmocka_unit_test(phase_of_is_the_last_cut_at_or_before),
        cmocka_unit_test(slow_30s_p99_rises_in_the_window_and_recovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
