/* The probe workload (models/probe.h): a write, then exactly one read of its key started
 * read_after after the write's acknowledgement, clients in parallel on keys of their own,
 * the next probe gap after the read ends; run.ops and run.duration; common random numbers;
 * its keys' rules. Exact timings with constant latencies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/visibility.h"
#include "models/world.h"
#include "sim/alloc.h"
#include "tests/testutil.h"

#define MS 1000000

/* Every operation as the life cycle showed it, by issue order. */
typedef struct rec {
    int kind, ok, responded;
    uint32_t key, client;
    int64_t start, ack, answered;
} rec;

typedef struct log {
    rec r[4096];
    size_t n;
} log_t;

static void on_submit(void *ctx, op *o)
{
    log_t *g = ctx;
    if (o->index >= 4096)
        fail_msg("too many operations for the log");
    rec *r = &g->r[o->index];
    r->kind = o->kind;
    r->key = o->key;
    r->client = o->client;
    r->start = o->start;
    r->ack = -1;
    if (o->index + 1 > g->n)
        g->n = o->index + 1;
}

static void on_respond(void *ctx, op *o)
{
    log_t *g = ctx;
    g->r[o->index].ack = o->c->s->now;
}

static void on_answer(void *ctx, op *o)
{
    log_t *g = ctx;
    g->r[o->index].ok = o->ok;
    g->r[o->index].responded = o->responded;
    g->r[o->index].answered = o->answered;
}

static void attach(world *w, void *ctx)
{
    op_observer ob = {.name = "test log", .ctx = ctx, .submit = on_submit, .respond = on_respond, .answer = on_answer};
    if (coord_observe(world_coord(w), &ob))
        fail_msg("coord_observe");
}

/* Constant 1ms one way: a write is acknowledged 2ms after it starts (W = 1, every replica
 * has it at 1ms), a read answers 2ms after it starts. */
static const char const_ini[] = "[run]\nseed = 7\nops = 40\n"
                                "[cluster]\nnodes = 3\nreplicas = 3\n"
                                "[quorum]\nr = 1\nw = 1\ntimeout = 1s\n"
                                "[network]\nlatency = const(1ms)\n"
                                "[workload]\nmode = probe\nclients = 3\nkeys = 7\n"
                                "read_after = const(5ms)\ngap = const(3ms)\n";

/* 40 operations are 20 probes. Each client alternates write and read of one key; the read
 * starts exactly read_after = 5ms after the write's acknowledgement (so its t is 5ms and it is
 * fresh); the next write starts gap = 3ms after the read's answer, on the client's next key
 * (client i: k(i+1), k(i+4), k(i+7) wrapping at 7 keys). A probe takes 2 + 5 + 2 + 3 = 12ms. */
static void probe_reads_once_read_after_each_acknowledgement(void **state)
{
    (void)state;
    log_t *g = calloc(1, sizeof *g);
    run_stats st;
    tu_run_text_setup(const_ini, NULL, 0, attach, g, &st);
    EQ(g->n, 40);
    EQ(st.coord->issued, 40);
    EQ(st.stats->measured[OP_WRITE], 20);
    EQ(st.stats->measured[OP_READ], 20);
    EQ(st.stats->fresh, 20);
    EQ(st.stats->vis_reads[vis_bin(5 * MS)], 20);
    EQ(st.stats->vis_fresh[vis_bin(5 * MS)], 20);
    static const uint32_t keys[3][3] = {{0, 3, 6}, {1, 4, 1}, {2, 5, 2}};
    for (uint32_t c = 0; c < 3; c++) {
        const rec *prev_read = NULL;
        int probes = 0;
        const rec *w = NULL;
        for (size_t i = 0; i < g->n; i++) {
            const rec *r = &g->r[i];
            if (r->client != c)
                continue;
            if (r->kind == OP_WRITE) {
                if (w)
                    fail_msg("client %u: two writes without a read", c);
                w = r;
                EQ(r->ok, 1);
                EQ(r->ack - r->start, 2 * MS);
                EQ(r->start, prev_read ? prev_read->answered + 3 * MS : 0);
                if (probes < 3)
                    EQ(r->key, keys[c][probes]);
                probes++;
            } else {
                if (!w)
                    fail_msg("client %u: a read without its write", c);
                EQ(r->key, w->key);
                EQ(r->start, w->ack + 5 * MS);
                EQ(r->answered, r->start + 2 * MS);
                prev_read = r;
                w = NULL;
            }
        }
        assert_true(probes >= 6);
        assert_null(w);
    }
    tu_run_free(&st);
    /* with the coordinator at the key's first owner, the acknowledgement is at the owner and
     * reaches the client 1ms later; the read still starts read_after after the
     * acknowledgement, not after the client heard of it, so every t is 5ms */
    memset(g, 0, sizeof *g);
    const char *owner[] = {"cluster.coordinator=owner"};
    tu_run_text_setup(const_ini, owner, 1, attach, g, &st);
    EQ(st.stats->measured[OP_READ], 20);
    EQ(st.stats->vis_reads[vis_bin(5 * MS)], 20);
    for (size_t i = 0; i < g->n; i++)
        if (g->r[i].kind == OP_WRITE)
            EQ(g->r[i].answered - g->r[i].ack, 1 * MS);
    tu_run_free(&st);
    free(g);
}

/* An odd run.ops ends with a write alone: 41 operations are 20 probes and one write. A write
 * that fails (W = 3 with n3 down: no acknowledgement by the 20ms timeout) has no read and
 * gives its read's place back, so run.ops is still issued exactly and nothing is read. */
static void probe_issues_exactly_run_ops(void **state)
{
    (void)state;
    log_t *g = calloc(1, sizeof *g);
    run_stats st;
    const char *odd[] = {"run.ops=41"};
    tu_run_text_setup(const_ini, odd, 1, attach, g, &st);
    EQ(st.coord->issued, 41);
    EQ(st.stats->measured[OP_WRITE], 21);
    EQ(st.stats->measured[OP_READ], 20);
    tu_run_free(&st);
    memset(g, 0, sizeof *g);
    const char *fail[] = {"quorum.w=3", "quorum.timeout=20ms", "faults.down=0ms crash n3 durable", "run.ops=15"};
    tu_run_text_setup(const_ini, fail, 4, attach, g, &st);
    EQ(st.coord->issued, 15);
    EQ(st.stats->measured[OP_WRITE], 15);
    EQ(st.stats->unavailable[OP_WRITE], 15);
    EQ(st.stats->measured[OP_READ], 0);
    /* each client writes again gap = 3ms after its write failed at 20ms */
    for (size_t i = 0; i < g->n; i++)
        EQ(g->r[i].start % (23 * MS), 0);
    tu_run_free(&st);
    free(g);
}

/* run.duration: no probe begins at or after it, and a probe that began reads anyway. With
 * one client, probes begin at 0, 12ms, 24ms; duration 25ms stops the fourth (36ms) and the
 * third's read starts at 24 + 2 + 5 = 31ms, after the duration. */
static void probe_duration_stops_new_probes_only(void **state)
{
    (void)state;
    log_t *g = calloc(1, sizeof *g);
    run_stats st;
    const char *sets[] = {"run.ops=0", "run.duration=25ms", "workload.clients=1"};
    tu_run_text_setup(const_ini, sets, 3, attach, g, &st);
    EQ(st.coord->issued, 6);
    EQ(g->r[4].kind, OP_WRITE);
    EQ(g->r[4].start, 24 * MS);
    EQ(g->r[5].kind, OP_READ);
    EQ(g->r[5].start, 31 * MS);
    tu_run_free(&st);
    free(g);
}

/* Each client's read_after comes from its own stream: the j-th probe of a client waits the
 * same time whatever R and W do to the order in which probes interleave. */
static void probe_read_after_is_common_across_configurations(void **state)
{
    (void)state;
    static const char ini[] = "[run]\nseed = 9\nops = 400\n"
                              "[cluster]\nnodes = 3\nreplicas = 3\n"
                              "[quorum]\ntimeout = 1s\n"
                              "[network]\nlatency = exp(1ms)\n"
                              "[workload]\nmode = probe\nclients = 4\nkeys = 100\n"
                              "read_after = uniform(0ms, 10ms)\ngap = exp(1ms)\n";
    int64_t waits[2][4][50];
    int nw[2][4];
    memset(nw, 0, sizeof nw);
    for (int cfgi = 0; cfgi < 2; cfgi++) {
        log_t *g = calloc(1, sizeof *g);
        run_stats st;
        const char *sets[] = {cfgi ? "quorum.w=3" : "quorum.w=1"};
        tu_run_text_setup(ini, sets, 1, attach, g, &st);
        EQ(g->n, 400);
        const rec *last[4] = {NULL};
        for (size_t i = 0; i < g->n; i++) {
            const rec *r = &g->r[i];
            if (r->kind == OP_WRITE)
                last[r->client] = r;
            else if (nw[cfgi][r->client] < 50)
                waits[cfgi][r->client][nw[cfgi][r->client]++] = r->start - last[r->client]->ack;
        }
        tu_run_free(&st);
        free(g);
    }
    int differ = 0;
    for (int c = 0; c < 4; c++) {
        assert_true(nw[0][c] >= 20 && nw[1][c] >= 20);
        for (int j = 0; j < 20; j++) {
            EQ(waits[0][c][j], waits[1][c][j]);
            differ += j > 0 && waits[0][c][j] != waits[0][c][j - 1];
        }
    }
    assert_true(differ > 70); /* drawn anew for each probe */
}

static void probe_keys_rules(void **state)
{
    (void)state;
    char errs[8192];
    EQ(tu_check_text("[run]\nops = 10\n[workload]\nread_after = const(1ms)\ngap = const(1ms)\n", NULL, 0, errs,
                     sizeof errs),
       2);
    if (!strstr(errs, ":4: workload.read_after = const(1ms): only used with workload.mode = probe") ||
        !strstr(errs, ":5: workload.gap = const(1ms): only used with workload.mode = probe"))
        fail_msg("errors:\n%s", errs);
    EQ(tu_check_text("[run]\nops = 10\n[workload]\nmode = probe\nclients = 5\nkeys = 4\n", NULL, 0, errs,
                     sizeof errs),
       1);
    if (!strstr(errs, ":5: workload.clients = 5: probe: each client needs keys of its own: must be <= "
                      "workload.keys (4)"))
        fail_msg("errors:\n%s", errs);
    EQ(tu_check_text("[workload]\nmode = probe\n", NULL, 0, errs, sizeof errs), 1);
    if (!strstr(errs, "set run.ops or run.duration"))
        fail_msg("errors:\n%s", errs);
    EQ(tu_check_text("[run]\nduration = 1s\n[workload]\nmode = probe\nclients = 4\nkeys = 4\n", NULL, 0, errs,
                     sizeof errs),
       0);
}

/* scenarios/visibility.ini gives the curve the README promises: a thousand reads or more in
 * the bins --predict reads at 1ms, 10ms, 100ms and 1s, the 1ms bin measurably stale, and a
 * 99% point between 1ms and 10ms. */
static void visibility_scenario_covers_four_decades(void **state)
{
    (void)state;
    run_stats st;
    tu_run_file(tu_src("scenarios/visibility.ini"), NULL, 0, &st);
    EQ(st.stats->measured[OP_READ], 200000);
    static const int64_t at[] = {1 * MS, 10 * MS, 100 * MS, 1000 * MS};
    for (size_t i = 0; i < 4; i++)
        assert_true(st.stats->vis_reads[vis_bin(at[i])] >= 1000);
    int b = vis_bin(1 * MS);
    assert_true(st.stats->vis_fresh[b] < st.stats->vis_reads[b] * 95 / 100);
    int64_t t99 = vis_time(st.stats->vis_reads, st.stats->vis_fresh, 0.99);
    assert_true(t99 > 1 * MS && t99 < 10 * MS);
    tu_run_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(probe_reads_once_read_after_each_acknowledgement),
        cmocka_unit_test(probe_issues_exactly_run_ops),
        cmocka_unit_test(probe_duration_stops_new_probes_only),
        cmocka_unit_test(probe_read_after_is_common_across_configurations),
        cmocka_unit_test(probe_keys_rules),
        cmocka_unit_test(visibility_scenario_covers_four_decades),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
