/* Failure detection (docs/design.md section 1b, "Membership and liveness"; models/fd.h,
 * models/gossip.h): the platform hooks gossip relies on (message release, a kind's own
 * random streams); perfect knowledge after a delay against the platform's own detector;
 * the client coordinator's timeouts with exact times; gossip stories with constant
 * latencies where the round of every suspicion is known; phi accrual; the keys' rules;
 * common random numbers; no allocation per gossip message; every allocation failure; and
 * the dissemination time against the epidemic estimate over many seeds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include "models/gossip.h"
#include "models/world.h"
#include "sim/alloc.h"
#include "tests/testutil.h"

#define MS 1000000LL

#define HAS(errs, want)                                                                  \
    do {                                                                                 \
        if (!strstr((errs), (want)))                                                     \
            fail_msg("missing error:\n  %s\nin:\n%s", (want), (errs));                   \
    } while (0)

/* ---- the platform hooks ---- */

typedef struct released {
    int calls;
    msg *last;
    uint64_t by_kind[MSG_NKINDS];
} released;

static void count_release(void *ctx, msg *m)
{
    released *r = ctx;
    r->calls++;
    r->last = m;
    r->by_kind[m->kind]++;
}

static void pool_release_hook_runs_for_its_kind_only(void **state)
{
    (void)state;
    long before = mem_live();
    msg_pool p;
    msg_pool_init(&p);
    released r = {0};
    msg_pool_on_release(&p, MSG_WRITE_ACK, count_release, &r);
    msg *a = msg_get(&p), *b = msg_get(&p);
    a->kind = MSG_WRITE_ACK;
    b->kind = MSG_READ_RESP;
    msg_put(&p, b);
    EQ(r.calls, 0);
    msg_put(&p, a);
    EQ(r.calls, 1);
    assert_ptr_equal(r.last, a);
    msg_pool_on_release(&p, MSG_WRITE_ACK, NULL, NULL);
    a = msg_get(&p);
    a->kind = MSG_WRITE_ACK;
    msg_put(&p, a);
    EQ(r.calls, 1);
    EQ(p.live, 0);
    msg_pool_fini(&p);
    EQ(mem_live(), before);
}

static void hook_write_acks(world *w, void *ctx) { msg_pool_on_release(&w->pool, MSG_WRITE_ACK, count_release, ctx); }

/* Every acknowledgement goes back to the pool exactly once, whether it was handled, lost or
 * cut: the hook sees as many as the network sent. */
static void pool_release_hook_sees_lost_cut_and_handled_messages(void **state)
{
    (void)state;
    static const char *sc = "[run]\nops = 3000\nseed = 3\n[cluster]\nnodes = 4\nreplicas = 3\n[network]\n"
                            "latency = exp(1ms)\nloss = 0.2\n[workload]\nrate = 1000/s\nread_ratio = 0.2\nkeys = 50\n"
                            "[faults]\np = 1s partition n1 | n2,n3,n4,client\nh = 2s heal\nc = 1.5s crash n3\n";
    released r = {0};
    run_stats st;
    tu_run_text_setup(sc, NULL, 0, hook_write_acks, &r, &st);
    assert_true(st.net->lost > 0 && st.net->cut > 0);
    EQ(r.by_kind[MSG_WRITE_ACK], st.net->sent[MSG_WRITE_ACK]);
    EQ(r.calls, (int)st.net->sent[MSG_WRITE_ACK]);
    tu_run_free(&st);
}

/* Background traffic: junk client answers from n1 every 100 us, which the coordinator drops
 * as late. The coordinator runs at the client, so no real message is of that kind, while
 * n1's replies share the n1>client link. With their own streams the junk shifts no other
 * message's draws. */
typedef struct junk {
    sim_event ev;
    world *w;
    int own, left;
} junk;

static void send_junk(sim *s, sim_event *ev)
{
    junk *j = SIM_CONTAINER_OF(ev, junk, ev);
    msg *m = msg_get(&j->w->pool);
    assert_non_null(m);
    m->kind = MSG_CLIENT_RESP;
    m->src = 1;
    m->dst = EP_CLIENT;
    m->op = UINT32_MAX; /* no such operation */
    EQ(net_send(&j->w->net, m), 0);
    if (--j->left > 0)
        EQ(sim_schedule(s, &j->ev, s->now + 100000), 0);
}

static void add_junk(world *w, void *ctx)
{
    junk *j = ctx;
    j->w = w;
    if (j->own)
        EQ(net_own_streams(&w->net, MSG_CLIENT_RESP), 0);
    sim_event_init(&j->ev, send_junk);
    EQ(sim_schedule(&w->s, &j->ev, 0), 0);
}

static void net_own_streams_keep_other_draws(void **state)
{
    (void)state;
    static const char *sc = "[run]\nops = 4000\nseed = 9\n[cluster]\nnodes = 3\nreplicas = 3\n"
                            "[quorum]\nr = 2\nw = 2\n[network]\nlatency = exp(1ms)\nloss = 0.05\n[workload]\n"
                            "rate = 2000/s\nkeys = 100\n";
    run_stats base, own, shared;
    tu_run_text(sc, NULL, 0, &base);
    junk j1 = {.own = 1, .left = 5000}, j2 = {.own = 0, .left = 5000};
    tu_run_text_setup(sc, NULL, 0, add_junk, &j1, &own);
    tu_run_text_setup(sc, NULL, 0, add_junk, &j2, &shared);
    const hist *hb = &base.stats->lat[OP_READ][OUT_OK], *ho = &own.stats->lat[OP_READ][OUT_OK],
               *hs = &shared.stats->lat[OP_READ][OUT_OK];
    /* every junk answer was dropped as late, or lost on the way (the workload's own
     * losses are unchanged, so the difference in losses is the junk's) */
    EQ(own.coord->late_replies - base.coord->late_replies, 5000 - (int64_t)(own.net->lost - base.net->lost));
    assert_true(own.net->lost > base.net->lost);
    /* the junk drew from its own streams: every operation's latency is as before */
    EQ(ho->count, hb->count);
    assert_true(ho->sum == hb->sum);
    EQ(hist_quantile(ho, 0.99), hist_quantile(hb, 0.99));
    for (int k = 0; k < MSG_NKINDS; k++)
        if (k != MSG_CLIENT_RESP)
            EQ(own.net->sent[k], base.net->sent[k]);
    /* on the link's own stream the same junk moves other messages' latencies */
    assert_true(hs->sum != hb->sum);
    tu_run_free(&base);
    tu_run_free(&own);
    tu_run_free(&shared);
}

/* ---- belief changes, as listeners hear them ---- */

#define MAXCH 512

typedef struct change {
    int64_t t;
    int obs, nd, up;
} change;

typedef struct recorder {
    world *w;
    change ch[MAXCH];
    int n, overflow;
    const fd_res *res;
    const gossip *g; /* kind = gossip: the detector, during the run */
    /* probes: fd_up of every observer about every node at chosen instants */
    sim_event probe;
    int64_t at[8];
    int nat, next;
    int up[8][17][17];     /* [probe][observer][node] */
    int64_t since[8][17][17];
    uint64_t hb[8][17][17]; /* kind = gossip: heartbeat known */
    /* a direct nodes_recover of a node at an instant (0: none), past the fault timeline */
    sim_event recover;
    int64_t recover_at;
    int recover_node;
} recorder;

static void on_change(void *ctx, int obs, int nd, int up)
{
    recorder *r = ctx;
    if (r->n == MAXCH) {
        r->overflow++;
        return;
    }
    r->ch[r->n++] = (change){r->w->s.now, obs, nd, up};
}

static void on_probe(sim *s, sim_event *ev)
{
    recorder *r = SIM_CONTAINER_OF(ev, recorder, probe);
    int k = r->next++, nodes = r->w->nodes.count;
    for (int o = 0; o <= nodes; o++) {
        for (int j = 1; j <= nodes; j++) {
            r->up[k][o][j] = fd_up(&r->w->fd, o, j, &r->since[k][o][j]);
            if (r->g)
                r->hb[k][o][j] = gossip_heartbeat(r->g, o, j);
        }
    }
    if (r->next < r->nat)
        EQ(sim_schedule(s, &r->probe, r->at[r->next]), 0);
}

static void on_recover(sim *s, sim_event *ev)
{
    (void)s;
    recorder *r = SIM_CONTAINER_OF(ev, recorder, recover);
    nodes_recover(&r->w->nodes, r->recover_node);
}

static void attach_recorder(world *w, void *ctx)
{
    recorder *r = ctx;
    r->w = w;
    if (strcmp(w->fd.kind, "gossip") == 0)
        r->g = w->fd.self;
    fd_listener l = {r, on_change};
    EQ(fd_listen(&w->fd, &l), 0);
    if (r->nat) {
        sim_event_init(&r->probe, on_probe);
        EQ(sim_schedule(&w->s, &r->probe, r->at[0]), 0);
    }
    if (r->recover_at) {
        sim_event_init(&r->recover, on_recover);
        EQ(sim_schedule(&w->s, &r->recover, r->recover_at), 0);
    }
}

static int cmp_change(const void *a, const void *b)
{
    const change *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->obs != y->obs)
        return x->obs - y->obs;
    return x->nd - y->nd;
}

/* Changes at one instant come in the order rounds and events run; compare them sorted. */
static void expect_changes(recorder *r, const change *want, int nwant)
{
    EQ(r->overflow, 0);
    qsort(r->ch, (size_t)r->n, sizeof r->ch[0], cmp_change);
    for (int i = 0; i < r->n && i < nwant; i++) {
        if (cmp_change(&r->ch[i], &want[i]) || r->ch[i].up != want[i].up)
            fail_msg("change %d: got t=%lld obs %d node %d up %d, want t=%lld obs %d node %d up %d", i,
                     (long long)r->ch[i].t, r->ch[i].obs, r->ch[i].nd, r->ch[i].up, (long long)want[i].t, want[i].obs,
                     want[i].nd, want[i].up);
    }
    EQ(r->n, nwant);
}

static void run_recorded(const char *text, const char *const *sets, size_t nsets, recorder *r, run_stats *st)
{
    tu_run_text_setup(text, sets, nsets, attach_recorder, r, st);
    r->res = st->rr.res[MOD_FAILURE_DETECTOR];
}

/* ---- perfect knowledge after a delay ---- */

/* The default: perfect, delay 0. The lost-write story crashes n1 at 12 ms and recovers it at
 * 30 ms: every observer's shared belief changes at those instants, as the simulator always
 * had it. */
static void fd_default_is_perfect_knowledge_at_once(void **state)
{
    (void)state;
    recorder r = {0};
    run_stats st;
    tu_run_file_setup(tu_src("scenarios/w1-lost-write.ini"), NULL, 0, attach_recorder, &r, &st);
    r.res = st.rr.res[MOD_FAILURE_DETECTOR];
    const change want[] = {{12 * MS, 0, 1, 0}, {12 * MS, 1, 1, 0}, {12 * MS, 2, 1, 0}, {12 * MS, 3, 1, 0},
                           {30 * MS, 0, 1, 1}, {30 * MS, 1, 1, 1}, {30 * MS, 2, 1, 1}, {30 * MS, 3, 1, 1}};
    expect_changes(&r, want, 8);
    EQ(r.res->suspicions, 3); /* n2, n3 and the client tier; n1 is down */
    EQ(r.res->false_suspicions, 0);
    EQ(r.res->crashes, 1);
    EQ(r.res->all.n, 1);
    EQ(r.res->all.max, 0);
    EQ(r.res->first.max, 0);
    EQ(r.res->client.max, 0);
    EQ(r.res->rounds + r.res->messages, 0);
    EQ(st.net->sent[MSG_GOSSIP], 0);
    tu_run_free(&st);
}

/* The platform test's detector (tests/test_platform.c, fd_perfect_learns_after_its_delay),
 * built beside the module's: with failure_detector.delay = 5ms both answer alike for every
 * observer and node at every probe. */
typedef struct twin {
    recorder r;
    fd_perfect bare;
    sim_event tick;
    int64_t until;
    int probes, differ;
} twin;

static void twin_tick(sim *s, sim_event *ev)
{
    twin *t = SIM_CONTAINER_OF(ev, twin, tick);
    fd_iface bare = fd_perfect_iface(&t->bare);
    for (int o = 0; o <= 3; o++) {
        for (int j = 1; j <= 3; j++) {
            int64_t s1, s2;
            int u1 = fd_up(&t->r.w->fd, o, j, &s1), u2 = fd_up(&bare, o, j, &s2);
            t->differ += u1 != u2 || s1 != s2;
            t->probes++;
        }
    }
    if (s->now + 250000 <= t->until)
        EQ(sim_schedule(s, &t->tick, s->now + 250000), 0);
}

static void attach_twin(world *w, void *ctx)
{
    twin *t = ctx;
    attach_recorder(w, &t->r);
    EQ(fd_perfect_init(&t->bare, &w->s, &w->nodes, 5 * MS), 0);
    sim_event_init(&t->tick, twin_tick);
    EQ(sim_schedule(&w->s, &t->tick, 0), 0);
}

static void fd_perfect_delay_matches_the_platform_detector(void **state)
{
    (void)state;
    static const char *sc =
        "[cluster]\nnodes = 3\nreplicas = 3\n[network]\nlatency = const(1ms)\n[workload]\nmode = script\nkeys = 1\n"
        "[script]\na = 12ms read k1\nb = 16ms read k1\nc = 32ms read k1\nd = 36ms read k1\n"
        "[failure_detector]\ndelay = 5ms\n"
        "[faults]\ndown = 10ms crash n1\nup = 30ms recover n1\n"
        "blip = 20ms crash n2\nback = 22ms recover n2\n";
    twin t = {.until = 40 * MS};
    run_stats st;
    tu_run_text_setup(sc, NULL, 0, attach_twin, &t, &st);
    t.r.res = st.rr.res[MOD_FAILURE_DETECTOR];
    EQ(t.probes, 161 * 12);
    EQ(t.differ, 0);
    /* n1 down at 10, known at 15; n2 down 20..22, believed down 25..27; n1 up at 30, known at 35 */
    change want[16];
    int k = 0;
    const struct {
        int64_t t;
        int nd, up;
    } ev[] = {{15 * MS, 1, 0}, {25 * MS, 2, 0}, {27 * MS, 2, 1}, {35 * MS, 1, 1}};
    for (int e = 0; e < 4; e++)
        for (int o = 0; o <= 3; o++)
            want[k++] = (change){ev[e].t, o, ev[e].nd, ev[e].up};
    expect_changes(&t.r, want, k);
    /* at 15 ms n2, n3 and the client suspect n1; at 25 ms n3 and the client suspect n2, which
     * is up again (n1 is down, so its belief is not counted) */
    EQ(t.r.res->suspicions, 5);
    EQ(t.r.res->false_suspicions, 2);
    EQ(t.r.res->crashes, 2);
    EQ(t.r.res->all.n, 1); /* n2 recovered before anyone suspected it */
    EQ(t.r.res->all.max, 5 * MS);
    EQ(t.r.res->first.n, 1);
    EQ(t.r.res->client.sum, 5 * MS);
    fd_perfect_fini(&t.bare);
    tu_run_free(&st);
}

/* ---- the client coordinator's timeouts ---- */

/* Reads at R = 1 to all three owners, 1 ms from the client, except n2, 10 ms away: n1
 * answers at start + 2 ms; the operation then waits grace = 5 ms for the rest and retires
 * at start + 7 ms, before n2's reply (start + 20 ms). n3 is down from 5 ms to 150 ms. With
 * misses = 2 and down_for = 50 ms:
 *   a 10 ms, retired 17: n2 and n3 miss once;  b 20 ms, retired 27: twice, believed down
 *   c 30 ms: both believed down, not counted;   77: both believed up again
 *   d 100, e 110: down at 117, up at 167;        f 200: n3 (recovered at 150) answers. */
static const char *timeouts =
    "[cluster]\nnodes = 3\nreplicas = 3\n[quorum]\nr = 1\nw = 1\nread_fanout = all\ntimeout = 100ms\n"
    "[network]\nlatency = const(1ms)\n[links]\nclient-n2 = const(10ms)\n[workload]\nmode = script\nkeys = 1\n"
    "[failure_detector]\nkind = timeout\nmisses = 2\ndown_for = 50ms\ngrace = 5ms\n"
    "[faults]\nc = 5ms crash n3\nr = 150ms recover n3\n"
    "[script]\na = 10ms read k1\nb = 20ms read k1\nc = 30ms read k1\nd = 100ms read k1\ne = 110ms read k1\n"
    "f = 200ms read k1\n";

static void fd_timeout_story(void **state)
{
    (void)state;
    recorder r = {.at = {40 * MS, 120 * MS}, .nat = 2};
    run_stats st;
    run_recorded(timeouts, NULL, 0, &r, &st);
    const change want[] = {{27 * MS, 0, 2, 0},  {27 * MS, 0, 3, 0},  {77 * MS, 0, 2, 1},  {77 * MS, 0, 3, 1},
                           {117 * MS, 0, 2, 0}, {117 * MS, 0, 3, 0}, {167 * MS, 0, 2, 1}, {167 * MS, 0, 3, 1}};
    expect_changes(&r, want, 8); /* only the client tier coordinates: the nodes' views never change */
    EQ(r.up[0][0][2], 0);
    EQ(r.since[0][0][2], 27 * MS);
    EQ(r.up[0][0][1], 1);
    EQ(r.since[0][0][1], 0);
    EQ(r.up[1][0][3], 0);
    EQ(r.since[1][0][3], 117 * MS);
    EQ(r.up[1][1][3], 1); /* n1 coordinates nothing: it believes n3 up all along */
    EQ(r.res->suspicions, 4);
    EQ(r.res->false_suspicions, 2); /* n2 was up: its replies were only slow */
    EQ(r.res->crashes, 1);
    EQ(r.res->client.n, 1);
    EQ(r.res->client.max, 22 * MS);   /* crashed at 5, suspected at 27 */
    EQ(r.res->all.n + r.res->first.n, 0); /* no node ever suspects */
    EQ(st.wl->script[5].ok, 1);
    tu_run_free(&st);
}

/* Each timeout key changes what happens: a longer grace hears n2's replies; three misses
 * need the third read; a longer down_for holds the belief. */
static void fd_timeout_keys_change_the_story(void **state)
{
    (void)state;
    recorder r = {0};
    run_stats st;
    const char *grace[] = {"failure_detector.grace=30ms"};
    run_recorded(timeouts, grace, 1, &r, &st);
    /* operations now retire at start + 32 ms (n2 answered at + 20): a 42, b 52: n3 down
     * until 102; c 62 not counted; d 132, e 142: down until 192 */
    const change g[] = {{52 * MS, 0, 3, 0}, {102 * MS, 0, 3, 1}, {142 * MS, 0, 3, 0}, {192 * MS, 0, 3, 1}};
    expect_changes(&r, g, 4);
    tu_run_free(&st);
    memset(&r, 0, sizeof r);
    const char *three[] = {"failure_detector.misses=3", "failure_detector.grace=30ms"};
    run_recorded(timeouts, three, 2, &r, &st);
    /* a 42, b 52, c 62: down until 112; d 132, e 142: two misses, then f is answered */
    const change m[] = {{62 * MS, 0, 3, 0}, {112 * MS, 0, 3, 1}};
    expect_changes(&r, m, 2);
    tu_run_free(&st);
    memset(&r, 0, sizeof r);
    const char *longer[] = {"failure_detector.down_for=100ms", "failure_detector.grace=30ms"};
    run_recorded(timeouts, longer, 2, &r, &st);
    /* down 52..152; c, d and e retire while n3 is believed down and are not counted */
    const change l[] = {{52 * MS, 0, 3, 0}, {152 * MS, 0, 3, 1}};
    expect_changes(&r, l, 2);
    tu_run_free(&st);
}

/* With node coordinators each node forms its own view from the operations it coordinates,
 * and the client tier, which coordinates nothing, believes every node up. */
/* Reads to all three owners every 10 ms from 10 ms, each coordinated by a random node (n3,
 * down from 5 ms, loses those it is sent); extra: what else to add to [faults]. */
static void any_coordinator(char *text, size_t n, const char *extra)
{
    static const char *sc =
        "[cluster]\nnodes = 3\nreplicas = 3\ncoordinator = any\n[quorum]\nr = 1\nw = 1\nread_fanout = all\n"
        "[network]\nlatency = const(1ms)\n[workload]\nmode = script\nkeys = 1\n"
        "[failure_detector]\nkind = timeout\nmisses = 2\ndown_for = 1s\ngrace = 5ms\n"
        "[script]\n";
    size_t len = (size_t)snprintf(text, n, "%s", sc);
    for (int i = 0; i < 20; i++)
        len += (size_t)snprintf(text + len, n - len, "r%d = %dms read k1\n", i, 10 + 10 * i);
    snprintf(text + len, n - len, "[faults]\nc = 5ms crash n3\n%s", extra);
}

static void fd_timeout_views_belong_to_coordinators(void **state)
{
    (void)state;
    char text[2048];
    any_coordinator(text, sizeof text, "");
    recorder r = {.at = {300 * MS}, .nat = 1};
    run_stats st;
    run_recorded(text, NULL, 0, &r, &st);
    EQ(r.overflow, 0);
    int64_t down[3] = {-1, -1, -1};
    EQ(r.n, 4); /* each node coordinated enough reads to suspect n3, then down_for ran out */
    for (int i = 0; i < r.n; i++) {
        const change *c = &r.ch[i];
        assert_true(c->obs == 1 || c->obs == 2);
        EQ(c->nd, 3);
        if (!c->up)
            down[c->obs] = c->t;
        else
            EQ(c->t, down[c->obs] + 1000 * MS);
    }
    assert_true(down[1] > 0 && down[2] > 0);
    EQ(r.up[0][1][3] + r.up[0][2][3], 0);
    EQ(r.up[0][EP_CLIENT][3], 1);
    EQ(r.res->all.n, 1);       /* n1 and n2, the live nodes, both came to suspect n3 */
    EQ(r.res->client.n, 0);
    tu_run_free(&st);
}

/* ---- gossip stories: constant latencies, rounds in lockstep every 100 ms ---- */

/* Four nodes 1 ms apart, the client tier 5 ms from each; fanout 3, so every node pushes to
 * every node it believes up and no choice is left to chance. Messages from n4 to n1 are
 * cut from the start: n1 hears n4's heartbeat only through n2 and n3, one round late. In
 * round k (at k * 100 ms) each node's counter becomes k; n2 and n3 receive n4's k at
 * k * 100 + 1, n1 receives it at (k + 1) * 100 + 1. n4 crashes at 250 ms, after round 2:
 *   n2, n3: last growth at 201, suspect at the first round at least 300 ms later: 600
 *   n1:     last growth at 301 (relayed in round 3): suspects at 700
 *   client: pulls in round 2 reach the nodes at 205 and bring n4's 2 back at 210 (any three
 *           of the four nodes include one that has it): suspects at 600
 * n4 recovers at 1000 ms with generation 2 and counter 0 and resumes in round 11 (1100):
 * n2, n3 believe it up at 1101, n1 at 1201 (relayed in round 12), and the client at 1110:
 * its pulls of round 11 reach n2 and n3 at 1105, after they heard. */
static const char *story =
    "[cluster]\nnodes = 4\nreplicas = 3\n[network]\nlatency = const(1ms)\n"
    "[links]\nclient-n1 = const(5ms)\nclient-n2 = const(5ms)\nclient-n3 = const(5ms)\nclient-n4 = const(5ms)\n"
    "[workload]\nmode = script\nkeys = 1\n[script]\nr = 20ms read k1\n"
    "[failure_detector]\nkind = gossip\nfanout = 3\ninterval = 100ms\nsuspect_after = 300ms\nrounds = lockstep\n";

static void gossip_story_crash_and_new_generation(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s[faults]\ncut = 0ms partition n4 > n1\nc = 250ms crash n4\nup = 1000ms recover n4\n",
             story);
    recorder r = {.at = {650 * MS, 1350 * MS}, .nat = 2};
    run_stats st;
    run_recorded(text, NULL, 0, &r, &st);
    const change want[] = {{600 * MS, 0, 4, 0},  {600 * MS, 2, 4, 0},  {600 * MS, 3, 4, 0}, {700 * MS, 1, 4, 0},
                           {1101 * MS, 2, 4, 1}, {1101 * MS, 3, 4, 1}, {1110 * MS, 0, 4, 1}, {1201 * MS, 1, 4, 1}};
    expect_changes(&r, want, 8);
    /* at 650 ms: n1 still believes n4 up, since 0; n2 suspects it since 600 */
    EQ(r.up[0][1][4], 1);
    EQ(r.since[0][1][4], 0);
    EQ(r.up[0][2][4], 0);
    EQ(r.since[0][2][4], 600 * MS);
    EQ(r.hb[0][2][4], (UINT64_C(1) << 32) | 2); /* generation 1, counter 2 */
    EQ(r.hb[0][1][4], (UINT64_C(1) << 32) | 2); /* relayed at 301 */
    EQ(r.hb[0][1][2], (UINT64_C(1) << 32) | 6); /* round 6 at 600, heard at 601 */
    /* at 1350 ms: n4's second generation, counter 3 (rounds 11, 12, 13), known to all */
    for (int o = 0; o <= 3; o++)
        EQ(r.hb[1][o][4] >> 32, 2);
    EQ(r.hb[1][2][4] & 0xffffffffu, 3);
    EQ(r.hb[1][1][4] & 0xffffffffu, 2);
    EQ(r.res->crashes, 1);
    EQ(r.res->suspicions, 4);
    EQ(r.res->false_suspicions, 0);
    EQ(r.res->first.max, 350 * MS);
    EQ(r.res->all.max, 450 * MS);
    EQ(r.res->client.max, 350 * MS);
    EQ(r.res->messages, st.net->sent[MSG_GOSSIP]);
    assert_true(st.net->cut > 0);
    tu_run_free(&st);
}

/* A "recover" of a node that never crashed restarts nothing. The fault timeline refuses one
 * at load time (models/fault.c); the platform ignores one made directly (nodes_recover of a
 * running node tells no listener), so no detector sees it: no new generation, no change of
 * belief, and its rounds go on once each interval. */
static void gossip_recover_of_a_running_node_changes_nothing(void **state)
{
    (void)state;
    char text[2048], errs[512];
    snprintf(text, sizeof text, "%s[faults]\nr = 450ms recover n2\n", story);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    assert_non_null(strstr(errs, "this recovery would do nothing"));
    recorder r = {.at = {650 * MS}, .nat = 1, .recover_at = 450 * MS, .recover_node = 2};
    run_stats st;
    run_recorded(story, NULL, 0, &r, &st);
    EQ(r.n, 0);
    EQ(r.hb[0][2][2], (UINT64_C(1) << 32) | 6);
    EQ(r.hb[0][1][2], (UINT64_C(1) << 32) | 6);
    EQ(r.res->rounds % 4, 0); /* every node ran the same rounds */
    tu_run_free(&st);
    /* the timeout detector: n1, which never crashed, keeps its view (n3 down until 1 s after
     * it suspected it) through a "recover" at 500 ms */
    memset(&r, 0, sizeof r);
    r.recover_at = 500 * MS;
    r.recover_node = 1;
    any_coordinator(text, sizeof text, "");
    run_recorded(text, NULL, 0, &r, &st);
    int64_t n1_down = -1, n1_up = -1;
    for (int i = 0; i < r.n; i++) {
        if (r.ch[i].obs == 1 && r.ch[i].nd == 3)
            *(r.ch[i].up ? &n1_up : &n1_down) = r.ch[i].t;
    }
    assert_true(n1_down > 0 && n1_down < 500 * MS);
    EQ(n1_up, n1_down + 1000 * MS);
    tu_run_free(&st);
}

/* A partition of {n1, n2, client} from {n3, n4} at 1 s, healed at 3 s. The fault runs
 * before the rounds at 1000 ms, so the last messages across are round 9's, heard at 901
 * (the client's answers at 910): every side suspects the other side's nodes at 1300 and
 * still believes its own members up. Suspecting u nodes and believing l up, a node also
 * sends to a suspected one with probability u / (l + 1) = 1: right after the heal every
 * node's round-30 message crosses. A node that hears from across at 3001 learns both
 * nodes there (their tables travel together); one that does not hears them from its
 * partner in round 31, at 3101; the client asks n1 and n2, one of which heard at 3001. */
static void gossip_partition_each_side_suspects_the_other(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s[faults]\np = 1000ms partition n1,n2,client | n3,n4\nh = 3000ms heal\n", story);
    recorder r = {.at = {2000 * MS, 3200 * MS}, .nat = 2};
    run_stats st;
    run_recorded(text, NULL, 0, &r, &st);
    EQ(r.overflow, 0);
    int downs = 0;
    for (int i = 0; i < r.n; i++) {
        const change *c = &r.ch[i];
        int near = c->obs <= 2, across = c->nd >= 3;
        EQ(near, across); /* only the other side is ever suspected */
        if (!c->up) {
            EQ(c->t, 1300 * MS);
            downs++;
        } else if (c->obs == EP_CLIENT) {
            EQ(c->t, 3010 * MS);
        } else {
            assert_true(c->t == 3001 * MS || c->t == 3101 * MS);
        }
    }
    EQ(downs, 10); /* n1, n2 and the client suspect n3, n4; n3, n4 suspect n1, n2 */
    EQ(r.n, 20);
    for (int o = 0; o <= 4; o++) {
        for (int j = 1; j <= 4; j++) {
            if (o == j)
                continue;
            int same_side = (o <= 2) == (j <= 2);
            EQ(r.up[0][o][j], same_side);
            EQ(r.up[1][o][j], 1);
        }
    }
    EQ(r.since[0][3][4], 0); /* n3 has believed n4 up all along */
    EQ(r.since[0][1][3], 1300 * MS);
    EQ(r.res->suspicions, 10);
    EQ(r.res->false_suspicions, 10);
    EQ(r.res->crashes, 0);
    tu_run_free(&st);
}

/* Phi accrual with exact arrivals. Three nodes, fanout 2, n3's counter k heard at k * 100 + 1
 * by n1 and n2 (the client, 5 ms away, at k * 100 + 10). n3 crashes at 1050 ms. n1's mean
 * for n3: the seed 200 ms, the first growth 101 ms after time 0, then 9 of 100 ms: 1201 / 11
 * = 109.18 ms. phi = t / (mean ln 10) passes 1 at t > 251.4 ms: checked in rounds, the last
 * growth at 1001, 1300 is the first round (299 ms); passing 2 takes t > 502.8 ms: 1600. The
 * client's mean is 1210 / 11 = 110 ms (growths at 110, 210, ...): 1300 and 1600 as well.
 * Without phi, the default suspect_after (5 s) waits until 6100. */
static void gossip_phi_accrual_story(void **state)
{
    (void)state;
    static const char *sc =
        "[cluster]\nnodes = 3\nreplicas = 3\n[network]\nlatency = const(1ms)\n"
        "[links]\nclient-n1 = const(5ms)\nclient-n2 = const(5ms)\nclient-n3 = const(5ms)\n"
        "[workload]\nmode = script\nkeys = 1\n[script]\nr = 20ms read k1\n"
        "[faults]\nc = 1050ms crash n3\n"
        "[failure_detector]\nkind = gossip\nfanout = 2\ninterval = 100ms\nrounds = lockstep\n";
    const struct {
        const char *set;
        int64_t at;
    } cases[] = {{"failure_detector.phi=1", 1300 * MS}, {"failure_detector.phi=2", 1600 * MS},
                 {"failure_detector.phi=0", 6100 * MS}};
    for (int c = 0; c < 3; c++) {
        recorder r = {0};
        run_stats st;
        const char *sets[] = {cases[c].set};
        run_recorded(sc, sets, 1, &r, &st);
        const change want[] = {{cases[c].at, 0, 3, 0}, {cases[c].at, 1, 3, 0}, {cases[c].at, 2, 3, 0}};
        expect_changes(&r, want, 3);
        EQ(r.res->all.max, cases[c].at - 1050 * MS);
        tu_run_free(&st);
    }
}

/* rounds = staggered: each endpoint's rounds start at its own random phase, so the nodes
 * suspect a crashed node at different instants. Its last round came in the interval before
 * the crash and was heard 1 ms later, and suspicion comes at the observer's first round at
 * least suspect_after after that: between crash - interval + 1 ms + suspect_after and
 * crash + 1 ms + suspect_after + interval. In lockstep all at once. */
static void gossip_staggered_rounds_spread_suspicions(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s[faults]\nc = 1000ms crash n4\n", story);
    for (int lock = 0; lock < 2; lock++) {
        recorder r = {0};
        run_stats st;
        const char *sets[] = {lock ? "failure_detector.rounds=lockstep" : "failure_detector.rounds=staggered"};
        run_recorded(text, sets, 1, &r, &st);
        int64_t t[4] = {0};
        for (int i = 0; i < r.n; i++) {
            const change *c = &r.ch[i];
            EQ(c->nd, 4);
            EQ(c->up, 0);
            if (c->obs >= 1)
                t[c->obs] = c->t;
        }
        EQ(r.n, 4);
        for (int o = 1; o <= 3; o++) {
            assert_true(t[o] >= 1000 * MS - 99 * MS + 300 * MS);
            assert_true(t[o] < 1000 * MS + 1 * MS + 300 * MS + 100 * MS);
        }
        int distinct = t[1] != t[2] && t[2] != t[3] && t[1] != t[3];
        EQ(distinct, !lock);
        if (lock)
            EQ(t[1], 1300 * MS); /* the crash runs before the round at 1000: last heard at 901 */
        tu_run_free(&st);
    }
}

/* Rounds and messages, exactly: with nothing to suspect every node round pushes fanout
 * messages and every client round pulls fanout answers. The script's read ends at about
 * 1002 ms; from the round at 1100 nothing but gossip is pending, and gossip stops one
 * suspicion horizon (1 s) later, at 2100: rounds 1 to 20 ran. */
static void gossip_sends_fanout_messages_per_round(void **state)
{
    (void)state;
    static const char *sc =
        "[cluster]\nnodes = 4\nreplicas = 3\n[network]\nlatency = const(1ms)\n[workload]\nmode = script\nkeys = 1\n"
        "[script]\nr = 1000ms read k1\n[failure_detector]\nkind = gossip\ninterval = 100ms\n"
        "suspect_after = 1s\nrounds = lockstep\n";
    for (int f = 1; f <= 3; f++) {
        char set[64];
        snprintf(set, sizeof set, "failure_detector.fanout=%d", f);
        const char *sets[] = {set};
        run_stats st;
        tu_run_text(sc, sets, 1, &st);
        const fd_res *res = st.rr.res[MOD_FAILURE_DETECTOR];
        EQ(res->suspicions, 0);
        EQ(res->rounds, 20 * 4);
        EQ(res->messages, 20 * 4 * f + 20 * f * 2);
        EQ(st.net->sent[MSG_GOSSIP], res->messages);
        EQ(st.run->end_time, 2100 * MS);
        tu_run_free(&st);
    }
    /* every 200 ms: the read is in flight at the round at 1000 (it was scheduled first), idle
     * from 1200, stopped at 2200: rounds 1 to 10 */
    const char *slow[] = {"failure_detector.fanout=2", "failure_detector.interval=200ms"};
    run_stats st;
    tu_run_text(sc, slow, 2, &st);
    const fd_res *res = st.rr.res[MOD_FAILURE_DETECTOR];
    EQ(res->rounds, 10 * 4);
    EQ(res->messages, 10 * 4 * 2 + 10 * 2 * 2);
    EQ(st.run->end_time, 2200 * MS);
    tu_run_free(&st);
}

/* ---- gossip: costs and common random numbers ---- */

/* Once the table slab covers the snapshots in flight nothing is allocated: from 2 s to 9 s of
 * a 12-node gossip with loss and random latencies (and a workload), the next allocation is
 * made to fail; the run must not notice, and the countdown must still be armed at 9 s. */
typedef struct armed {
    sim_event on, off;
    int still_armed;
} armed;

static void arm(sim *s, sim_event *ev)
{
    (void)s;
    (void)ev;
    mem_fail_at(1);
}

static void disarm(sim *s, sim_event *ev)
{
    (void)s;
    armed *a = SIM_CONTAINER_OF(ev, armed, off);
    void *p = mem_alloc(1); /* the first allocation since arming: it fails if none came before */
    a->still_armed = p == NULL;
    mem_free(p);
    mem_fail_at(0);
}

static void attach_armed(world *w, void *ctx)
{
    armed *a = ctx;
    sim_event_init(&a->on, arm);
    sim_event_init(&a->off, disarm);
    EQ(sim_schedule(&w->s, &a->on, 2000 * MS), 0);
    EQ(sim_schedule(&w->s, &a->off, 9000 * MS), 0);
}

static void gossip_allocates_nothing_per_message(void **state)
{
    (void)state;
    static const char *sc =
        "[run]\nduration = 10s\nseed = 4\n[cluster]\nnodes = 12\nreplicas = 3\n[network]\nlatency = exp(2ms)\n"
        "loss = 0.1\n[workload]\nrate = 50/s\nkeys = 20\n[failure_detector]\nkind = gossip\nfanout = 3\n"
        "interval = 50ms\nsuspect_after = 1s\n[faults]\nc = 3s crash n5\nr = 6s recover n5\n";
    armed a = {0};
    run_stats st;
    tu_run_text_setup(sc, NULL, 0, attach_armed, &a, &st);
    EQ(a.still_armed, 1);
    const fd_res *res = st.rr.res[MOD_FAILURE_DETECTOR];
    assert_true(res->messages > 5000);
    EQ(res->crashes, 1);
    EQ(res->all.n, 1);
    tu_run_free(&st);
}

/* Turning gossip on changes no other random draw: the workload, its messages' latencies and
 * losses, and therefore every operation's latency and outcome stay as they were, with node
 * coordinators (so gossip shares every link with requests) and loss. */
static void gossip_keeps_common_random_numbers(void **state)
{
    (void)state;
    static const char *sc =
        "[run]\nops = 20000\nseed = 11\n[cluster]\nnodes = 6\nreplicas = 3\ncoordinator = any\n[quorum]\n"
        "r = 2\nw = 2\ntimeout = 50ms\n[network]\nlatency = exp(1ms)\nloss = 0.02\n[node]\nread_service = exp(0.1ms)\n"
        "concurrency = 2\n[workload]\nrate = 5000/s\nkeys = 500\nread_ratio = 0.7\n"
        "[faults]\nc = 1s crash n2\nr = 2s recover n2\n";
    run_stats base, gsp;
    tu_run_text(sc, NULL, 0, &base);
    const char *sets[] = {"failure_detector.kind=gossip", "failure_detector.interval=2ms", "failure_detector.fanout=2"};
    tu_run_text(sc, sets, 3, &gsp);
    const fd_res *res = gsp.rr.res[MOD_FAILURE_DETECTOR];
    assert_true(res->messages > 10000);
    for (int k = 0; k < 2; k++) {
        for (int o = 0; o < 2; o++) {
            const hist *a = &base.stats->lat[k][o], *b = &gsp.stats->lat[k][o];
            EQ(b->count, a->count);
            assert_true(b->sum == a->sum);
            EQ(hist_quantile(b, 0.999), hist_quantile(a, 0.999));
        }
        EQ(gsp.stats->unavailable[k], base.stats->unavailable[k]);
    }
    EQ(gsp.stats->stale, base.stats->stale);
    for (int k = 0; k < MSG_NKINDS; k++)
        if (k != MSG_GOSSIP)
            EQ(gsp.net->sent[k], base.net->sent[k]);
    EQ(gsp.nodes->to_down - base.nodes->to_down > 0, 1); /* gossip to the crashed node was lost */
    tu_run_free(&base);
    tu_run_free(&gsp);
}

/* What is left of a mem_fail_at(k) countdown: 0 when the k-th allocation was reached. */
static long countdown_left(long k)
{
    for (long i = 1; i <= k + 1; i++) {
        void *p = mem_alloc(1);
        if (!p)
            return i;
        mem_free(p);
    }
    return 0;
}

/* Every allocation of building and running a world with each kind may fail: the world is
 * then torn down without a leak. */
static void fd_every_allocation_failure_is_clean(void **state)
{
    (void)state;
    static const char *sc =
        "[run]\nops = 40\n[cluster]\nnodes = 5\nreplicas = 3\n[network]\nlatency = exp(1ms)\nloss = 0.1\n"
        "[workload]\nrate = 100/s\nkeys = 10\n[failure_detector]\ninterval = 20ms\nsuspect_after = 100ms\n"
        "delay = 10ms\nmisses = 2\n[faults]\nc = 100ms crash n2\nr = 200ms recover n2\n";
    const char *kinds[] = {"failure_detector.kind=perfect", "failure_detector.kind=gossip",
                           "failure_detector.kind=timeout"};
    char path[64] = "/tmp/qsim-test-fd-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    EQ(write(fd, sc, strlen(sc)), (int64_t)strlen(sc));
    close(fd);
    for (int kd = 0; kd < 3; kd++) {
        cfg *c;
        EQ(cfg_create(&c), 0);
        cfg_load(c, path);
        cfg_add_arg(c, "--set", kinds[kd]);
        scenario sc0;
        scenario_build(c, &sc0);
        EQ(cfg_nerrors(c), 0);
        long base = mem_live();
        long k;
        for (k = 1; k < 100000; k++) {
            run_result rr;
            EQ(run_result_init(&rr), 0);
            mem_fail_at(k);
            world *w = NULL;
            char err[256];
            int rc = world_create(&sc0, 0, NULL, &rr, &w, err, sizeof err);
            int ran = -1;
            if (rc == 0) {
                ran = world_run(w, err, sizeof err);
                world_destroy(w);
            } else {
                EQ(rc, -ENOMEM);
            }
            long left = countdown_left(k);
            mem_fail_at(0);
            run_result_free(&rr);
            EQ(mem_live(), base);
            if (left > 0) {
                EQ(ran, 0); /* the countdown outlived the run: every allocation was tried */
                break;
            }
        }
        assert_true(k > 10);
        scenario_free(&sc0);
        cfg_destroy(c);
    }
    unlink(path);
}

/* ---- dissemination: rounds from the first suspicion to the last, against the epidemic
 * estimate ----
 *
 * The model (scenarios/gossip.ini, with a workload beside it that shares no random stream
 * with gossip). 12 nodes, fanout 3, rounds in lockstep every 100 ms, latency 1 ms: a message
 * sent in round k arrives before round k + 1, so a round means: every live node pushes its
 * table as it stands to 3 distinct peers drawn among the 11 it believes up (the crashed node
 * among them until it is suspected), and what a node received in round k it passes on in
 * round k + 1. n1 crashes at 1000.5 ms, just after its round 10. A warm-up is needed: had it
 * crashed at 0, before ever gossiping, every node would have heard from it last at time 0
 * and would suspect it in the same round, which says nothing about dissemination. After
 * round 10, its last heartbeat h is a rumour held by the 3 peers it pushed to ("round 0").
 * A node's last heartbeat growth from n1 is the arrival of h (1 ms after the round in which
 * it was pushed to it), so with suspect_after = 10 intervals it suspects n1 exactly 11
 * rounds after that round. The first suspicions are the 3 first holders'; the rounds from
 * the first suspicion to the last are the rounds h takes to reach all 11 live nodes.
 *
 * The estimate. In push gossip each holder tells fanout f others per round, so h reaches
 * about f^r nodes after r rounds and everyone after about log_f n rounds: log_3 12 = 2.26.
 * It is approximate: holders keep pushing (early growth is nearer (1 + f)^r), pushes land on
 * holders and on the crashed node, the last few nodes are found only by chance (each round
 * misses a given node with probability (1 - f / 11)^holders, a coupon-collector tail of
 * about ln n / f rounds), and rounds are whole. For n = 12, f = 3 these nearly cancel: an
 * independent Monte Carlo of the model above (below, 100000 trials) gives 2.265; for
 * n = 100 it gives about 4.9 rounds where log_3 100 = 4.19, nearer log_4 n + ln n / 3.
 *
 * The tolerance. Over N = 1000 seeds the mean has standard error sd / sqrt(N), about 0.015
 * rounds (sd about 0.48); the measured mean must be within 3 standard errors of log_3 12,
 * and within 4 combined standard errors of the Monte Carlo's mean. */
static int push_model_rounds(uint64_t *rs, int n, int f)
{
    int informed[16] = {0}, peers[16], count = 0, r = 0;
    /* node 0 crashed after pushing to f of its n - 1 peers */
    for (int i = 1; i < n; i++)
        peers[i - 1] = i;
    for (int i = 0; i < f; i++) {
        int j = i + (int)(tu_xorshift(rs) % (uint64_t)(n - 1 - i)), t = peers[i];
        peers[i] = peers[j];
        peers[j] = t;
        informed[peers[i]] = 1;
        count++;
    }
    while (count < n - 1) {
        r++;
        int next[16];
        memcpy(next, informed, sizeof next);
        for (int a = 1; a < n; a++) {
            if (!informed[a])
                continue;
            int k = 0;
            for (int p = 0; p < n; p++)
                if (p != a)
                    peers[k++] = p;
            for (int i = 0; i < f; i++) {
                int j = i + (int)(tu_xorshift(rs) % (uint64_t)(k - i)), t = peers[i];
                peers[i] = peers[j];
                peers[j] = t;
                if (peers[i] != 0)
                    next[peers[i]] = 1;
            }
        }
        memcpy(informed, next, sizeof next);
        count = 0;
        for (int i = 1; i < n; i++)
            count += informed[i];
    }
    return r;
}

static void gossip_dissemination_matches_the_epidemic_estimate(void **state)
{
    (void)state;
    const int seeds = 1000, n = 12, f = 3;
    double sum = 0, sum2 = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        char set[64];
        snprintf(set, sizeof set, "run.seed=%d", seed);
        const char *sets[] = {set};
        run_stats st;
        tu_run_file(tu_src("scenarios/gossip.ini"), sets, 1, &st);
        const fd_res *res = st.rr.res[MOD_FAILURE_DETECTOR];
        EQ(res->false_suspicions, 0);
        EQ(res->all.n, 1);
        EQ(res->first.max, 2100 * MS - 1000500000); /* round 21: 11 rounds after round 10 */
        int64_t spread = res->all.max - res->first.max;
        EQ(spread % (100 * MS), 0);
        double rounds = (double)spread / (double)(100 * MS);
        sum += rounds;
        sum2 += rounds * rounds;
        tu_run_free(&st);
    }
    double mean = sum / seeds, sd = sqrt((sum2 - sum * sum / seeds) / (seeds - 1)), se = sd / sqrt(seeds);
    uint64_t rs = 0x9e3779b97f4a7c15u;
    const int trials = 100000;
    double msum = 0, msum2 = 0;
    for (int i = 0; i < trials; i++) {
        int r = push_model_rounds(&rs, n, f);
        msum += r;
        msum2 += (double)r * r;
    }
    double mmean = msum / trials, mse = sqrt((msum2 - msum * msum / trials) / (trials - 1)) / sqrt(trials);
    double estimate = log((double)n) / log((double)f);
    printf("dissemination: %.3f rounds (95%% CI %.3f..%.3f, sd %.3f, %d seeds); model %.3f; log_%d %d = %.3f\n", mean,
           mean - 1.96 * se, mean + 1.96 * se, sd, seeds, mmean, f, n, estimate);
    NEAR(mean, estimate, 3 * se);
    NEAR(mean, mmean, 4 * sqrt(se * se + mse * mse));
}

/* ---- the keys ---- */

static void fd_keys_of_another_kind_are_errors(void **state)
{
    (void)state;
    char errs[4096];
    static const char *base = "[run]\nops = 10\n[cluster]\nnodes = 4\nreplicas = 3\n[failure_detector]\n";
    char text[512];
    snprintf(text, sizeof text, "%skind = perfect\nfanout = 3\nmisses = 2\n", base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 2);
    HAS(errs, ":8: failure_detector.fanout = 3: applies to kind = gossip only (kind is perfect)");
    HAS(errs, ":9: failure_detector.misses = 2: applies to kind = timeout only (kind is perfect)");
    snprintf(text, sizeof text, "%skind = gossip\ndelay = 5ms\n", base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    HAS(errs, "failure_detector.delay = 5ms: applies to kind = perfect only (kind is gossip)");
    /* kind from the command line: a sweep across kinds keeps the file's other settings */
    snprintf(text, sizeof text, "%sfanout = 3\ndelay = 5ms\n", base);
    const char *sets[] = {"failure_detector.kind=timeout"};
    EQ(tu_check_text(text, sets, 1, errs, sizeof errs), 0);
    snprintf(text, sizeof text, "%skind = gossip\nphi = 8\nsuspect_after = 2s\nfanout = 4\n", base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 2);
    HAS(errs, "failure_detector.phi = 8: phi and suspect_after are alternatives: set one of them");
    HAS(errs, "failure_detector.fanout = 4: must be at most cluster.nodes - 1 (3)");
    snprintf(text, sizeof text, "%skind = gossip\ninterval = 0\nfanout = 0\nphi = -1\n", base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 3);
    HAS(errs, ":8: failure_detector.interval = 0: out of range");
    HAS(errs, ":9: failure_detector.fanout = 0: out of range");
    HAS(errs, ":10: failure_detector.phi = -1: out of range");
    snprintf(text, sizeof text, "%skind = timeout\nmisses = 0\ndown_for = 0\ndelay = -1ms\n", base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 4);
    HAS(errs, ":8: failure_detector.misses = 0: out of range");
    HAS(errs, ":9: failure_detector.down_for = 0: out of range");
    HAS(errs, ":10: failure_detector.delay = -1ms: out of range");
    HAS(errs, ":10: failure_detector.delay = -1ms: applies to kind = perfect only");
    snprintf(text, sizeof text, "%skind = gossipy\n", base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    HAS(errs, "failure_detector.kind = gossipy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_release_hook_runs_for_its_kind_only),
        cmocka_unit_test(pool_release_hook_sees_lost_cut_and_handled_messages),
        cmocka_unit_test(net_own_streams_keep_other_draws),
        cmocka_unit_test(fd_default_is_perfect_knowledge_at_once),
        cmocka_unit_test(fd_perfect_delay_matches_the_platform_detector),
        cmocka_unit_test(fd_keys_of_another_kind_are_errors),
        cmocka_unit_test(fd_timeout_story),
        cmocka_unit_test(fd_timeout_keys_change_the_story),
        cmocka_unit_test(fd_timeout_views_belong_to_coordinators),
        cmocka_unit_test(gossip_story_crash_and_new_generation),
        cmocka_unit_test(gossip_recover_of_a_running_node_changes_nothing),
        cmocka_unit_test(gossip_partition_each_side_suspects_the_other),
        cmocka_unit_test(gossip_phi_accrual_story),
        cmocka_unit_test(gossip_staggered_rounds_spread_suspicions),
        cmocka_unit_test(gossip_sends_fanout_messages_per_round),
        cmocka_unit_test(gossip_allocates_nothing_per_message),
        cmocka_unit_test(gossip_keeps_common_random_numbers),
        cmocka_unit_test(fd_every_allocation_failure_is_clean),
        cmocka_unit_test(gossip_dissemination_matches_the_epidemic_estimate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
