/* Merkle anti-entropy (models/antientropy.h, docs/design.md section 3b): the token ranges
 * of the ring, the tree on its own (incremental updates, descent only into differing
 * subtrees), and exchanges over the simulated network: exact convergence after a
 * partition with exactly the differing keys streamed, the busy rule, timeouts and the
 * settle bound, crashes, and nothing at all when it is off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/antientropy.h"
#include "models/world.h"
#include "sim/alloc.h"
#include "tests/testutil.h"

#define AE_RES(st) ((const ae_res *)(st)->rr.res[MOD_ANTI_ENTROPY])

/* ---- token ranges ---- */

static void ring_ranges_hold_keys_with_their_preference_list(void **state)
{
    (void)state;
    static const int shape[][3] = {{3, 1, 3}, {3, 2, 3}, {5, 16, 3}, {7, 8, 2}, {12, 32, 5}};
    for (size_t s = 0; s < sizeof shape / sizeof shape[0]; s++) {
        ring *r;
        uint32_t nkeys = 5000;
        EQ(ring_create(shape[s][0], shape[s][1], shape[s][2], nkeys, &r), 0);
        EQ(ring_ranges(r), shape[s][0] * shape[s][1]);
        uint32_t *count = calloc(ring_ranges(r), sizeof *count);
        for (uint32_t k = 0; k < nkeys; k++) {
            uint32_t j = ring_range_of(r, k);
            assert_true(j < ring_ranges(r));
            count[j]++;
            uint16_t own[RING_MAX_REPLICAS];
            EQ(ring_range_owners(r, j, own), shape[s][2]);
            for (int i = 0; i < shape[s][2]; i++)
                EQ(own[i], ring_owners(r, k)[i]); /* a range's keys share its preference list */
        }
        uint32_t total = 0;
        for (uint32_t j = 0; j < ring_ranges(r); j++) {
            uint16_t own[RING_MAX_REPLICAS];
            ring_range_owners(r, j, own);
            for (int a = 0; a < shape[s][2]; a++)
                for (int b = a + 1; b < shape[s][2]; b++)
                    assert_true(own[a] != own[b]);
            total += count[j];
        }
        EQ(total, nkeys);
        free(count);
        ring_destroy(r);
    }
}

/* ---- the tree on its own ---- */

static uint64_t *tree_new(int depth) { return calloc((size_t)2 << depth, sizeof(uint64_t)); }

static version vrand(uint64_t *rs)
{
    uint64_t x = tu_xorshift(rs);
    return (version){(int64_t)(x >> 20), (uint32_t)(x & 7), (uint32_t)(x >> 3 & 0xffff) + 1};
}

/* Random inserts, overwrites and removals applied one by one give the tree that adding the
 * final contents in another order gives, node for node; the root is the sum of every pair. */
static void tree_incremental_equals_rebuild(void **state)
{
    (void)state;
    for (int depth = 0; depth <= 12; depth += 3) {
        enum { KEYS = 300 };
        version held[KEYS];
        memset(held, 0, sizeof held);
        uint64_t *inc = tree_new(depth), *reb = tree_new(depth), rs = 0x1234 + (uint64_t)depth;
        for (int step = 0; step < 5000; step++) {
            uint32_t k = (uint32_t)(tu_xorshift(&rs) % KEYS);
            version v = tu_xorshift(&rs) % 8 == 0 ? VERSION_NONE : vrand(&rs);
            ae_tree_update(inc, depth, k, &held[k], &v);
            held[k] = v;
        }
        uint64_t root = 0;
        for (uint32_t i = 0; i < KEYS; i++) {
            uint32_t k = KEYS - 1 - (i * 7) % KEYS; /* a different order: a permutation of the keys */
            ae_tree_update(reb, depth, k, &VERSION_NONE, &held[k]);
            root += held[k].seq ? ae_pair_hash(k, &held[k]) : 0;
        }
        for (size_t i = 1; i < (size_t)2 << depth; i++)
            EQ(inc[i], reb[i]);
        EQ(inc[1], root);
        /* every internal node is the sum of its children */
        for (size_t i = 1; i < (size_t)1 << depth; i++)
            EQ(inc[i], inc[2 * i] + inc[2 * i + 1]);
        free(inc);
        free(reb);
    }
}

/* Two trees of the same 500 pairs but one key: the descent compares the root and then the
 * two children of each differing node on the key's path, 1 + 2 * depth nodes, and finds
 * the key's leaf. Whether the key differs by version or is missing on one side. */
static void tree_one_differing_key_compares_one_plus_two_per_level(void **state)
{
    (void)state;
    for (int depth = 0; depth <= 16; depth++) {
        uint64_t *a = tree_new(depth), *b = tree_new(depth), rs = 99 + (uint64_t)depth;
        uint32_t *leaves = malloc(sizeof(uint32_t) << depth), *scratch = malloc(sizeof(uint32_t) << depth);
        version held[500];
        for (uint32_t k = 0; k < 500; k++) {
            held[k] = vrand(&rs);
            ae_tree_update(a, depth, k, &VERSION_NONE, &held[k]);
            ae_tree_update(b, depth, k, &VERSION_NONE, &held[k]);
        }
        for (int missing = 0; missing < 2; missing++) {
            uint64_t *c = tree_new(depth);
            memcpy(c, b, sizeof(uint64_t) << (depth + 1));
            uint32_t key = 137 + (uint32_t)missing;
            version v = vrand(&rs);
            ae_tree_update(c, depth, key, &held[key], missing ? &VERSION_NONE : &v); /* newer, or gone */
            uint64_t compared = 0;
            EQ(ae_tree_diff(a, c, depth, leaves, scratch, &compared), 1);
            EQ(leaves[0], (1u << depth) + ae_leaf(key, depth));
            EQ(compared, 1 + 2 * depth);
            free(c);
        }
        uint64_t compared = 0;
        EQ(ae_tree_diff(a, b, depth, leaves, scratch, &compared), 0); /* equal: the root only */
        EQ(compared, 1);
        free(a);
        free(b);
        free(leaves);
        free(scratch);
    }
}

/* k differing keys: the descent finds exactly their leaves and compares the root plus the
 * two children of every differing node above the leaves (the ancestors of those leaves),
 * never a node under an equal subtree: at most 1 + 2 * k * depth. */
static void tree_k_differing_keys_descend_only_into_differing_subtrees(void **state)
{
    (void)state;
    const int depth = 10;
    uint32_t *leaves = malloc(sizeof(uint32_t) << depth), *scratch = malloc(sizeof(uint32_t) << depth);
    uint8_t *anc = malloc((size_t)2 << depth);
    enum { KEYS = 3000 };
    version *held = malloc(KEYS * sizeof *held);
    for (int k = 1; k <= 200; k = k * 3 / 2 + 1) {
        uint64_t *a = tree_new(depth), *b = tree_new(depth), rs = 7 + (uint64_t)k;
        for (uint32_t key = 0; key < KEYS; key++) {
            held[key] = vrand(&rs);
            ae_tree_update(a, depth, key, &VERSION_NONE, &held[key]);
            ae_tree_update(b, depth, key, &VERSION_NONE, &held[key]);
        }
        memset(anc, 0, (size_t)2 << depth);
        for (int i = 0; i < k; i++) {
            uint32_t key = (uint32_t)(i * 13 + 5); /* distinct keys < KEYS */
            version v = vrand(&rs);
            ae_tree_update(b, depth, key, &held[key], &v); /* b has a newer version of key */
            for (size_t n = ((size_t)1 << depth) + ae_leaf(key, depth); n; n >>= 1)
                anc[n] = 1;
        }
        size_t internal = 0, nleaves = 0;
        for (size_t n = 1; n < (size_t)1 << depth; n++)
            internal += anc[n];
        for (size_t n = (size_t)1 << depth; n < (size_t)2 << depth; n++)
            nleaves += anc[n];
        uint64_t compared = 0;
        size_t got = ae_tree_diff(a, b, depth, leaves, scratch, &compared);
        EQ(got, nleaves);
        for (size_t i = 0; i < got; i++) {
            assert_true(anc[leaves[i]]);
            assert_true(leaves[i] >= 1u << depth);
            if (i)
                assert_true(leaves[i] > leaves[i - 1]);
        }
        EQ(compared, 1 + 2 * internal);
        assert_true(compared <= 1 + 2 * (uint64_t)k * (uint64_t)depth);
        free(a);
        free(b);
    }
    free(held);
    free(leaves);
    free(scratch);
    free(anc);
}

/* ---- exchanges over the network ---- */

static const ae_res *live_res(const world *w) { return w->rr->res[MOD_ANTI_ENTROPY]; }

/* What a test sees of a run: the stores at the heal, anti-entropy's applies, agreement. */
typedef struct watch {
    world *w;
    sim_event ev;
    int64_t heal;              /* when to take the snapshot */
    int64_t ref;               /* what time_to_agree counts from (0: the heal) */
    uint32_t behind;           /* (owner, key) pairs not holding the key's newest version then */
    uint32_t expect_repairing; /* exchanges that must stream, predicted from the snapshot (N = 3) */
    int precondition;          /* every range had two identical replicas then */
    uint64_t started_at_heal, streamed_at_heal, repairing_at_heal, compared_at_heal, completed_at_heal;
    uint32_t ae_offered, ae_stored; /* anti-entropy versions offered to stores, and stored, from the heal on */
    int64_t agreed;            /* first time after the heal when all owners of all keys agree */
    uint64_t started_at_agree;
    version *newest;           /* per key, at the heal */
    int converged;             /* at the end, every owner of every key holds newest */
} watch;

static int same_version(const version *a, const version *b) { return !a == !b && (!a || ver_cmp(a, b) == 0); }

static int all_agree(const world *w)
{
    for (uint32_t k = 0; k < w->sc->nkeys; k++) {
        const uint16_t *own = ring_owners(w->ring, k);
        for (int i = 1; i < ring_replicas(w->ring); i++)
            if (!same_version(nodes_get(&w->nodes, own[0], k), nodes_get(&w->nodes, own[i], k)))
                return 0;
    }
    return 1;
}

/* At the heal: which owners are behind, and what that predicts. */
static void snapshot(sim *s, sim_event *ev)
{
    (void)s;
    watch *wt = SIM_CONTAINER_OF(ev, watch, ev);
    const world *w = wt->w;
    size_t n = (size_t)ring_replicas(w->ring);
    uint32_t nr = ring_ranges(w->ring);
    uint8_t *behind = calloc((size_t)nr * n, 1);     /* replica r of range j is behind on some key */
    uint8_t *unlike = calloc((size_t)nr * n * n, 1); /* replicas r and q of range j differ on some key */
    wt->newest = calloc(w->sc->nkeys, sizeof *wt->newest);
    for (uint32_t k = 0; k < w->sc->nkeys; k++) {
        uint32_t j = ring_range_of(w->ring, k);
        const uint16_t *own = ring_owners(w->ring, k);
        const version *v[RING_MAX_REPLICAS];
        version best = VERSION_NONE;
        for (size_t r = 0; r < n; r++) {
            v[r] = nodes_get(&w->nodes, own[r], k);
            if (v[r] && ver_cmp(v[r], &best) > 0)
                best = *v[r];
        }
        wt->newest[k] = best;
        for (size_t r = 0; r < n; r++) {
            int b = v[r] ? ver_cmp(v[r], &best) < 0 : best.seq != 0;
            wt->behind += (uint32_t)b;
            behind[(size_t)j * n + r] |= (uint8_t)b;
            for (size_t q = 0; q < n; q++)
                unlike[((size_t)j * n + r) * n + q] |= (uint8_t)!same_version(v[r], v[q]);
        }
    }
    wt->precondition = 1;
    for (uint32_t j = 0; j < nr; j++) {
        int nb = 0, twins = 0;
        for (size_t r = 0; r < n; r++) {
            nb += behind[(size_t)j * n + r];
            for (size_t q = r + 1; q < n; q++)
                twins |= !unlike[((size_t)j * n + r) * n + q];
        }
        wt->precondition &= twins;
        /* N = 3, two identical replicas E and a third D. An exchange leaves both sides with
         * the newer of their versions, and E with E finds nothing. Only D behind: one
         * repairing exchange (D with an E). E behind (D newest, or all three behind): two
         * (D with one E, then the other E with either). */
        wt->expect_repairing += (uint32_t)(nb < 2 ? nb : 2);
    }
    const ae_res *r = live_res(w);
    wt->started_at_heal = r->started;
    wt->streamed_at_heal = r->streamed;
    wt->repairing_at_heal = r->repairing;
    wt->compared_at_heal = r->compared;
    wt->completed_at_heal = r->completed;
    free(behind);
    free(unlike);
}

static void watch_apply(void *ctx, int nd, uint32_t key, const version *v, const version *was, int stored,
                        apply_source src)
{
    watch *wt = ctx;
    (void)nd;
    (void)key;
    (void)v;
    (void)was;
    if (src != APPLY_ANTI_ENTROPY || wt->w->s.now < wt->heal)
        return;
    wt->ae_offered++;
    wt->ae_stored += (uint32_t)stored;
    if (stored && wt->agreed < 0 && all_agree(wt->w)) {
        wt->agreed = wt->w->s.now;
        wt->started_at_agree = live_res(wt->w)->started;
    }
}

static void attach_watch(world *w, void *ctx)
{
    watch *wt = ctx;
    wt->w = w;
    wt->agreed = -1;
    if (!wt->ref)
        wt->ref = wt->heal;
    sim_event_init(&wt->ev, snapshot);
    EQ(sim_schedule(&w->s, &wt->ev, wt->heal), 0);
    apply_listener al = {wt, watch_apply};
    EQ(nodes_on_apply(&w->nodes, &al), 0);
}

/* After the run: every owner of every key holds the newest version the snapshot saw. */
static void final_stores(world *w, void *ctx)
{
    watch *wt = ctx;
    wt->converged = 1;
    for (uint32_t k = 0; k < w->sc->nkeys; k++) {
        const uint16_t *own = ring_owners(w->ring, k);
        for (int r = 0; r < ring_replicas(w->ring); r++) {
            const version *v = nodes_get(&w->nodes, own[r], k);
            wt->converged &= wt->newest[k].seq ? v && ver_cmp(v, &wt->newest[k]) == 0 : !v;
        }
    }
}

static void expect_accounted(const ae_res *r)
{
    EQ(r->started, r->completed + r->declined + r->timed_out + r->aborted);
}

/* The story (scenarios/anti-entropy.ini): k1..k8 miss n3 during the first partition,
 * k9..k12 reach only n3 during the second. At the heal the test counts, from the stores,
 * the (owner, key) pairs that are behind: 8 on n3, 4 on each of n1 and n2. Anti-entropy
 * streams exactly those, each once (no full copy, no version in vain); every owner of
 * every key ends with the newest version; the repairing exchanges are those the snapshot
 * predicts; the reported time to agree is the instant the test sees agreement, minus the
 * heal (the last fault, after the last write). */
static void story_partition_heals_and_every_replica_converges(void **state)
{
    (void)state;
    watch wt = {.heal = 600000000};
    run_stats st;
    tu_run_file_check(tu_src("scenarios/anti-entropy.ini"), NULL, 0, attach_watch, final_stores, &wt, &st);
    const ae_res *r = AE_RES(&st);
    assert_true(wt.precondition);
    EQ(wt.behind, 8 + 4 * 2);
    EQ(r->streamed - wt.streamed_at_heal, wt.behind);
    EQ(r->streamed, wt.behind); /* nothing was streamed before: the partitions kept n3 apart */
    EQ(wt.ae_offered, wt.behind);
    EQ(wt.ae_stored, wt.behind);
    EQ(wt.converged, 1);
    EQ(r->repairing - wt.repairing_at_heal, wt.expect_repairing);
    EQ(r->apart, 0);
    assert_true(wt.agreed > wt.heal);
    EQ(r->time_to_agree, wt.agreed - wt.ref);
    expect_accounted(r);
    EQ(r->declined, 0);
    assert_true(r->timed_out > 0); /* exchanges across the partitions */
    /* Bound: n3 replicates 6 ranges with 2 partners each, 12 pairs; its cursor visits them
     * all in 12 ticks, one per 50 ms interval; an exchange takes less than an interval and
     * none was declined. Once n3 exchanged with both partners on every range, all agree:
     * within 12 + 1 intervals of the heal, with at most one exchange per node and interval
     * started meanwhile. */
    const int64_t pairs = 6 * 2, nodes = 3, interval = 50000000;
    assert_true(wt.agreed - wt.heal <= (pairs + 1) * interval);
    assert_true(wt.started_at_agree - wt.started_at_heal <= (uint64_t)(nodes * (pairs + 1)));
    /* what the clients see: the reads at n3 alone return v2 */
    EQ(st.wl->script[st.wl->nscript - 2].version, 2);
    EQ(st.wl->script[st.wl->nscript - 1].version, 2);
    EQ(st.stats->stale, 0);
    EQ(st.net->sent[MSG_AE_STREAM] + st.net->sent[MSG_AE_KEYS] > 0, 1);
    free(wt.newest);
    tu_run_free(&st);
}

/* Without anti-entropy nothing repairs n3: both reads are one version behind. */
static void story_without_anti_entropy_stays_stale(void **state)
{
    (void)state;
    const char *sets[] = {"anti_entropy.interval=0"};
    run_stats st;
    tu_run_file(tu_src("scenarios/anti-entropy.ini"), sets, 1, &st);
    EQ(st.stats->stale, 2);
    EQ(AE_RES(&st)->started, 0);
    tu_run_free(&st);
}

/* Exchanges every 10 ms overlap on the same ranges: partners decline, and thanks to that
 * no difference is streamed twice. */
static void busy_partner_declines_so_nothing_streams_twice(void **state)
{
    (void)state;
    watch wt = {.heal = 600000000};
    const char *sets[] = {"anti_entropy.interval=10ms"};
    run_stats st;
    tu_run_file_check(tu_src("scenarios/anti-entropy.ini"), sets, 1, attach_watch, final_stores, &wt, &st);
    const ae_res *r = AE_RES(&st);
    assert_true(r->declined > 0);
    EQ(r->streamed - wt.streamed_at_heal, wt.behind);
    EQ(wt.ae_offered, wt.behind);
    EQ(r->repairing - wt.repairing_at_heal, wt.expect_repairing);
    EQ(wt.converged, 1);
    expect_accounted(r);
    free(wt.newest);
    tu_run_free(&st);
}

/* One key differs: k7 reaches n1 and n2 only (the client's link to n3 is cut while the
 * write is sent), and nothing else is ever written. The one exchange that finds it
 * compares the root and then two children per level, 1 + 2 * depth nodes; every other
 * exchange compares the root only: tree_nodes_compared = completed + 2 * depth, and one
 * version is streamed. (No exchange began before the write landed at 1 ms, checked: an
 * exchange whose root hash was taken before and compared after would descend too.) */
static const char *one_key =
    "[run]\nseed = 3\n[cluster]\nnodes = 3\nreplicas = 3\nvnodes = 4\n[quorum]\nr = 1\nw = 1\ntimeout = 100ms\n"
    "[network]\nlatency = const(1ms)\n[anti_entropy]\ninterval = 20ms\n[workload]\nmode = script\nkeys = 50\n"
    "[faults]\ncut = 0ms partition client > n3\nheal = 1ms heal\n[script]\nw = 0ms write k7\n";

static void one_differing_key_costs_one_plus_two_per_level_over_the_network(void **state)
{
    (void)state;
    for (int depth = 0; depth <= 12; depth += 4) {
        char set[64];
        snprintf(set, sizeof set, "anti_entropy.depth=%d", depth);
        const char *sets[] = {set};
        watch wt = {.heal = 1000001, .ref = 1000000}; /* v2 lands at 1 ms, the heal too */
        run_stats st;
        tu_run_text_check(one_key, sets, 1, attach_watch, final_stores, &wt, &st);
        const ae_res *r = AE_RES(&st);
        EQ(wt.started_at_heal, 0);
        EQ(wt.behind, 1);
        EQ(r->streamed, 1);
        EQ(r->repairing, 1);
        EQ(r->timed_out + r->aborted, 0);
        EQ(r->compared, r->completed + 2 * (uint64_t)depth);
        EQ(wt.converged, 1);
        EQ(r->time_to_agree, wt.agreed - wt.ref);
        expect_accounted(r);
        free(wt.newest);
        tu_run_free(&st);
    }
}

/* n3 crashes with volatile storage and comes back empty: its trees are rebuilt (empty),
 * and anti-entropy streams it every key it owns, once each. */
static void volatile_crash_is_refilled_key_by_key(void **state)
{
    (void)state;
    char text[4096];
    size_t len = (size_t)snprintf(
        text, sizeof text, "%s",
        "[run]\nseed = 11\n[cluster]\nnodes = 3\nreplicas = 3\nvnodes = 4\n[quorum]\nr = 1\nw = 1\ntimeout = 50ms\n"
        "[network]\nlatency = const(1ms)\n[anti_entropy]\ninterval = 20ms\ndepth = 6\n[workload]\nmode = script\n"
        "keys = 60\n[faults]\ndown = 100ms crash n3 volatile\nup = 200ms recover n3\n[script]\n");
    for (int k = 1; k <= 60; k++)
        len += (size_t)snprintf(text + len, sizeof text - len, "w%d = %dms write k%d\n", k, k, k);
    watch wt = {.heal = 200000000};
    run_stats st;
    tu_run_text_check(text, NULL, 0, attach_watch, final_stores, &wt, &st);
    const ae_res *r = AE_RES(&st);
    EQ(wt.behind, 60); /* n3 owns all 60 keys (N = nodes) and holds none */
    EQ(r->streamed - wt.streamed_at_heal, 60);
    EQ(wt.ae_stored, 60);
    EQ(r->repairing - wt.repairing_at_heal, wt.expect_repairing);
    EQ(wt.converged, 1);
    EQ(r->apart, 0);
    EQ(r->time_to_agree, wt.agreed - wt.ref);
    expect_accounted(r);
    assert_true(r->skipped > 0); /* n3's ticks while it was down */
    free(wt.newest);
    tu_run_free(&st);
}

/* n3 is cut off for good: every exchange with it is abandoned after the timeout, replicas
 * never agree, and once the script and the faults are over anti-entropy stops after
 * `settle`: the run ends between settle and settle + two intervals + timeout after the
 * last operation. */
static void cut_off_partner_times_out_and_settle_ends_the_run(void **state)
{
    (void)state;
    char text[4096];
    size_t len = (size_t)snprintf(
        text, sizeof text, "%s",
        "[run]\nseed = 5\n[cluster]\nnodes = 3\nreplicas = 3\nvnodes = 2\n[quorum]\nr = 1\nw = 1\ntimeout = 50ms\n"
        "[network]\nlatency = const(1ms)\n[anti_entropy]\ninterval = 100ms\ntimeout = 300ms\nsettle = 2s\n"
        "depth = 4\n[workload]\nmode = script\nkeys = 10\n[faults]\ncut = 0ms partition n1,n2,client | n3\n"
        "[script]\n");
    for (int k = 1; k <= 10; k++)
        len += (size_t)snprintf(text + len, sizeof text - len, "w%d = %dms write k%d\n", k, 10 + k, k);
    run_stats st;
    tu_run_text(text, NULL, 0, &st);
    const ae_res *r = AE_RES(&st);
    EQ(r->time_to_agree, -1);
    assert_true(r->apart > 0);
    assert_true(r->timed_out > 0);
    assert_true(r->completed > 0); /* n1 with n2 */
    EQ(r->streamed, 0);
    expect_accounted(r);
    int64_t last = st.wl->script[9].end; /* the last write's answer: nothing in flight after it */
    const int64_t ms = 1000000;
    assert_true(st.run->end_time >= last + 2000 * ms);
    assert_true(st.run->end_time <= last + 2000 * ms + 2 * 100 * ms + 300 * ms);
    tu_run_free(&st);
}

/* Anti-entropy messages are served by the replica's servers: with one server per node and
 * 30 ms of service per anti-entropy message on n1 only ([node.n1]), reads at n1 wait behind
 * them, reads at n2 (no anti-entropy service time) never do. */
static void exchanges_take_the_replicas_servers(void **state)
{
    (void)state;
    char text[4096];
    size_t len = (size_t)snprintf(
        text, sizeof text, "%s",
        "[run]\nseed = 2\n[cluster]\nnodes = 3\nreplicas = 3\nvnodes = 2\n[quorum]\nr = 1\nw = 1\n"
        "read_fanout = r\n[network]\nlatency = const(1ms)\n[node]\nconcurrency = 1\n[node.n1]\n"
        "anti_entropy_service = const(30ms)\n[anti_entropy]\ninterval = 20ms\ndepth = 3\n[workload]\n"
        "mode = script\nkeys = 1\n[script]\n");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "a%d = %dms read k1 prefer n1\nb%d = %dms read k1 prefer n2\n",
                                i, 5 + 7 * i, i, 5 + 7 * i);
    run_stats st;
    tu_run_text(text, NULL, 0, &st);
    int64_t worst_n1 = 0, worst_n2 = 0;
    for (size_t i = 0; i < st.wl->nscript; i++) {
        const script_result *s = &st.wl->script[i];
        int64_t lat = s->end - s->start;
        if (s->name[0] == 'a' && lat > worst_n1)
            worst_n1 = lat;
        if (s->name[0] == 'b' && lat > worst_n2)
            worst_n2 = lat;
    }
    EQ(worst_n2, 2000000);         /* 1 ms each way, no queue */
    assert_true(worst_n1 > 10000000); /* behind a 30 ms anti-entropy service */
    assert_true(AE_RES(&st)->started > 0);
    tu_run_free(&st);
}

/* ---- off ---- */

typedef struct at_start {
    size_t pending;
    int napp, nlis;
} at_start;

static void record_start(world *w, void *ctx)
{
    at_start *a = ctx;
    a->pending = sim_pending(&w->s);
    a->napp = w->nodes.napp;
    a->nlis = w->nodes.nlis;
}

/* Off (the default, or interval = 0 with other keys set), the module schedules no event,
 * attaches no listener, sends nothing and reports nothing; the same scenario runs event
 * for event alike. On, it adds one tick per node and its two listeners. */
static void off_schedules_nothing(void **state)
{
    (void)state;
    const char *text = "[run]\nseed = 9\n[cluster]\nnodes = 4\nreplicas = 3\n[workload]\nmode = script\nkeys = 5\n"
                       "[script]\na = 1ms write k1\nb = 2ms write k2\nc = 5ms read k1\n"
                       "[faults]\nx = 3ms crash n2\ny = 4ms recover n2\n";
    at_start off, off2, on;
    run_stats a, b, c;
    tu_run_text_setup(text, NULL, 0, record_start, &off, &a);
    const char *sets[] = {"anti_entropy.depth=3", "anti_entropy.timeout=5s", "anti_entropy.settle=1s"};
    tu_run_text_setup(text, sets, 3, record_start, &off2, &b);
    const char *on_sets[] = {"anti_entropy.interval=1ms"};
    tu_run_text_setup(text, on_sets, 1, record_start, &on, &c);
    EQ(off2.pending, off.pending);
    EQ(on.pending, off.pending + 4);
    EQ(on.napp, off.napp + 1);
    EQ(on.nlis, off.nlis + 1);
    EQ(off2.napp, off.napp);
    EQ(off2.nlis, off.nlis);
    EQ(a.run->events, b.run->events);
    EQ(a.run->end_time, b.run->end_time);
    const ae_res *r = AE_RES(&a);
    EQ(r->on, 0);
    EQ(r->started + r->completed + r->skipped + r->compared + r->streamed + r->bytes, 0);
    EQ(r->time_to_agree, -1);
    for (int k = MSG_AE_TREE; k <= MSG_AE_STREAM; k++)
        EQ(a.net->sent[k], 0);
    assert_true(AE_RES(&c)->started > 0);
    tu_run_free(&a);
    tu_run_free(&b);
    tu_run_free(&c);
}

/* ---- bad input ---- */

static void bad_keys_are_errors(void **state)
{
    (void)state;
    char errs[4096];
    const char *base = "[workload]\nmode = script\nkeys = 3\n[script]\na = 1ms write k1\n";
    const char *one[] = {"anti_entropy.interval=1s", "cluster.replicas=1"};
    EQ(tu_check_text(base, one, 2, errs, sizeof errs), 1);
    assert_non_null(strstr(errs, "anti_entropy.interval"));
    assert_non_null(strstr(errs, "replicas >= 2"));
    const char *big[] = {"anti_entropy.interval=1s", "anti_entropy.depth=24", "cluster.vnodes=4096"};
    EQ(tu_check_text(base, big, 3, errs, sizeof errs), 1);
    assert_non_null(strstr(errs, "anti_entropy.depth"));
    assert_non_null(strstr(errs, "MiB"));
    const char *settle[] = {"anti_entropy.settle=soon"};
    EQ(tu_check_text(base, settle, 1, errs, sizeof errs), 1);
    assert_non_null(strstr(errs, "auto or a duration"));
    const char *deep[] = {"anti_entropy.depth=25"};
    EQ(tu_check_text(base, deep, 1, errs, sizeof errs), 1);
    const char *zero[] = {"anti_entropy.batch=0"};
    EQ(tu_check_text(base, zero, 1, errs, sizeof errs), 1);
    const char *typo[] = {"anti_entropy.intervall=1s"};
    EQ(tu_check_text(base, typo, 1, errs, sizeof errs), 1);
    assert_non_null(strstr(errs, "interval"));
    const char *fine[] = {"anti_entropy.interval=1s", "anti_entropy.settle=30s", "node.anti_entropy_service=exp(1ms)"};
    EQ(tu_check_text(base, fine, 3, errs, sizeof errs), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_ranges_hold_keys_with_their_preference_list),
        cmocka_unit_test(tree_incremental_equals_rebuild),
        cmocka_unit_test(tree_one_differing_key_compares_one_plus_two_per_level),
        cmocka_unit_test(tree_k_differing_keys_descend_only_into_differing_subtrees),
        cmocka_unit_test(story_partition_heals_and_every_replica_converges),
        cmocka_unit_test(story_without_anti_entropy_stays_stale),
        cmocka_unit_test(busy_partner_declines_so_nothing_streams_twice),
        cmocka_unit_test(one_differing_key_costs_one_plus_two_per_level_over_the_network),
        cmocka_unit_test(volatile_crash_is_refilled_key_by_key),
        cmocka_unit_test(cut_off_partner_times_out_and_settle_ends_the_run),
        cmocka_unit_test(exchanges_take_the_replicas_servers),
        cmocka_unit_test(off_schedules_nothing),
        cmocka_unit_test(bad_keys_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
