/* The store's mechanisms one at a time, with exact timings: ring placement, replica
 * storage, service queues, slowdown, coordinator placement, partitions, link changes,
 * loss, warm-up and the workload's common random numbers. */
#include <stdio.h>
#include <string.h>
#include "models/net.h"
#include "models/ring.h"
#include "models/stats.h"
#include "models/store.h"
#include "sim/alloc.h"
#include "tests/testutil.h"

static const script_result *res(const run_stats *st, const char *name)
{
    for (size_t i = 0; i < st->wl->nscript; i++)
        if (strcmp(st->wl->script[i].name, name) == 0)
            return &st->wl->script[i];
    fail_msg("no script entry %s", name);
    return NULL;
}

static int64_t took(const run_stats *st, const char *name)
{
    const script_result *r = res(st, name);
    return r->end - r->start;
}

static void ring_preference_lists_hold_distinct_owners(void **state)
{
    (void)state;
    ring *r, *again;
    assert_int_equal(ring_create(10, 16, 3, 5000, &r), 0);
    assert_int_equal(ring_create(10, 16, 3, 5000, &again), 0);
    int first[11] = {0};
    for (uint32_t k = 0; k < 5000; k++) {
        const uint16_t *o = ring_owners(r, k);
        assert_memory_equal(o, ring_owners(again, k), 3 * sizeof *o);
        for (int i = 0; i < 3; i++) {
            assert_true(o[i] >= 1 && o[i] <= 10);
            EQ(ring_owner_rank(r, k, o[i]), i);
            for (int j = 0; j < i; j++)
                assert_true(o[i] != o[j]);
        }
        first[o[0]]++;
    }
    /* 16 tokens per node: each node is first owner of roughly a tenth of the keys */
    for (int nd = 1; nd <= 10; nd++)
        assert_true(first[nd] > 150 && first[nd] < 1000);
    ring_destroy(r);
    ring_destroy(again);
    assert_int_equal(ring_create(2, 4, 3, 10, &r), -22); /* N > nodes */
}

static void store_keeps_newest_version(void **state)
{
    (void)state;
    long before = mem_live();
    store s;
    store_init(&s);
    version v1 = {10, 0, 1}, v2 = {20, 0, 2}, tie = {20, 1, 3};
    EQ(store_put(&s, 7, &v2, NULL), 1);
    version was;
    EQ(store_put(&s, 7, &v1, &was), 0); /* older: ignored */
    EQ(was.seq, 2);
    EQ(store_get(&s, 7)->seq, 2);
    EQ(store_put(&s, 7, &tie, NULL), 1); /* same time, higher writer wins */
    EQ(store_get(&s, 7)->seq, 3);
    for (uint32_t k = 100; k < 5000; k++)
        EQ(store_put(&s, k, &v1, NULL), 1);
    for (uint32_t k = 100; k < 5000; k++)
        EQ(store_get(&s, k)->seq, 1);
    assert_null(store_get(&s, 99));
    store_clear(&s);
    assert_null(store_get(&s, 7));
    store_fini(&s);
    EQ(mem_live(), before);
}

static void count_key(void *ctx, uint32_t key, const version *v)
{
    (void)key;
    *(uint64_t *)ctx += v->seq;
}

/* Both layouts, chosen by store_reserve: a replica owning most of the key space gets the
 * direct array, one owning a small part gets the hashed table; they behave the same. */
static void store_layouts_behave_the_same(void **state)
{
    (void)state;
    long before = mem_live();
    store d, h;
    store_init(&d);
    store_init(&h);
    EQ(store_reserve(&d, 9000, 10000), 0);
    EQ(store_reserve(&h, 500, 10000), 0);
    assert_non_null(d.dir);
    assert_null(h.dir);
    size_t hcap = h.cap;
    version old = {5, 1, 1}, neu = {6, 0, 2};
    for (uint32_t k = 0; k < 10000; k += 20) {
        version was;
        EQ(store_put(&d, k, &neu, &was), 1);
        EQ(was.seq, 0);
        EQ(store_put(&h, k, &neu, &was), 1);
        EQ(store_put(&d, k, &old, &was), 0);
        EQ(was.seq, 2);
        EQ(store_put(&h, k, &old, &was), 0);
        EQ(was.seq, 2);
    }
    EQ(h.cap, hcap); /* sized once: 500 keys never grow it */
    EQ(d.n, 500);
    EQ(h.n, 500);
    for (uint32_t k = 0; k < 10000; k++) {
        const version *a = store_get(&d, k), *b = store_get(&h, k);
        if (k % 20) {
            assert_null(a);
            assert_null(b);
        } else {
            EQ(a->seq, 2);
            EQ(b->seq, 2);
        }
    }
    uint64_t sd = 0, sh = 0;
    store_each(&d, count_key, &sd);
    store_each(&h, count_key, &sh);
    EQ(sd, 1000);
    EQ(sh, 1000);
    store_clear(&d);
    store_clear(&h);
    assert_null(store_get(&d, 0));
    assert_null(store_get(&h, 0));
    EQ(d.n, 0);
    store_fini(&d);
    store_fini(&h);
    EQ(mem_live(), before);
}

/* One node, 1 ms service, one server: three reads at once finish at 1, 2 and 3 ms. */
static const char *one_node =
    "[cluster]\nnodes = 1\nreplicas = 1\n[quorum]\nr = 1\nw = 1\n"
    "[network]\nlatency = const(0)\n[node]\nread_service = const(1ms)\nwrite_service = const(2ms)\n"
    "concurrency = 1\n[workload]\nmode = script\nkeys = 3\n"
    "[script]\na = 0ms read k1\nb = 0ms read k2\nc = 0ms read k3\nd = 10ms write k1\ne = 10ms read k1\n";

static void node_fifo_queue_serves_in_order(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text(one_node, NULL, 0, &st);
    EQ(took(&st, "a"), 1000000);
    EQ(took(&st, "b"), 2000000);
    EQ(took(&st, "c"), 3000000);
    EQ(took(&st, "d"), 2000000);
    EQ(took(&st, "e"), 3000000); /* queued behind the write, and returns it */
    EQ(res(&st, "e")->version, 1);
    tu_run_free(&st);
}

static void node_two_servers_halve_the_queue(void **state)
{
    (void)state;
    const char *sets[] = {"node.concurrency=2"};
    run_stats st;
    tu_run_text(one_node, sets, 1, &st);
    EQ(took(&st, "a"), 1000000);
    EQ(took(&st, "b"), 1000000);
    EQ(took(&st, "c"), 2000000);
    tu_run_free(&st);
}

static void slow_fault_multiplies_service_time(void **state)
{
    (void)state;
    const char *sets[] = {"faults.s=0ms slow n1 10 until 5ms", "node.concurrency=inf"};
    run_stats st;
    tu_run_text(one_node, sets, 2, &st);
    EQ(took(&st, "a"), 10000000);
    EQ(took(&st, "d"), 2000000); /* started after the window: normal again */
    tu_run_free(&st);
}

/* A slow node is slow on the network too: with 1 ms links and no service time, a read from
 * a node slowed 10x (on both, the default, or on network) takes 20 ms, on service only 2 ms;
 * messages already in flight keep their latency. The static [node] slow does the same. */
static void slow_node_slows_its_messages(void **state)
{
    (void)state;
    const char *sc = "[cluster]\nnodes = 1\nreplicas = 1\n[quorum]\nr = 1\nw = 1\n[network]\nlatency = const(1ms)\n"
                     "[node]\nwrite_service = const(1ms)\n[workload]\nmode = script\nkeys = 1\n"
                     "[script]\na = 0ms read k1\nb = 100ms read k1\n";
    static const struct {
        const char *set1, *set2;
        int64_t a, b;
    } cases[] = {
        {"faults.s=0ms slow n1 10 until 50ms", NULL, 20000000, 2000000},
        {"faults.s=0ms slow n1 10 on network until 50ms", NULL, 20000000, 2000000},
        {"faults.s=0ms slow n1 10 on both", NULL, 20000000, 20000000},
        {"node.slow=4", NULL, 8000000, 8000000},
        {"node.slow=4", "node.slow_on=service", 2000000, 2000000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *sets[] = {cases[i].set1, cases[i].set2};
        run_stats st;
        tu_run_text(sc, sets, cases[i].set2 ? 2 : 1, &st);
        EQ(took(&st, "a"), cases[i].a);
        EQ(took(&st, "b"), cases[i].b);
        tu_run_free(&st);
    }
}

/* Overlapping windows compose: x2 from 0 to 20 ms, x3 more from 5 to 10 ms. */
static void slow_windows_compose(void **state)
{
    (void)state;
    const char *text =
        "[cluster]\nnodes = 1\nreplicas = 1\n[quorum]\nr = 1\nw = 1\n[network]\nlatency = const(0)\n"
        "[node]\nread_service = const(1ms)\n[workload]\nmode = script\nkeys = 1\n"
        "[script]\na = 0ms read k1\nb = 6ms read k1\nc = 12ms read k1\nd = 25ms read k1\n"
        "[faults]\ntwo = 0ms slow n1 2 until 20ms\nthree = 5ms slow n1 3 until 10ms\n";
    run_stats st;
    tu_run_text(text, NULL, 0, &st);
    EQ(took(&st, "a"), 2000000);
    EQ(took(&st, "b"), 6000000);
    EQ(took(&st, "c"), 2000000);
    EQ(took(&st, "d"), 1000000);
    tu_run_free(&st);
}

static void per_node_override_slows_one_node(void **state)
{
    (void)state;
    const char *sets[] = {"node.n1.slow=3"};
    run_stats st;
    tu_run_text(one_node, sets, 1, &st);
    EQ(took(&st, "a"), 3000000);
    tu_run_free(&st);
}

/* Three nodes, 1 ms one-way latency, no service time. */
static const char *three =
    "[cluster]\nnodes = 3\nreplicas = 3\n[quorum]\nr = 2\nw = 2\ntimeout = 50ms\n"
    "[network]\nlatency = const(1ms)\n[workload]\nmode = script\nkeys = 1\n"
    "[script]\nw = 0ms write k1\nr = 10ms read k1\n";

static void coordinator_at_client_costs_one_round_trip(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text(three, NULL, 0, &st);
    EQ(took(&st, "w"), 2000000);
    EQ(took(&st, "r"), 2000000);
    EQ(res(&st, "r")->version, 1);
    EQ(st.net->sent[MSG_WRITE_REQ], 3);
    EQ(st.net->sent[MSG_READ_REQ], 3);
    tu_run_free(&st);
}

/* At the first owner: client -> coordinator 1 ms, its own replica answers at once, a
 * second replica after a 2 ms round trip, then 1 ms back to the client. */
static void coordinator_at_owner_adds_the_client_hop(void **state)
{
    (void)state;
    const char *sets[] = {"cluster.coordinator=owner"};
    run_stats st;
    tu_run_text(three, sets, 1, &st);
    EQ(took(&st, "w"), 4000000);
    EQ(took(&st, "r"), 4000000);
    EQ(st.net->sent[MSG_CLIENT_REQ], 2);
    EQ(st.net->sent[MSG_CLIENT_RESP], 2);
    tu_run_free(&st);
    const char *one[] = {"cluster.coordinator=owner", "quorum.r=1"};
    tu_run_text(three, one, 2, &st);
    EQ(took(&st, "r"), 2000000); /* R=1: the coordinator's own replica suffices */
    tu_run_free(&st);
}

static void partition_makes_quorum_unavailable_until_heal(void **state)
{
    (void)state;
    const char *sets[] = {"faults.p=0ms partition client | n1,n2,n3", "faults.h=5ms heal"};
    run_stats st;
    tu_run_text(three, sets, 2, &st);
    EQ(res(&st, "w")->ok, 0);
    EQ(took(&st, "w"), 50000000); /* the timeout */
    EQ(res(&st, "r")->ok, 1);
    EQ(res(&st, "r")->version, 0); /* the write never landed */
    EQ(st.net->cut, 3);
    tu_run_free(&st);
}

static void one_way_partition_cuts_one_direction(void **state)
{
    (void)state;
    /* replies from n1 and n2 are cut; n3 alone cannot make W=2 */
    const char *sets[] = {"faults.p=0ms partition n1,n2 > client"};
    run_stats st;
    tu_run_text(three, sets, 1, &st);
    EQ(res(&st, "w")->ok, 0);
    EQ(st.net->cut, 2 + 2); /* two write acks, two read responses */
    EQ(res(&st, "r")->ok, 0);
    tu_run_free(&st);
}

static void link_fault_changes_latency_from_then_on(void **state)
{
    (void)state;
    const char *sets[] = {"faults.l=5ms link client-n1 latency const(3ms)", "faults.m=5ms link client-n2 latency const(3ms)"};
    run_stats st;
    tu_run_text(three, sets, 2, &st);
    EQ(took(&st, "w"), 2000000);
    EQ(took(&st, "r"), 6000000); /* R=2: n3 at 2 ms, then n1/n2 at 6 ms */
    tu_run_free(&st);
}

static void links_section_overrides_one_direction(void **state)
{
    (void)state;
    const char *sets[] = {"links.n1>client=const(5ms)", "links.n2>client=const(5ms)"};
    run_stats st;
    tu_run_text(three, sets, 2, &st);
    EQ(took(&st, "r"), 6000000);
    tu_run_free(&st);
}

static void per_kind_latency_applies_to_that_kind(void **state)
{
    (void)state;
    const char *sets[] = {"network.write_ack=const(4ms)"};
    run_stats st;
    tu_run_text(three, sets, 1, &st);
    EQ(took(&st, "w"), 5000000);
    EQ(took(&st, "r"), 2000000);
    tu_run_free(&st);
}

static void total_loss_makes_everything_unavailable(void **state)
{
    (void)state;
    const char *sets[] = {"network.loss=1"};
    run_stats st;
    tu_run_text(three, sets, 1, &st);
    EQ(res(&st, "w")->ok, 0);
    EQ(res(&st, "r")->ok, 0);
    EQ(st.net->lost, 6);
    tu_run_free(&st);
}

static void crashed_node_drops_messages_and_recovers(void **state)
{
    (void)state;
    const char *sets[] = {"faults.c=0ms crash n1", "faults.d=0ms crash n2", "faults.u=8ms recover n1"};
    run_stats st;
    tu_run_text(three, sets, 3, &st);
    EQ(res(&st, "w")->ok, 0);
    EQ(st.nodes->to_down, 3); /* the write to n1 and n2, the read to n2 */
    EQ(res(&st, "r")->ok, 1); /* n1 (durable, empty for k1) and n3 answer */
    EQ(res(&st, "r")->version, 1); /* n3 stored the failed write: a read may see it */
    tu_run_free(&st);
}

static const char *open_loop =
    "[run]\nops = 4000\nwarmup = 1000\n[cluster]\nnodes = 5\nreplicas = 3\n"
    "[network]\nlatency = exp(1ms)\n[workload]\nrate = 1000/s\nread_ratio = 0.5\nkeys = 50\n";

static void warmup_is_left_out(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text(open_loop, NULL, 0, &st);
    EQ(st.coord->issued, 4000);
    EQ(st.stats->measured[OP_READ] + st.stats->measured[OP_WRITE], 3000);
    EQ(st.stats->lat[OP_READ][OUT_OK].count + st.stats->lat[OP_READ][OUT_FAILED].count, st.stats->measured[OP_READ]);
    tu_run_free(&st);
}

/* The workload draws from its own streams: changing the store's configuration leaves
 * the operations asked for unchanged (same number of reads, same end of issuing). */
static void workload_draws_do_not_depend_on_the_store(void **state)
{
    (void)state;
    const char *a[] = {"quorum.r=1", "quorum.w=1"};
    const char *b[] = {"quorum.r=3", "quorum.w=3", "cluster.coordinator=any", "network.latency=exp(5ms)"};
    run_stats sa, sb;
    tu_run_text(open_loop, a, 2, &sa);
    tu_run_text(open_loop, b, 4, &sb);
    EQ(sa.stats->measured[OP_READ], sb.stats->measured[OP_READ]);
    EQ(sa.stats->measured[OP_WRITE], sb.stats->measured[OP_WRITE]);
    assert_true(sa.stats->lat[OP_READ][OUT_OK].sum != sb.stats->lat[OP_READ][OUT_OK].sum);
    tu_run_free(&sa);
    tu_run_free(&sb);
}

static void closed_loop_issues_exactly_ops(void **state)
{
    (void)state;
    const char *sets[] = {"workload.mode=closed", "workload.clients=7", "workload.think=exp(1ms)"};
    run_stats st;
    tu_run_text(open_loop, sets, 3, &st);
    EQ(st.coord->issued, 4000);
    EQ(st.stats->ok[OP_READ] + st.stats->ok[OP_WRITE] + st.stats->unavailable[OP_READ] + st.stats->unavailable[OP_WRITE], 3000);
    assert_true(st.coord->peak_ops <= 7);
    tu_run_free(&st);
}

/* Coordinated omission, by the numbers. One client, one node, reads of exactly 1 ms, but the
 * read that starts at 100 ms is served 100 times slow and takes 100 ms. The client waits,
 * so the measured latencies are 499 of 1 ms and one of 100 ms: p99 1 ms, as if nothing
 * happened. A client meaning to read every 1 ms would have sent 99 reads during the stall,
 * answered after 99, 98, ..., 1 ms: the corrected histogram holds 599 values summing to
 * 499 + 5050 ms, and its p99 (rank 594: 1 ms for ranks 1-500, then 2..100 ms) is 95 ms.
 * An open loop has nothing to correct, so the key is an error there. */
static const char *stalled_client =
    "[run]\nops = 500\n[cluster]\nnodes = 1\nreplicas = 1\n[quorum]\nr = 1\nw = 1\n"
    "[network]\nlatency = const(0)\n[node]\nread_service = const(1ms)\nconcurrency = 1\n"
    "[workload]\nmode = closed\nclients = 1\nread_ratio = 1\nkeys = 1\nexpected_interval = 1ms\n"
    "[faults]\ngc = 99500us slow n1 100 on service until 100500us\n";

static void closed_loop_corrected_for_coordinated_omission(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text(stalled_client, NULL, 0, &st);
    const hist *raw = &st.stats->lat[OP_READ][OUT_OK], *cor = &st.stats->lat_corrected[OP_READ];
    EQ(raw->count, 500);
    EQ(raw->max, 100000000);
    NEAR(raw->sum, 599e6, 0);
    NEAR(hist_quantile(raw, 0.99), 1e6, 1e6 * HIST_REL_ERROR);
    EQ(cor->count, 599);
    EQ(cor->min, 1000000);
    EQ(cor->max, 100000000);
    NEAR(cor->sum, 5549e6, 0);
    NEAR(hist_quantile(cor, 0.99), 95e6, 95e6 * HIST_REL_ERROR);
    EQ(st.stats->lat_corrected[OP_WRITE].count, 0);
    tu_run_free(&st);
    /* without the key the corrected histograms stay empty */
    const char *off[] = {"workload.expected_interval=0"};
    tu_run_text(stalled_client, off, 1, &st);
    EQ(st.stats->lat_corrected[OP_READ].count, 0);
    tu_run_free(&st);
    char errs[512];
    const char *open[] = {"workload.mode=open"};
    EQ(tu_check_text(stalled_client, open, 1, errs, sizeof errs), 1);
    assert_non_null(strstr(errs, "expected_interval"));
}

static void same_seed_same_results(void **state)
{
    (void)state;
    run_stats a, b, c;
    const char *other[] = {"run.seed=2"};
    tu_run_text(open_loop, NULL, 0, &a);
    tu_run_text(open_loop, NULL, 0, &b);
    tu_run_text(open_loop, other, 1, &c);
    assert_memory_equal(&a.stats->lat, &b.stats->lat, sizeof a.stats->lat);
    EQ(a.run->events, b.run->events);
    assert_true(a.stats->lat[OP_READ][OUT_OK].sum != c.stats->lat[OP_READ][OUT_OK].sum);
    tu_run_free(&a);
    tu_run_free(&b);
    tu_run_free(&c);
}

/* A read from a lagging replica returns v1 while v3 is the latest acknowledged; then
 * `extra` more writes are acknowledged while the read is still in flight. */
static void run_lagging_read(int extra, run_stats *st)
{
    char text[4096];
    int len = snprintf(text, sizeof text,
                       "[cluster]\nnodes = 3\nreplicas = 3\n[quorum]\nr = 1\nw = 1\nread_fanout = r\n"
                       "[network]\nlatency = const(1ms)\n[links]\nn3>client = const(100ms)\n"
                       "[workload]\nmode = script\nkeys = 1\n[script]\nw1 = 0ms write k1\nw2 = 10ms write k1\n"
                       "w3 = 20ms write k1\nw4 = 30ms write k1\nr1 = 31ms read k1 prefer n3\n");
    for (int i = 0; i < extra; i++)
        len += snprintf(text + len, sizeof text - (size_t)len, "x%d = %dms write k1\n", i, 40 + i);
    snprintf(text + len, sizeof text - (size_t)len, "[faults]\ncut = 5ms partition client > n3\nheal = 30500us heal\n");
    tu_run_text(text, NULL, 0, st);
}

/* k counts the versions acknowledged before the read started, however many are
 * acknowledged while it is in flight; when those are no longer tracked it says "8+". */
static void oracle_k_staleness_ignores_acks_during_the_read(void **state)
{
    (void)state;
    run_stats st;
    run_lagging_read(3, &st);
    EQ(res(&st, "r1")->version, 1);
    EQ(res(&st, "r1")->latest, 3);
    EQ(res(&st, "r1")->cls, RC_STALE);
    EQ(res(&st, "r1")->k, 2);
    EQ(st.stats->stale_k[2], 1);
    tu_run_free(&st);
    run_lagging_read(12, &st);
    EQ(res(&st, "r1")->version, 1);
    EQ(res(&st, "r1")->latest, 3);
    EQ(res(&st, "r1")->k, STALE_KMAX);
    EQ(st.stats->stale_k[0], 0);
    EQ(st.stats->stale_k[STALE_KMAX], 1);
    tu_run_free(&st);
}

/* [links] values: loss alone, a distribution with loss, bad loss, an over-long value. The
 * loss-only form once formed a pointer before the buffer (clang's UBSan aborted on it). */
static void links_value_forms(void **state)
{
    (void)state;
    link_cfg lc;
    char err[256];
    EQ(net_parse_link_value("loss 0.5", ".", &lc, err, sizeof err), 0);
    assert_null(lc.latency);
    NEAR(lc.loss, 0.5, 0);
    EQ(net_parse_link_value("const(1ms) loss 0.25", ".", &lc, err, sizeof err), 0);
    assert_non_null(lc.latency);
    NEAR(lc.loss, 0.25, 0);
    dist_destroy(lc.latency);
    EQ(net_parse_link_value("exp(2ms)", ".", &lc, err, sizeof err), 0);
    NEAR(lc.loss, -1, 0);
    dist_destroy(lc.latency);
    EQ(net_parse_link_value("loss 2", ".", &lc, err, sizeof err), -1);
    assert_non_null(strstr(err, "probability"));
    char big[700];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big + 600, "loss 0.1", 8);
    EQ(net_parse_link_value(big, ".", &lc, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
}

/* Overload: a request that reaches the head of the queue after its operation's deadline is
 * dropped without service, counted per node and per kind; with drop_expired = off it is
 * served anyway. One node, one server, 10 ms reads, a 15 ms timeout, three reads at 0: a is
 * served 0-10, b 10-20 (its deadline, 15 ms, passes in service), c reaches the head at 20,
 * past its deadline. */
static void node_drops_requests_past_their_deadline(void **state)
{
    (void)state;
    const char *sc = "[cluster]\nnodes = 1\nreplicas = 1\n[quorum]\nr = 1\nw = 1\ntimeout = 15ms\n"
                     "[network]\nlatency = const(0)\n[node]\nread_service = const(10ms)\nconcurrency = 1\n"
                     "[workload]\nmode = script\nkeys = 3\n[script]\na = 0ms read k1\nb = 0ms read k2\nc = 0ms read k3\n";
    run_stats st;
    tu_run_text(sc, NULL, 0, &st);
    EQ(st.nodes->dropped[MSG_READ_REQ], 1);
    EQ(st.nodes->per[1].dropped, 1);
    EQ(st.nodes->per[1].served, 2);
    EQ(st.nodes->per[1].queue_max, 2);
    EQ(st.run->end_time, 20000000);
    NEAR(st.nodes->per[1].busy_area / (double)st.nodes->end, 1.0, 1e-12); /* busy all the time */
    EQ(st.stats->ok[OP_READ], 1);
    EQ(st.stats->unavailable[OP_READ], 2);
    tu_run_free(&st);
    const char *off[] = {"node.drop_expired=off"};
    tu_run_text(sc, off, 1, &st);
    EQ(st.nodes->dropped[MSG_READ_REQ], 0);
    EQ(st.nodes->per[1].served, 3);
    EQ(st.run->end_time, 30000000);
    /* queue: two waiting for 10 ms, one for the next 10 ms: 30 request-ms over 30 ms */
    NEAR(st.nodes->per[1].queue_area / (double)st.nodes->end, 1.0, 1e-12);
    tu_run_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_preference_lists_hold_distinct_owners),
        cmocka_unit_test(store_keeps_newest_version),
        cmocka_unit_test(store_layouts_behave_the_same),
        cmocka_unit_test(links_value_forms),
        cmocka_unit_test(node_drops_requests_past_their_deadline),
        cmocka_unit_test(node_fifo_queue_serves_in_order),
        cmocka_unit_test(node_two_servers_halve_the_queue),
        cmocka_unit_test(slow_fault_multiplies_service_time),
        cmocka_unit_test(slow_node_slows_its_messages),
        cmocka_unit_test(slow_windows_compose),
        cmocka_unit_test(per_node_override_slows_one_node),
        cmocka_unit_test(coordinator_at_client_costs_one_round_trip),
        cmocka_unit_test(coordinator_at_owner_adds_the_client_hop),
        cmocka_unit_test(partition_makes_quorum_unavailable_until_heal),
        cmocka_unit_test(one_way_partition_cuts_one_direction),
        cmocka_unit_test(link_fault_changes_latency_from_then_on),
        cmocka_unit_test(links_section_overrides_one_direction),
        cmocka_unit_test(per_kind_latency_applies_to_that_kind),
        cmocka_unit_test(total_loss_makes_everything_unavailable),
        cmocka_unit_test(crashed_node_drops_messages_and_recovers),
        cmocka_unit_test(warmup_is_left_out),
        cmocka_unit_test(workload_draws_do_not_depend_on_the_store),
        cmocka_unit_test(closed_loop_issues_exactly_ops),
        cmocka_unit_test(same_seed_same_results),
        cmocka_unit_test(closed_loop_corrected_for_coordinated_omission),
        cmocka_unit_test(oracle_k_staleness_ignores_acks_during_the_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
