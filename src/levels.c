/* levels: qsim's settings against real stores' consistency settings; see levels.h. The
 * facts about the stores are their documented behaviour: Cassandra's consistency levels and
 * hinted handoff (a hint counts only at ANY), its drivers' default LOCAL_ONE; Amazon
 * Keyspaces' LOCAL_QUORUM writes; DynamoDB's eventually consistent (default) and strongly
 * consistent reads, and writes acknowledged once 2 of a partition's 3 replicas have them;
 * Riak KV's defaults n_val 3, r = w = dw = quorum, pr = pw = 0 (a sloppy quorum). */
#include "src/levels.h"
#include <stdio.h>
#include <string.h>
#include "models/coord.h"
#include "models/dc.h"
#include "models/explain.h"
#include "models/fault.h"
#include "models/hints.h"
#include "models/repair.h"
#include "models/retry.h"
#include "models/scenario.h"
#include "models/run.h"
#include "models/sloppy.h"
#include "models/stats.h"
#include "src/story.h"

static const level_row rows[] = {
    {"replicas = N", "replication_factor = N (per datacenter with NetworkTopologyStrategy)",
     "3 replicas across availability zones; not settable", "n_val = N (default 3)"},
    {"r = 1, w = 1 (ONE)", "ONE; LOCAL_ONE counts only the local datacenter's replicas",
     "reads: eventually consistent, the default (any one replica); writes: not offered (a write waits for 2 of 3)",
     "r = 1, w = 1 (one)"},
    {"r = 2, w = 2 (TWO)", "TWO", "writes: every write is acknowledged once 2 of 3 replicas, the leader first, have it",
     "r = 2, w = 2"},
    {"r = 3, w = 3 (THREE)", "THREE", "-", "r = 3, w = 3"},
    {"r = QUORUM, w = QUORUM", "QUORUM (RF/2 + 1 over all datacenters); LOCAL_QUORUM (a quorum of the local "
                               "datacenter); EACH_QUORUM (writes: a quorum in every datacenter)",
     "reads: strongly consistent (ConsistentRead = true), served by the leader, which has every acknowledged write: "
     "what R + W > N gives, by another mechanism",
     "r = quorum, w = quorum (the defaults: n_val/2 + 1)"},
    {"r = ALL, w = ALL", "ALL", "-", "r = all, w = all"},
    {"w = ANY (writes; a node coordinator)",
     "ANY: a hint kept by the coordinator counts; the write is not readable until a replica has it", "-",
     "- (nearest: w = 1 with pw = 0, fallbacks counting)"},
    {"w (a replica acknowledges once it stored the write)", "-", "-",
     "dw = W: dw counts replicas whose backend stored the write, w those that received it"},
    {"quorum.sloppy = on", "none: hints never count toward a level, except ANY",
     "none: each partition has a leader and fixed replicas",
     "the default: pr = 0, pw = 0, fallback vnodes take the place of owners that are down"},
    {"quorum.sloppy = off", "always: a level counts replicas only", "always",
     "pr = R, pw = W: that many primary (owner) vnodes must answer"},
    {"hints.coordinator = on", "hinted_handoff_enabled = true, the default: the coordinator writes a hint for each "
                               "replica it believes down, and replays it when the replica is back",
     "-", "- (hints are kept by fallback vnodes: quorum.sloppy = on)"},
    {"hints.readable = on", "none: hints are not readable", "-", "fallback vnodes answer reads"},
    {"quorum.read_fanout = r", "reads ask the replicas the level needs (one for data, the others for digests), "
                               "more on speculative retry",
     "-", "-"},
    {"quorum.read_fanout = all", "-", "-", "reads ask all n_val replicas and answer at r"},
    {"read_repair.mode = blocking", "read_repair = 'BLOCKING', the table default since 4.0, on a digest mismatch",
     "-", "-"},
    {"read_repair.mode = async", "-", "-", "read repair of the replicas that answered with older versions"},
    {"retry.downgrade = on", "a downgrading retry policy in the client driver (DataStax's DowngradingConsistencyRetryPolicy)", "-",
     "-"},
    {"hedge.policy = percentile", "speculative_retry (a table option: a percentile or a fixed delay)", "-", "-"},
    {"anti_entropy.interval > 0", "nodetool repair (Merkle trees), run by the operator", "-",
     "active anti-entropy (AAE: hash trees)"},
};

const level_row *levels_rows(size_t *n)
{
    *n = sizeof rows / sizeof rows[0];
    return rows;
}

static const store_default defaults[] = {
    {"Cassandra (drivers)", "LOCAL_ONE for reads and writes (cqlsh: ONE)", 0, 1, 1, 0,
     "QUORUM (or LOCAL_QUORUM) for both"},
    {"Amazon Keyspaces", "writes at LOCAL_QUORUM, the only write level; reads at the drivers' default LOCAL_ONE", 3, 1, 0, 0,
     "reads at LOCAL_QUORUM"},
    {"DynamoDB", "eventually consistent reads; every write on 2 of 3 replicas", 3, 1, 2, 0, "ConsistentRead = true"},
    {"Riak KV", "n_val 3, r = w = quorum, pr = pw = 0 (sloppy)", 3, 0, 0, 1, NULL},
};

const store_default *levels_defaults(size_t *n)
{
    *n = sizeof defaults / sizeof defaults[0];
    return defaults;
}

/* Writes "label  text" with text wrapped at width, continuation lines under the text. */
static void wrap_cell(FILE *f, const char *label, int lw, const char *text, int indent, int width)
{
    char lead[256];
    snprintf(lead, sizeof lead, "%*s%-*s ", indent, "", lw, label);
    story_wrap(f, lead, text, indent + lw + 1, width);
}

void levels_print_reference(FILE *f)
{
    story_wrap(f, "",
               "qsim's settings and their counterparts in real stores (\"-\": none). `qsim --levels SCENARIO` maps "
               "a scenario's own settings and says which store defaults would hide its anomalies.",
               0, 100);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        fprintf(f, "\n%s\n", rows[i].qsim);
        wrap_cell(f, "Cassandra", 9, rows[i].cassandra, 4, 100);
        wrap_cell(f, "DynamoDB", 9, rows[i].dynamodb, 4, 100);
        wrap_cell(f, "Riak KV", 9, rows[i].riak, 4, 100);
    }
    fputs("\nthe defaults, as qsim settings:\n", f);
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        const store_default *d = &defaults[i];
        char line[512];
        int n = d->n ? d->n : 3;
        int r = d->r ? d->r : n / 2 + 1, w = d->w ? d->w : n / 2 + 1;
        snprintf(line, sizeof line, "%s: N=%d%s R=%d W=%d, %s quorum", d->setting, n, d->n ? "" : " (RF as chosen)",
                 r, w, d->sloppy ? "a sloppy" : "a strict");
        wrap_cell(f, d->name, 20, line, 2, 100);
    }
}

/* ---- one run ---- */

/* Cassandra's names for x replicas of n: "TWO = QUORUM". */
static void cassandra_level(int x, int n, char *buf, size_t len)
{
    static const char *const small[] = {"", "ONE", "TWO", "THREE"};
    buf[0] = '\0';
    size_t k = 0;
    if (x >= 1 && x <= 3)
        k += (size_t)snprintf(buf + k, len - k, "%s", small[x]);
    if (x == n / 2 + 1 && k < len)
        k += (size_t)snprintf(buf + k, len - k, "%sQUORUM", k ? " = " : "");
    if (x == n && k < len)
        k += (size_t)snprintf(buf + k, len - k, "%sALL", k ? " = " : "");
    if (!k)
        snprintf(buf, len, "no level (%d of %d replicas)", x, n);
}

/* Riak's value for x of n: "2 (quorum)". */
static void riak_level(int x, int n, char *buf, size_t len)
{
    if (x == n)
        snprintf(buf, len, "%d (all)", x);
    else if (x == n / 2 + 1)
        snprintf(buf, len, "%d (quorum)", x);
    else if (x == 1)
        snprintf(buf, len, "1 (one)");
    else
        snprintf(buf, len, "%d", x);
}

typedef struct seen {
    const char *cls[16];
    const char *title[16];
    size_t n;
} seen;

static void note_class(void *ctx, const char *cls, const char *title, const char *guarantee, const char *text)
{
    (void)guarantee;
    (void)text;
    seen *s = ctx;
    if (s->n < 16) {
        s->cls[s->n] = cls;
        s->title[s->n++] = title;
    }
}

/* Distinct nodes that crashed with volatile storage in the run. */
static int volatile_nodes(const run_item *it)
{
    const faults_res *fr = it->rr.res[MOD_FAULTS];
    const faults_cfg *fc = SC_CFG(&it->sc, MOD_FAULTS, faults_cfg);
    int k = 0;
    for (size_t i = 0; fr && i < fr->n; i++) {
        const fault *f = &fc->f[fr->ev[i].fault];
        if (f->kind != FAULT_CRASH || !f->storage_volatile)
            continue;
        int again = 0;
        for (size_t j = 0; j < i && !again; j++) {
            const fault *g = &fc->f[fr->ev[j].fault];
            again = g->kind == FAULT_CRASH && g->storage_volatile && g->node == f->node;
        }
        k += !again;
    }
    return k;
}

/* What store default d would do with anomaly class cls of the run rf: one line. */
typedef struct run_facts {
    int n, r, w, nodes;
    int k;                  /* nodes that lost their storage in a volatile crash */
    int failed_r, failed_w; /* reads, writes failed as unavailable */
    int any;                /* writes at ANY (w is 0 then) */
} run_facts;

static void judge(FILE *f, const store_default *d, const char *cls, const run_facts *rf)
{
    int n_run = rf->n, k = rf->k;
    int n = d->n ? d->n : n_run;
    int r = d->r ? d->r : n / 2 + 1, w = d->w ? d->w : n / 2 + 1;
    char head[160], line[512];
    snprintf(head, sizeof head, "%s (N=%d R=%d W=%d%s):", d->name, n, r, w, d->sloppy ? ", sloppy" : "");
    int overlap = r + w - n; /* nodes every read set shares with every write set */
    int hides;
    if (strcmp(cls, "stale_without_overlap") == 0 || strcmp(cls, "stale_despite_overlap") == 0 ||
        strcmp(cls, "stale_via_fallback") == 0) {
        int via_fb = strcmp(cls, "stale_via_fallback") == 0;
        hides = overlap > k && !(via_fb && d->sloppy);
        if (via_fb && d->sloppy)
            snprintf(line, sizeof line, "can show it: fallbacks count toward w (pr = r and pw = w hide it, and make "
                                        "such writes wait or fail as unavailable, as quorum.sloppy = off does)");
        else if (hides && k)
            snprintf(line, sizeof line, "hides it: every read set shares at least R + W - N = %d nodes with "
                                        "every write set, more than the %d that lost their storage in this run",
                     overlap, k);
        else if (hides)
            snprintf(line, sizeof line, "hides it: R + W = %d > N = %d%s", r + w, n,
                     via_fb ? ", and no sloppy quorum: the write waits for owners, or fails as unavailable" : "");
        else if (overlap > 0)
            snprintf(line, sizeof line, "can show it: R + W - N = %d node%s in common at least, and %d lost %s "
                                        "storage in this run",
                     overlap, overlap == 1 ? "" : "s", k, k == 1 ? "its" : "their");
        else
            snprintf(line, sizeof line, "can show it: R + W = %d <= N = %d%s%s%s", r + w, n,
                     via_fb ? " (no fallbacks there, but a read set need not meet the write set)" : "",
                     d->stronger ? "; hidden with " : "", d->stronger ? d->stronger : "");
    } else if (strcmp(cls, "lost_reads") == 0 || strcmp(cls, "lost_writes") == 0) {
        hides = w > k;
        if (hides)
            snprintf(line, sizeof line, "hides it: a write waits for %d copies, and %d node%s lost %s storage in "
                                        "this run (such a write waits, or fails as unavailable, instead)",
                     w, k, k == 1 ? "" : "s", k == 1 ? "its" : "their");
        else if (rf->any)
            snprintf(line, sizeof line, "can show it only for a write a replica acknowledged (%d cop%s, and %d node%s "
                                        "lost %s storage): W counts replicas, so a write that rests on a hint alone "
                                        "fails as unavailable there instead",
                     w, w == 1 ? "y" : "ies", k, k == 1 ? "" : "s", k == 1 ? "its" : "their");
        else
            snprintf(line, sizeof line, "can show it: %d cop%s per acknowledged write, and %d node%s lost %s storage",
                     w, w == 1 ? "y" : "ies", k, k == 1 ? "" : "s", k == 1 ? "its" : "their");
    } else if (strcmp(cls, "downgraded") == 0) {
        snprintf(line, sizeof line, "hides it: no default downgrades; such operations wait or fail as unavailable%s",
                 strncmp(d->name, "Cassandra", 9) == 0 ? " (a downgrading retry policy in the driver brings it back)"
                                                       : "");
    } else if (strcmp(cls, "unavailable") == 0) {
        int fewer = (rf->failed_r && r < rf->r) || (rf->failed_w && w < rf->w);
        if (fewer)
            snprintf(line, sizeof line, "may hide it: it waits for fewer replies (R=%d, W=%d against this run's "
                                        "R=%d, W=%d), and promises less",
                     r, w, rf->r, rf->w);
        else if (d->sloppy && rf->nodes > n_run)
            snprintf(line, sizeof line, "may hide it: fallbacks stand in for owners that are down, when any are up "
                                        "and reachable (the price: reads that miss writes kept as hints)");
        else if (d->sloppy)
            snprintf(line, sizeof line, "can show it: with %d nodes and N = %d no node is left to stand in for an "
                                        "owner",
                     rf->nodes, n_run);
        else
            snprintf(line, sizeof line, "can show it: a strict quorum waits for as many owners");
    } else {
        snprintf(line, sizeof line, "-");
    }
    wrap_cell(f, head, 38, line, 4, 110);
}

/* A scenario at datacenter levels: Cassandra has the same levels by name; DynamoDB's global
 * tables and Riak's multi-datacenter replication copy between regions or clusters after the
 * local write, so a level that waits for another datacenter has no equal there. The
 * per-store defaults below judge counts, so they are not applied. */
static void print_dc_config(FILE *f, const run_item *it, int n)
{
    const quorum_cfg *q = SC_CFG(&it->sc, MOD_QUORUM, quorum_cfg);
    char rlv[64], wlv[64], line[1024];
    if (coord_level_is_dc(q->r))
        coord_level_name(q->r, rlv);
    else
        cassandra_level((int)q->r, n, rlv, sizeof rlv);
    if (q->w < QL_ALL)
        coord_level_name(q->w, wlv); /* a datacenter level, or ANY */
    else
        cassandra_level((int)q->w, n, wlv, sizeof wlv);
    /* a level that is not LOCAL_ waits, or may wait, for another datacenter */
    int each = (q->r != QL_LOCAL_QUORUM && q->r != QL_LOCAL_ONE) || (q->w != QL_LOCAL_QUORUM && q->w != QL_LOCAL_ONE);
    fprintf(f, "\n%s%sN=%d in datacenters, reads at %s, writes at %s: %s\n", it->label, it->label[0] ? ": " : "", n,
            rlv, wlv, dc_scenario_overlap(&it->sc) ? "every read promised the latest" : "reads not promised the latest");
    snprintf(line, sizeof line, "NetworkTopologyStrategy with the same replicas per datacenter; reads at %s, "
                                "writes at %s",
             rlv, wlv);
    wrap_cell(f, "Cassandra", 9, line, 2, 100);
    snprintf(line, sizeof line, "global tables: each region reads and writes its own replicas and copies to the "
                                "others afterwards, like LOCAL levels%s",
             each ? "; no level waits for another region" : "");
    wrap_cell(f, "DynamoDB", 9, line, 2, 100);
    snprintf(line, sizeof line, "multi-datacenter replication between clusters: r and w count one cluster's "
                                "replicas, like LOCAL levels%s",
             each ? "; no level waits for another cluster" : "");
    wrap_cell(f, "Riak KV", 9, line, 2, 100);
    fprintf(f, "  the stores' defaults are judged for counts of replicas only, not for datacenter levels\n");
}

static void print_config(FILE *f, const run_item *it)
{
    const scenario *sc = &it->sc;
    int n = (int)SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->replicas;
    const quorum_cfg *q = SC_CFG(sc, MOD_QUORUM, quorum_cfg);
    if (coord_level_is_dc(q->r) || coord_level_is_dc(q->w)) {
        print_dc_config(f, it, n);
        return;
    }
    int any = q->w == QL_ANY; /* W = 0 replicas promised */
    int r = (int)q->r, w = any ? 0 : (int)q->w;
    int sloppy_on = SC_CFG(sc, MOD_SLOPPY, sloppy_cfg)->on;
    int readable = SC_CFG(sc, MOD_HINTS, hints_cfg)->readable;
    int down = SC_CFG(sc, MOD_RETRY, retry_cfg)->downgrade;
    char cr[64], cw[64], rr[64], rw[64], line[1024];
    char wname[16];
    snprintf(wname, sizeof wname, any ? "ANY" : "%d", w);
    fprintf(f, "\n%s%sN=%d R=%d W=%s, %s quorum, reads to %s%s%s\n", it->label, it->label[0] ? ": " : "", n, r, wname,
            sloppy_on ? "a sloppy" : "a strict", q->read_fanout == FANOUT_ALL ? "all N owners" : "R owners",
            sloppy_on && readable ? ", readable hints" : "", down ? ", downgrading retries" : "");
    cassandra_level(r, n, cr, sizeof cr);
    if (any)
        snprintf(cw, sizeof cw, "ANY");
    else
        cassandra_level(w, n, cw, sizeof cw);
    snprintf(line, sizeof line, "replication_factor %d; reads at %s, writes at %s%s%s", n, cr, cw,
             sloppy_on ? "; no sloppy quorum: hints count only at ANY, so writes that need fallbacks wait or fail" : "",
             down ? "; a downgrading retry policy" : "");
    wrap_cell(f, "Cassandra", 9, line, 2, 100);
    size_t k = 0;
    k += (size_t)snprintf(line + k, sizeof line - k, "%s", n == 3 ? "" : "N is 3 there; ");
    if (r == 1)
        k += (size_t)snprintf(line + k, sizeof line - k, "eventually consistent reads (one replica)");
    else if (r + w > n)
        k += (size_t)snprintf(line + k, sizeof line - k, "strongly consistent reads (the guarantee R + W > N gives)");
    else
        k += (size_t)snprintf(line + k, sizeof line - k, "no R=%d: a read asks one replica, or the leader", r);
    if (any)
        snprintf(line + k, sizeof line - k, "; no ANY: every write waits for 2 of 3");
    else if (w == 2 && n == 3)
        snprintf(line + k, sizeof line - k, "; writes as every write (2 of 3)");
    else
        snprintf(line + k, sizeof line - k, "; W=%d is not offered: every write waits for 2 of 3%s", w,
                 sloppy_on ? "; no sloppy quorum" : "");
    wrap_cell(f, "DynamoDB", 9, line, 2, 100);
    riak_level(r, n, rr, sizeof rr);
    riak_level(any ? 1 : w, n, rw, sizeof rw);
    snprintf(line, sizeof line, "n_val %d; r = %s, w = %s, dw = %s; %s%s%s", n, rr, rw, rw,
             sloppy_on || any ? "pr = 0, pw = 0 (fallbacks count, the default)" : "pr = r, pw = w (only owners count)",
             sloppy_on ? (readable ? "; fallbacks answer reads, as Riak's do" : "; Riak's fallbacks would also answer reads")
                    : "",
             any ? "; no ANY: w = 1 with fallbacks is the nearest, and a coordinator keeps no hint of its own" : "");
    wrap_cell(f, "Riak KV", 9, line, 2, 100);
    seen s = {.n = 0};
    run_view v = {&it->sc, &it->rr};
    explain_writeup(&v, note_class, &s);
    if (!s.n) {
        fprintf(f, "  no anomaly in this run: nothing for a default to hide\n");
        return;
    }
    const stats_res *st = it->rr.res[MOD_STATS];
    run_facts rf = {n,  r, w, (int)SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->nodes, volatile_nodes(it),
                    st->unavailable[OP_READ] > 0, st->unavailable[OP_WRITE] > 0, any};
    size_t nd;
    const store_default *d = levels_defaults(&nd);
    for (size_t i = 0; i < s.n; i++) {
        fprintf(f, "  seen: %s; under each store's default it\n", s.title[i]);
        for (size_t j = 0; j < nd; j++)
            judge(f, &d[j], s.cls[i], &rf);
    }
}

void report_levels(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    int reps = 0;
    for (size_t i = 0; i < n; i++)
        reps |= items[i].rep > 0;
    fprintf(f, "qsim %s: %s, seed %lld: its settings in real stores, and what their defaults would hide%s\n",
            QSIM_VERSION, m->scenario, (long long)SC_CFG(&items[0].sc, MOD_RUN, run_cfg)->seed,
            reps ? " (anomalies of the first replication of each configuration)" : "");
    for (size_t i = 0; i < n; i++)
        if (items[i].rep == 0)
            print_config(f, &items[i]);
}
