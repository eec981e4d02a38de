/* Datacenters (docs/design.md sections 3 and 3b): NetworkTopologyStrategy placement with
 * exact owner lists, the inter-datacenter latency, the LOCAL_ONE, LOCAL_QUORUM and
 * EACH_QUORUM levels with exact latencies and versions, and the errors bad input gets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "models/ring.h"
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
    int dc_of[NODES + 1], rack_of[NODES + 1];
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
        cmocka_unit_test(network_errors_name_line_and_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
