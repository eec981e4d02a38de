/* The story scenarios (docs/design.md: the classic results, reproducible on demand), each
 * asserting the exact versions every scripted operation returned. */
#include <stdio.h>
#include <string.h>
#include "models/stats.h"
#include "sim/alloc.h"
#include "tests/testutil.h"

static const script_result *op_named(const run_stats *st, const char *name)
{
    for (size_t i = 0; i < st->wl->nscript; i++)
        if (strcmp(st->wl->script[i].name, name) == 0)
            return &st->wl->script[i];
    fail_msg("no script entry %s", name);
    return NULL;
}

/* A read that succeeded and returned version v with latest(r) = latest, classified cls. */
static void expect_read(const run_stats *st, const char *name, uint32_t v, uint32_t latest, read_class cls,
                        uint32_t k)
{
    const script_result *r = op_named(st, name);
    if (!r->ok)
        fail_msg("%s: read failed (unavailable)", name);
    if (r->version != v || r->latest != latest || r->cls != cls || r->k != k)
        fail_msg("%s: returned v%u (latest v%u, %s, k=%u), want v%u (latest v%u, %s, k=%u)", name, r->version,
                 r->latest, read_class_name[r->cls], r->k, v, latest, read_class_name[cls], k);
}

static void expect_write(const run_stats *st, const char *name, uint32_t v, int ok)
{
    const script_result *r = op_named(st, name);
    EQ(r->version, v);
    EQ(r->ok, ok);
}

/* N=3, R=2, W=2: with any one replica crashed (durable storage) at any point of the
 * script, every write is acknowledged and every read returns the latest acknowledged
 * version. The crash moves over the whole script in 250us steps, on each node. */
static void overlap_holds(void **state)
{
    (void)state;
    long before = mem_live();
    int runs = 0;
    for (int nd = 1; nd <= 3; nd++) {
        for (int t_us = 0; t_us <= 70000; t_us += 250) {
            char set[128];
            snprintf(set, sizeof set, "faults.crash=%dus crash n%d durable", t_us, nd);
            const char *sets[] = {set};
            run_stats st;
            tu_run_file(tu_src("scenarios/overlap.ini"), sets, 1, &st);
            expect_write(&st, "w1", 1, 1);
            expect_write(&st, "w2", 2, 1);
            expect_write(&st, "w3", 3, 1);
            expect_read(&st, "r1", 1, 1, RC_FRESH, 0);
            expect_read(&st, "r2", 2, 2, RC_FRESH, 0);
            expect_read(&st, "r3", 3, 3, RC_FRESH, 0);
            expect_read(&st, "r4", 3, 3, RC_FRESH, 0);
            EQ(st.oracle->lost_writes, 0);
            EQ(st.stats->stale + st.stats->lost_reads, 0);
            tu_run_free(&st);
            runs++;
        }
    }
    EQ(runs, 3 * 281);
    EQ(mem_live(), before);
}

/* Negative control: the same script with R=1, W=1 and a replica that crashes with
 * volatile storage and comes back empty 1 ms later does return old versions at some
 * crash points: the overlap is what protects the story above, not the script's timing. */
static void overlap_without_quorum_goes_stale(void **state)
{
    (void)state;
    uint64_t anomalies = 0;
    for (int nd = 1; nd <= 3; nd++) {
        for (int t_us = 0; t_us <= 70000; t_us += 1000) {
            char crash[128], back[128];
            snprintf(crash, sizeof crash, "faults.crash=%dus crash n%d volatile", t_us, nd);
            snprintf(back, sizeof back, "faults.back=%dus recover n%d", t_us + 1000, nd);
            const char *sets[] = {crash, back, "quorum.r=1", "quorum.w=1"};
            run_stats st;
            tu_run_file(tu_src("scenarios/overlap.ini"), sets, 4, &st);
            anomalies += st.stats->stale + st.stats->lost_reads;
            tu_run_free(&st);
        }
    }
    assert_true(anomalies > 0);
}

/* W=1: v2 reaches only n1, which acknowledges and then crashes with volatile storage.
 * The acknowledged v2 is lost; later reads return v1. */
static void w1_lost_write(void **state)
{
    (void)state;
    run_stats st;
    tu_run_file(tu_src("scenarios/w1-lost-write.ini"), NULL, 0, &st);
    expect_write(&st, "w1", 1, 1);
    expect_write(&st, "w2", 2, 1);
    expect_read(&st, "r1", 1, 2, RC_LOST, 1);
    expect_read(&st, "r2", 1, 2, RC_LOST, 1);
    EQ(st.oracle->acked_writes, 2);
    EQ(st.oracle->lost_writes, 1);
    EQ(st.stats->lost_reads, 2);
    tu_run_free(&st);
}

/* The same script with W=2: v2 cannot gather two acks, fails as unavailable, and
 * nothing acknowledged is lost. */
static void w1_lost_write_w2_loses_nothing(void **state)
{
    (void)state;
    const char *sets[] = {"quorum.w=2"};
    run_stats st;
    tu_run_file(tu_src("scenarios/w1-lost-write.ini"), sets, 1, &st);
    expect_write(&st, "w1", 1, 1);
    expect_write(&st, "w2", 2, 0);
    expect_read(&st, "r1", 1, 1, RC_FRESH, 0);
    expect_read(&st, "r2", 1, 1, RC_FRESH, 0);
    EQ(st.oracle->acked_writes, 1);
    EQ(st.oracle->failed_writes, 1);
    EQ(st.oracle->lost_writes, 0);
    tu_run_free(&st);
}

/* R=1, W=1: the read that goes to the lagging n3 returns v1 while v2 is acknowledged;
 * once v2 lands on n3 the same read is fresh. */
static void sub_overlap_drift(void **state)
{
    (void)state;
    run_stats st;
    tu_run_file(tu_src("scenarios/drift.ini"), NULL, 0, &st);
    expect_write(&st, "w1", 1, 1);
    expect_write(&st, "w2", 2, 1);
    expect_read(&st, "r1", 1, 2, RC_STALE, 1);
    expect_read(&st, "r2", 2, 2, RC_FRESH, 0);
    EQ(st.stats->stale, 1);
    EQ(st.oracle->lost_writes, 0);
    tu_run_free(&st);
}

/* With R=2 the read also asks a replica that has v2 and returns it. */
static void sub_overlap_drift_r2_returns_latest(void **state)
{
    (void)state;
    const char *sets[] = {"quorum.r=2"};
    run_stats st;
    tu_run_file(tu_src("scenarios/drift.ini"), sets, 1, &st);
    expect_read(&st, "r1", 2, 2, RC_FRESH, 0);
    expect_read(&st, "r2", 2, 2, RC_FRESH, 0);
    EQ(st.stats->stale, 0);
    tu_run_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overlap_holds),
        cmocka_unit_test(overlap_without_quorum_goes_stale),
        cmocka_unit_test(w1_lost_write),
        cmocka_unit_test(w1_lost_write_w2_loses_nothing),
        cmocka_unit_test(sub_overlap_drift),
        cmocka_unit_test(sub_overlap_drift_r2_returns_latest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
