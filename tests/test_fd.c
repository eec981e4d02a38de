/* Failure detection (docs/design.md section 1b, "Membership and liveness"): the platform
 * hooks gossip relies on (message release, a kind's own random streams). */
#include <stdio.h>
#include <string.h>
#include "models/world.h"
#include "sim/alloc.h"
#include "tests/testutil.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_release_hook_runs_for_its_kind_only),
        cmocka_unit_test(pool_release_hook_sees_lost_cut_and_handled_messages),
        cmocka_unit_test(net_own_streams_keep_other_draws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
