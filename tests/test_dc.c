/* Datacenters (docs/design.md sections 3 and 3b): NetworkTopologyStrategy placement with
 * exact owner lists, the inter-datacenter latency, the LOCAL_ONE, LOCAL_QUORUM and
 * EACH_QUORUM levels with exact latencies and versions, and the errors bad input gets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "models/dc.h"
#include "models/retry.h"
#include "models/ring.h"
#include "models/world.h"
#include "sim/alloc.h"
#include "tests/testutil.h"

#define ERRS 8192

/* Fails unless errs holds want. */
#define HAS(errs, want)                                                                  \
    do {                                                                                 \
        if (!strstr((errs), (want)))                                                     \
            fail_msg("missing error fragment\n  want: %s\n  got:\n%s", (want), (errs)); \
    } while (0)

static void expect_owners(const ring *r, uint32_t key, const int *want, int n)
{
    EQ(ring_replicas(r), n);
    const uint16_t *o = ring_owners(r, key);
    for (int i = 0; i < n; i++)
        if (o[i] != want[i])
            fail_msg("k%u: owner %d is n%d, want n%d", key + 1, i, o[i], want[i]);
}

/* Six nodes, one token each: clockwise the ring reads n1 n6 n2 n3 n5 n4 (then n1 again),
 * so k1's walk is n6 n2 n3 n5 n4 n1, k3's n5 n4 n1 n6 n2 n3, k4's n2 n3 n5 n4 n1 n6 and
 * k13's n4 n1 n6 n2 n3 n5 (tokens come from node names: the same in every run).
 * dc1 = n1..n3, dc2 = n4..n6; replicas dc1:2 dc2:1. */
static void nts_takes_each_datacenters_first_nodes_on_the_walk(void **state)
{
    (void)state;
    long before = mem_live();
    ring *plain;
    EQ(ring_create(6, 1, 6, 16, &plain), 0);
    expect_owners(plain, 0, (const int[]){6, 2, 3, 5, 4, 1}, 6);
    expect_owners(plain, 12, (const int[]){4, 1, 6, 2, 3, 5}, 6);
    ring_destroy(plain);
    ring_topo t = {.ndc = 2, .name = {"dc1", "dc2"}, .nodes = {3, 3}, .rf = {2, 1}, .racks = 1};
    ring *r;
    EQ(ring_create_topo(&t, 1, 16, &r), 0);
    EQ(ring_dcs(r), 2);
    EQ(ring_dc_of(r, 3), 0);
    EQ(ring_dc_of(r, 4), 1);
    EQ(ring_dc_first(r, 1), 4);
    EQ(ring_dc_size(r, 1), 3);
    EQ(ring_dc_rf(r, 0), 2);
    assert_string_equal(ring_dc_name(r, 1), "dc2");
    /* k1: n6 (dc2's one), n2, n3 (dc1's two) */
    expect_owners(r, 0, (const int[]){6, 2, 3}, 3);
    /* k3: n5, then n4 is skipped (dc2 has its one), n1, n6 skipped, n2 */
    expect_owners(r, 2, (const int[]){5, 1, 2}, 3);
    /* k4: n2, n3, n5 */
    expect_owners(r, 3, (const int[]){2, 3, 5}, 3);
    /* beyond the owners, the walk goes on clockwise past them: k1's fallbacks n5 n4 n1 */
    EQ(ring_walk(r, 0, 3), 5);
    EQ(ring_walk(r, 0, 4), 4);
    EQ(ring_walk(r, 0, 5), 1);
    EQ(ring_walk(r, 0, 6), 0);
    /* k3's: n4, n6, n3 */
    EQ(ring_walk(r, 2, 3), 4);
    EQ(ring_walk(r, 2, 4), 6);
    EQ(ring_walk(r, 2, 5), 3);
    /* a token range has its keys' owners */
    uint16_t own[RING_MAX_REPLICAS];
    EQ(ring_range_owners(r, ring_range_of(r, 2), own), 3);
    EQ(own[0], 5);
    EQ(own[1], 1);
    EQ(own[2], 2);
    ring_destroy(r);
    EQ(mem_live(), before);
}

/* Racks: two per datacenter, round robin, so n1, n3 (and n4, n6) share rack 1, n2 (n5) is
 * rack 2. dc1 keeps 3 replicas (one rack repeat allowed: 3 - 2), dc2 keeps 2 (none). */
static void nts_puts_replicas_on_distinct_racks_first(void **state)
{
    (void)state;
    ring_topo t = {.ndc = 2, .name = {"dc1", "dc2"}, .nodes = {3, 3}, .rf = {3, 2}, .racks = 2};
    ring *r, *flat;
    EQ(ring_create_topo(&t, 1, 16, &r), 0);
    EQ(ring_rack_of(r, 1), 0);
    EQ(ring_rack_of(r, 2), 1);
    EQ(ring_rack_of(r, 3), 0);
    EQ(ring_rack_of(r, 6), 0);
    /* k13's walk n4 n1 n6 n2 n3 n5: n4 (dc2, rack 1), n1 (dc1, rack 1), n6 skipped (dc2's
     * rack 1 again and dc2 may not repeat), n2 (dc1, rack 2), n3 (dc1's one repeat), n5 */
    expect_owners(r, 12, (const int[]){4, 1, 2, 3, 5}, 5);
    /* k1's walk n6 n2 n3 n5 n4 n1: n6, n2, n3, n5, n4 skipped (dc2 has two), n1 (dc1's repeat) */
    expect_owners(r, 0, (const int[]){6, 2, 3, 5, 1}, 5);
    /* one rack: the first nodes of each datacenter, n6 before n5 */
    t.racks = 1;
    EQ(ring_create_topo(&t, 1, 16, &flat), 0);
    expect_owners(flat, 12, (const int[]){4, 1, 6, 2, 3}, 5);
    ring_destroy(r);
    ring_destroy(flat);
}

/* One datacenter with one rack is the plain rule: the first N distinct nodes. */
static void nts_with_one_datacenter_is_the_plain_rule(void **state)
{
    (void)state;
    ring_topo t = {.ndc = 1, .name = {"only"}, .nodes = {10}, .rf = {3}, .racks = 1};
    ring *r, *plain;
    EQ(ring_create_topo(&t, 16, 5000, &r), 0);
    EQ(ring_create(10, 16, 3, 5000, &plain), 0);
    for (uint32_t k = 0; k < 5000; k++) {
        assert_memory_equal(ring_owners(r, k), ring_owners(plain, k), 3 * sizeof(uint16_t));
        for (int i = 3; i < 10; i++)
            EQ(ring_walk(r, k, i), ring_walk(plain, k, i));
    }
    ring_destroy(r);
    ring_destroy(plain);
}

/* Against an independent reading of the rule on a larger ring: three datacenters, three
 * racks, 8 tokens per node. The clockwise order of distinct nodes comes from a plain ring
 * holding every node (the same tokens); the rule is applied to it here. */
static void nts_matches_an_independent_walk(void **state)
{
    (void)state;
    enum { NODES = 12, KEYS = 3000 };
    ring_topo t = {.ndc = 3, .name = {"a", "b", "c"}, .nodes = {5, 4, 3}, .rf = {3, 2, 3}, .racks = 3};
    int dc_of[NODES + 1] = {0}, rack_of[NODES + 1] = {0};
    for (int d = 0, nd = 1; d < 3; d++)
        for (int i = 0; i < t.nodes[d]; i++, nd++) {
            dc_of[nd] = d;
            rack_of[nd] = i % 3;
        }
    ring *r, *all;
    EQ(ring_create_topo(&t, 8, KEYS, &r), 0);
    EQ(ring_create(NODES, 8, NODES, KEYS, &all), 0);
    for (uint32_t k = 0; k < KEYS; k++) {
        const uint16_t *order = ring_owners(all, k);
        int left[3] = {3, 2, 3}, repeats[3], seen[3][3] = {{0}}, got = 0, want[8];
        for (int d = 0; d < 3; d++)
            repeats[d] = t.rf[d] - (t.nodes[d] < 3 ? t.nodes[d] : 3);
        for (int i = 0; i < NODES; i++) {
            int nd = order[i], d = dc_of[nd], rk = rack_of[nd];
            if (!left[d])
                continue;
            if (seen[d][rk]) {
                if (repeats[d] <= 0)
                    continue;
                repeats[d]--;
            }
            seen[d][rk] = 1;
            left[d]--;
            want[got++] = nd;
        }
        EQ(got, 8);
        expect_owners(r, k, want, 8);
    }
    ring_destroy(r);
    ring_destroy(all);
}

static const char *two_dc =
    "[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:3\ncoordinator = any\n";

/* The datacenters set nodes when it is not written, and say so in the effective configuration. */
static void datacenters_set_nodes_and_replicas(void **state)
{
    (void)state;
    cfg *c;
    EQ(cfg_create(&c), 0);
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "s.ini", "[run]\nops = 10\n[cluster]\ndatacenters = dc1:3, dc2:2\nreplicas = dc1:2 dc2:1\n"
                         "coordinator = any\n");
    char path[128];
    snprintf(path, sizeof path, "%s/s.ini", dir);
    EQ(cfg_load(c, path), 0);
    scenario sc;
    EQ(scenario_build(c, &sc), 0);
    const cluster_cfg *cc = SC_CLUSTER(&sc);
    EQ(cc->nodes, 5);
    EQ(cc->replicas, 3);
    EQ(cc->dc_rf[0], 2);
    EQ(cc->dc_rf[1], 1);
    int found = 0;
    for (size_t i = 0; i < cfg_effective_count(c); i++) {
        const char *s, *k, *v;
        cfg_effective_get(c, i, &s, &k, &v);
        if (strcmp(s, "cluster") == 0 && strcmp(k, "nodes") == 0) {
            assert_string_equal(v, "5");
            found = 1;
        }
    }
    EQ(found, 1);
    scenario_free(&sc);
    cfg_destroy(c);
    tu_rm_tree(dir);
    /* one number: every datacenter keeps that many */
    const char *sets[] = {"cluster.replicas=2"};
    char errs[ERRS];
    EQ(tu_check_text(two_dc, sets, 1, errs, sizeof errs), 0);
}

/* Bad [cluster] input: each error names the line and the key. */
static void cluster_errors_name_line_and_key(void **state)
{
    (void)state;
    char errs[ERRS];
    /* a datacenter replicas names must exist */
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:3\nreplicas = dc1:2 dc3:1\n"
                     "coordinator = any\n",
                     NULL, 0, errs, sizeof errs),
       1);
    HAS(errs, ":5: cluster.replicas = dc1:2 dc3:1: unknown datacenter dc3 (cluster.datacenters: dc1, dc2)");
    /* more replicas in a datacenter than it has nodes */
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:2\nreplicas = dc1:3 dc2:3\n"
                     "coordinator = any\n",
                     NULL, 0, errs, sizeof errs),
       1);
    HAS(errs, ":5: cluster.replicas = dc1:3 dc2:3: dc2 keeps 3 replicas but has 2 nodes");
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:2\ncoordinator = any\n", NULL, 0, errs,
                     sizeof errs),
       1);
    HAS(errs, ":4: cluster.datacenters = dc1:3 dc2:2: dc2 has 2 nodes, fewer than the 3 replicas each datacenter "
              "keeps by default (write cluster.replicas per datacenter, e.g. dc2:2)");
    const char *three[] = {"cluster.replicas=3"};
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:2\ncoordinator = any\n", three, 1, errs,
                     sizeof errs),
       1);
    HAS(errs, "--set cluster.replicas=3: with datacenters each keeps 3 replicas, and dc2 has 2 nodes (write replicas "
              "per datacenter, e.g. dc2:2)");
    /* nodes that disagree with the datacenters */
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\nnodes = 5\ndatacenters = dc1:3 dc2:3\ncoordinator = any\n", NULL, 0,
                     errs, sizeof errs),
       1);
    HAS(errs, ":4: cluster.nodes = 5: must equal the nodes of cluster.datacenters (6), or be left out");
    /* per-datacenter replicas and racks need datacenters */
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\nreplicas = dc1:3\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: cluster.replicas = dc1:3: replicas per datacenter need cluster.datacenters");
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\nracks = 2\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: cluster.racks = 2: racks need cluster.datacenters");
    /* names and counts */
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc1:3\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: cluster.datacenters = dc1:3 dc1:3: datacenter dc1 is named twice");
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = n2:3\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, "datacenter name 'n2' would read as an endpoint (client, n1, ...)");
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:0\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, "dc1:0: the count must be 1..512");
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1 3\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, "'dc1': expected NAME:COUNT, e.g. dc1:3 dc2:3");
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:9 dc2:9\nreplicas = dc1:9 dc2:9\n"
                     "coordinator = any\n",
                     NULL, 0, errs, sizeof errs),
       1);
    HAS(errs, "cluster.replicas = dc1:9 dc2:9: 18 replicas per key in all; at most 16");
}

static const script_result *op_named(const run_stats *st, const char *name)
{
    for (size_t i = 0; i < st->wl->nscript; i++)
        if (strcmp(st->wl->script[i].name, name) == 0)
            return &st->wl->script[i];
    fail_msg("no script entry %s", name);
    return NULL;
}

/* ns from an operation's start to its answer; fails if it did not succeed. */
static int64_t took(const run_stats *st, const char *name)
{
    const script_result *r = op_named(st, name);
    if (!r->ok)
        fail_msg("%s failed", name);
    return r->end - r->start;
}

/* Two datacenters of three nodes, every node an owner (N = 6), one token each, every
 * message 1 ms and 40 ms more between datacenters, no service time. k1's owners (the walk
 * n6 n2 n3 n5 n4 n1) are all six; its coordinator is a node of dc1 (the clients' own). */
static const char *wan_story =
    "[cluster]\ndatacenters = dc1:3 dc2:3\nreplicas = dc1:3 dc2:3\nvnodes = 1\ncoordinator = owner\n"
    "[quorum]\ntimeout = 1s\n[network]\nlatency = const(1ms)\ndc_latency = const(40ms)\n"
    "[workload]\nmode = script\nkeys = 1\n"
    "[script]\nall = 0ms write k1 at ALL\none = 1s write k1 at ONE\nthree = 2s write k1 at THREE\n"
    "four = 3s write k1 at 4\n";

/* The inter-datacenter latency is added to the in-datacenter latency, both ways; a
 * [dc_links] pair replaces it in its direction; [links] overrides win over both. */
static void dc_latency_is_added_between_datacenters(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text(wan_story, NULL, 0, &st);
    /* client -> coordinator 1 ms, the farthest owner 41 ms each way, back 1 ms */
    EQ(took(&st, "all"), 84000000);
    EQ(took(&st, "one"), 2000000);   /* the coordinator's own replica */
    EQ(took(&st, "three"), 4000000); /* itself and its two neighbours */
    EQ(took(&st, "four"), 84000000); /* a fourth reply crosses */
    /* four writes: each sends 3 requests to the other datacenter, and gets 3 acks back */
    EQ(st.net->cross_dc, 24);
    tu_run_free(&st);
    const char *one_way[] = {"dc_links.dc2>dc1=const(10ms)"};
    tu_run_text(wan_story, one_way, 1, &st);
    EQ(took(&st, "all"), 54000000); /* 1 + (41 + 11) + 1 */
    tu_run_free(&st);
    /* every link between the datacenters overridden: 5 ms, nothing added */
    const char *links[] = {"links.n1-n4=const(5ms)", "links.n1-n5=const(5ms)", "links.n1-n6=const(5ms)",
                           "links.n2-n4=const(5ms)", "links.n2-n5=const(5ms)", "links.n2-n6=const(5ms)",
                           "links.n3-n4=const(5ms)", "links.n3-n5=const(5ms)", "links.n3-n6=const(5ms)"};
    tu_run_text(wan_story, links, 9, &st);
    EQ(took(&st, "all"), 12000000);
    EQ(st.net->cross_dc, 24);
    tu_run_free(&st);
}

/* A [dc_links] pair may carry loss, alone (the latency stays network.dc_latency) or after a
 * distribution; per direction; a [links] loss on one link wins over it. */
static void dc_links_carry_loss(void **state)
{
    (void)state;
    run_stats st;
    const char *cut[] = {"dc_links.dc1-dc2=loss 1"};
    tu_run_text(wan_story, cut, 1, &st);
    /* every request to dc2 is lost: ALL and 4 fail; ONE and THREE stay in dc1, unchanged */
    assert_false(op_named(&st, "all")->ok);
    assert_false(op_named(&st, "four")->ok);
    EQ(took(&st, "one"), 2000000);
    EQ(took(&st, "three"), 4000000);
    EQ(st.net->lost, 12);
    EQ(st.net->cross_dc, 12);
    tu_run_free(&st);
    const char *back[] = {"dc_links.dc2>dc1=const(10ms) loss 1"};
    tu_run_text(wan_story, back, 1, &st);
    /* requests arrive, acknowledgements from dc2 are lost */
    assert_false(op_named(&st, "all")->ok);
    EQ(st.net->lost, 12);
    EQ(st.net->cross_dc, 24);
    tu_run_free(&st);
    const char *one_kept[] = {"dc_links.dc1-dc2=loss 1", "links.n2-n4=loss 0"};
    tu_run_text(wan_story, one_kept, 2, &st);
    /* the coordinator n2 reaches n4 and hears back: 4 requests and 4 acks kept, 8 lost */
    EQ(st.net->lost, 8);
    EQ(st.net->cross_dc, 16);
    EQ(took(&st, "four"), 84000000);
    tu_run_free(&st);
    static const char *open_writes =
        "[cluster]\ndatacenters = dc1:3 dc2:3\nreplicas = dc1:3 dc2:3\nvnodes = 1\ncoordinator = owner\n"
        "[quorum]\nw = LOCAL_QUORUM\ntimeout = 1s\n[network]\nlatency = const(1ms)\n"
        "[dc_links]\ndc1-dc2 = const(40ms) loss 0.5\n"
        "[workload]\nkeys = 1\nread_ratio = 0\nrate = 1000/s\n[run]\nops = 4000\n";
    tu_run_text(open_writes, NULL, 0, &st);
    /* 4000 writes x 3 requests to dc2, each and its ack kept with probability 0.5. Per request:
     * lost (1 sent, 1 lost) 1/2, ack lost (2, 1) 1/4, both kept (2, 0) 1/4, so lost / sent
     * across = 0.75 / 1.5 = 1/2; the ratio's variance is E[(L - S/2)^2] / (n E[S]^2) =
     * 0.375 / (12000 * 2.25): SE 0.0037 */
    double frac = (double)st.net->lost / (double)st.net->cross_dc;
    print_message("dc loss 0.5: %llu of %llu lost (%.4f)\n", (unsigned long long)st.net->lost,
                  (unsigned long long)st.net->cross_dc, frac);
    assert_true(fabs(frac - 0.5) < 5 * 0.0037);
    tu_run_free(&st);
}

static void network_errors_name_line_and_key(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[network]\ndc_latency = const(40ms)\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: network.dc_latency = const(40ms): needs cluster.datacenters");
    EQ(tu_check_text("[run]\nops = 10\n[dc_links]\ndc1-dc2 = const(40ms)\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: dc_links.dc1-dc2 = const(40ms): [dc_links] needs cluster.datacenters");
    const char *head = "[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:3\ncoordinator = any\n[dc_links]\n";
    char text[512];
    snprintf(text, sizeof text, "%sdc1-dc3 = const(40ms)\n", head);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":7: dc_links.dc1-dc3 = const(40ms): unknown datacenter dc3 (cluster.datacenters: dc1, dc2)");
    snprintf(text, sizeof text, "%sdc1-dc1 = const(40ms)\n", head);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":7: dc_links.dc1-dc1 = const(40ms): a pair joins two different datacenters");
    snprintf(text, sizeof text, "%sdc1-dc2 = const(40ms)\ndc2>dc1 = const(30ms)\n", head);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":8: dc_links.dc2>dc1 = const(30ms): this pair is already set by another [dc_links] entry");
    snprintf(text, sizeof text, "%sdc1>dc2 = const(40ms)\ndc2>dc1 = const(30ms)\ndc1=const(1ms)\n", head);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":9: dc_links.dc1 = const(1ms): a pair of datacenters is written A>B (one direction) or A-B (both)");
    snprintf(text, sizeof text, "%sdc1>dc2 = fast\n", head);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":7: dc_links.dc1>dc2 = fast: ");
}

/* The same six nodes and latencies; the levels. Clients in dc1 are coordinated by n2 (k1's
 * first owner there), clients in dc2 by n6. */
static const char *level_story =
    "[cluster]\ndatacenters = dc1:3 dc2:3\nreplicas = dc1:3 dc2:3\nvnodes = 1\ncoordinator = owner\n"
    "[quorum]\nr = LOCAL_QUORUM\nw = LOCAL_QUORUM\ntimeout = 1s\n"
    "[network]\nlatency = const(1ms)\ndc_latency = const(40ms)\n"
    "[workload]\nmode = script\nkeys = 1\n"
    "[script]\n"
    "w1 = 0ms write k1\n"
    "r0 = 500ms read k1 at LOCAL_ONE from dc2\n"
    "w2 = 1s write k1 at EACH_QUORUM\n"
    "r1 = 2s read k1\n"
    "r2 = 3s read k1 at LOCAL_ONE\n"
    "r3 = 4s read k1 at EACH_QUORUM\n"
    "r4 = 5s read k1 at QUORUM\n"
    "r5 = 6s read k1 from dc2\n";

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

/* Runs scenario text with the trace on; returns trace.jsonl's text (free() it). */
static char *run_text_trace(const char *text, run_stats *st)
{
    char dir[64], path[128];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "s.ini", text);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    char *trace = tu_run_file_trace(path, NULL, 0, st);
    tu_rm_tree(dir);
    return trace;
}

typedef struct coords {
    int coord[16];
    int n;
} coords;

static void on_begin_coord(void *ctx, op *o)
{
    coords *cs = ctx;
    if (cs->n < 16)
        cs->coord[cs->n++] = o->coord;
}

static void watch_coordinators(struct world *w, void *ctx)
{
    op_observer ob = {.name = "test", .ctx = ctx, .begin = on_begin_coord};
    EQ(coord_observe(world_coord(w), &ob), 0);
}

/* LOCAL_ levels take the round trip inside the client's datacenter; EACH_QUORUM and a
 * QUORUM of all six wait for the other datacenter. */
static void local_quorum_takes_the_local_round_trip(void **state)
{
    (void)state;
    coords cs = {{0}, 0};
    run_stats st;
    tu_run_text_setup(level_story, NULL, 0, watch_coordinators, &cs, &st);
    /* client -> n2 1 ms; n2's own replica and n1 or n3 (2 ms); back 1 ms */
    EQ(took(&st, "w1"), 4000000);
    /* the LOCAL_QUORUM write still reached dc2: n6 alone answers v1 */
    expect_read(&st, "r0", 1, 1, RC_FRESH, 0);
    EQ(took(&st, "r0"), 2000000);
    EQ(took(&st, "w2"), 84000000); /* two in dc2: 41 ms each way */
    expect_read(&st, "r1", 2, 2, RC_FRESH, 0);
    EQ(took(&st, "r1"), 4000000);
    EQ(took(&st, "r2"), 2000000); /* n2's own replica */
    EQ(took(&st, "r3"), 84000000);
    EQ(took(&st, "r4"), 84000000);
    expect_read(&st, "r5", 2, 2, RC_FRESH, 0);
    EQ(took(&st, "r5"), 4000000); /* n6 and a neighbour in dc2 */
    /* coordinators in the client's datacenter: n2 for dc1, n6 for dc2 */
    EQ(cs.n, 8);
    const int want[] = {2, 6, 2, 2, 2, 2, 2, 6};
    for (int i = 0; i < 8; i++)
        EQ(cs.coord[i], want[i]);
    /* LOCAL_ reads ask the local owners only (r0, r1, r2, r5: 3 each with read_fanout = all);
     * EACH_QUORUM and QUORUM reads ask all six (a coordinator's own replica counts as sent) */
    EQ(st.net->sent[MSG_READ_REQ], 4 * 3 + 2 * 6);
    EQ(st.stats->stale + st.stats->lost_reads, 0);
    tu_run_free(&st);
}

/* A LOCAL_QUORUM read in dc1 shortly after a LOCAL_QUORUM write from dc2 returns the previous
 * version: dc1 gets v2 only 41 ms after n6 sent it. Theory does not promise otherwise (the
 * two quorums need not meet), so this is no disagreement. An EACH_QUORUM read at the same
 * instant meets dc2's quorum and returns v2. */
static const char *stale_story =
    "[cluster]\ndatacenters = dc1:3 dc2:3\nvnodes = 1\ncoordinator = owner\n"
    "[quorum]\nr = LOCAL_QUORUM\nw = LOCAL_QUORUM\ntimeout = 1s\n"
    "[network]\nlatency = const(1ms)\ndc_latency = const(40ms)\n"
    "[workload]\nmode = script\nkeys = 1\n"
    "[script]\n"
    "w1 = 0ms write k1\n"
    "w2 = 100ms write k1 from dc2\n"
    "r1 = 110ms read k1\n"
    "r2 = 110ms read k1 at EACH_QUORUM\n"
    "r3 = 110ms read k1 from dc2\n"
    "r4 = 200ms read k1\n";

/* dc_scenario_overlap of scenario text with one --set (may be NULL). */
static int scenario_overlap(const char *text, const char *set)
{
    char dir[64], path[128];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "s.ini", text);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    cfg *c;
    EQ(cfg_create(&c), 0);
    EQ(cfg_load(c, path), 0);
    if (set)
        EQ(cfg_add_arg(c, "--set", set), 0);
    scenario sc;
    EQ(scenario_build(c, &sc), 0);
    int o = dc_scenario_overlap(&sc);
    scenario_free(&sc);
    cfg_destroy(c);
    tu_rm_tree(dir);
    return o;
}

static void local_quorum_read_after_a_remote_write_is_stale(void **state)
{
    (void)state;
    run_stats st;
    char *trace = run_text_trace(stale_story, &st);
    /* v2 is acknowledged at n6 at 103 ms (1 ms to n6, 2 ms for a neighbour's ack) */
    EQ(took(&st, "w2"), 4000000);
    expect_read(&st, "r1", 1, 2, RC_STALE, 1);
    EQ(took(&st, "r1"), 4000000);
    expect_read(&st, "r2", 2, 2, RC_FRESH, 0);
    EQ(took(&st, "r2"), 84000000);
    expect_read(&st, "r3", 2, 2, RC_FRESH, 0);
    expect_read(&st, "r4", 2, 2, RC_FRESH, 0); /* v2 reached dc1 at 142 ms */
    EQ(st.stats->stale, 1);
    EQ(st.stats->promised, 0); /* not a disagreement */
    /* the trace says why: the read's level and datacenter against latest(r)'s */
    assert_non_null(strstr(trace, "\"r_level\":\"LOCAL_QUORUM\",\"dc\":\"dc1\",\"w\":2,"
                                  "\"w_level\":\"LOCAL_QUORUM\",\"w_dc\":\"dc2\",\"n\":6,\"promised\":false"));
    free(trace);
    tu_run_free(&st);
    /* the report's >N? says the same of the scenario's levels: LOCAL_QUORUM both ways does not
     * overlap between the two datacenters its clients are in; EACH_QUORUM reads do */
    EQ(scenario_overlap(stale_story, NULL), 0);
    EQ(scenario_overlap(stale_story, "quorum.r=EACH_QUORUM"), 1);
}

/* The overlap rule against brute force: every read set and every write set a pair of
 * levels allows, on small clusters; the rule says "promised" exactly when no pair of sets
 * is disjoint. */
static int level_allows(const int *rf, int ndc, int lvl, int local, unsigned set)
{
    int in[RING_MAX_DCS] = {0}, total = 0, bit = 0;
    for (int d = 0; d < ndc; d++)
        for (int i = 0; i < rf[d]; i++, bit++)
            if (set >> bit & 1) {
                in[d]++;
                total++;
            }
    if (lvl > 0)
        return total >= lvl;
    for (int d = 0; d < ndc; d++) {
        int q = lvl == QL_LOCAL_ONE ? 1 : rf[d] / 2 + 1;
        if ((lvl == QL_EACH_QUORUM && rf[d] && in[d] < q) || (lvl != QL_EACH_QUORUM && d == local && in[d] < q))
            return 0;
    }
    return 1;
}

static void overlap_rule_matches_brute_force(void **state)
{
    (void)state;
    static const int shapes[][3] = {{3, 3, 0}, {3, 2, 0}, {2, 2, 1}, {1, 3, 2}, {5, 1, 0}};
    static const int ndcs[] = {2, 2, 3, 3, 2};
    int checked = 0, promised = 0;
    for (size_t s = 0; s < sizeof ndcs / sizeof ndcs[0]; s++) {
        const int *rf = shapes[s];
        int ndc = ndcs[s], n = 0;
        for (int d = 0; d < ndc; d++)
            n += rf[d];
        int lv[16], nlv = 0;
        for (int k = 1; k <= n; k++)
            lv[nlv++] = k;
        lv[nlv++] = QL_LOCAL_ONE;
        lv[nlv++] = QL_LOCAL_QUORUM;
        lv[nlv++] = QL_EACH_QUORUM;
        for (int a = 0; a < nlv; a++)
            for (int rd = 0; rd < ndc; rd++)
                for (int b = 0; b < nlv; b++)
                    for (int wd = 0; wd < ndc; wd++) {
                        int disjoint = 0;
                        for (unsigned r = 0; r < (1u << n) && !disjoint; r++) {
                            if (!level_allows(rf, ndc, lv[a], rd, r))
                                continue;
                            for (unsigned w = 0; w < (1u << n) && !disjoint; w++)
                                disjoint = !(r & w) && level_allows(rf, ndc, lv[b], wd, w);
                        }
                        int rule = dc_levels_overlap(rf, ndc, n, lv[a], rd, lv[b], wd);
                        if (rule != !disjoint)
                            fail_msg("rf %d/%d/%d: read %d in %d, write %d in %d: rule %d, brute force %d", rf[0],
                                     rf[1], rf[2], lv[a], rd, lv[b], wd, rule, !disjoint);
                        checked++;
                        promised += rule;
                    }
    }
    print_message("%d pairs of levels checked, %d promised\n", checked, promised);
    assert_true(promised > 0 && promised < checked);
    /* the cases the docs name */
    const int rf[] = {3, 3};
    EQ(dc_levels_overlap(rf, 2, 6, QL_LOCAL_QUORUM, 0, QL_LOCAL_QUORUM, 0), 1);
    EQ(dc_levels_overlap(rf, 2, 6, QL_LOCAL_QUORUM, 0, QL_LOCAL_QUORUM, 1), 0);
    EQ(dc_levels_overlap(rf, 2, 6, 4, 0, QL_LOCAL_QUORUM, 1), 0);
    EQ(dc_levels_overlap(rf, 2, 6, QL_EACH_QUORUM, 0, QL_LOCAL_QUORUM, 1), 1);
    EQ(dc_levels_overlap(rf, 2, 6, 4, 0, 4, 1), 1);
}

/* read_fanout = r: a LOCAL_ read asks as many local owners as it needs, an EACH_QUORUM read
 * each datacenter's quorum, nearest first (the coordinator's own replica, then a neighbour). */
static void read_fanout_r_asks_per_datacenter(void **state)
{
    (void)state;
    const char *sets[] = {"quorum.read_fanout=r", "quorum.read_targets=nearest"};
    run_stats st;
    tu_run_text(level_story, sets, 2, &st);
    EQ(took(&st, "r0"), 2000000);
    EQ(took(&st, "r1"), 4000000);
    EQ(took(&st, "r2"), 2000000);
    EQ(took(&st, "r3"), 84000000);
    EQ(took(&st, "r4"), 84000000);
    expect_read(&st, "r5", 2, 2, RC_FRESH, 0);
    /* 1 + 2 + 1 + (2 + 2) + 4 + 2 */
    EQ(st.net->sent[MSG_READ_REQ], 14);
    tu_run_free(&st);
}

typedef struct placed {
    const ring *rg;
    uint64_t ops, elsewhere;
} placed;

static void on_begin_placed(void *ctx, op *o)
{
    placed *p = ctx;
    p->ops++;
    p->elsewhere += ring_dc_of(p->rg, o->coord) != o->dc;
}

static void watch_placement(struct world *w, void *ctx)
{
    placed *p = ctx;
    p->rg = w->ring;
    op_observer ob = {.name = "test", .ctx = ctx, .begin = on_begin_placed};
    EQ(coord_observe(world_coord(w), &ob), 0);
}

/* Clients in two datacenters, three in four in dc1; coordinator = any (the default with
 * datacenters) draws a node of the client's datacenter. Every node owns every key, so a
 * LOCAL_QUORUM operation takes exactly 4 ms wherever it comes from; what the clients of
 * each datacenter saw is reported apart. */
static const char *shares =
    "[run]\nseed = 7\nops = 4000\n[cluster]\ndatacenters = dc1:3 dc2:3\n"
    "[quorum]\nr = LOCAL_QUORUM\nw = LOCAL_QUORUM\n"
    "[network]\nlatency = const(1ms)\ndc_latency = const(40ms)\n"
    "[workload]\nrate = 1000/s\nread_ratio = 0.5\nkeys = 20\nclient_dc = dc1:3 dc2:1\n";

static void clients_per_datacenter_are_reported_apart(void **state)
{
    (void)state;
    placed p = {NULL, 0, 0};
    run_stats st;
    tu_run_text_setup(shares, NULL, 0, watch_placement, &p, &st);
    EQ(p.ops, 4000);
    EQ(p.elsewhere, 0);
    const dc_res *r = st.rr.res[MOD_DATACENTERS];
    EQ(r->ndc, 2);
    const dc_stat *a = &r->per[0], *b = &r->per[1];
    EQ(a->measured[0] + a->measured[1] + b->measured[0] + b->measured[1], 4000);
    /* binomial(4000, 3/4): sd 27, five of them */
    NEAR((double)(a->measured[0] + a->measured[1]), 3000, 137);
    for (int g = 0; g < 2; g++)
        for (int k = 0; k < 2; k++) {
            EQ(r->per[g].unavailable[k], 0);
            EQ(hist_quantile(&r->per[g].lat[k], 0.0), 4000000);
            EQ(hist_quantile(&r->per[g].lat[k], 1.0), 4000000);
        }
    /* reads from one datacenter soon after a write from the other are stale, and theory
     * promised nothing else */
    EQ(a->stale + b->stale, st.stats->stale);
    EQ(a->fresh + b->fresh + a->stale + b->stale + a->lost + b->lost, st.stats->ok[OP_READ]);
    assert_true(st.stats->stale > 0);
    EQ(st.stats->promised, 0);
    tu_run_free(&st);
    /* all clients in dc2: every coordinator is n4..n6 */
    const char *dc2[] = {"workload.client_dc=dc2"};
    p = (placed){NULL, 0, 0};
    tu_run_text_setup(shares, dc2, 1, watch_placement, &p, &st);
    r = st.rr.res[MOD_DATACENTERS];
    EQ(p.elsewhere, 0);
    EQ(r->per[0].measured[0] + r->per[0].measured[1], 0);
    EQ(st.stats->stale, 0); /* one datacenter's LOCAL_QUORUMs meet */
    tu_run_free(&st);
}

/* Bad levels and clients: the line and the key, and exit status 2 from the program. */
static void level_errors_name_line_and_key(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[quorum]\nr = LOCAL_QUORUM\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: quorum.r = LOCAL_QUORUM: needs cluster.datacenters");
    EQ(tu_check_text("[workload]\nmode = script\nkeys = 1\n[script]\nw1 = 0ms write k1 at EACH_QUORUM\n", NULL, 0,
                     errs, sizeof errs),
       1);
    HAS(errs, ":5: script.w1 = 0ms write k1 at EACH_QUORUM: at EACH_QUORUM: needs cluster.datacenters");
    EQ(tu_check_text("[run]\nops = 10\n[quorum]\nw = LOCAL_TWO\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: quorum.w = LOCAL_TWO: must be 1..16 or ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, "
              "EACH_QUORUM");
    /* a LOCAL_ level for clients in a datacenter without replicas */
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:3\nreplicas = dc1:3\n[quorum]\n"
                     "r = LOCAL_ONE\n[workload]\nclient_dc = dc1 dc2\n",
                     NULL, 0, errs, sizeof errs),
       1);
    HAS(errs, ":7: quorum.r = LOCAL_ONE: clients in dc2, which keeps no replica (cluster.replicas), could never "
              "reach it");
    EQ(tu_check_text("[cluster]\ndatacenters = dc1:3 dc2:3\nreplicas = dc1:3\n[workload]\nmode = script\nkeys = 1\n"
                     "[script]\nw1 = 0ms write k1 at EACH_QUORUM from dc2\nr1 = 1s read k1 at LOCAL_QUORUM from dc2\n",
                     NULL, 0, errs, sizeof errs),
       1);
    HAS(errs, ":9: script.r1 = 1s read k1 at LOCAL_QUORUM from dc2: at LOCAL_QUORUM: clients in dc2, which keeps no "
              "replica");
    /* clients and datacenters */
    EQ(tu_check_text("[cluster]\ndatacenters = dc1:3 dc2:3\n[workload]\nmode = script\nkeys = 1\n"
                     "[script]\nw1 = 0ms write k1 from dc3\n",
                     NULL, 0, errs, sizeof errs),
       1);
    HAS(errs, ":7: script.w1 = 0ms write k1 from dc3: from dc3: not one of cluster.datacenters");
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:3\n[workload]\nclient_dc = dc1:1 east:2\n",
                     NULL, 0, errs, sizeof errs),
       1);
    HAS(errs, ":6: workload.client_dc = dc1:1 east:2: unknown datacenter east (cluster.datacenters: dc1, dc2)");
    EQ(tu_check_text("[run]\nops = 10\n[workload]\nclient_dc = dc1\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: workload.client_dc = dc1: needs cluster.datacenters");
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:3\n[workload]\nclient_dc = dc1:0\n",
                     NULL, 0, errs, sizeof errs),
       1);
    HAS(errs, ":6: workload.client_dc = dc1:0: some datacenter needs a weight above 0");
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:3\ncoordinator = client\n", NULL, 0, errs,
                     sizeof errs),
       1);
    HAS(errs, ":5: cluster.coordinator = client: with datacenters a node in the client's datacenter coordinates: any "
              "(the default) or owner");
    /* the program: exit status 2, the file and the line on stderr, nothing written */
    char dir[64], path[128], errpath[160], out[160];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "bad.ini", "[run]\nops = 10\n[cluster]\nnodes = 3\n[quorum]\nr = LOCAL_QUORUM\n");
    snprintf(path, sizeof path, "%s/bad.ini", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen(errpath, "w", stderr))
            _exit(127);
        const char *argv[] = {QSIM_BIN, "--out", out, path, NULL};
        tu_exec_qsim(argv, 1);
        _exit(127);
    }
    int ws;
    EQ(waitpid(pid, &ws, 0), pid);
    EQ(WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, 2);
    FILE *f = fopen(errpath, "r");
    assert_non_null(f);
    char text[1024] = "";
    size_t got = fread(text, 1, sizeof text - 1, f);
    text[got] = '\0';
    fclose(f);
    char want[256];
    snprintf(want, sizeof want, "%s:6: quorum.r = LOCAL_QUORUM: needs cluster.datacenters", path);
    HAS(text, want);
    EQ(access(out, F_OK), -1);
    tu_rm_tree(dir);
}

/* dc2 is cut off from 50 ms to 2 s. An EACH_QUORUM write cannot gather dc2's quorum and
 * fails at its deadline; LOCAL_QUORUM writes in dc1 go on. Graceful degradation retries the
 * EACH_QUORUM write at the three dc1 acknowledgements it has (THREE, as Cassandra's
 * downgrading policy would): acknowledged 501 ms after it started. After the heal dc2 still
 * holds v1 only (messages cut when sent are gone), so a LOCAL_ONE read there is stale. */
static const char *cut_story =
    "[cluster]\ndatacenters = dc1:3 dc2:3\nvnodes = 1\ncoordinator = owner\n"
    "[quorum]\ntimeout = 500ms\n[network]\nlatency = const(1ms)\ndc_latency = const(40ms)\n"
    "[workload]\nmode = script\nkeys = 1\n"
    "[script]\n"
    "w1 = 0ms write k1 at EACH_QUORUM\n"
    "w2 = 100ms write k1 at EACH_QUORUM\n"
    "w3 = 1s write k1 at LOCAL_QUORUM\n"
    "r1 = 1100ms read k1 at LOCAL_QUORUM\n"
    "r2 = 3s read k1 at LOCAL_ONE from dc2\n"
    "[faults]\ncut = 50ms partition dc1,client | dc2\nheal = 2s heal\n";

static void each_quorum_write_fails_or_downgrades_when_a_datacenter_is_cut_off(void **state)
{
    (void)state;
    run_stats st;
    tu_run_text(cut_story, NULL, 0, &st);
    EQ(took(&st, "w1"), 84000000);
    EQ(op_named(&st, "w2")->ok, 0);
    EQ(took(&st, "w3"), 4000000);
    EQ(op_named(&st, "w3")->version, 3);
    expect_read(&st, "r1", 3, 3, RC_FRESH, 0);
    expect_read(&st, "r2", 1, 3, RC_STALE, 1);
    EQ(st.stats->promised, 0);
    tu_run_free(&st);
    const char *down[] = {"retry.downgrade=on"};
    tu_run_text(cut_story, down, 1, &st);
    EQ(took(&st, "w2"), 501000000);
    expect_read(&st, "r1", 3, 3, RC_FRESH, 0);
    expect_read(&st, "r2", 1, 3, RC_STALE, 2); /* v2 and v3 acknowledged since */
    const retry_res *rr = st.rr.res[MOD_RETRY];
    EQ(rr->downgraded[OP_WRITE], 1);
    EQ(rr->succeeded[OP_WRITE], 1);
    EQ(st.stats->promised, 0);
    tu_run_free(&st);
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:3\n[faults]\ncut = 1s partition dc1 | dc3\n",
                     NULL, 0, errs, sizeof errs),
       1);
    HAS(errs, ":6: faults.cut = 1s partition dc1 | dc3: partition: unknown endpoint 'dc3' (client, n1..n6 or a "
              "datacenter)");
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ndatacenters = dc1:3 dc2:3\n[faults]\ncut = 1s partition dc1 | n2\n",
                     NULL, 0, errs, sizeof errs),
       1);
    HAS(errs, ":6: faults.cut = 1s partition dc1 | n2: partition: 'n2' is in two groups");
}

/* scenarios/two-dc.ini, each read level (fewer operations): LOCAL_QUORUM reads take the
 * local round trip and some are stale, none against theory; QUORUM and EACH_QUORUM reads
 * wait for the other datacenter (40 ms each way); EACH_QUORUM meets every LOCAL_QUORUM
 * write, so a stale read there would be a disagreement, and there is none. */
static void two_dc_scenario_trades_latency_for_freshness(void **state)
{
    (void)state;
    static const char *const levels[] = {"quorum.r=LOCAL_QUORUM", "quorum.r=QUORUM", "quorum.r=EACH_QUORUM"};
    for (int i = 0; i < 3; i++) {
        const char *sets[] = {levels[i], "run.ops=40000"};
        run_stats st;
        tu_run_file(tu_src("scenarios/two-dc.ini"), sets, 2, &st);
        int64_t p50 = hist_quantile(&st.stats->lat[OP_READ][OUT_OK], 0.5);
        print_message("%s: read p50 %.2f ms, %llu stale of %llu reads\n", levels[i], (double)p50 / 1e6,
                      (unsigned long long)(st.stats->stale + st.stats->lost_reads),
                      (unsigned long long)st.stats->ok[OP_READ]);
        EQ(st.stats->promised, 0);
        EQ(st.stats->unavailable[OP_READ] + st.stats->unavailable[OP_WRITE], 0);
        if (i == 0) {
            assert_true(p50 < 5000000);
            assert_true(st.stats->stale > 0);
        } else {
            assert_true(p50 > 80000000);
        }
        if (i == 2)
            EQ(st.stats->stale + st.stats->lost_reads, 0);
        tu_run_free(&st);
    }
}

/* The table's R and W count a datacenter level's replies in all while >N? gives the rule's
 * verdict: the note says so where the two part ways (EACH_QUORUM: R + W = 6 = N, yet the
 * levels meet; QUORUM: 6 too, and they need not). */
static void table_note_names_the_datacenter_rule(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *args[] = {"--out", dir, "--set", "run.ops=20000", "scenarios/two-dc.ini", NULL};
    int status;
    char *out = tu_qsim_stdout(args, &status);
    EQ(status, 0);
    const char *each = strstr(out, "\nquorum.r=EACH_QUORUM"), *quorum = strstr(out, "\nquorum.r=QUORUM");
    assert_non_null(each);
    assert_non_null(quorum);
    const char *each_end = strchr(each + 1, '\n'), *quorum_end = strchr(quorum + 1, '\n');
    const char *meet = strstr(each, "6 yes latest"), *rule = strstr(each, "the levels meet by the datacenter rule");
    assert_true(meet && meet < each_end && rule && rule < each_end);
    const char *no = strstr(quorum, "6 no  latest"), *need = strstr(quorum, "the levels need not meet (datacenter rule)");
    assert_true(no && no < quorum_end && need && need < quorum_end);
    free(out);
    /* writes at ANY promise no replica: that, not the datacenter rule, is why */
    const char *any[] = {"--out", dir, "--force", "--set", "run.ops=20000", "--set", "quorum.w=ANY",
                         "scenarios/two-dc.ini", NULL};
    out = tu_qsim_stdout(any, &status);
    EQ(status, 0);
    quorum = strstr(out, "\nquorum.r=QUORUM");
    assert_non_null(quorum);
    quorum_end = strchr(quorum + 1, '\n');
    need = strstr(quorum, "6 4 0   4 no  latest");
    const char *why = strstr(quorum, "differs: writes at ANY promise no replica (W = 0), no stale read seen");
    assert_true(need && need < quorum_end && why && why < quorum_end);
    free(out);
    tu_rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nts_takes_each_datacenters_first_nodes_on_the_walk),
        cmocka_unit_test(nts_puts_replicas_on_distinct_racks_first),
        cmocka_unit_test(nts_with_one_datacenter_is_the_plain_rule),
        cmocka_unit_test(nts_matches_an_independent_walk),
        cmocka_unit_test(datacenters_set_nodes_and_replicas),
        cmocka_unit_test(cluster_errors_name_line_and_key),
        cmocka_unit_test(dc_latency_is_added_between_datacenters),
        cmocka_unit_test(dc_links_carry_loss),
        cmocka_unit_test(network_errors_name_line_and_key),
        cmocka_unit_test(local_quorum_takes_the_local_round_trip),
        cmocka_unit_test(local_quorum_read_after_a_remote_write_is_stale),
        cmocka_unit_test(overlap_rule_matches_brute_force),
        cmocka_unit_test(read_fanout_r_asks_per_datacenter),
        cmocka_unit_test(clients_per_datacenter_are_reported_apart),
        cmocka_unit_test(level_errors_name_line_and_key),
        cmocka_unit_test(each_quorum_write_fails_or_downgrades_when_a_datacenter_is_cut_off),
        cmocka_unit_test(two_dc_scenario_trades_latency_for_freshness),
        cmocka_unit_test(table_note_names_the_datacenter_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
