/* Bad input (docs/design.md section 6): every scenario error names the file, the line and the
 * key, every error is listed, and the loader neither crashes nor leaks, even when an
 * allocation fails. Also what good input resolves to: levels, includes, overrides, defaults. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "models/scenario.h"
#include "sim/alloc.h"
#include "sim/cfg.h"
#include "tests/testutil.h"

#define ERRS 8192

/* Fails unless errs holds want (a fragment such as ":4: quorum.r = 4: must be <= replicas (3)"). */
#define HAS(errs, want)                                                                  \
    do {                                                                                 \
        if (!strstr((errs), (want)))                                                     \
            fail_msg("missing error fragment\n  want: %s\n  got:\n%s", (want), (errs)); \
    } while (0)

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* A fresh directory for scenario files; rm_tree removes it (flat or one level deep). */
/* Loads path with sets, builds sc; returns the error count and the error lines in errs.
 * The caller frees sc (scenario_free) and c (cfg_destroy). */
static size_t load(const char *path, const char *const *sets, size_t nsets, cfg **cp, scenario *sc, char *errs,
                   size_t n)
{
    cfg *c;
    EQ(cfg_create(&c), 0);
    cfg_load(c, path);
    for (size_t i = 0; i < nsets; i++)
        cfg_add_arg(c, "--set", sets[i]);
    scenario_build(c, sc);
    size_t ne = cfg_nerrors(c);
    errs[0] = '\0';
    FILE *f = fmemopen(errs, n, "w");
    if (f) {
        cfg_print_errors(c, f);
        fclose(f);
    }
    *cp = c;
    return ne;
}

/* Same, from text written to a temporary file (removed before returning). */
static size_t load_text(const char *text, const char *const *sets, size_t nsets, cfg **cp, scenario *sc, char *errs,
                        size_t n)
{
    char dir[64], path[128];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "s.ini", text);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    size_t ne = load(path, sets, nsets, cp, sc, errs, n);
    tu_rm_tree(dir);
    return ne;
}

static void unload(cfg *c, scenario *sc)
{
    scenario_free(sc);
    cfg_destroy(c);
}

static void cfg_unknown_key_names_line_and_suggests(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[quorum]\nrr = 2\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: quorum.rr = 2: unknown key (did you mean quorum.r?)");
    /* a key far from every known key gets no guess */
    EQ(tu_check_text("[run]\nops = 10\n[quorum]\nconsistency_level_for_reads = 2\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: quorum.consistency_level_for_reads = 2: unknown key (see qsim --keys)");
}

static void cfg_unknown_section_suggests(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[quorom]\nr = 2\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: quorom.r = 2: unknown section [quorom] (did you mean [quorum]?)");
    EQ(tu_check_text("[run]\nops = 10\n[storage_engine]\nkind = lsm\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: storage_engine.kind = lsm: unknown section [storage_engine] (see qsim --keys)");
}

static void cfg_lists_every_error(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[quorum]\nrr = 2\n[cluster]\nnodes = 0\n[network]\nloss = 1.5\n", NULL, 0,
                     errs, sizeof errs),
       3);
    EQ(count_lines(errs), 3);
    HAS(errs, ":4: quorum.rr = 2: unknown key");
    HAS(errs, ":6: cluster.nodes = 0: out of range");
    HAS(errs, ":8: network.loss = 1.5: out of range");
}

static void cfg_lists_file_errors_with_scenario_errors(void **state)
{
    (void)state;
    char errs[ERRS];
    /* a malformed line does not hide the errors the rest of the file has */
    EQ(tu_check_text("[run]\nops = 10\nfoo\n[quorum]\nr = 9\nzz = 1\n", NULL, 0, errs, sizeof errs), 3);
    HAS(errs, ":3: expected 'key = value' or '[section]', got 'foo'");
    HAS(errs, ":5: quorum.r = 9: must be <= replicas (3)");
    HAS(errs, ":6: quorum.zz = 1: unknown key");
}

static void cfg_r_larger_than_n(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\nreplicas = 3\n[quorum]\nr = 4\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":6: quorum.r = 4: must be <= replicas (3)");
}

static void cfg_w_larger_than_n(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\nnodes = 5\nreplicas = 2\n[quorum]\nw = THREE\n", NULL, 0, errs,
                     sizeof errs),
       1);
    HAS(errs, ":7: quorum.w = THREE: must be <= replicas (2)");
}

static void cfg_n_larger_than_nodes(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\nnodes = 2\nreplicas = 3\n[quorum]\nr = 1\nw = 1\n", NULL, 0, errs,
                     sizeof errs),
       1);
    HAS(errs, ":5: cluster.replicas = 3: must be <= nodes (2)");
}

static void cfg_fault_unknown_node(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\nnodes = 3\n[faults]\nok = 1ms crash n3\nc = 2ms crash n9\n", NULL, 0,
                     errs, sizeof errs),
       1);
    HAS(errs, ":7: faults.c = 2ms crash n9: unknown node 'n9' (n1..n3)");
}

static void cfg_partition_unknown_endpoint(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[faults]\np = 1ms partition n1,client | n7\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: faults.p = 1ms partition n1,client | n7: partition: unknown endpoint 'n7' (client or n1..n3)");
    /* the same check for a [links] name */
    EQ(tu_check_text("[run]\nops = 10\n[links]\nclient>n4 = const(1ms)\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: links.client>n4 = const(1ms): unknown endpoint 'n4' (client or n1..n3)");
}

static void cfg_script_unknown_key_or_node(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[workload]\nmode = script\nkeys = 2\n[script]\n"
                     "ok = 1ms write k2\nk = 2ms read k3\np = 3ms read k1 prefer n2,n9\n",
                     NULL, 0, errs, sizeof errs),
       2);
    HAS(errs, ":6: script.k = 2ms read k3: key 'k3': must be k1..k2 (workload.keys)");
    HAS(errs, ":7: script.p = 3ms read k1 prefer n2,n9: prefer: unknown node 'n9' (n1..n3)");
}

static void cfg_dist_does_not_parse(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[network]\nlatency = exp(\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: network.latency = exp(: exp:");
    EQ(tu_check_text("[run]\nops = 10\n[node]\nread_service = gauss(1ms)\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: node.read_service = gauss(1ms): unknown distribution 'gauss'");
}

static void cfg_dist_negative_parameter(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[network]\nlatency = exp(-1ms)\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: network.latency = exp(-1ms): exp: mean must be >= 0");
    EQ(tu_check_text("[run]\nops = 10\n[network]\nlatency = normal(1ms, -1ms)\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: network.latency = normal(1ms, -1ms): normal: sd must be >= 0");
}

static void cfg_missing_include(void **state)
{
    (void)state;
    char dir[64], path[128], errs[ERRS];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "top.ini", "[run]\nops = 10\n\ninclude = nope.ini\n");
    snprintf(path, sizeof path, "%s/top.ini", dir);
    cfg *c;
    scenario sc;
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 1);
    char want[256];
    snprintf(want, sizeof want, "%s:4: include = %s/nope.ini: cannot open", path, dir);
    HAS(errs, want);
    unload(c, &sc);
    tu_rm_tree(dir);
}

static void cfg_include_cycle(void **state)
{
    (void)state;
    char dir[64], path[128], errs[ERRS];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "a.ini", "[run]\nops = 10\ninclude = b.ini\n");
    tu_put(dir, "b.ini", "[network]\nloss = 0.1\n\ninclude = a.ini\n");
    snprintf(path, sizeof path, "%s/a.ini", dir);
    cfg *c;
    scenario sc;
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 1);
    char want[256];
    snprintf(want, sizeof want, "%s/b.ini:4: include = %s/a.ini: include cycle", dir, dir);
    HAS(errs, want);
    unload(c, &sc);
    tu_rm_tree(dir);
}

static void cfg_include_relative_to_including_file(void **state)
{
    (void)state;
    char dir[64], path[128], errs[ERRS];
    tu_make_dir(dir, sizeof dir);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/profiles", dir);
    EQ(mkdir(sub, 0700), 0);
    tu_put(dir, "x.ini", "[network]\nloss = 0.125\n");
    tu_put(dir, "profiles/lan.ini", "[network]\ninclude = ../x.ini\nlatency = const(2ms)\n");
    tu_put(dir, "top.ini", "[run]\nops = 10\ninclude = profiles/lan.ini\n");
    snprintf(path, sizeof path, "%s/top.ini", dir);
    cfg *c;
    scenario sc;
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 0);
    NEAR(SC_NET(&sc)->loss, 0.125, 0);
    assert_non_null(SC_NET(&sc)->latency);
    unload(c, &sc);
    tu_rm_tree(dir);
}

static void cfg_same_fragment_included_twice_is_not_set_twice(void **state)
{
    (void)state;
    char dir[64], path[128], errs[ERRS];
    tu_make_dir(dir, sizeof dir);
    /* a diamond: two presets share one fragment; reading it twice is not a repeated key */
    tu_put(dir, "common.ini", "[network]\nloss = 0.25\n");
    tu_put(dir, "a.ini", "[cluster]\ninclude = common.ini\nnodes = 4\n");
    tu_put(dir, "b.ini", "[node]\ninclude = common.ini\nconcurrency = 2\n");
    tu_put(dir, "top.ini", "[run]\nops = 10\ninclude = a.ini\ninclude = b.ini\n");
    snprintf(path, sizeof path, "%s/top.ini", dir);
    cfg *c;
    scenario sc;
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 0);
    NEAR(SC_NET(&sc)->loss, 0.25, 0);
    EQ(SC_CLUSTER(&sc)->nodes, 4);
    unload(c, &sc);
    /* a key repeated inside the shared fragment is still an error, once, at its line */
    tu_put(dir, "common.ini", "[network]\nloss = 0.25\nloss = 0.5\n");
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 1);
    char want[256];
    snprintf(want, sizeof want, "%s/common.ini:3: network.loss is set twice in this file (first at line 2)", dir);
    HAS(errs, want);
    unload(c, &sc);
    tu_rm_tree(dir);
}

static void cfg_number_out_of_range(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\nnodes = 0\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: cluster.nodes = 0: out of range: must be between 1 and 512");
    EQ(tu_check_text("[run]\nops = 10\n[network]\nloss = 1.5\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: network.loss = 1.5: out of range: must be between 0 and 1");
    EQ(tu_check_text("[run]\nops = 10\n[quorum]\ntimeout = 0ms\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: quorum.timeout = 0ms: out of range");
    EQ(tu_check_text("[run]\nops = ten\n", NULL, 0, errs, sizeof errs), 2); /* and then there is no stop */
    HAS(errs, ":2: run.ops = ten: not an integer");
}

static void cfg_over_long_line_reported(void **state)
{
    (void)state;
    char text[1024], errs[ERRS];
    /* 197 characters is the most the library reads whole: accepted */
    int len = snprintf(text, sizeof text, "[run]\nops = 10\n[network]\n%-197s\n", "latency = const(1ms)");
    EQ(len, (int)strlen("[run]\nops = 10\n[network]\n") + 197 + 1);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 0);
    /* 198: the library would split it; reported at its line, not silently cut */
    snprintf(text, sizeof text, "[run]\nops = 10\n[network]\n%-198s\nloss = 2\n", "latency = const(1ms)");
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 2);
    HAS(errs, ":4: line is 198 characters long; the INI library reads at most 197");
    HAS(errs, ":4: line is 198 characters long; the INI library reads at most 197: 'latency = const(1ms)");
    HAS(errs, ":5: network.loss = 2: out of range"); /* and the next line is still read */
}

static void cfg_malformed_line(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\nwarmup 5\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":3: expected 'key = value' or '[section]', got 'warmup 5'");
    /* a broken header is one error: its keys are not read as keys of the section before */
    EQ(tu_check_text("[run]\nops = 10\n[quorum\nr = 1\n[network]\nloss = 2\n", NULL, 0, errs, sizeof errs), 2);
    HAS(errs, ":3: section header without ']': [quorum");
    HAS(errs, ":6: network.loss = 2: out of range");
    EQ(tu_check_text("ops = 10\n[run]\nops = 10\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":1: ops = 10: key outside any section");
}

static void cfg_key_set_twice_in_one_file(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[quorum]\nr = 1\n\n[quorum]\nr = 2\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":7: quorum.r is set twice in this file (first at line 4)");
}

static void cfg_later_file_overrides_include(void **state)
{
    (void)state;
    char dir[64], path[128], errs[ERRS];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "preset.ini", "[network]\nloss = 0.1\n[quorum]\nr = 1\n");
    /* read in order: the including file's key after the include wins ... */
    tu_put(dir, "after.ini", "[run]\nops = 10\ninclude = preset.ini\n[network]\nloss = 0.2\n");
    snprintf(path, sizeof path, "%s/after.ini", dir);
    cfg *c;
    scenario sc;
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 0);
    NEAR(SC_NET(&sc)->loss, 0.2, 0);
    EQ(SC_QUORUM(&sc)->r, 1);
    const cfg_entry *e = cfg_find(c, "network", "loss");
    assert_non_null(e);
    EQ(e->line, 5);
    unload(c, &sc);
    /* ... and an include read after a key overrides it */
    tu_put(dir, "before.ini", "[run]\nops = 10\n[network]\nloss = 0.2\ninclude = preset.ini\n");
    snprintf(path, sizeof path, "%s/before.ini", dir);
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 0);
    NEAR(SC_NET(&sc)->loss, 0.1, 0);
    unload(c, &sc);
    tu_rm_tree(dir);
}

static void cfg_set_override_applies_and_bad_set_names_set(void **state)
{
    (void)state;
    char errs[ERRS];
    cfg *c;
    scenario sc;
    const char *good[] = {"quorum.r=1", "network.loss=0.5"};
    EQ(load_text("[run]\nops = 10\n[quorum]\nr = 3\n", good, 2, &c, &sc, errs, sizeof errs), 0);
    EQ(SC_QUORUM(&sc)->r, 1);
    NEAR(SC_NET(&sc)->loss, 0.5, 0);
    unload(c, &sc);

    const char *bad[] = {"quorum.r=9"};
    EQ(tu_check_text("[run]\nops = 10\n", bad, 1, errs, sizeof errs), 1);
    if (strncmp(errs, "--set", 5) != 0)
        fail_msg("error does not start with --set: %s", errs);
    HAS(errs, "quorum.r=9: must be <= replicas (3)");

    const char *typo[] = {"quorum.rr=1", "quorum"};
    EQ(tu_check_text("[run]\nops = 10\n", typo, 2, errs, sizeof errs), 2);
    HAS(errs, "--set quorum.rr=1: unknown key (did you mean quorum.r?)");
    HAS(errs, "--set quorum: expected section.key=value");
}

static void cfg_enum_lists_choices(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[cluster]\ncoordinator = leader\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: cluster.coordinator = leader: must be one of client/any/owner");
    EQ(tu_check_text("[run]\nops = 10\n[workload]\npopularity = Zipf\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: workload.popularity = Zipf: must be one of uniform/zipf/hotspot");
}

static void expect_levels(int replicas, const char *r, const char *w, int64_t want_r, int64_t want_w)
{
    char text[256], errs[ERRS];
    snprintf(text, sizeof text, "[run]\nops = 10\n[cluster]\nnodes = 5\nreplicas = %d\n[quorum]\nr = %s\nw = %s\n",
             replicas, r, w);
    cfg *c;
    scenario sc;
    if (load_text(text, NULL, 0, &c, &sc, errs, sizeof errs))
        fail_msg("N=%d r=%s w=%s: %s", replicas, r, w, errs);
    if (SC_QUORUM(&sc)->r != want_r || SC_QUORUM(&sc)->w != want_w)
        fail_msg("N=%d r=%s w=%s: got R=%lld W=%lld, want R=%lld W=%lld", replicas, r, w, (long long)SC_QUORUM(&sc)->r,
                 (long long)SC_QUORUM(&sc)->w, (long long)want_r, (long long)want_w);
    unload(c, &sc);
}

static void cfg_quorum_levels_resolve(void **state)
{
    (void)state;
    expect_levels(3, "QUORUM", "ALL", 2, 3);
    expect_levels(3, "ONE", "TWO", 1, 2);
    expect_levels(3, "THREE", "2", 3, 2);
    expect_levels(4, "QUORUM", "QUORUM", 3, 3);
    expect_levels(5, "QUORUM", "ALL", 3, 5);
    expect_levels(1, "ALL", "QUORUM", 1, 1);
    /* the defaults are QUORUM */
    char errs[ERRS];
    cfg *c;
    scenario sc;
    EQ(load_text("[run]\nops = 10\n", NULL, 0, &c, &sc, errs, sizeof errs), 0);
    EQ(SC_QUORUM(&sc)->r, 2);
    EQ(SC_QUORUM(&sc)->w, 2);
    unload(c, &sc);
    /* names are exact */
    EQ(tu_check_text("[run]\nops = 10\n[quorum]\nr = quorum\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: quorum.r = quorum: must be 1..16 or ONE, TWO, THREE, QUORUM, ALL");
}

static void cfg_script_needs_script_mode(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[script]\nw1 = 1ms write k1\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: script.w1 = 1ms write k1: [script] entries need workload.mode = script");
    /* and the other way round: a script mode without entries, or with a stop of its own */
    EQ(tu_check_text("[workload]\nmode = script\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":2: workload.mode = script: a script workload needs entries in [script]");
    EQ(tu_check_text("[run]\nops = 10\n[workload]\nmode = script\n[script]\nw1 = 1ms write k1\n", NULL, 0, errs,
                     sizeof errs),
       1);
    HAS(errs, ":2: run.ops = 10: not used with workload.mode = script");
}

static void cfg_open_workload_needs_a_stop(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[workload]\nmode = open\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, "set run.ops or run.duration: an open or closed workload needs a stop");
    EQ(tu_check_text("[workload]\nmode = closed\nclients = 4\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, "set run.ops or run.duration");
    EQ(tu_check_text("[run]\nduration = 1s\n", NULL, 0, errs, sizeof errs), 0);
    EQ(tu_check_text("[run]\nops = 10\nwarmup = 10\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":3: run.warmup = 10: must be smaller than run.ops (10)");
}

static void cfg_empirical_missing_file(void **state)
{
    (void)state;
    char dir[64], path[128], errs[ERRS];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "s.ini", "[run]\nops = 10\n[network]\nlatency = empirical(nofile.csv)\n");
    /* the path and the dir are short (mkdtemp of a 20-character template) */
    snprintf(path, sizeof path, "%s/s.ini", dir);
    cfg *c;
    scenario sc;
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 1);
    char want[512];
    snprintf(want, sizeof want, "%s:4: network.latency = empirical(nofile.csv): empirical: cannot open '%s/nofile.csv'",
             path, dir);
    HAS(errs, want);
    unload(c, &sc);
    /* the file name is relative to the scenario: once it exists, the same text loads */
    tu_put(dir, "nofile.csv", "0.001\n0.002\n0.003\n");
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 0);
    assert_non_null(SC_NET(&sc)->latency);
    unload(c, &sc);
    tu_rm_tree(dir);
}

static const char *effective(const cfg *c, const char *section, const char *key)
{
    for (size_t i = 0; i < cfg_effective_count(c); i++) {
        const char *s, *k, *t;
        cfg_effective_get(c, i, &s, &k, &t);
        if (strcmp(s, section) == 0 && strcmp(k, key) == 0)
            return t;
    }
    return NULL;
}

static void expect_effective(const cfg *c, const char *section, const char *key, const char *want)
{
    const char *got = effective(c, section, key);
    if (!got || strcmp(got, want) != 0)
        fail_msg("effective %s.%s = %s, want %s", section, key, got ? got : "(absent)", want);
}

static void cfg_defaults_fill_effective_configuration(void **state)
{
    (void)state;
    char errs[ERRS];
    cfg *c;
    scenario sc;
    EQ(load_text("[run]\nops = 10\n[quorum]\nr = ONE\n", NULL, 0, &c, &sc, errs, sizeof errs), 0);
    expect_effective(c, "run", "ops", "10");
    expect_effective(c, "quorum", "r", "ONE");
    expect_effective(c, "quorum", "timeout", "1s");
    expect_effective(c, "quorum", "w", "QUORUM");
    expect_effective(c, "cluster", "nodes", "3");
    expect_effective(c, "network", "latency", "exp(1ms)");
    expect_effective(c, "workload", "mode", "open");
    /* every key of every table, once (no list entries in this file) */
    size_t nt, nkeys = 0;
    const cfg_table *const *t = scenario_tables(&nt);
    for (size_t i = 0; i < nt; i++)
        for (size_t k = 0; k < t[i]->n; k++)
            nkeys += t[i]->keys[k].type != CFG_LIST;
    EQ(cfg_effective_count(c), nkeys);
    EQ(SC_QUORUM(&sc)->timeout, 1000000000);
    unload(c, &sc);
}

static const char bad_text[] = "[run]\nops = 10\n[quorum]\nrr = 2\nr = 4\n[cluster]\nnodes = 0\n"
                               "[network]\nlatency = mix(0.5 exp(1ms), 0.5 pareto(1ms,\n"
                               "[node.n7]\nslow = 2\n[links]\nclient>n2 = const(1ms) loss 2\n"
                               "[faults]\nc = 1ms crash n9\np = 2ms partition n1 | n1\n"
                               "[script]\nw1 = 1ms write k1\n";

static void cfg_failing_build_does_not_leak(void **state)
{
    (void)state;
    char errs[ERRS];
    long before = mem_live();
    size_t ne = tu_check_text(bad_text, NULL, 0, errs, sizeof errs);
    if (ne < 8)
        fail_msg("want at least 8 errors, got %zu:\n%s", ne, errs);
    EQ(mem_live(), before);
    const char *sets[] = {"quorum.w=ALL", "quorum.zz=1", "bad"};
    tu_check_text(bad_text, sets, 3, errs, sizeof errs);
    EQ(mem_live(), before);
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

/* The parts of a built scenario that come from allocated text: names, files, counts. */
static void describe(const scenario *sc, char *buf, size_t n)
{
    if (!SC_NET(sc) || !SC_FAULTS(sc) || !SC_WL(sc) || !SC_QUORUM(sc)) {
        snprintf(buf, n, "not built"); /* a configuration block could not be allocated */
        return;
    }
    size_t l = (size_t)snprintf(buf, n, "links %zu faults %zu script %zu r %lld loss %g", SC_NET(sc)->nlinks, SC_FAULTS(sc)->n,
                                SC_WL(sc)->nscript, (long long)SC_QUORUM(sc)->r, SC_NET(sc)->loss);
    for (size_t i = 0; i < SC_FAULTS(sc)->n && l < n; i++)
        l += (size_t)snprintf(buf + l, n - l, " fault %s %s:%d %s", SC_FAULTS(sc)->f[i].name, SC_FAULTS(sc)->f[i].file,
                              SC_FAULTS(sc)->f[i].line, SC_FAULTS(sc)->f[i].text);
    for (size_t i = 0; i < SC_WL(sc)->nscript && l < n; i++)
        l += (size_t)snprintf(buf + l, n - l, " script %s %s:%d", SC_WL(sc)->script[i].name, SC_WL(sc)->script[i].file,
                              SC_WL(sc)->script[i].line);
}

/* Fails allocation k = 1, 2, ... of cfg_create + cfg_load + --set + scenario_build on path
 * until the countdown outlives the build (every failure point tried). Each must end without
 * a crash or a leak. *absorbed counts failures that left no error but a scenario that
 * differs from the clean one; *as_name those of them where a name became "?" (the
 * fallback of keep() in models/scenario.c). Returns the allocations of a clean build. */
static long inject_every_failure(const char *path, const char *const *sets, size_t nsets, size_t *absorbed,
                                 size_t *as_name, char *first_absorbed, size_t fan)
{
    static char clean[8192], got[8192];
    long base = mem_live();
    *absorbed = *as_name = 0;
    clean[0] = '\0';
    for (long k = 1; k < 100000; k++) {
        mem_fail_at(k);
        cfg *c = NULL;
        scenario sc;
        memset(&sc, 0, sizeof sc);
        size_t ne = 1;
        got[0] = '\0';
        if (cfg_create(&c) == 0) {
            cfg_load(c, path);
            for (size_t i = 0; i < nsets; i++)
                cfg_add_arg(c, "--set", sets[i]);
            scenario_build(c, &sc);
            ne = cfg_nerrors(c);
            describe(&sc, got, sizeof got);
            scenario_free(&sc);
            cfg_destroy(c);
        }
        long left = countdown_left(k);
        mem_fail_at(0);
        if (mem_live() != base)
            fail_msg("%s: allocation %ld failed: %ld blocks leaked", path, k, mem_live() - base);
        if (left > 0)
            return k - left; /* the countdown outlived the build: every failure point was tried */
        if (k == 1) {
            /* the clean description, from a build without injection */
            cfg *c0;
            scenario s0;
            EQ(cfg_create(&c0), 0);
            cfg_load(c0, path);
            for (size_t i = 0; i < nsets; i++)
                cfg_add_arg(c0, "--set", sets[i]);
            scenario_build(c0, &s0);
            describe(&s0, clean, sizeof clean);
            scenario_free(&s0);
            cfg_destroy(c0);
        }
        if (ne == 0 && strcmp(got, clean) != 0) {
            int named = strstr(got, " ?") && !strstr(clean, " ?");
            if (*absorbed == *as_name && !named)
                snprintf(first_absorbed, fan, "allocation %ld: %s\n  clean: %s", k, got, clean);
            ++*absorbed;
            *as_name += (size_t)named;
        }
    }
    fail_msg("%s: too many allocations", path);
    return 0;
}

static void write_injection_files(char *dir, size_t n)
{
    char sub[128];
    tu_make_dir(dir, n);
    snprintf(sub, sizeof sub, "%s/profiles", dir);
    EQ(mkdir(sub, 0700), 0);
    tu_put(dir, "common.ini", "[network]\nloss = 0.01\n");
    tu_put(dir, "profiles/lan.ini", "[network]\ninclude = ../common.ini\nlatency = shift(0.1ms, exp(0.4ms))\n");
    tu_put(dir, "samples.csv", "0.001\n0.002\n0.004\n");
    tu_put(dir, "good.ini",
        "[run]\nseed = 9\n[cluster]\nnodes = 4\nreplicas = 3\n[quorum]\nr = QUORUM\nw = 1\n"
        "include = profiles/lan.ini\n[network]\nread_response = empirical(samples.csv)\n"
        "[node]\nread_service = mix(0.9 exp(0.1ms), 0.1 pareto(0.2ms, 3))\n[node.n2]\nslow = 3\n"
        "[links]\nclient>n3 = const(20ms) loss 0.1\nn1-n2 = uniform(1ms, 2ms)\n"
        "[workload]\nmode = script\nkeys = 3\n[script]\nw1 = 0ms write k1\nr1 = 5ms read k1 prefer n1,n2\n"
        "[faults]\nc = 1ms crash n2 volatile\np = 2ms partition n1,client | n3,n4\n"
        "l = 3ms link n1>n2 latency exp(2ms)\ns = 4ms slow n3 2 until 9ms\nh = 5ms heal\n");
    tu_put(dir, "bad.ini", bad_text);
}

static void cfg_allocation_failures_do_not_crash_or_leak(void **state)
{
    (void)state;
    char dir[64], good[128], bad[128], first[16384];
    write_injection_files(dir, sizeof dir);
    snprintf(good, sizeof good, "%s/good.ini", dir);
    snprintf(bad, sizeof bad, "%s/bad.ini", dir);
    const char *sets[] = {"quorum.r=ALL", "node.n3.slow=2"};
    size_t absorbed, as_name;
    long n_good = inject_every_failure(good, sets, 2, &absorbed, &as_name, first, sizeof first);
    long n_bad = inject_every_failure(bad, sets, 2, &absorbed, &as_name, first, sizeof first);
    if (n_good < 100 || n_bad < 50)
        fail_msg("suspiciously few allocations: %ld and %ld", n_good, n_bad);
    tu_rm_tree(dir);
}

/* An allocation that fails must show as an error, never as a silently different scenario. */
static void cfg_allocation_failure_is_an_error_not_a_different_scenario(void **state)
{
    (void)state;
    char dir[64], good[128], first[16384] = "";
    write_injection_files(dir, sizeof dir);
    snprintf(good, sizeof good, "%s/good.ini", dir);
    const char *sets[] = {"quorum.r=ALL", "node.n3.slow=2"};
    size_t absorbed, as_name;
    inject_every_failure(good, sets, 2, &absorbed, &as_name, first, sizeof first);
    tu_rm_tree(dir);
    if (absorbed > as_name)
        fail_msg("%zu failed allocations left no error but a different scenario; first: %s", absorbed - as_name,
                 first);
    if (as_name)
        fail_msg("%zu failed allocations turned a fault or script name into \"?\" without an error", as_name);
}

/* Faults that can have no effect are errors, each at its line: the timeline alone decides
 * them (a crash of a node already down, a recovery of a node up, a heal with nothing cut, a
 * slowdown by 1, a link reset with nothing changed); the same faults in a sensible order
 * are accepted. */
static void cfg_faults_that_do_nothing_are_errors(void **state)
{
    (void)state;
    char errs[4096];
    const char *base = "[run]\nops = 10\n[faults]\n";
    char text[1024];
    snprintf(text, sizeof text,
             "%sa = 10ms crash n1\nb = 20ms crash n1\nc = 5ms recover n2\nd = 1ms heal\ne = 2ms slow n3 1\n"
             "f = 3ms link n1>n2 latency default\ng = 4ms link n1-n2 loss 0.5\nh = 6ms link n2>n1 loss default\n"
             "i = 7ms link n2>n1 loss default\n",
             base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 6);
    HAS(errs, ":5: faults.b = 20ms crash n1: n1 is already down at 20ms (crashed by 'a')");
    HAS(errs, ":6: faults.c = 5ms recover n2: n2 is up at 5ms");
    HAS(errs, ":7: faults.d = 1ms heal: no partition is in force at 1ms");
    HAS(errs, ":8: faults.e = 2ms slow n3 1: a slowdown by a factor of 1 does nothing");
    HAS(errs, ":9: faults.f = 3ms link n1>n2 latency default: the link's latency is not changed at 3ms");
    HAS(errs, ":12: faults.i = 7ms link n2>n1 loss default: the link's loss is not changed at 7ms");
    /* file order does not matter, time does; equal times run in file order */
    snprintf(text, sizeof text,
             "%sup = 30ms recover n1\ndown = 10ms crash n1\nagain = 40ms crash n1\ncut = 50ms partition n1 | n2\n"
             "heal = 50ms heal\nlat = 1ms link n1>n2 latency const(1ms)\nback = 2ms link n1>n2 latency default\n",
             base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 0);
    /* a slowdown of service where the node spends no time serving */
    snprintf(text, sizeof text, "%ss = 1ms slow n2 10 on service\nt = 1ms slow n2 10 on network\n", base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: faults.s = 1ms slow n2 10 on service: n2's service times are all zero");
    snprintf(text, sizeof text, "[node]\nread_service = exp(1ms)\n%ss = 1ms slow n2 10 on service until 2ms\n", base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 0);
    snprintf(text, sizeof text, "%ss = 1ms slow n2 10 on disk\n", base);
    EQ(tu_check_text(text, NULL, 0, errs, sizeof errs), 1);
    HAS(errs, "slow: 'on disk': must be service, network or both");
    EQ(tu_check_text("[run]\nops = 10\n[node]\nslow = 3\nslow_on = service\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: node.slow = 3: n1's service times are all zero");
    EQ(tu_check_text("[run]\nops = 10\n[node.n2]\nslow = 3\nslow_on = service\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: node.n2.slow = 3: n2's service times are all zero");
}

/* Writes len bytes (NULs allowed) to dir/name. */
static void put_bytes(const char *dir, const char *name, const char *bytes, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
        fail_msg("cannot write %s", path);
}

/* A sparse file of size bytes at dir/name (reads as NULs). */
static void put_sparse(const char *dir, const char *name, off_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, size) != 0 || close(fd) != 0)
        fail_msg("cannot make %s", path);
}

/* Loads dir/name (and builds it); returns the error count with the errors in errs. */
static size_t load_in(const char *dir, const char *name, char *errs, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cfg *c;
    scenario sc;
    size_t ne = load(path, NULL, 0, &c, &sc, errs, n);
    unload(c, &sc);
    return ne;
}

/* A fresh directory holding a directory, a FIFO and links to /dev/zero, as d/f, d/fifo, d/zero. */
static void make_non_regular(char *dir, size_t n)
{
    char p[4096];
    tu_make_dir(dir, n);
    snprintf(p, sizeof p, "%s/d", dir);
    EQ(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/fifo", dir);
    EQ(mkfifo(p, 0600), 0);
    snprintf(p, sizeof p, "%s/zero", dir);
    EQ(symlink("/dev/zero", p), 0);
}

/* A directory, a FIFO (which used to block forever) or a device (which used to be read until
 * memory ran out) is an error wherever a file is named: the scenario, an include, an
 * empirical file; the error names the line that named it. The alarm turns a hang into a
 * failure. */
static void cfg_non_regular_input_files_are_errors(void **state)
{
    (void)state;
    char dir[64], errs[ERRS], want[4400];
    make_non_regular(dir, sizeof dir);
    alarm(60);
    static const char *const names[] = {"d", "fifo", "zero", "/dev/zero"};
    static const char *const kinds[] = {"is a directory", "is a FIFO (named pipe)", "is a character device",
                                        "is a character device"};
    for (int i = 0; i < 4; i++) {
        char path[4096], text[512];
        /* the scenario itself */
        if (names[i][0] == '/')
            snprintf(path, sizeof path, "%s", names[i]);
        else
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        cfg *c;
        EQ(cfg_create(&c), 0);
        EQ(cfg_load(c, path), -1);
        errs[0] = '\0';
        FILE *f = fmemopen(errs, sizeof errs, "w");
        cfg_print_errors(c, f);
        fclose(f);
        cfg_destroy(c);
        snprintf(want, sizeof want, "%s: %s, not a regular file\n", path, kinds[i]);
        if (strcmp(errs, want) != 0)
            fail_msg("got '%s', want '%s'", errs, want);
        /* an include */
        snprintf(text, sizeof text, "[run]\nops = 10\ninclude = %s\n", names[i]);
        tu_put(dir, "inc.ini", text);
        EQ(load_in(dir, "inc.ini", errs, sizeof errs), 1);
        snprintf(want, sizeof want, "%s/inc.ini:3: include = %s%s%s: %s, not a regular file", dir,
                 names[i][0] == '/' ? "" : dir, names[i][0] == '/' ? "" : "/", names[i], kinds[i]);
        HAS(errs, want);
        /* an empirical file */
        snprintf(text, sizeof text, "[run]\nops = 10\n[network]\nlatency = empirical(%s)\n", names[i]);
        tu_put(dir, "emp.ini", text);
        EQ(load_in(dir, "emp.ini", errs, sizeof errs), 1);
        snprintf(want, sizeof want, "%s/emp.ini:4: network.latency = empirical(%s): empirical: '%s%s%s' %s, not a regular file",
                 dir, names[i], names[i][0] == '/' ? "" : dir, names[i][0] == '/' ? "" : "/", names[i], kinds[i]);
        HAS(errs, want);
    }
    alarm(0);
    tu_rm_tree(dir);
}

/* Every file read has a size limit (4 MiB for a scenario or an include, 16 MiB for all of a
 * scenario's files together, however often a fragment is included), stated in the error. */
static void cfg_oversized_input_files_are_errors(void **state)
{
    (void)state;
    char dir[64], errs[ERRS], want[512];
    tu_make_dir(dir, sizeof dir);
    alarm(60);
    put_sparse(dir, "big.ini", ((off_t)4 << 20) + 1);
    snprintf(want, sizeof want, "%s/big.ini: is larger than 4 MiB, the limit for scenario files", dir);
    EQ(load_in(dir, "big.ini", errs, sizeof errs), 2); /* and then no stop is set */
    HAS(errs, want);
    tu_put(dir, "top.ini", "[run]\nops = 10\ninclude = big.ini\n");
    EQ(load_in(dir, "top.ini", errs, sizeof errs), 1);
    snprintf(want, sizeof want, "%s/top.ini:3: include = %s/big.ini: is larger than 4 MiB, the limit for scenario files",
             dir, dir);
    HAS(errs, want);
    /* a 3 MiB fragment (comments) is fine alone and five times, not six times */
    char *frag = malloc((size_t)3 << 20);
    assert_non_null(frag);
    for (size_t i = 0; i < ((size_t)3 << 20); i += 64)
        memcpy(frag + i, "; a comment line that is sixty-three characters long...........\n", 64);
    put_bytes(dir, "frag.ini", frag, (size_t)3 << 20);
    free(frag);
    tu_put(dir, "five.ini", "[run]\nops = 10\ninclude = frag.ini\ninclude = frag.ini\ninclude = frag.ini\n"
                            "include = frag.ini\ninclude = frag.ini\n");
    EQ(load_in(dir, "five.ini", errs, sizeof errs), 0);
    tu_put(dir, "six.ini", "[run]\nops = 10\ninclude = frag.ini\ninclude = frag.ini\ninclude = frag.ini\n"
                           "include = frag.ini\ninclude = frag.ini\ninclude = frag.ini\n");
    EQ(load_in(dir, "six.ini", errs, sizeof errs), 1);
    snprintf(want, sizeof want, "%s/six.ini:8: include = %s/frag.ini: the scenario and its includes are larger than 16 MiB in total",
             dir, dir);
    HAS(errs, want);
    alarm(0);
    tu_rm_tree(dir);
}

/* A NUL byte (the library would stop the line there) or a carriage return not followed by a
 * line feed (old Mac files: the library would see one line) would silently drop text: each
 * is an error at its line, the line is not read, and the lines after it still are. */
static void cfg_bytes_that_would_change_meaning_are_errors(void **state)
{
    (void)state;
    char dir[64], errs[ERRS];
    tu_make_dir(dir, sizeof dir);
    static const char nul[] = "[run]\nops = 10\n[quorum]\nr = 1\0 9\n[network]\nloss = 2\n";
    put_bytes(dir, "nul.ini", nul, sizeof nul - 1);
    EQ(load_in(dir, "nul.ini", errs, sizeof errs), 2);
    HAS(errs, "nul.ini:4: line holds a NUL byte (at character 6): is this a text file?");
    HAS(errs, "nul.ini:6: network.loss = 2: out of range");
    /* a NUL in a comment is no better: the file is not text */
    static const char nulc[] = "[run]\nops = 10\n; \0\n";
    put_bytes(dir, "nulc.ini", nulc, sizeof nulc - 1);
    EQ(load_in(dir, "nulc.ini", errs, sizeof errs), 1);
    HAS(errs, "nulc.ini:3: line holds a NUL byte (at character 3)");
    /* CR line endings: everything after the first line used to vanish */
    tu_put(dir, "cr.ini", "[run]\rops = 10\r[quorum]\rr = 9\r");
    EQ(load_in(dir, "cr.ini", errs, sizeof errs), 2); /* and then no stop is set */
    HAS(errs, "cr.ini:1: line holds a carriage return (at character 6) not followed by a line feed: lines end "
              "with LF or CRLF, not CR alone");
    /* a lone CR inside a line, and in an included file */
    tu_put(dir, "mid.ini", "[run]\nops = 10\n[quorum]\nr = 1\r2\n");
    EQ(load_in(dir, "mid.ini", errs, sizeof errs), 1);
    HAS(errs, "mid.ini:4: line holds a carriage return (at character 6)");
    tu_put(dir, "top.ini", "[run]\nops = 10\ninclude = mid.ini\n");
    EQ(load_in(dir, "top.ini", errs, sizeof errs), 1);
    HAS(errs, "mid.ini:4: line holds a carriage return");
    tu_rm_tree(dir);
}

/* What editors really write is read as meant: CRLF line ends and a UTF-8 byte-order mark, in
 * the scenario and in an include, give the same scenario as plain LF. */
static void cfg_editor_line_endings_and_bom_accepted(void **state)
{
    (void)state;
    char dir[64], errs[ERRS], a[8192], b[8192];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "lf.ini", "[run]\nops = 10\n[quorum]\nr = 1\ninclude = inc-lf.ini\n[faults]\nc = 1ms crash n2\n");
    tu_put(dir, "inc-lf.ini", "[network]\nloss = 0.25\n");
    tu_put(dir, "crlf.ini", "\xEF\xBB\xBF[run]\r\nops = 10\r\n[quorum]\r\nr = 1\r\ninclude = inc-crlf.ini\r\n"
                            "[faults]\r\nc = 1ms crash n2\r\n");
    tu_put(dir, "inc-crlf.ini", "\xEF\xBB\xBF[network]\r\nloss = 0.25"); /* and no final line end */
    cfg *c;
    scenario sc;
    char path[4096];
    snprintf(path, sizeof path, "%s/lf.ini", dir);
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 0);
    describe(&sc, a, sizeof a);
    NEAR(SC_NET(&sc)->loss, 0.25, 0);
    unload(c, &sc);
    snprintf(path, sizeof path, "%s/crlf.ini", dir);
    EQ(load(path, NULL, 0, &c, &sc, errs, sizeof errs), 0);
    describe(&sc, b, sizeof b);
    NEAR(SC_NET(&sc)->loss, 0.25, 0);
    EQ(SC_QUORUM(&sc)->r, 1);
    unload(c, &sc);
    /* the same apart from the file names */
    char *p;
    while ((p = strstr(b, "crlf.ini")))
        memmove(p + 2, p + 4, strlen(p + 4) + 1), memcpy(p, "lf", 2);
    if (strcmp(a, b) != 0)
        fail_msg("LF: %s\nCRLF: %s", a, b);
    tu_rm_tree(dir);
}

static void cfg_empty_include_is_an_error(void **state)
{
    (void)state;
    char errs[ERRS];
    /* it used to name the including file's directory, read as an empty file */
    EQ(tu_check_text("[run]\nops = 10\ninclude =\n[network]\ninclude = \n", NULL, 0, errs, sizeof errs), 2);
    HAS(errs, ":3: include = : needs the name of a file to read");
    HAS(errs, ":5: include = : needs the name of a file to read");
}

/* Keys and values are UTF-8 text without control characters (tab allowed): anything else
 * would reach summary.json, runs.csv or the trace changed or unreadable. Comments are not
 * read, so they may hold anything but NUL and a lone CR. */
static void cfg_text_that_is_not_utf8_is_an_error(void **state)
{
    (void)state;
    char errs[ERRS];
    EQ(tu_check_text("[run]\nops = 10\n[faults]\nf\xe9 = 1ms heal\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: the key is not UTF-8 text (byte 0xe9 at offset 1)");
    EQ(tu_check_text("[run]\nops = 10\n[faults]\nf = 1ms heal \xff\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: faults.f: the value is not UTF-8 text (byte 0xff at offset 9)");
    EQ(tu_check_text("[run]\nops = 10\n[n\xc0\xaf" "de]\nslow = 2\n", NULL, 0, errs, sizeof errs), 1); /* overlong '/' */
    HAS(errs, ":4: the section name is not UTF-8 text (byte 0xc0 at offset 1)");
    EQ(tu_check_text("[run]\nops = 10\n[script]\nw = 1ms write k1\x1b" "[2J\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: script.w: the value holds the control character 0x1b (at offset 12)");
    /* a surrogate encoded in UTF-8 (CESU) is not UTF-8 either */
    EQ(tu_check_text("[run]\nops = 10\n[faults]\n\xed\xa0\x80 = 1ms heal\n", NULL, 0, errs, sizeof errs), 1);
    HAS(errs, ":4: the key is not UTF-8 text (byte 0xed at offset 0)");
    /* well-formed UTF-8 is text like any other; comments are not checked */
    cfg *c;
    scenario sc;
    EQ(load_text("[run]\nops = 10 ; Latin-1 \xe9t\xe9\n; \xff\xfe\n[faults]\nfr\xc3\xbc" "h = 1ms recover n1\t; \xe2\x9c\x93\n"
                 "\xf0\x9f\x92\xa5 = 0ms crash n1\n",
                 NULL, 0, &c, &sc, errs, sizeof errs),
       0);
    EQ(SC_FAULTS(&sc)->n, 2);
    assert_string_equal(SC_FAULTS(&sc)->f[0].name, "fr\xc3\xbc" "h"); /* the recovery after the crash at 0 */
    assert_string_equal(SC_FAULTS(&sc)->f[1].name, "\xf0\x9f\x92\xa5");
    unload(c, &sc);
    /* the same rules for the command line */
    const char *sets[] = {"faults.x=1ms heal\xff", "fault\xffs.x=1ms heal", "faults.y=1ms\nheal"};
    EQ(tu_check_text("[run]\nops = 10\n", sets, 3, errs, sizeof errs), 3);
    HAS(errs, "--set faults.x: the value is not UTF-8 text (byte 0xff at offset 8)");
    HAS(errs, "--set: the key is not UTF-8 text (byte 0xff at offset 5)");
    HAS(errs, "--set faults.y: the value holds the control character 0x0a (at offset 3)");
}

/* A value from the command line is read whole or refused: never cut at a buffer's size. */
static void cfg_long_command_line_values_are_errors_not_cut(void **state)
{
    (void)state;
    char errs[ERRS], arg[1200];
    cfg *c;
    scenario sc;
    /* 500 characters: read whole (blanks then the seed) */
    snprintf(arg, sizeof arg, "run.seed=%499s", "7");
    const char *ok[] = {arg};
    EQ(load_text("[run]\nops = 10\n", ok, 1, &c, &sc, errs, sizeof errs), 0);
    EQ(SC_CFG(&sc, MOD_RUN, run_cfg)->seed, 7);
    unload(c, &sc);
    /* 501: refused, not cut to the first 500 (which would be the seed 7 again) */
    snprintf(arg, sizeof arg, "run.seed=%500s9", "7");
    EQ(tu_check_text("[run]\nops = 10\n", ok, 1, errs, sizeof errs), 1);
    HAS(errs, "--set run.seed: the value is 501 characters long; at most 500 are read");
    /* a long key is named whole in its error */
    char key[400];
    memset(key, 'k', sizeof key);
    key[sizeof key - 1] = '\0';
    snprintf(arg, sizeof arg, "quorum.%s=1", key);
    EQ(tu_check_text("[run]\nops = 10\n", ok, 1, errs, sizeof errs), 1);
    char want[600];
    snprintf(want, sizeof want, "--set quorum.%s=1: unknown key", key);
    HAS(errs, want);
    /* the model parsers refuse what they cannot hold, also when called directly */
    char text[700], err[256];
    snprintf(text, sizeof text, "1ms heal%600s", "");
    fault f = {0};
    EQ(fault_parse(text, 3, ".", &f, err, sizeof err), -1);
    HAS(err, "too long");
    fault_free(&f);
    script_op so;
    snprintf(text, sizeof text, "1ms write k1%600s", "");
    EQ(wl_parse_script(text, 3, 3, &so, err, sizeof err), -1);
    HAS(err, "too long");
}

/* A file of garbage lists the first 100 errors and counts the rest (it used to take time
 * quadratic in the number of errors, and print them all). */
static void cfg_error_listing_is_bounded(void **state)
{
    (void)state;
    static char text[20000], errs[65536];
    size_t l = (size_t)snprintf(text, sizeof text, "[run]\nops = 10\n");
    for (int i = 0; i < 1000; i++)
        l += (size_t)snprintf(text + l, sizeof text - l, "x%d\n", i);
    size_t ne = tu_check_text(text, NULL, 0, errs, sizeof errs);
    EQ(ne, 1000);
    EQ(count_lines(errs), 101);
    HAS(errs, ":102: expected 'key = value' or '[section]', got 'x99'\n");
    HAS(errs, "qsim: 900 more errors not listed (only the first 100 are)\n");
}

/* A scenario at the size limit (4 MiB) loads in time linear in its entries: it used to take
 * minutes for many faults, unknown keys, [node.NAME] sections or repeated keys. */
static void cfg_large_scenario_loads_in_linear_time(void **state)
{
    (void)state;
    char dir[64], errs[ERRS];
    tu_make_dir(dir, sizeof dir);
    size_t cap = (size_t)4 << 20, l;
    char *text = malloc(cap + 1);
    assert_non_null(text);
    static const char *const heads[] = {"[run]\nops = 10\n[faults]\n", "[run]\nops = 10\n",
                                        "[run]\nops = 10\n", "[run]\nops = 10\n"};
    /* faults that do not parse: [faults] is walked entry by entry */
    /* lines: "fI = 1s bogus", "kI = 1", "[node.nI] slow = 2", "ops = 10" */
    alarm(120); /* linear: a few seconds under the sanitizers; quadratic: hours */
    for (int shape = 0; shape < 4; shape++) {
        l = (size_t)snprintf(text, cap, "%s", heads[shape]);
        for (size_t i = 0; l + 40 < cap; i++)
            l += (size_t)(shape == 0   ? snprintf(text + l, cap - l, "f%zu = 1s bogus\n", i)
                          : shape == 1 ? snprintf(text + l, cap - l, "k%zu = 1\n", i)
                          : shape == 2 ? snprintf(text + l, cap - l, "[node.n%zu]\nslow = 2\n", i)
                                       : snprintf(text + l, cap - l, "ops = 10\n"));
        put_bytes(dir, "big.ini", text, l);
        size_t ne = load_in(dir, "big.ini", errs, sizeof errs);
        if (ne < 100000)
            fail_msg("shape %d: %zu errors", shape, ne);
    }
    /* entries that load and are kept, each list growing one entry at a time: faults (a
     * node crashed and recovered in turn, which the timeline check follows), script
     * operations, and the scenario's copies of every entry's name and file */
    static const char *const kept[] = {"[workload]\nmode = script\nkeys = 1\n[script]\nw = 0ms write k1\n[faults]\n",
                                       "[workload]\nmode = script\nkeys = 1\n[script]\n"};
    for (int shape = 0; shape < 2; shape++) {
        l = (size_t)snprintf(text, cap, "%s", kept[shape]);
        size_t i = 0;
        for (; l + 60 < cap; i++)
            l += (size_t)(shape == 0 ? snprintf(text + l, cap - l, "f%zu = %zums %s n1%s\n", i, i + 1,
                                                i % 2 ? "recover" : "crash", i % 2 ? "" : " durable")
                                     : snprintf(text + l, cap - l, "w%zu = %zums write k1\n", i, i));
        put_bytes(dir, "kept.ini", text, l);
        cfg *c;
        scenario sc;
        char path[4096];
        snprintf(path, sizeof path, "%s/kept.ini", dir);
        size_t ne = load(path, NULL, 0, &c, &sc, errs, sizeof errs);
        if (ne)
            fail_msg("kept shape %d: %s", shape, errs);
        assert_true(i > 100000);
        if (shape == 0)
            EQ(SC_CFG(&sc, MOD_FAULTS, faults_cfg)->n, i);
        else
            EQ(SC_CFG(&sc, MOD_WORKLOAD, wl_cfg)->nscript, i);
        unload(c, &sc);
    }
    alarm(0);
    free(text);
    tu_rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cfg_faults_that_do_nothing_are_errors),
        cmocka_unit_test(cfg_unknown_key_names_line_and_suggests),
        cmocka_unit_test(cfg_unknown_section_suggests),
        cmocka_unit_test(cfg_lists_every_error),
        cmocka_unit_test(cfg_lists_file_errors_with_scenario_errors),
        cmocka_unit_test(cfg_r_larger_than_n),
        cmocka_unit_test(cfg_w_larger_than_n),
        cmocka_unit_test(cfg_n_larger_than_nodes),
        cmocka_unit_test(cfg_fault_unknown_node),
        cmocka_unit_test(cfg_partition_unknown_endpoint),
        cmocka_unit_test(cfg_script_unknown_key_or_node),
        cmocka_unit_test(cfg_dist_does_not_parse),
        cmocka_unit_test(cfg_dist_negative_parameter),
        cmocka_unit_test(cfg_missing_include),
        cmocka_unit_test(cfg_include_cycle),
        cmocka_unit_test(cfg_include_relative_to_including_file),
        cmocka_unit_test(cfg_same_fragment_included_twice_is_not_set_twice),
        cmocka_unit_test(cfg_number_out_of_range),
        cmocka_unit_test(cfg_over_long_line_reported),
        cmocka_unit_test(cfg_malformed_line),
        cmocka_unit_test(cfg_key_set_twice_in_one_file),
        cmocka_unit_test(cfg_later_file_overrides_include),
        cmocka_unit_test(cfg_set_override_applies_and_bad_set_names_set),
        cmocka_unit_test(cfg_enum_lists_choices),
        cmocka_unit_test(cfg_quorum_levels_resolve),
        cmocka_unit_test(cfg_script_needs_script_mode),
        cmocka_unit_test(cfg_open_workload_needs_a_stop),
        cmocka_unit_test(cfg_empirical_missing_file),
        cmocka_unit_test(cfg_defaults_fill_effective_configuration),
        cmocka_unit_test(cfg_failing_build_does_not_leak),
        cmocka_unit_test(cfg_allocation_failures_do_not_crash_or_leak),
        cmocka_unit_test(cfg_allocation_failure_is_an_error_not_a_different_scenario),
        cmocka_unit_test(cfg_non_regular_input_files_are_errors),
        cmocka_unit_test(cfg_oversized_input_files_are_errors),
        cmocka_unit_test(cfg_bytes_that_would_change_meaning_are_errors),
        cmocka_unit_test(cfg_editor_line_endings_and_bom_accepted),
        cmocka_unit_test(cfg_empty_include_is_an_error),
        cmocka_unit_test(cfg_text_that_is_not_utf8_is_an_error),
        cmocka_unit_test(cfg_long_command_line_values_are_errors_not_cut),
        cmocka_unit_test(cfg_error_listing_is_bounded),
        cmocka_unit_test(cfg_large_scenario_loads_in_linear_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
