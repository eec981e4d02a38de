/* The story scenarios (docs/design.md: the classic results, reproducible on demand), each
 * asserting the exact versions every scripted operation returned. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "models/hints.h"
#include "models/repair.h"
#include "models/retry.h"
#include "models/sloppy.h"
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

/* W=2, R=2 (R + W > N): v2 reaches n1 and n2 only (client > n3 cut), both acknowledge and
 * both crash with volatile storage and come back empty. The lost write breaks the promise of the overlap and is
 * counted as such (the scenario's R with the W it was acknowledged at). */
static void lost_write_despite_overlap_is_counted(void **state)
{
    (void)state;
    const char *sets[] = {"quorum.w=2", "faults.cut=9ms partition client > n3", "faults.crash=12ms crash n1 volatile",
                          "faults.crash2=12ms crash n2 volatile", "faults.back2=30ms recover n2"};
    run_stats st;
    tu_run_file(tu_src("scenarios/w1-lost-write.ini"), sets, 5, &st);
    expect_write(&st, "w2", 2, 1);
    expect_read(&st, "r1", 0, 2, RC_LOST, 2); /* n1 and n2 answer first, both empty */
    EQ(st.oracle->lost_writes, 1);
    EQ(st.oracle->lost_promised, 1);
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

#define HAS(text, want)                                                                                   \
    do {                                                                                                  \
        if (!strstr((text), (want)))                                                                      \
            fail_msg("missing in the trace\n  want: %s", (want));                                         \
    } while (0)

/* The trace names scripted operations by their [script] names, and a fresh read carries
 * its read set as a stale one does. */
static void trace_names_scripted_operations(void **state)
{
    (void)state;
    run_stats st;
    char *tr = tu_run_file_trace(tu_src("scenarios/drift.ini"), NULL, 0, &st);
    HAS(tr, "\"ev\":\"write\",\"op\":\"w2\",\"key\":\"k1\",\"v\":2,");
    HAS(tr, "\"ev\":\"ack\",\"op\":\"w2\",\"key\":\"k1\",\"v\":2,\"acked_by\":[\"n2\"]}");
    HAS(tr, "\"ev\":\"read\",\"op\":\"r1\",\"key\":\"k1\",\"start\":20000000,\"returned\":1,\"latest\":2,"
            "\"class\":\"stale\",\"k\":1,\"read_set\":[{\"node\":\"n3\",\"v\":1}],");
    HAS(tr, "\"ev\":\"read\",\"op\":\"r2\",\"key\":\"k1\",\"start\":200000000,\"returned\":2,\"latest\":2,"
            "\"class\":\"fresh\",\"read_set\":[{\"node\":\"n3\",\"v\":2}]}");
    assert_null(strstr(tr, "\"op\":0"));
    free(tr);
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


/* Graceful degradation has a price: with W=2 and the downgrading retry policy, v2 (acked by
 * n1 alone) misses its quorum at its deadline, 30 ms, and is retried at the one reply it has:
 * acknowledged then, at W=1. n1's volatile crash loses it, as in w1_lost_write: available,
 * and lost. The loss is not a broken promise (R + the W it was acknowledged at = N). */
static void downgraded_write_is_lost(void **state)
{
    (void)state;
    const char *sets[] = {"quorum.w=2", "retry.downgrade=on"};
    run_stats st;
    tu_run_file(tu_src("scenarios/w1-lost-write.ini"), sets, 2, &st);
    const retry_res *rr = st.rr.res[MOD_RETRY];
    expect_write(&st, "w2", 2, 1);
    EQ(op_named(&st, "w2")->end - op_named(&st, "w2")->start, 20000000); /* answered at its deadline */
    expect_read(&st, "r1", 1, 2, RC_LOST, 1);
    EQ(rr->downgraded[OP_WRITE], 1);
    EQ(rr->succeeded[OP_WRITE], 1);
    EQ(st.oracle->lost_writes, 1);
    EQ(st.oracle->lost_promised, 0);
    EQ(st.stats->promised, 0);
    tu_run_free(&st);
}

/* A retry that has its quorum at once responds at once, and the answer can still be lost on
 * its way from a node coordinator to the client. The retry arms a second deadline, so the
 * operation then fails there for the client (acknowledged at the coordinator all the same)
 * instead of waiting for an answer forever. k1's first owner n3 coordinates; n1 is down, so
 * W=3 gathers two acknowledgements; the client is cut off from 50 ms. */
static void downgraded_answer_lost_fails_at_the_second_deadline(void **state)
{
    (void)state;
    const char *text = "[cluster]\nnodes = 3\nreplicas = 3\ncoordinator = owner\n[quorum]\nw = 3\ntimeout = 100ms\n"
                       "[network]\nlatency = const(1ms)\n[retry]\ndowngrade = on\n"
                       "[workload]\nmode = script\nkeys = 1\n[script]\nw1 = 0ms write k1\n"
                       "[faults]\ndown = 0ms crash n1\ncut = 50ms partition client | n1,n2,n3\n";
    run_stats st;
    tu_run_text(text, NULL, 0, &st);
    const script_result *w1 = op_named(&st, "w1");
    EQ(w1->ok, 0);
    EQ(w1->end, 200000000);
    EQ(st.oracle->acked_writes, 1); /* at the coordinator, at the retry */
    const retry_res *rr = st.rr.res[MOD_RETRY];
    EQ(rr->downgraded[OP_WRITE], 1);
    EQ(rr->succeeded[OP_WRITE], 0);
    tu_run_free(&st);
}

/* Sloppy quorum, R + W > N: w2's quorum is n2 and the fallback n4 (a hint for n1, believed
 * down); r1 reads n3 and n1, neither of which has v2 yet, and returns v1. The trace says
 * why: the read set and what each member returned, the hint holder and its owner, the
 * write's acknowledging set with its fallback, and whom the coordinator believed down. */
static void sloppy_stale_read(void **state)
{
    (void)state;
    run_stats st;
    char *tr = tu_run_file_trace(tu_src("scenarios/sloppy.ini"), NULL, 0, &st);
    expect_write(&st, "w1", 1, 1);
    expect_write(&st, "w2", 2, 1);
    expect_read(&st, "r1", 1, 2, RC_STALE, 1);
    EQ(st.stats->stale, 1);
    EQ(st.stats->promised, 1);     /* R + W > N, and still stale */
    EQ(st.stats->via_fallback, 1);
    EQ(st.oracle->lost_writes, 0);
    HAS(tr, "\"ev\":\"sloppy_targets\",\"op\":\"w2\",\"key\":\"k1\",\"coordinator\":\"client\",\"believed_down\":[\"n1\"],"
            "\"fallbacks\":[{\"node\":\"n4\",\"for\":\"n1\"}]");
    HAS(tr, "\"ev\":\"hint\",\"node\":\"n4\",\"for\":\"n1\",\"key\":\"k1\",\"v\":2");
    HAS(tr, "\"ev\":\"ack\",\"op\":\"w2\",\"key\":\"k1\",\"v\":2,\"acked_by\":[\"n2\",\"n4\"]");
    HAS(tr, "\"read_set\":[{\"node\":\"n3\",\"v\":1},{\"node\":\"n1\",\"v\":1}],\"holders_of_latest\":[\"n2\"],"
            "\"hint_holders_of_latest\":[{\"node\":\"n4\",\"for\":\"n1\"}],\"latest_acked_by\":[\"n2\"],"
            "\"latest_acked_by_fallbacks\":[\"n4\"],\"r\":2,\"w\":2,\"n\":3,\"r_plus_w_gt_n\":true");
    free(tr);
    tu_run_free(&st);
}

/* The same script without a sloppy quorum: w2 cannot gather two owners before its timeout
 * and fails; no read is stale. */
static void sloppy_off_fails_the_write_instead(void **state)
{
    (void)state;
    const char *sets[] = {"quorum.sloppy=off"};
    run_stats st;
    tu_run_file(tu_src("scenarios/sloppy.ini"), sets, 1, &st);
    expect_write(&st, "w1", 1, 1);
    expect_write(&st, "w2", 2, 0);
    expect_read(&st, "r1", 1, 1, RC_FRESH, 0);
    EQ(st.stats->stale + st.stats->lost_reads, 0);
    EQ(st.net->sent[MSG_HINT_WRITE], 0);
    EQ(st.rr.res[MOD_HINTS] ? ((const hints_res *)st.rr.res[MOD_HINTS])->stored : 1, 0);
    tu_run_free(&st);
}

/* Hinted handoff: n4 stored the hint at 12 ms; its dispatch at 62 ms finds n1 up and hands
 * v2 off; n1 applies it at 64 ms (1 ms of write service) and acknowledges at 65 ms. r2,
 * with r1's read set, returns v2; no hint is left. */
static void handoff_converges(void **state)
{
    (void)state;
    run_stats st;
    char *tr = tu_run_file_trace(tu_src("scenarios/sloppy.ini"), NULL, 0, &st);
    const hints_res *h = st.rr.res[MOD_HINTS];
    expect_read(&st, "r2", 2, 2, RC_FRESH, 0);
    EQ(h->stored, 1);
    EQ(h->delivered, 1);
    EQ(h->pending, 0);
    EQ(h->replays, 1);
    EQ(h->dropped_window + h->dropped_capacity + h->dropped_crash, 0);
    EQ(hist_quantile(&h->delivery, 1.0), 55000000); /* from w2's start at 10 ms to the ack at 65 ms */
    HAS(tr, "{\"run\":0,\"t\":64000000,\"ev\":\"apply\",\"node\":\"n1\",\"key\":\"k1\",\"v\":2,\"had\":1,"
            "\"by\":\"handoff\"}");
    HAS(tr, "{\"run\":0,\"t\":65000000,\"ev\":\"hint_delivered\",\"node\":\"n4\",\"for\":\"n1\"");
    /* v2 was acknowledged at 13 ms; slow n3 applied it at 41 ms, n1 by handoff at 64 ms */
    EQ(st.oracle->converged, 2);
    EQ(st.oracle->open_at_end, 0);
    EQ(hist_quantile(&st.oracle->window, 1.0), 51000000);
    free(tr);
    tu_run_free(&st);
}

/* Read repair: r1 reads n2 (v2) and n1 (v1), returns v2 and repairs n1; r2 reads n1 alone
 * at ONE and returns v2, in both modes. Blocking holds r1's answer for the repair's round
 * trip; async does not. Without read repair, r2 is stale. */
static void read_repair_next_read_consistent(void **state)
{
    (void)state;
    static const char *const modes[] = {"read_repair.mode=blocking", "read_repair.mode=async"};
    for (int m = 0; m < 2; m++) {
        run_stats st;
        char *tr = tu_run_file_trace(tu_src("scenarios/read-repair.ini"), &modes[m], 1, &st);
        const repair_res *rr = st.rr.res[MOD_READ_REPAIR];
        expect_write(&st, "w2", 2, 1);
        expect_read(&st, "r1", 2, 2, RC_FRESH, 0);
        expect_read(&st, "r2", 2, 2, RC_FRESH, 0);
        const script_result *r1 = op_named(&st, "r1");
        EQ(r1->end - r1->start, m == 0 ? 4000000 : 2000000);
        EQ(rr->reads, 1);
        EQ(rr->sent, 1);
        EQ(rr->acked, 1);
        EQ(rr->held, m == 0);
        EQ(st.net->sent[MSG_REPAIR_REQ], 1);
        EQ(st.net->sent[MSG_REPAIR_ACK], 1);
        HAS(tr, "\"ev\":\"apply\",\"node\":\"n1\",\"key\":\"k1\",\"v\":2,\"had\":1,\"by\":\"read_repair\"}");
        free(tr);
        tu_run_free(&st);
    }
    const char *off[] = {"read_repair.mode=off"};
    run_stats st;
    tu_run_file(tu_src("scenarios/read-repair.ini"), off, 1, &st);
    expect_read(&st, "r1", 2, 2, RC_FRESH, 0);
    expect_read(&st, "r2", 1, 2, RC_STALE, 1);
    EQ(st.stats->promised, 0); /* r2 reads at ONE: R + W = 3 = N, no promise broken */
    EQ(st.net->sent[MSG_REPAIR_REQ], 0);
    tu_run_free(&st);
}

/* scenarios/any.ini without the lines that start with one of drop[] (NULL-terminated). */
static char *any_scenario(const char *const *drop)
{
    FILE *f = fopen(tu_src("scenarios/any.ini"), "r");
    assert_non_null(f);
    char *text = calloc(1, 8192), line[512];
    assert_non_null(text);
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        int keep = 1;
        for (size_t i = 0; drop[i]; i++)
            keep &= strncmp(line, drop[i], strlen(drop[i])) != 0;
        if (keep)
            n += (size_t)snprintf(text + n, 8192 - n, "%s", line);
    }
    fclose(f);
    assert_true(n < 8000);
    return text;
}

/* scenarios/any.ini: k1's owners are down; n4 coordinates w1 at ANY, keeps a hint for each
 * owner itself, and its own hint acknowledges w1 at 12 ms (no replica was sent the write).
 * n4 crashes with volatile storage at 20 ms: the hints and the write are gone, and both reads
 * after the owners' return miss v1 (LOST). ANY promised no replica: no disagreement. */
static void any_write_acknowledged_by_a_hint_alone_is_lost(void **state)
{
    (void)state;
    run_stats st;
    char *tr = tu_run_file_trace(tu_src("scenarios/any.ini"), NULL, 0, &st);
    const hints_res *h = st.rr.res[MOD_HINTS];
    const sloppy_res *sl = st.rr.res[MOD_SLOPPY];
    expect_write(&st, "w1", 1, 1);
    EQ(op_named(&st, "w1")->end - op_named(&st, "w1")->start, 3000000);
    expect_read(&st, "r1", 0, 1, RC_LOST, 1);
    expect_read(&st, "r2", 0, 1, RC_LOST, 1);
    EQ(st.oracle->lost_writes, 1);
    EQ(st.oracle->lost_promised, 0);
    EQ(st.stats->promised, 0);
    EQ(st.net->sent[MSG_WRITE_REQ], 0);
    EQ(st.net->sent[MSG_HINT_WRITE], 3);
    EQ(sl->coord_hints, 3);
    EQ(sl->fallbacks, 0);
    EQ(h->stored, 3);
    EQ(h->dropped_crash, 3);
    EQ(h->delivered, 0);
    HAS(tr, "\"ev\":\"sloppy_targets\",\"op\":\"w1\",\"key\":\"k1\",\"coordinator\":\"n4\",\"believed_down\":"
            "[\"n3\",\"n2\",\"n1\"],\"fallbacks\":[{\"node\":\"n4\",\"for\":\"n3\"},{\"node\":\"n4\",\"for\":\"n2\"},"
            "{\"node\":\"n4\",\"for\":\"n1\"}]");
    HAS(tr, "\"ev\":\"ack\",\"op\":\"w1\",\"key\":\"k1\",\"v\":1,\"acked_by\":[\"n4\"]");
    HAS(tr, "\"coordinator\":\"n4\",\"w\":1,\"level\":\"ANY\"");
    HAS(tr, "\"latest_acked_by_fallbacks\":[\"n4\"],\"r\":1,\"w\":0,\"w_level\":\"ANY\",\"n\":3,"
            "\"r_plus_w_gt_n\":false");
    free(tr);
    tu_run_free(&st);
}

/* The same without n4's crash: n4's dispatch at 62 ms finds the owners up (since 30 ms) and
 * hands the three hints off at 1 ms apart. r1 at 40 ms comes before: k1 is on no replica
 * yet, stale by one version, not lost; r2 at 200 ms returns v1; no hint is left. */
static void any_hint_handed_off_converges(void **state)
{
    (void)state;
    static const char *const no_crash[] = {"c4 =", NULL};
    char *text = any_scenario(no_crash);
    run_stats st;
    tu_run_text(text, NULL, 0, &st);
    const hints_res *h = st.rr.res[MOD_HINTS];
    expect_write(&st, "w1", 1, 1);
    expect_read(&st, "r1", 0, 1, RC_STALE, 1);
    expect_read(&st, "r2", 1, 1, RC_FRESH, 0);
    EQ(st.oracle->lost_writes, 0);
    EQ(st.stats->promised, 0);
    EQ(h->stored, 3);
    EQ(h->delivered, 3);
    EQ(h->pending, 0);
    tu_run_free(&st);
    free(text);
}

/* ANY with the owners up sends no hint: the first replica's acknowledgement answers (the
 * client's request 1 ms, to an owner 1 ms, 1 ms of service, back 1 ms, the answer 1 ms).
 * With a sloppy quorum, an owner believed down gets a fallback, not the coordinator's hint:
 * n1 down, n4 (next on the walk) takes its place. */
static void any_prefers_replicas_and_fallbacks(void **state)
{
    (void)state;
    static const char *const no_faults[] = {"d1 =", "d2 =", "d3 =", "c4 =", "u1 =", "u2 =", "u3 =", NULL};
    char *text = any_scenario(no_faults);
    run_stats st;
    tu_run_text(text, NULL, 0, &st);
    expect_write(&st, "w1", 1, 1);
    EQ(op_named(&st, "w1")->end - op_named(&st, "w1")->start, 5000000);
    expect_read(&st, "r1", 1, 1, RC_FRESH, 0);
    EQ(((const sloppy_res *)st.rr.res[MOD_SLOPPY])->coord_hints, 0);
    EQ(st.net->sent[MSG_HINT_WRITE], 0);
    EQ(st.net->sent[MSG_WRITE_REQ], 3);
    tu_run_free(&st);
    free(text);
    static const char *const n1_down[] = {"d2 =", "d3 =", "c4 =", "u2 =", "u3 =", NULL};
    text = any_scenario(n1_down);
    const char *on[] = {"quorum.sloppy=on"};
    tu_run_text(text, on, 1, &st);
    const sloppy_res *sl = st.rr.res[MOD_SLOPPY];
    expect_write(&st, "w1", 1, 1);
    EQ(sl->coord_hints, 0);
    EQ(sl->fallbacks, 1);
    EQ(st.net->sent[MSG_WRITE_REQ], 2);
    tu_run_free(&st);
    free(text);
}

/* A write at ANY that gathers nothing fails: n4 does not yet believe the owners down (a
 * detector 1 s late), sends them the write and keeps no hint; a downgrading retry has no
 * lower level to take. */
static void any_is_not_downgraded(void **state)
{
    (void)state;
    const char *sets[] = {"retry.downgrade=on", "failure_detector.delay=1s"};
    run_stats st;
    tu_run_file(tu_src("scenarios/any.ini"), sets, 2, &st);
    expect_write(&st, "w1", 1, 0);
    EQ(st.net->sent[MSG_WRITE_REQ], 3);
    EQ(((const retry_res *)st.rr.res[MOD_RETRY])->downgraded[OP_WRITE], 0);
    tu_run_free(&st);
}

/* Cassandra's hinted handoff with a strict quorum: n1, an owner of k1, is down when w1
 * (W=2) is written; the coordinator n3 sends the write to n2 and itself and keeps a hint for
 * n1, which does not count toward W. Its dispatch at 61 ms finds n1 up (since 20 ms) and
 * hands v1 off, so r1 at ONE from n1 at 100 ms is fresh. Without coordinator hints n1 never
 * learns of v1 and r1 is stale. */
static const char *coord_hint_story =
    "[run]\nseed = 1\n[cluster]\nnodes = 3\nreplicas = 3\ncoordinator = owner\n"
    "[quorum]\nr = ONE\nw = TWO\nread_fanout = r\ntimeout = 25ms\n[network]\nlatency = const(1ms)\n"
    "[hints]\ndispatch_interval = 50ms\n[workload]\nmode = script\nkeys = 1\n"
    "[script]\nw1 = 10ms write k1\nr1 = 100ms read k1 prefer n1\n"
    "[faults]\ndown = 0ms crash n1\nup = 20ms recover n1\n";

static void coordinator_hint_brings_a_returning_owner_up_to_date(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text(coord_hint_story, NULL, 0, &st);
    expect_write(&st, "w1", 1, 1);
    expect_read(&st, "r1", 0, 1, RC_STALE, 1);
    EQ(st.net->sent[MSG_HINT_WRITE], 0);
    tu_run_free(&st);
    const char *on[] = {"hints.coordinator=on"};
    char dir[64], path[128];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "hint.ini", coord_hint_story);
    snprintf(path, sizeof path, "%s/hint.ini", dir);
    char *tr = tu_run_file_trace(path, on, 1, &st);
    const hints_res *h = st.rr.res[MOD_HINTS];
    const sloppy_res *sl = st.rr.res[MOD_SLOPPY];
    expect_write(&st, "w1", 1, 1);
    EQ(op_named(&st, "w1")->end - op_named(&st, "w1")->start, 4000000); /* W=2 from n3 and n2, as without */
    expect_read(&st, "r1", 1, 1, RC_FRESH, 0);
    EQ(st.net->sent[MSG_WRITE_REQ], 2); /* n1, believed down, gets a hint instead */
    EQ(st.net->sent[MSG_HINT_WRITE], 1);
    EQ(sl->coord_hints, 1);
    EQ(h->stored, 1);
    EQ(h->delivered, 1);
    EQ(h->pending, 0);
    HAS(tr, "\"ev\":\"hint\",\"node\":\"n3\",\"for\":\"n1\",\"key\":\"k1\",\"v\":1");
    HAS(tr, "\"ev\":\"ack\",\"op\":\"w1\",\"key\":\"k1\",\"v\":1,\"acked_by\":[\"n3\",\"n2\"]}");
    HAS(tr, "\"ev\":\"apply\",\"node\":\"n1\",\"key\":\"k1\",\"v\":1,\"had\":0,\"by\":\"handoff\"}");
    free(tr);
    tu_run_free(&st);
    tu_rm_tree(dir);
}

/* ANY is a write level, and needs a node coordinator to keep its hint. */
static void any_level_errors_name_line_and_key(void **state)
{
    (void)state;
    char errs[4096];
    EQ(tu_check_text("[run]\nops = 10\n[quorum]\nr = ANY\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: quorum.r = ANY: ANY is a write level (a hint answers no read)");
    EQ(tu_check_text("[run]\nops = 10\n[quorum]\nw = ANY\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: quorum.w = ANY: ANY needs a node coordinator to keep the hint (cluster.coordinator = any or owner)");
    EQ(tu_check_text("[workload]\nmode = script\nkeys = 1\n[script]\nr1 = 0ms read k1 at ANY\n"
                     "w1 = 0ms write k1 at ANY\n",
                     NULL, 0, errs, sizeof errs),
       2);
    HAS(errs, ":5: script.r1 = 0ms read k1 at ANY: at ANY: a write level (a hint answers no read)");
    HAS(errs, ":6: script.w1 = 0ms write k1 at ANY: at ANY: needs a node coordinator to keep the hint");
    EQ(tu_check_text("[run]\nops = 10\n[hints]\ncoordinator = on\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: hints.coordinator = on: needs a node coordinator to keep the hints (cluster.coordinator = any or "
              "owner)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overlap_holds),
        cmocka_unit_test(overlap_without_quorum_goes_stale),
        cmocka_unit_test(w1_lost_write),
        cmocka_unit_test(w1_lost_write_w2_loses_nothing),
        cmocka_unit_test(lost_write_despite_overlap_is_counted),
        cmocka_unit_test(sub_overlap_drift),
        cmocka_unit_test(sub_overlap_drift_r2_returns_latest),
        cmocka_unit_test(trace_names_scripted_operations),
        cmocka_unit_test(downgraded_write_is_lost),
        cmocka_unit_test(downgraded_answer_lost_fails_at_the_second_deadline),
        cmocka_unit_test(sloppy_stale_read),
        cmocka_unit_test(sloppy_off_fails_the_write_instead),
        cmocka_unit_test(handoff_converges),
        cmocka_unit_test(any_write_acknowledged_by_a_hint_alone_is_lost),
        cmocka_unit_test(any_hint_handed_off_converges),
        cmocka_unit_test(any_prefers_replicas_and_fallbacks),
        cmocka_unit_test(any_is_not_downgraded),
        cmocka_unit_test(coordinator_hint_brings_a_returning_owner_up_to_date),
        cmocka_unit_test(any_level_errors_name_line_and_key),
        cmocka_unit_test(read_repair_next_read_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
