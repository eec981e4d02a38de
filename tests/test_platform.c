/* The platform mechanisms attach to (docs/design.md section 1b): the operation life cycle
 * and its observers (late replies, held answers, linger, timers, module areas, the fan-out
 * hook), the routing table, the ring walk, node events, the failure-detector interface,
 * holder sources and version counters. Timings are exact: constant latencies per link. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "models/fd.h"
#include "models/route.h"
#include "models/world.h"
#include "sim/cfg.h"
#include "sim/alloc.h"
#include "tests/testutil.h"

/* Three replicas 1, 2 and 3 ms from the client (each way); W=1, R=1, reads to all N. A
 * write at 0 is acknowledged by n1 at 2 ms, n2 and n3 answer late at 4 and 6 ms; a read
 * at 20 ms is answered at 22 ms, with late replies at 24 and 26 ms. */
static const char *ladder =
    "[cluster]\nnodes = 3\nreplicas = 3\n[quorum]\nr = 1\nw = 1\nread_fanout = all\n"
    "[network]\nlatency = const(0)\n[links]\nclient-n1 = const(1ms)\nclient-n2 = const(2ms)\n"
    "client-n3 = const(3ms)\n[workload]\nmode = script\nkeys = 1\n[script]\nw1 = 0ms write k1\nr1 = 20ms read k1\n";

#define MAXOPS 8

/* What a test observer saw, per operation (by issue index). */
typedef struct seen {
    coord *c;
    const sim *s;
    size_t ext;
    int64_t linger;
    int hold_reads;      /* hold every read's answer for hold_ns */
    int64_t hold_ns;
    int slot;            /* the timer slot claimed for the hold */
    int late[MAXOPS];    /* replies after the answer */
    int after_quorum[MAXOPS];
    int64_t retired[MAXOPS];
    int64_t answered[MAXOPS];
    int64_t released[MAXOPS];
    int begun, submitted, sent;
    int state_at_release[MAXOPS];
} seen;

/* The observer's own per-operation area: replies it counted. */
typedef struct seen_op {
    int replies;
} seen_op;

static void ob_submit(void *ctx, op *o)
{
    seen *sn = ctx;
    sn->submitted++;
    EQ(o->state, OP_SUBMITTED);
    seen_op *x = op_ext(o, sn->ext);
    EQ(x->replies, 0); /* the area starts zeroed */
}

static void ob_begin(void *ctx, op *o)
{
    seen *sn = ctx;
    sn->begun++;
    EQ(o->state, OP_FANOUT);
    EQ(o->ntargets, 0);
}

static void ob_send(void *ctx, op *o, int row)
{
    seen *sn = ctx;
    sn->sent++;
    EQ(o->t[row].cause, CAUSE_FIRST);
    EQ(o->t[row].replied, -1);
    EQ(o->t[row].sent, sn->s->now);
}

static void ob_reply(void *ctx, op *o, int row)
{
    seen *sn = ctx;
    seen_op *x = op_ext(o, sn->ext);
    x->replies++;
    EQ(o->t[row].replied, sn->s->now);
    if (o->state >= OP_ANSWERED)
        sn->late[o->index]++;
    else if (o->state > OP_FANOUT)
        sn->after_quorum[o->index]++;
}

static void on_hold_timer(void *ctx, op *o)
{
    seen *sn = ctx;
    sn->released[o->index] = sn->s->now;
    sn->state_at_release[o->index] = o->state;
    coord_release(sn->c, o);
}

static int ob_quorum(void *ctx, op *o)
{
    seen *sn = ctx;
    if (!sn->hold_reads || o->kind != OP_READ)
        return 0;
    coord_timer_set(sn->c, o, sn->slot, sn->s->now + sn->hold_ns);
    return 1;
}

static void ob_answer(void *ctx, op *o)
{
    seen *sn = ctx;
    sn->answered[o->index] = sn->s->now;
}

static void ob_retire(void *ctx, op *o)
{
    seen *sn = ctx;
    seen_op *x = op_ext(o, sn->ext);
    sn->retired[o->index] = sn->s->now;
    EQ(x->replies, o->nreplied);
}

static void attach(world *w, void *ctx)
{
    seen *sn = ctx;
    sn->c = world_coord(w);
    sn->s = &w->s;
    sn->ext = coord_ext(sn->c, sizeof(seen_op));
    coord_keep_listening(sn->c, sn->linger);
    sn->slot = coord_timer_claim(sn->c, on_hold_timer, sn);
    assert_true(sn->slot >= OP_TIMER_MODULE);
    op_observer ob = {.name = "test", .ctx = sn, .submit = ob_submit, .begin = ob_begin, .send = ob_send,
                      .reply = ob_reply, .quorum = ob_quorum, .answer = ob_answer, .retire = ob_retire};
    EQ(coord_observe(sn->c, &ob), 0);
}

static void lifecycle_retires_at_the_answer_without_linger(void **state)
{
    (void)state;
    seen sn = {0};
    run_stats st;
    tu_run_text_setup(ladder, NULL, 0, attach, &sn, &st);
    EQ(sn.submitted, 2);
    EQ(sn.begun, 2);
    EQ(sn.sent, 6);
    EQ(sn.answered[0], 2000000);
    EQ(sn.retired[0], 2000000);
    EQ(sn.answered[1], 22000000);
    EQ(sn.retired[1], 22000000);
    EQ(sn.late[0] + sn.late[1], 0);        /* retired: late replies never reach observers */
    EQ(st.coord->late_replies, 4);         /* but they are counted */
    EQ(st.coord->peak_ops, 1);
    tu_run_free(&st);
}

static void lifecycle_observer_sees_every_late_reply(void **state)
{
    (void)state;
    seen sn = {.linger = 10000000};
    run_stats st;
    tu_run_text_setup(ladder, NULL, 0, attach, &sn, &st);
    EQ(sn.answered[0], 2000000);
    EQ(sn.late[0], 2);                    /* n2 at 4 ms, n3 at 6 ms */
    EQ(sn.retired[0], 6000000);           /* every request answered: retired at once */
    EQ(sn.answered[1], 22000000);
    EQ(sn.late[1], 2);
    EQ(sn.retired[1], 26000000);
    EQ(st.coord->late_replies, 4);
    EQ(st.stats->ok[OP_READ], 1);
    tu_run_free(&st);
}

static void lifecycle_linger_deadline_ends_listening(void **state)
{
    (void)state;
    seen sn = {.linger = 3000000};
    run_stats st;
    tu_run_text_setup(ladder, NULL, 0, attach, &sn, &st);
    EQ(sn.late[0], 1);          /* 4 ms is heard; 6 ms comes after 2 + 3 ms */
    EQ(sn.retired[0], 5000000);
    EQ(sn.late[1], 1);
    EQ(sn.retired[1], 25000000);
    EQ(st.coord->late_replies, 4);
    tu_run_free(&st);
}

static void lifecycle_held_answer_released_later(void **state)
{
    (void)state;
    seen sn = {.hold_reads = 1, .hold_ns = 5000000, .linger = 10000000};
    run_stats st;
    tu_run_text_setup(ladder, NULL, 0, attach, &sn, &st);
    EQ(sn.released[1], 27000000);            /* quorum at 22 ms, held 5 ms */
    EQ(sn.state_at_release[1], OP_HELD);
    EQ(sn.answered[1], 27000000);
    EQ(sn.after_quorum[1], 2);               /* 24 and 26 ms: after the quorum, before the answer */
    EQ(sn.late[1], 0);
    EQ(sn.retired[1], 27000000);             /* every request answered by then */
    const script_result *r1 = &st.wl->script[1];
    EQ(r1->end - r1->start, 7000000);        /* the latency includes the hold */
    EQ(r1->version, 1);
    EQ(r1->cls, RC_FRESH);
    EQ(hist_quantile(&st.stats->lat[OP_READ][OUT_OK], 1.0), 7000000);
    EQ(sn.answered[0], 2000000);             /* writes are not held */
    tu_run_free(&st);
}

/* A hold that outlasts the deadline: the client gives up, and retirement cancels the hold's timer. */
static void lifecycle_hold_past_deadline_fails(void **state)
{
    (void)state;
    seen sn = {.hold_reads = 1, .hold_ns = 50000000};
    const char *sets[] = {"quorum.timeout=10ms"};
    run_stats st;
    tu_run_text_setup(ladder, sets, 1, attach, &sn, &st);
    EQ(sn.answered[1], 30000000);
    EQ(st.stats->unavailable[OP_READ], 1);
    EQ(st.wl->script[1].ok, 0);
    tu_run_free(&st);
}

/* The fan-out is a hook: a policy replaces the default, once. */
static void first_owner_only(void *ctx, op *o)
{
    coord *c = ctx;
    const uint16_t *own = ring_owners(c->ring, o->key);
    coord_send(c, o, own[0], o->kind == OP_WRITE ? MSG_WRITE_REQ : MSG_READ_REQ, CAUSE_FALLBACK, 1, NULL, NULL);
}

static void set_fanout(world *w, void *ctx)
{
    char err[256];
    (void)ctx;
    EQ(coord_set_fanout(world_coord(w), first_owner_only, world_coord(w), "test", err, sizeof err), 0);
    EQ(coord_set_fanout(world_coord(w), first_owner_only, world_coord(w), "again", err, sizeof err), -1);
    assert_non_null(strstr(err, "test"));
    assert_non_null(strstr(err, "again"));
}

static void lifecycle_fanout_policy_replaces_the_default(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text_setup(ladder, NULL, 0, set_fanout, NULL, &st);
    EQ(st.net->sent[MSG_WRITE_REQ], 1);
    EQ(st.net->sent[MSG_READ_REQ], 1);
    EQ(st.coord->late_replies, 0);
    tu_run_free(&st);
}

static void noop(void *ctx, msg *m)
{
    (void)ctx;
    (void)m;
}

static void route_kind_registered_twice_is_an_error(void **state)
{
    (void)state;
    router rt;
    char err[256];
    router_init(&rt);
    EQ(router_add(&rt, MSG_READ_REQ, SVC_READ, noop, NULL, "replica", err, sizeof err), 0);
    EQ(router_add(&rt, MSG_READ_REQ, SVC_NONE, noop, NULL, "hedge", err, sizeof err), -1);
    assert_non_null(strstr(err, "read_request"));
    assert_non_null(strstr(err, "replica"));
    assert_non_null(strstr(err, "hedge"));
    EQ(router_get(&rt, MSG_READ_REQ)->svc, SVC_READ);
    assert_null(router_get(&rt, MSG_WRITE_REQ)->fn);
}

static void ring_walk_extends_the_preference_list(void **state)
{
    (void)state;
    ring *r;
    EQ(ring_create(7, 8, 3, 2000, &r), 0);
    for (uint32_t k = 0; k < 2000; k++) {
        int seen_node[8] = {0};
        for (int i = 0; i < 7; i++) {
            int nd = ring_walk(r, k, i);
            assert_true(nd >= 1 && nd <= 7);
            EQ(seen_node[nd], 0); /* distinct */
            seen_node[nd] = 1;
            if (i < 3)
                EQ(nd, ring_owners(r, k)[i]);
            else
                EQ(ring_owner_rank(r, k, nd), -1); /* fallbacks are not owners */
        }
        EQ(ring_walk(r, k, 7), 0);
    }
    ring_destroy(r);
}

/* ---- node events and the failure detector ---- */

typedef struct fd_probe {
    fd_perfect p;
    node_set *ns;
    int events[4]; /* crash n1, recover n1, crash n2, recover n2 */
    int up[MAXOPS];
    int64_t since[MAXOPS];
} fd_probe;

static void probe_event(void *ctx, int nd, node_event ev)
{
    fd_probe *pr = ctx;
    pr->events[(nd - 1) * 2 + (ev == NODE_RECOVER)]++;
}

static void probe_submit(void *ctx, op *o)
{
    fd_probe *pr = ctx;
    fd_iface d = fd_perfect_iface(&pr->p);
    pr->up[o->index] = fd_up(&d, 2, 1, &pr->since[o->index]);
}

static void attach_fd(world *w, void *ctx)
{
    fd_probe *pr = ctx;
    node_listener l = {pr, probe_event};
    EQ(nodes_listen(&w->nodes, &l), 0);
    EQ(fd_perfect_init(&pr->p, &w->s, &w->nodes, 5000000), 0);
    op_observer ob = {.name = "probe", .ctx = pr, .submit = probe_submit};
    EQ(coord_observe(world_coord(w), &ob), 0);
}

static void fd_perfect_learns_after_its_delay(void **state)
{
    (void)state;
    static const char *sc =
        "[cluster]\nnodes = 3\nreplicas = 3\n[network]\nlatency = const(1ms)\n[workload]\nmode = script\nkeys = 1\n"
        "[script]\na = 12ms read k1\nb = 16ms read k1\nc = 32ms read k1\nd = 36ms read k1\n"
        "[faults]\ndown = 10ms crash n1\nup = 30ms recover n1\n";
    fd_probe pr = {0};
    run_stats st;
    tu_run_text_setup(sc, NULL, 0, attach_fd, &pr, &st);
    EQ(pr.events[0], 1);
    EQ(pr.events[1], 1);
    EQ(pr.events[2] + pr.events[3], 0);
    EQ(pr.up[0], 1); /* 12 ms: the crash at 10 ms is not known before 15 ms */
    EQ(pr.since[0], 0);
    EQ(pr.up[1], 0);
    EQ(pr.since[1], 15000000);
    EQ(pr.up[2], 0); /* 32 ms: the recovery at 30 ms is known at 35 ms */
    EQ(pr.up[3], 1);
    EQ(pr.since[3], 35000000);
    fd_perfect_fini(&pr.p);
    tu_run_free(&st);
}

/* ---- holder sources ---- */

static const version far_future = {INT64_MAX, 0, 99};

static void fake_each(const void *ctx, uint32_t key, holder_fn fn, void *arg)
{
    (void)ctx;
    (void)key;
    fn(arg, 2, 0, &far_future);
}

static void add_fake_holder(world *w, void *ctx)
{
    (void)ctx;
    EQ(holders_add(&w->hs, (holder_src){"fake", NULL, fake_each}), 0);
}

/* The oracle asks every holder source: with a source that still has a newer copy, the
 * reads of the lost-write story are stale, not lost, and no write is lost. */
static void oracle_asks_every_holder_source(void **state)
{
    (void)state;
    run_stats st;
    tu_run_file_setup(tu_src("scenarios/w1-lost-write.ini"), NULL, 0, add_fake_holder, NULL, &st);
    EQ(st.wl->script[2].cls, RC_STALE);
    EQ(st.wl->script[3].cls, RC_STALE);
    EQ(st.stats->lost_reads, 0);
    EQ(st.stats->stale, 2);
    EQ(st.oracle->lost_writes, 0);
    tu_run_free(&st);
    tu_run_file(tu_src("scenarios/w1-lost-write.ini"), NULL, 0, &st);
    EQ(st.stats->lost_reads, 2);
    EQ(st.oracle->lost_writes, 1);
    tu_run_free(&st);
}

static void versions_count_per_key(void **state)
{
    (void)state;
    long before = mem_live();
    versions vs;
    EQ(versions_init(&vs, 3), 0);
    version a = ver_new(&vs, 0, 100, 7), b = ver_new(&vs, 0, 100, 7), c = ver_new(&vs, 2, 50, 1);
    EQ(a.seq, 1);
    EQ(b.seq, 2);
    EQ(c.seq, 1);
    assert_true(ver_cmp(&a, &b) < 0);     /* same time and writer: issue order */
    assert_true(ver_cmp(&c, &a) < 0);     /* earlier timestamp is older */
    EQ(ver_cmp(&a, &a), 0);
    assert_true(ver_cmp(&VERSION_NONE, &c) < 0);
    versions_fini(&vs);
    EQ(mem_live(), before);
}

/* Every allocation of assembling and running a world can fail: each failure point must end
 * in -ENOMEM (never "bad input"), no crash and no leak. The scenario turns on the modules
 * that allocate (sloppy quorum with hints, async read repair, faults, a script). */
static void world_survives_every_allocation_failure(void **state)
{
    (void)state;
    static const char *text =
        "[cluster]\nnodes = 4\n[quorum]\nsloppy = on\ntimeout = 50ms\n[read_repair]\nmode = async\n"
        "[hints]\ndispatch_interval = 5ms\n[network]\nlatency = const(1ms)\n[workload]\nmode = script\nkeys = 2\n"
        "[script]\nw1 = 0ms write k1\nw2 = 10ms write k1\nr1 = 20ms read k1\nr2 = 30ms read k2\n"
        "[faults]\ndown = 5ms crash n3\nup = 15ms recover n3\n";
    char path[64];
    snprintf(path, sizeof path, "/tmp/qsim-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    cfg *c;
    EQ(cfg_create(&c), 0);
    cfg_load(c, path);
    scenario sc;
    scenario_build(c, &sc);
    EQ(cfg_nerrors(c), 0);
    long base = mem_live();
    int completed = 0;
    long k;
    for (k = 1; k < 100000 && !completed; k++) {
        mem_fail_at(k);
        run_result rr;
        world *w = NULL;
        char err[512];
        int rc = run_result_init(&rr);
        if (rc == 0) {
            rc = world_create(&sc, 0, NULL, &rr, &w, err, sizeof err);
            if (rc == 0) {
                rc = world_run(w, err, sizeof err);
                world_destroy(w);
                completed = rc == 0;
            }
            run_result_free(&rr);
        }
        mem_fail_at(0);
        if (rc && rc != -ENOMEM && rc != -1)
            fail_msg("allocation %ld: rc %d (%s)", k, rc, err);
        if (mem_live() != base)
            fail_msg("allocation %ld failed: %ld blocks leaked", k, mem_live() - base);
    }
    assert_true(completed);
    assert_true(k > 20); /* many failure points were tried */
    scenario_free(&sc);
    cfg_destroy(c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle_retires_at_the_answer_without_linger),
        cmocka_unit_test(lifecycle_observer_sees_every_late_reply),
        cmocka_unit_test(lifecycle_linger_deadline_ends_listening),
        cmocka_unit_test(lifecycle_held_answer_released_later),
        cmocka_unit_test(lifecycle_hold_past_deadline_fails),
        cmocka_unit_test(lifecycle_fanout_policy_replaces_the_default),
        cmocka_unit_test(route_kind_registered_twice_is_an_error),
        cmocka_unit_test(ring_walk_extends_the_preference_list),
        cmocka_unit_test(fd_perfect_learns_after_its_delay),
        cmocka_unit_test(oracle_asks_every_holder_source),
        cmocka_unit_test(versions_count_per_key),
        cmocka_unit_test(world_survives_every_allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
