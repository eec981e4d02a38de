/* Explanations (docs/design.md sections 4 and 5): a story's timeline in the terminal, its
 * faults at their times among the scripted operations, and under each stale or lost read its
 * read set, the holders of the latest version, who acknowledged it and why; the same in
 * summary.json; and the write-up of a run's anomalies, generated from what happened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/explain.h"
#include "models/world.h"
#include "src/levels.h"
#include "src/story.h"
#include "tests/testutil.h"

#define HAS(text, want)                                                                   \
    do {                                                                                  \
        if (!strstr((text), (want)))                                                      \
            fail_msg("missing fragment\n  want: %s\n  got:\n%s", (want), (text));         \
    } while (0)

/* Runs qsim on a scenario with extra arguments (ending with NULL) into a fresh output
 * directory; returns stdout. */
static char *story(const char *path, const char *const *extra)
{
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *args[32] = {"--out", dir};
    size_t n = 2;
    for (size_t i = 0; extra && extra[i] && n < 30; i++)
        args[n++] = extra[i];
    args[n++] = path;
    args[n] = NULL;
    int status;
    char *out = tu_qsim_stdout(args, &status);
    EQ(status, 0);
    tu_rm_tree(dir);
    return out;
}

/* overlap.ini: n2's crash at 25 ms shows between w2 (20 ms) and r2 (30 ms), with its storage;
 * w3, after the crash, is acknowledged by n3 and n1. The whole timeline, exactly. */
static void timeline_shows_the_crash_of_overlap(void **state)
{
    (void)state;
    char *out = story("scenarios/overlap.ini", NULL);
    HAS(out, "\ntimeline:\n"
             "  w1             0ns write k1    v1   acknowledged by n3, n2  [1.57ms]\n"
             "  r1            10ms read  k1    -> v1 (latest v1) fresh  [2.31ms]\n"
             "  w2            20ms write k1    v2   acknowledged by n3, n2  [1.74ms]\n"
             "  crash         25ms fault crash n2 durable\n"
             "  r2            30ms read  k1    -> v2 (latest v2) fresh  [2.17ms]\n"
             "  w3            40ms write k1    v3   acknowledged by n3, n1  [1.94ms]\n"
             "  r3            50ms read  k1    -> v3 (latest v3) fresh  [2.10ms]\n"
             "  r4            60ms read  k1    -> v3 (latest v3) fresh  [1.97ms]\n"
             "  acknowledged writes lost at the end: 0 of 3\n"
             "\nwrite-up:\n"
             "  no anomaly: no stale or lost read, no lost write, no downgraded or failed operation\n");
    free(out);
}

/* drift.ini, R=1, W=1: under r1's STALE line, its read set (n3, which returned v1), the
 * holders of v2 at that moment (n1 and n2; n3 gets v2 only at 110 ms), who acknowledged v2
 * (n2 alone, for w2 at W=1), and the arithmetic. */
static void drift_stale_read_shows_read_set_and_holders(void **state)
{
    (void)state;
    char *out = story("scenarios/drift.ini", NULL);
    HAS(out, "  r1            20ms read  k1    -> v1 (latest v2) STALE, 1 behind  [1.31ms]\n"
             "      read set: n3 returned v1\n"
             "      v2 held by: n1, n2\n"
             "      v2 acknowledged by: n2 (w2, W=1)\n"
             "      why: R + W = 2 <= N = 3: the read set {n3} need not meet the write set {n2}\n"
             "  r2           200ms read  k1    -> v2 (latest v2) fresh  [1.98ms]\n");
    free(out);
    /* with R=2 the read set also holds a replica with v2: fresh, nothing to explain */
    const char *r2[] = {"--set", "quorum.r=2", NULL};
    out = story("scenarios/drift.ini", r2);
    HAS(out, "  r1            20ms read  k1    -> v2 (latest v2) fresh");
    assert_null(strstr(out, "read set:"));
    free(out);
}

/* sloppy.ini: r1's read set {n3, n1} misses v2, acknowledged by n2 and by the fallback n4,
 * which holds it as a hint for n1 (believed down when w2 ran): stale despite R + W > N. */
static void sloppy_stale_read_names_the_hint_holder(void **state)
{
    (void)state;
    char *out = story("scenarios/sloppy.ini", NULL);
    HAS(out, "  w2            10ms write k1    v2   acknowledged by n2, fallback n4 for n1  [3.00ms]\n");
    HAS(out, "  r1            30ms read  k1    -> v1 (latest v2) STALE, 1 behind  [2.00ms]\n"
             "      read set: n3 returned v1, n1 returned v1\n"
             "      v2 held by: n2; as a hint: n4 for n1\n"
             "      v2 acknowledged by: n2, fallback n4 for n1 (w2, W=2)\n"
             "      why: R + W = 4 > N = 3, but the write was acknowledged by fallback n4 holding a hint for n1,\n"
             "           outside the read set {n3,n1}\n"
             "  r2            80ms read  k1    -> v2 (latest v2) fresh  [2.00ms]\n");
    free(out);
    /* without the sloppy quorum w2 fails, and says why */
    const char *off[] = {"--set", "quorum.sloppy=off", NULL};
    out = story("scenarios/sloppy.ini", off);
    HAS(out, "  w2            10ms write k1    v2   FAILED (unavailable): gathered 1 of W=2 acknowledgements (n2) "
             "before its deadline  [25.00ms]\n");
    free(out);
}

/* w1-lost-write.ini: v2 lived only on n1, which crashed with volatile storage at 12 ms; both
 * reads are LOST (n1 came back empty and returns nothing). */
static void w1_lost_write_blames_the_volatile_crash(void **state)
{
    (void)state;
    char *out = story("scenarios/w1-lost-write.ini", NULL);
    HAS(out, "  r1            40ms read  k1    -> v1 (latest v2) LOST, 1 behind  [2.26ms]\n"
             "      read set: n2 returned v1, n1 returned nothing\n"
             "      v2 held by: no node\n"
             "      v2 acknowledged by: n1 (w2, W=1)\n"
             "      why: the only replica that acknowledged v2 (n1) crashed with volatile storage at 12ms, and no\n"
             "           other node had stored it\n"
             "  r2            50ms read  k1    -> v1 (latest v2) LOST, 1 behind  [2.00ms]\n"
             "      read set: n3 returned v1, n1 returned nothing\n");
    free(out);
}

/* The same facts in summary.json's explain.script, read from the results. */
typedef struct got {
    explain_res res;
    char why[4][512];
    char para[8][8192];
    char cls[8][64];
    size_t npara;
} got;

static void keep_para(void *ctx, const char *cls, const char *title, const char *guarantee, const char *text)
{
    (void)title;
    (void)guarantee;
    got *g = ctx;
    if (g->npara < 8) {
        snprintf(g->cls[g->npara], sizeof g->cls[0], "%s", cls);
        snprintf(g->para[g->npara++], sizeof g->para[0], "%s", text);
    }
}

static void grab(struct world *w, void *ctx)
{
    got *g = ctx;
    const explain_res *x = w->rr->res[MOD_EXPLAIN];
    const wl_cfg *wc = SC_CFG(w->sc, MOD_WORKLOAD, wl_cfg);
    g->res.n = x->n;
    g->res.replicas = x->replicas;
    for (size_t i = 0; i < x->n && i < 4; i++)
        explain_why(x, wc, i, g->why[i], sizeof g->why[i]);
    run_view v = {w->sc, w->rr};
    g->npara = 0;
    explain_writeup(&v, keep_para, g);
}

static void expect_node(const why_list *l, int i, int nd, uint32_t v)
{
    assert_true(i < l->n);
    EQ(l->e[i].node, nd);
    EQ(l->e[i].v, v);
}

static void drift_explanation_in_the_results(void **state)
{
    (void)state;
    got g;
    run_stats st;
    tu_run_file_check(tu_src("scenarios/drift.ini"), NULL, 0, NULL, grab, &g, &st);
    const explain_res *x = st.rr.res[MOD_EXPLAIN];
    EQ(x->n, 4);
    const explain_op *r1 = &x->op[2], *r2 = &x->op[3], *w2 = &x->op[1];
    EQ(r1->cause, WHY_NO_OVERLAP);
    EQ(r1->read_set.n, 1);
    expect_node(&r1->read_set, 0, 3, 1);
    EQ(r1->holders.n, 2);
    expect_node(&r1->holders, 0, 1, 2);
    expect_node(&r1->holders, 1, 2, 2);
    EQ(r1->acked.n, 1);
    EQ(r1->acked.e[0].node, 2);
    EQ(r1->latest_write, 1);
    EQ(r1->need, 1);
    EQ(r1->latest_w, 1);
    EQ(r1->promised, 0);
    EQ(r2->cls, RC_FRESH);
    expect_node(&r2->read_set, 0, 3, 2); /* a fresh read keeps its read set too */
    EQ(w2->acked.n, 1);
    EQ(w2->lost_at_end, 0);
    assert_string_equal(g.why[2], "R + W = 2 <= N = 3: the read set {n3} need not meet the write set {n2}");
    assert_string_equal(g.why[3], "");
    tu_run_free(&st);
}

static void sloppy_and_w1_explanations_in_the_results(void **state)
{
    (void)state;
    got g;
    run_stats st;
    tu_run_file_check(tu_src("scenarios/sloppy.ini"), NULL, 0, NULL, grab, &g, &st);
    const explain_op *r1 = &((const explain_res *)st.rr.res[MOD_EXPLAIN])->op[2];
    EQ(r1->cause, WHY_FALLBACK);
    EQ(r1->promised, 1);
    EQ(r1->via_fallback, 1);
    EQ(r1->acked.n, 2);
    EQ(r1->acked.e[1].node, 4);
    EQ(r1->acked.e[1].fallback, 1);
    EQ(r1->acked.e[1].owner, 1);
    EQ(r1->holders.n, 2); /* n2 in its store, n4 as a hint for n1 */
    EQ(r1->holders.e[1].node, 4);
    EQ(r1->holders.e[1].owner, 1);
    assert_string_equal(g.why[2], "R + W = 4 > N = 3, but the write was acknowledged by fallback n4 holding a hint "
                                  "for n1, outside the read set {n3,n1}");
    tu_run_free(&st);

    tu_run_file_check(tu_src("scenarios/w1-lost-write.ini"), NULL, 0, NULL, grab, &g, &st);
    const explain_res *x = st.rr.res[MOD_EXPLAIN];
    const explain_op *w2 = &x->op[1];
    r1 = &x->op[2];
    EQ(r1->cause, WHY_COPIES_LOST);
    EQ(r1->holders.n, 0);
    EQ(r1->lost.n, 1);
    EQ(r1->lost.e[0].node, 1);
    EQ(r1->lost.e[0].at, 12000000);
    expect_node(&r1->read_set, 1, 1, 0); /* n1, back empty */
    EQ(w2->lost_at_end, 1);
    EQ(w2->copies, 1);
    assert_string_equal(g.why[1], "v2, acknowledged by n1 at W=1, is held by no node at the end: its only copy was "
                                  "lost in a crash with volatile storage (n1 at 12ms) before any other node stored it");
    assert_string_equal(g.why[2], "the only replica that acknowledged v2 (n1) crashed with volatile storage at 12ms, "
                                  "and no other node had stored it");
    tu_run_free(&st);
}


/* sloppy.ini: every fault at its time, the end of the slow window included; a fault at the
 * same instant as an operation comes first, as it ran. */
static void timeline_shows_every_fault_of_sloppy(void **state)
{
    (void)state;
    char *out = story("scenarios/sloppy.ini", NULL);
    HAS(out, "  down           5ms fault crash n1 durable\n"
             "  disk           9ms fault slow n3 30 on service until 15ms\n"
             "  w2            10ms write k1    v2   acknowledged");
    HAS(out, "  disk          15ms fault slow n3 ends\n"
             "  up            20ms fault recover n1\n"
             "  r1            30ms read  k1    -> v1 (latest v2) STALE, 1 behind  [2.00ms]\n");
    free(out);
    const char *same[] = {"--set", "faults.up=30ms recover n1", NULL};
    out = story("scenarios/sloppy.ini", same);
    HAS(out, "  up            30ms fault recover n1\n"
             "  r1            30ms read  k1 ");
    free(out);
}

/* The write-up, exactly, for two stories: one paragraph per anomaly class seen, from the
 * run's own facts. */
static void writeup_of_drift_and_w1_lost_write(void **state)
{
    (void)state;
    got g;
    run_stats st;
    tu_run_file_check(tu_src("scenarios/drift.ini"), NULL, 0, NULL, grab, &g, &st);
    EQ(g.npara, 1);
    assert_string_equal(g.cls[0], "stale_without_overlap");
    assert_string_equal(g.para[0],
                        "1 of 2 successful reads (50.00%) returned a version older than the latest acknowledged one, "
                        "and nothing promised otherwise: the read's R and the W of the write it missed add up to at "
                        "most N, so its read set need not meet the write set. r1 returned v1 while v2 was the latest: "
                        "R + W = 2 <= N = 3: the read set {n3} need not meet the write set {n2}.");
    tu_run_free(&st);

    tu_run_file_check(tu_src("scenarios/w1-lost-write.ini"), NULL, 0, NULL, grab, &g, &st);
    EQ(g.npara, 2);
    assert_string_equal(g.cls[0], "lost_reads");
    assert_string_equal(g.para[0],
                        "2 of 2 successful reads (100.00%) missed a version that no replica and no hint held any "
                        "more when they were answered (LOST): the acknowledged write was gone, not late. r1 and r2 "
                        "missed v2: the only replica that acknowledged v2 (n1) crashed with volatile storage at 12ms, "
                        "and no other node had stored it.");
    assert_string_equal(g.cls[1], "lost_writes");
    assert_string_equal(g.para[1],
                        "1 of 2 acknowledged writes was held by no node at the end of the run: the acknowledgement "
                        "counted W copies, and volatile crashes destroyed every copy before repair or handoff spread "
                        "it. w2: v2, acknowledged by n1 at W=1, is held by no node at the end: its only copy was lost "
                        "in a crash with volatile storage (n1 at 12ms) before any other node stored it.");
    tu_run_free(&st);
}

/* The same story changed on the command line tells a different story: the paragraphs follow
 * what happened, not the scenario file. */
static void writeup_follows_the_run_not_the_file(void **state)
{
    (void)state;
    got g;
    run_stats st;
    /* n2 crashes instead of n1: v2 stays on n1 and both reads find it; nothing to write up */
    const char *other[] = {"faults.crash=12ms crash n2 volatile", "faults.back=30ms recover n2"};
    tu_run_file_check(tu_src("scenarios/w1-lost-write.ini"), other, 2, NULL, grab, &g, &st);
    EQ(g.npara, 0);
    tu_run_free(&st);
    /* n1's crash at 30 ms: the same loss, told with the crash's own time */
    const char *later[] = {"faults.crash=30ms crash n1 volatile", "faults.back=35ms recover n1"};
    tu_run_file_check(tu_src("scenarios/w1-lost-write.ini"), later, 2, NULL, grab, &g, &st);
    EQ(g.npara, 2);
    HAS(g.para[1], "its only copy was lost in a crash with volatile storage (n1 at 30ms)");
    tu_run_free(&st);
    /* W=2 with the downgrading retry: v2 is acknowledged at W=1 and lost */
    const char *down[] = {"quorum.w=2", "retry.downgrade=on"};
    tu_run_file_check(tu_src("scenarios/w1-lost-write.ini"), down, 2, NULL, grab, &g, &st);
    EQ(g.npara, 3);
    assert_string_equal(g.cls[2], "downgraded");
    assert_string_equal(g.para[2],
                        "0 reads and 1 write missed their quorum by the deadline and were retried at a lower level "
                        "(retry.downgrade = on); 0 and 1 of them then succeeded, and 0 of the downgraded reads came "
                        "back stale or lost: the client stayed available at a weaker level than it asked for. w2 "
                        "asked for W=2 and was answered at W=1.");
    HAS(g.para[1], "; it was downgraded from W=2.");
    tu_run_free(&st);
    /* sloppy quorum off: no stale read, an unavailable write instead */
    const char *off[] = {"quorum.sloppy=off"};
    tu_run_file_check(tu_src("scenarios/sloppy.ini"), off, 1, NULL, grab, &g, &st);
    EQ(g.npara, 1);
    assert_string_equal(g.cls[0], "unavailable");
    assert_string_equal(g.para[0],
                        "1 of 2 writes failed as unavailable: not answered within quorum.timeout (25ms). w2 "
                        "gathered 1 of W=2 acknowledgements (n2) before its deadline. Crashes and partitions in this "
                        "run: n1 crashed at 5ms (durable).");
    tu_run_free(&st);
    tu_run_file_check(tu_src("scenarios/sloppy.ini"), NULL, 0, NULL, grab, &g, &st);
    EQ(g.npara, 1);
    assert_string_equal(g.cls[0], "stale_via_fallback");
    HAS(g.para[0], " r1 returned v1 while v2 was the latest: R + W = 4 > N = 3, but the write was acknowledged by "
                   "fallback n4 holding a hint for n1, outside the read set {n3,n1}.");
    tu_run_free(&st);
}

/* The coordinator (k1's first owner, n3) acknowledges w1 with n2, but its answer to the
 * client is cut: the client sees a failure of a write the store keeps and later returns. */
static void write_acknowledged_but_not_answered(void **state)
{
    (void)state;
    static const char text[] = "[cluster]\nnodes = 3\nreplicas = 3\ncoordinator = owner\n[quorum]\nr = 2\nw = 2\n"
                               "timeout = 20ms\n[network]\nlatency = const(1ms)\n[workload]\nmode = script\n"
                               "keys = 1\n[script]\nw1 = 0ms write k1\nr1 = 30ms read k1\n[faults]\n"
                               "cut = 2500us partition n3 > client\nheal = 25ms heal\n";
    got g;
    run_stats st;
    tu_run_text_check(text, NULL, 0, NULL, grab, &g, &st);
    EQ(st.oracle->acked_writes, 1);
    EQ(st.stats->unavailable[OP_WRITE], 1);
    assert_string_equal(g.why[0], "was acknowledged by n3 and n2 at the coordinator, but the answer did not reach the "
                                  "client before its deadline");
    EQ(g.npara, 1);
    assert_string_equal(g.para[0], "1 of 1 write failed as unavailable: not answered within quorum.timeout (20ms). w1 "
                                   "was acknowledged by n3 and n2 at the coordinator, but the answer did not reach the "
                                   "client before its deadline. Crashes and partitions in this run: partition n3 > "
                                   "client at 2.5ms.");
    tu_run_free(&st);
}

/* A long story: the paragraph tells what fits and counts the rest, never a cut sentence.
 * The coordinator is k1's first owner (n3), which acknowledges at once (W=1); writes take
 * 10 s to reach the other owners, so every read at n1 is stale, each by its own versions. */
static void writeup_of_a_long_story_counts_what_does_not_fit(void **state)
{
    (void)state;
    size_t cap = 64 * 1024, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len,
                            "[cluster]\nnodes = 3\nreplicas = 3\ncoordinator = owner\n[quorum]\nr = 1\nw = 1\n"
                            "read_fanout = r\n[network]\nlatency = const(1ms)\nwrite_request = const(10s)\n"
                            "[workload]\nmode = script\nkeys = 1\n[script]\n");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(text + len, cap - len, "w%d = %dms write k1\nr%d = %dms read k1 prefer n1\n", i,
                                10 * i, i, 10 * i + 5);
    got g;
    run_stats st;
    tu_run_text_check(text, NULL, 0, NULL, grab, &g, &st);
    free(text);
    EQ(st.stats->stale, 300);
    EQ(g.npara, 1);
    HAS(g.para[0], "300 of 300 successful reads (100.00%) returned a version older");
    HAS(g.para[0], " r0, r1, r2, r3, r4, r5, r6, r7 and 292 more returned older versions than the latest: R + W = 2 "
                   "<= N = 3: the read set {n1} need not meet the write set {n3}.");
    size_t pl = strlen(g.para[0]);
    assert_true(pl < sizeof g.para[0] - 1);
    assert_string_equal(g.para[0] + pl - 1, ".");
    tu_run_free(&st);
}

/* An open-loop run (no script, nothing kept per operation): the write-up's counts are the
 * run's, with its R, W and N and its volatile crash. */
static void writeup_of_an_open_loop_from_counts(void **state)
{
    (void)state;
    static const char text[] = "[run]\nseed = 1\nops = 20000\n[cluster]\nnodes = 5\nreplicas = 3\n"
                               "[quorum]\nr = 1\nw = 1\n[network]\nlatency = exp(1ms)\n"
                               "[workload]\nrate = 2000/s\nkeys = 50\nread_ratio = 0.5\n"
                               "[faults]\nc = 2s crash n1 volatile\nb = 3s recover n1\n";
    got g;
    run_stats st;
    tu_run_text_check(text, NULL, 0, NULL, grab, &g, &st);
    EQ(((const explain_res *)st.rr.res[MOD_EXPLAIN])->n, 0);
    assert_true(st.stats->stale > 0);
    EQ(st.stats->promised, 0);
    EQ(g.npara, 1 + (st.stats->lost_reads > 0) + (st.oracle->lost_writes > 0));
    assert_string_equal(g.cls[0], "stale_without_overlap");
    char want[256];
    snprintf(want, sizeof want, "%llu of %llu successful reads (", (unsigned long long)st.stats->stale,
             (unsigned long long)st.stats->ok[OP_READ]);
    HAS(g.para[0], want);
    HAS(g.para[0], " Here R + W = 2 <= N = 3. Volatile crashes in this run, whose nodes came back without the "
                   "versions they held: n1 at 2s.");
    tu_run_free(&st);
}

/* Five nodes, a sloppy quorum, downgrading retries and a timeout short enough to use them:
 * stale reads of every kind. The stale classes' counts add up to the stale reads, each
 * class as the oracle judged its reads. */
static void writeup_classes_partition_the_stale_reads(void **state)
{
    (void)state;
    static const char text[] = "[run]\nseed = 2\nops = 20000\n[cluster]\nnodes = 5\nreplicas = 3\n"
                               "[quorum]\nr = 2\nw = 2\nsloppy = on\nread_fanout = r\ntimeout = 2ms\n"
                               "[retry]\ndowngrade = on\n[network]\nlatency = exp(1ms)\n"
                               "[workload]\nrate = 2000/s\nkeys = 20\nread_ratio = 0.5\n"
                               "[faults]\nc = 2s crash n1\nb = 5s recover n1\n";
    got g;
    run_stats st;
    tu_run_text_check(text, NULL, 0, NULL, grab, &g, &st);
    unsigned long long sum = 0;
    int fallback = 0;
    for (size_t i = 0; i < g.npara; i++) {
        if (strncmp(g.cls[i], "stale_", 6) != 0)
            continue;
        unsigned long long k = 0, of = 0;
        if (sscanf(g.para[i], "%llu of %llu successful reads", &k, &of) != 2)
            fail_msg("%s: %s", g.cls[i], g.para[i]);
        EQ(of, st.stats->ok[OP_READ]);
        sum += k;
        fallback |= strcmp(g.cls[i], "stale_via_fallback") == 0;
    }
    EQ(sum, st.stats->stale);
    assert_true(fallback);
    EQ(st.stats->stale_promised_fallback > 0, 1);
    assert_true(st.stats->via_fallback > st.stats->stale_promised_fallback); /* some were not promised */
    HAS(g.para[0], "these reads or the writes they missed were downgraded to a lower level.");
    tu_run_free(&st);
}

static char *slurp_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t len = fread(buf, 1, (size_t)n, f);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* qsim --levels: exit 0, every store's key settings, and the README has the same table. */
static void levels_reference_and_the_readme_agree(void **state)
{
    (void)state;
    const char *args[] = {"--levels", NULL};
    int status;
    char *out = tu_qsim_stdout(args, &status);
    EQ(status, 0);
    HAS(out, "\nr = QUORUM, w = QUORUM\n    Cassandra QUORUM (RF/2 + 1 over all datacenters); LOCAL_QUORUM");
    HAS(out, "    DynamoDB  reads: strongly consistent (ConsistentRead = true), served by the leader");
    HAS(out, "    Riak KV   r = quorum, w = quorum (the defaults: n_val/2 + 1)\n");
    HAS(out, "\nw = ANY (writes; a node coordinator)\n    Cassandra ANY: a hint kept by the coordinator counts;");
    HAS(out, "\nquorum.sloppy = on\n    Cassandra none: hints never count toward a level, except ANY\n");
    HAS(out, "    Riak KV   the default: pr = 0, pw = 0, fallback vnodes take the place of owners that are down\n");
    HAS(out, "    Riak KV   dw = W: dw counts replicas whose backend stored the write");
    HAS(out, "  Riak KV              n_val 3, r = w = quorum, pr = pw = 0 (sloppy): N=3 R=2 W=2, a sloppy quorum\n");
    HAS(out, "  DynamoDB             eventually consistent reads; every write on 2 of 3 replicas: N=3 R=1 W=2, a");
    free(out);
    char *readme = slurp_file(tu_src("README.md"));
    size_t n;
    const level_row *rows = levels_rows(&n);
    assert_true(n >= 15);
    for (size_t i = 0; i < n; i++) {
        char line[1024];
        snprintf(line, sizeof line, "\n| %s | %s | %s | %s |\n", rows[i].qsim, rows[i].cassandra, rows[i].dynamodb,
                 rows[i].riak);
        HAS(readme, line);
    }
    free(readme);
}

/* qsim --levels SCENARIO: the story's settings in each store, and which defaults hide its
 * anomaly, from the run. */
static void levels_of_the_stories(void **state)
{
    (void)state;
    const char *lv[] = {"--levels", NULL};
    char *out = story("scenarios/drift.ini", lv);
    HAS(out, "\nN=3 R=1 W=1, a strict quorum, reads to R owners\n"
             "  Cassandra replication_factor 3; reads at ONE, writes at ONE\n");
    HAS(out, "  seen: Stale reads without overlap; under each store's default it\n"
             "    Cassandra (drivers) (N=3 R=1 W=1):     can show it: R + W = 2 <= N = 3; hidden with QUORUM (or\n"
             "                                           LOCAL_QUORUM) for both\n");
    HAS(out, "    DynamoDB (N=3 R=1 W=2):                can show it: R + W = 3 <= N = 3; hidden with ConsistentRead "
             "= true\n"
             "    Riak KV (N=3 R=2 W=2, sloppy):         hides it: R + W = 4 > N = 3\n");
    assert_null(strstr(out, "\ntimeline:")); /* instead of the table */
    free(out);
    out = story("scenarios/w1-lost-write.ini", lv);
    HAS(out, "  seen: Lost writes; under each store's default it\n"
             "    Cassandra (drivers) (N=3 R=1 W=1):     can show it: 1 copy per acknowledged write, and 1 node lost "
             "its\n                                           storage\n"
             "    Amazon Keyspaces (N=3 R=1 W=2):        hides it: a write waits for 2 copies, and 1 node lost its "
             "storage\n");
    free(out);
    out = story("scenarios/sloppy.ini", lv);
    HAS(out, "  Riak KV   n_val 3; r = 2 (quorum), w = 2 (quorum), dw = 2 (quorum); pr = 0, pw = 0 (fallbacks\n");
    HAS(out, "    Riak KV (N=3 R=2 W=2, sloppy):         can show it: fallbacks count toward w (pr = r and pw = w "
             "hide it,\n");
    free(out);
    /* unavailability: a default that waits for fewer replies may hide it; a sloppy quorum
     * cannot when the cluster has no node beyond the N owners (anti-entropy.ini: 3 nodes) */
    out = story("scenarios/anti-entropy.ini", lv);
    HAS(out, "    Cassandra (drivers) (N=3 R=1 W=1):     may hide it: it waits for fewer replies (R=1, W=1 against "
             "this\n                                           run's R=1, W=2), and promises less\n");
    HAS(out, "    Riak KV (N=3 R=2 W=2, sloppy):         can show it: with 3 nodes and N = 3 no node is left to stand "
             "in for\n");
    free(out);
    const char *lv_off[] = {"--levels", "--set", "quorum.sloppy=off", NULL};
    out = story("scenarios/sloppy.ini", lv_off);
    HAS(out, "    Riak KV (N=3 R=2 W=2, sloppy):         may hide it: fallbacks stand in for owners that are down, "
             "when any\n");
    HAS(out, "    DynamoDB (N=3 R=1 W=2):                can show it: a strict quorum waits for as many owners\n");
    free(out);
    out = story("scenarios/overlap.ini", lv);
    HAS(out, "  no anomaly in this run: nothing for a default to hide\n");
    free(out);
    /* ANY: W = 0 replicas; no store but Cassandra has it */
    out = story("scenarios/any.ini", lv);
    HAS(out, "\nN=3 R=1 W=ANY, a strict quorum, reads to all N owners\n"
             "  Cassandra replication_factor 3; reads at ONE, writes at ANY\n"
             "  DynamoDB  eventually consistent reads (one replica); no ANY: every write waits for 2 of 3\n");
    HAS(out, "no ANY: w = 1 with fallbacks is the nearest, and a coordinator keeps no hint\n");
    HAS(out, "  seen: Lost writes; under each store's default it\n");
    free(out);
    /* it replaces the table, like --predict: not both, and not with another format */
    int status;
    const char *both[] = {"--levels", "--predict", "scenarios/drift.ini", NULL};
    free(tu_qsim_stdout(both, &status));
    EQ(status, 2);
    const char *json[] = {"--levels", "--format", "json", "scenarios/drift.ini", NULL};
    free(tu_qsim_stdout(json, &status));
    EQ(status, 2);
}

/* The terminal's wrapping: arithmetic stays on one line, and a lead wider than the width
 * still lets the text through, a word at a time. */
static void wrap_keeps_arithmetic_whole_and_always_advances(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    story_wrap(f, "  ", "the read set {n3} need not meet it: R + W = 2 <= N = 3 here", 4, 40);
    story_wrap(f, "a lead longer than the width ", "two words", 2, 10);
    fclose(f);
    assert_string_equal(buf, "  the read set {n3} need not meet it:\n"
                             "    R + W = 2 <= N = 3 here\n"
                             "a lead longer than the width two\n"
                             "  words\n");
    free(buf);
}

/* Writes text as dir/name and returns the path (static storage, one at a time). */
static const char *put_story(const char *dir, const char *name, const char *text)
{
    static char path[256];
    tu_put(dir, name, text);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* Datacenter levels are explained by the rule that applies, not by the sum of replies: dc1's
 * three replicas all lose w1 in volatile crashes; a LOCAL_QUORUM read from dc1 after a
 * LOCAL_QUORUM write from dc1 was promised the latest (2 + 2 > 3 in dc1), so it is stale
 * despite overlap, although R + W = 4 <= N = 6. --levels names the same levels. */
static void datacenter_levels_are_explained_by_their_rule(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *path = put_story(dir, "dc.ini",
                                 "[cluster]\ndatacenters = dc1:3 dc2:3\nvnodes = 1\ncoordinator = owner\n"
                                 "[quorum]\nr = LOCAL_QUORUM\nw = LOCAL_QUORUM\ntimeout = 1s\n"
                                 "[network]\nlatency = const(1ms)\ndc_latency = const(40ms)\n"
                                 "[workload]\nmode = script\nkeys = 1\n[script]\nw1 = 0ms write k1\nr1 = 300ms read k1\n"
                                 "[faults]\nc1 = 10ms crash n1 volatile\nc2 = 10ms crash n2 volatile\n"
                                 "c3 = 10ms crash n3 volatile\nu1 = 20ms recover n1\nu2 = 20ms recover n2\n"
                                 "u3 = 20ms recover n3\n");
    char *out = story(path, NULL);
    HAS(out, "      why: a read at LOCAL_QUORUM from dc1 and a write at LOCAL_QUORUM from dc1 are promised to\n"
             "           meet: the read set {n2,n3} met the write set {n2,n3} at n2 and n3, which lost v1 in\n");
    HAS(out, "  Stale reads despite overlap. Forfeited:");
    assert_null(strstr(out, "R + W = 4"));
    assert_null(strstr(out, "downgraded"));
    free(out);
    const char *lv[] = {"--levels", NULL};
    out = story("scenarios/two-dc.ini", lv);
    HAS(out, "quorum.r=LOCAL_QUORUM: N=6 in datacenters, reads at LOCAL_QUORUM, writes at LOCAL_QUORUM: reads not "
             "promised the latest\n");
    HAS(out, "quorum.r=QUORUM: N=6 in datacenters, reads at QUORUM, writes at LOCAL_QUORUM");
    char *reports = strstr(out, "\nreports: "); /* names the output directory: /tmp/qsim-test-4... */
    if (reports)
        *reports = '\0';
    assert_null(strstr(out, "-4")); /* no level code */
    free(out);
    tu_rm_tree(dir);
}

/* any.ini: the write at ANY acknowledged by its coordinator's own hint, and lost with it;
 * the reads' why, and the write-up, say ANY promised no replica. */
static void any_write_is_explained(void **state)
{
    (void)state;
    char *out = story("scenarios/any.ini", NULL);
    HAS(out, "  w1            10ms write k1    v1   acknowledged by coordinator n4 for n1  [3.00ms]\n"
             "  c4            20ms fault crash n4 volatile\n");
    HAS(out, "  r1            40ms read  k1    -> v0 (latest v1) LOST, 1 behind  [2.00ms]\n"
             "      read set: n3 returned nothing\n"
             "      v1 held by: no node\n"
             "      v1 acknowledged by: coordinator n4 for n1 (w1, ANY)\n");
    HAS(out, "acknowledged writes lost at the end: 1 of 1\n");
    HAS(out, "Writes\n    here are at ANY: one acknowledgement of any kind");
    HAS(out, "w1: v1,\n    acknowledged by n4 at ANY, is held by no node at the end");
    free(out);
    /* n4 slowed instead of crashed: r1, before handoff, is stale, and the why is the level */
    const char *set[] = {"--set", "faults.c4=20ms slow n4 2 until 21ms", NULL};
    out = story("scenarios/any.ini", set);
    HAS(out, "  r1            40ms read  k1    -> v0 (latest v1) STALE, 1 behind");
    HAS(out, "      why: the write was acknowledged at ANY, which promises no replica (W = 0): the read set {n3}\n");
    HAS(out, "  r2           200ms read  k1    -> v1 (latest v1) fresh");
    free(out);
    /* even at R = ALL a read that missed it was promised nothing: W = 0, in summary.json too */
    char dir[64], path[128];
    tu_make_dir(dir, sizeof dir);
    const char *all[] = {"--out", dir, "--set", "quorum.r=ALL", "scenarios/any.ini", NULL};
    int status;
    out = tu_qsim_stdout(all, &status);
    EQ(status, 0);
    HAS(out, "3 3 0   3 no  lost");
    free(out);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    char *sum = slurp_file(path);
    HAS(sum, "\"w\": 0,\n            \"w_level\": \"ANY\",\n            \"n\": 3,\n            "
             "\"r_plus_w_gt_n\": false,");
    assert_null(strstr(sum, "\"r_plus_w_gt_n\": true"));
    free(sum);
    tu_rm_tree(dir);
    /* a sloppy-quorum fallback that happens to be the coordinator is still a fallback when
     * the write is not at ANY */
    const char *sl[] = {"--set", "cluster.coordinator=any", "--seed", "1", NULL};
    out = story("scenarios/sloppy.ini", sl);
    HAS(out, "acknowledged by fallback n4 for n1, n2");
    assert_null(strstr(out, "coordinator n4"));
    free(out);
    /* a datacenter-level read that missed a write at ANY names the level */
    tu_make_dir(dir, sizeof dir);
    const char *dc = put_story(dir, "dcany.ini",
                               "[cluster]\ndatacenters = dc1:3 dc2:3\nreplicas = dc1:3 dc2:3\n"
                               "[quorum]\nr = LOCAL_QUORUM\nw = ANY\ntimeout = 200ms\n"
                               "[network]\nlatency = const(1ms)\ndc_latency = const(40ms)\n"
                               "[workload]\nmode = script\nkeys = 1\nclient_dc = dc1:1 dc2:1\n"
                               "[script]\nw1 = 0ms write k1 from dc1\nr1 = 10ms read k1 from dc2\n");
    out = story(dc, NULL);
    HAS(out, "      why: a read at LOCAL_QUORUM from dc2 and a write at ANY from dc1 are not promised to meet");
    free(out);
    tu_rm_tree(dir);
}

/* A read's verdict is fixed by what was acknowledged when it started: w1 (W=2) is the latest
 * when r1 (R=2) starts; both owners it asks lost w1 in volatile crashes, and nine later writes
 * push w1 out of the oracle's recent list before r1 answers. Still promised (DISAGREES), and
 * one version behind (it returned nothing). */
static void verdict_is_fixed_when_the_read_starts(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    char text[2048];
    int len = snprintf(text, sizeof text,
                       "[cluster]\nnodes = 3\nreplicas = 3\n[quorum]\nr = 2\nw = 2\ntimeout = 1s\nread_fanout = r\n"
                       "[network]\nlatency = const(1ms)\n[workload]\nmode = script\nkeys = 1\n"
                       "[script]\nw1 = 0ms write k1\nr1 = 10ms read k1 prefer n1,n3\n");
    for (int i = 2; i <= 10; i++)
        len += snprintf(text + len, sizeof text - (size_t)len, "w%d = %dms write k1\n", i, 10 + 5 * i);
    snprintf(text + len, sizeof text - (size_t)len,
             "[faults]\nc1 = 5ms crash n1 volatile\nc3 = 5ms crash n3 volatile\nu1 = 6ms recover n1\n"
             "u3 = 6ms recover n3\nlag = 9ms link client>n3 latency const(100ms)\n");
    char *out = story(put_story(dir, "late.ini", text), NULL);
    HAS(out, "DISAGREES: anomaly despite R+W>N");
    HAS(out, "  r1            10ms read  k1    -> v0 (latest v1) STALE, 1 behind  [101.00ms]\n");
    HAS(out, "      why: R + W = 4 > N = 3: the read set {n1,n3} met the write set {n3,n2} at n3, which lost v1 in\n");
    free(out);
    tu_rm_tree(dir);
}

/* --levels alone prints the reference table; with any other option nothing would use it. */
static void levels_alone_takes_no_other_option(void **state)
{
    (void)state;
    const char *args[] = {"--levels", "--force", NULL};
    int status;
    char *out = tu_qsim_stdout(args, &status);
    EQ(status, 2);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timeline_shows_the_crash_of_overlap),
        cmocka_unit_test(timeline_shows_every_fault_of_sloppy),
        cmocka_unit_test(drift_stale_read_shows_read_set_and_holders),
        cmocka_unit_test(sloppy_stale_read_names_the_hint_holder),
        cmocka_unit_test(w1_lost_write_blames_the_volatile_crash),
        cmocka_unit_test(drift_explanation_in_the_results),
        cmocka_unit_test(sloppy_and_w1_explanations_in_the_results),
        cmocka_unit_test(writeup_of_drift_and_w1_lost_write),
        cmocka_unit_test(writeup_follows_the_run_not_the_file),
        cmocka_unit_test(write_acknowledged_but_not_answered),
        cmocka_unit_test(writeup_of_a_long_story_counts_what_does_not_fit),
        cmocka_unit_test(writeup_of_an_open_loop_from_counts),
        cmocka_unit_test(writeup_classes_partition_the_stale_reads),
        cmocka_unit_test(wrap_keeps_arithmetic_whole_and_always_advances),
        cmocka_unit_test(levels_reference_and_the_readme_agree),
        cmocka_unit_test(levels_of_the_stories),
        cmocka_unit_test(datacenter_levels_are_explained_by_their_rule),
        cmocka_unit_test(any_write_is_explained),
        cmocka_unit_test(verdict_is_fixed_when_the_read_starts),
        cmocka_unit_test(levels_alone_takes_no_other_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
