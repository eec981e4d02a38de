/* report: terminal table, runs.csv and summary.json; see report.h. */
#include "src/report.h"
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include "models/coord.h"
#include "models/net.h"
#include "models/node.h"
#include "models/oracle.h"
#include "models/ring.h"
#include "models/run.h"
#include "models/scenario.h"
#include "models/stats.h"
#include "models/wl.h"
#include "sim/json.h"
#include "sim/units.h"

const char *const verdict_name[] = {"latest", "possibly-stale", "lost", "no-reads"};

static const double qs[] = {0.5, 0.9, 0.95, 0.99, 0.999, 1.0};
static const char *const qname[] = {"p50", "p90", "p95", "p99", "p999", "max"};
#define NQ (sizeof qs / sizeof qs[0])

#define RES(it, id, type) ((const type *)(it)->rr.res[id])
#define STATS(it) RES(it, MOD_STATS, stats_res)
#define ORACLE(it) RES(it, MOD_ORACLE, oracle_res)
#define N_OF(it) SC_CFG(&(it)->sc, MOD_CLUSTER, cluster_cfg)->replicas
#define R_OF(it) SC_CFG(&(it)->sc, MOD_QUORUM, quorum_cfg)->r
#define W_OF(it) SC_CFG(&(it)->sc, MOD_QUORUM, quorum_cfg)->w
#define SEED_OF(it) SC_CFG(&(it)->sc, MOD_RUN, run_cfg)->seed

verdict report_verdict(const run_item *it)
{
    const stats_res *s = STATS(it);
    if (s->lost_reads || ORACLE(it)->lost_writes)
        return V_LOST;
    if (s->stale)
        return V_STALE;
    if (s->ok[OP_READ] == 0)
        return V_NOREADS;
    return V_LATEST;
}

static int overlap(const run_item *it) { return R_OF(it) + W_OF(it) > N_OF(it); }

/* Theory: R+W>N promises the latest version; R+W<=N only makes stale reads possible.
 * The note is empty when observation matches that. */
static const char *theory_note(const run_item *it)
{
    verdict v = report_verdict(it);
    if (v == V_NOREADS)
        return overlap(it) ? "" : "no reads measured";
    if (overlap(it))
        return v == V_LATEST ? "" : "DISAGREES: anomaly despite R+W>N (see trace.jsonl)";
    return v == V_LATEST ? "differs: R+W<=N allows stale reads, none seen" : "";
}

static int agrees(const run_item *it)
{
    verdict v = report_verdict(it);
    return v == V_NOREADS || (overlap(it) == (v == V_LATEST));
}

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static char *lat(int64_t ns, char *buf, size_t n)
{
    if (ns < 1000)
        snprintf(buf, n, "%" PRId64 "ns", ns);
    else if (ns < 1000000)
        snprintf(buf, n, "%.1fus", (double)ns / 1e3);
    else if (ns < 1000000000)
        snprintf(buf, n, "%.2fms", (double)ns / 1e6);
    else
        snprintf(buf, n, "%.3fs", (double)ns / 1e9);
    return buf;
}

int64_t report_visibility_time(const stats_res *st, double p)
{
    if (st->vis_all.count == 0)
        return 0;
    /* walk buckets from the top: all_ge and stale_ge are counts of reads with t >= lo */
    uint64_t all_ge = 0, stale_ge = 0;
    int64_t best = -1;
    for (int i = HIST_NBUCKETS; i-- > 0;) {
        all_ge += st->vis_all.bucket[i];
        stale_ge += st->vis_stale.bucket[i];
        if (st->vis_all.bucket[i] == 0 && i > 0)
            continue;
        if ((double)stale_ge > (1.0 - p) * (double)all_ge)
            break;
        best = hist_bucket_lo(i);
    }
    return best;
}

static uint64_t reads_ok(const stats_res *s) { return s->ok[OP_READ]; }
static uint64_t anomalies(const stats_res *s) { return s->stale + s->lost_reads; }

void report_table(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    fprintf(f, "qsim %s: %s, seed %" PRId64 "\n", QSIM_VERSION, m->scenario, SEED_OF(&items[0]));
    int lw = 6;
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(items[i].label);
        if (l > lw)
            lw = l;
    }
    if (m->nsw)
        fprintf(f, "%-*s  ", lw, "config");
    fprintf(f, "%2s %2s %2s %3s %-5s %-14s %7s %8s %8s %9s %9s %9s %9s  %s\n", "N", "R", "W", "R+W", ">N?", "verdict",
            "stale%", "lost-wr", "unavail%", "read-p50", "read-p99", "write-p50", "write-p99", "note");
    for (size_t i = 0; i < n; i++) {
        const run_item *it = &items[i];
        const stats_res *s = STATS(it);
        char a[32], b[32], c[32], d[32];
        if (m->nsw)
            fprintf(f, "%-*s  ", lw, it->label);
        fprintf(f, "%2" PRId64 " %2" PRId64 " %2" PRId64 " %3" PRId64 " %-5s %-14s %7.3f %8" PRIu64 " %8.3f %9s %9s %9s %9s  %s\n",
                N_OF(it), R_OF(it), W_OF(it), R_OF(it) + W_OF(it),
                overlap(it) ? "yes" : "no", verdict_name[report_verdict(it)], pct(anomalies(s), reads_ok(s)),
                ORACLE(it)->lost_writes, pct(s->unavailable[0] + s->unavailable[1], s->measured[0] + s->measured[1]),
                lat(hist_quantile(&s->lat[OP_READ][OUT_OK], 0.5), a, sizeof a),
                lat(hist_quantile(&s->lat[OP_READ][OUT_OK], 0.99), b, sizeof b),
                lat(hist_quantile(&s->lat[OP_WRITE][OUT_OK], 0.5), c, sizeof c),
                lat(hist_quantile(&s->lat[OP_WRITE][OUT_OK], 0.99), d, sizeof d), theory_note(it));
    }
    /* stories: every scripted operation's outcome */
    for (size_t i = 0; i < n; i++) {
        const wl_res *s = RES(&items[i], MOD_WORKLOAD, wl_res);
        const oracle_res *o = ORACLE(&items[i]);
        if (!s->nscript)
            continue;
        fprintf(f, "\nscript%s%s:\n", items[i].label[0] ? " with " : "", items[i].label);
        for (size_t k = 0; k < s->nscript; k++) {
            const script_result *r = &s->script[k];
            char t0[32], t1[32];
            units_format_duration(r->start, t0, sizeof t0);
            fprintf(f, "  %-8s %9s %-5s k%-4u ", r->name, t0, r->kind == OP_READ ? "read" : "write", r->key + 1);
            if (r->kind == OP_WRITE)
                fprintf(f, "v%-3u %s", r->version, r->ok ? "acknowledged" : "FAILED (unavailable)");
            else if (!r->ok)
                fprintf(f, "FAILED (unavailable)");
            else if (r->cls == RC_FRESH)
                fprintf(f, "-> v%u (latest v%u) fresh", r->version, r->latest);
            else
                fprintf(f, "-> v%u (latest v%u) %s, %u behind", r->version, r->latest,
                        r->cls == RC_LOST ? "LOST" : "STALE", r->k);
            fprintf(f, "  [%s]\n", lat(r->end - r->start, t1, sizeof t1));
        }
        if (o->acked_writes)
            fprintf(f, "  acknowledged writes lost at the end: %" PRIu64 " of %" PRIu64 "\n", o->lost_writes,
                    o->acked_writes);
    }
}

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

void report_csv(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    static const char *const kinds[2] = {"read", "write"};
    fputs("config", f);
    for (size_t s = 0; s < m->nsw; s++) {
        fputc(',', f);
        csv_field(f, m->sw[s].key);
    }
    fputs(",seed,n,r,w,r_plus_w_gt_n,verdict,theory_agrees,reads,reads_ok,reads_unavailable,writes,writes_ok,"
          "writes_unavailable,fresh,stale,lost_reads,stale_pct,acked_writes,lost_writes,unavailable_pct",
          f);
    for (int k = 0; k < 2; k++)
        for (size_t q = 0; q < NQ; q++)
            fprintf(f, ",%s_%s_ns", kinds[k], qname[q]);
    fputs(",read_mean_ns,write_mean_ns,visibility_t99_ns,visibility_t999_ns", f);
    for (int k = 0; k < MSG_NKINDS; k++)
        fprintf(f, ",msgs_%s", msg_kind_name[k]);
    fputs(",msgs_lost,msgs_cut,msgs_to_down,events,sim_end_ns\n", f);
    for (size_t i = 0; i < n; i++) {
        const run_item *it = &items[i];
        const stats_res *s = STATS(it);
        const oracle_res *o = ORACLE(it);
        const net_res *nr = RES(it, MOD_NETWORK, net_res);
        fprintf(f, "%zu", i);
        for (size_t k = 0; k < it->nover; k++) {
            fputc(',', f);
            csv_field(f, it->over[k].value);
        }
        fprintf(f, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%d,%s,%d", SEED_OF(it),
                N_OF(it), R_OF(it), W_OF(it), overlap(it),
                verdict_name[report_verdict(it)], agrees(it));
        fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, s->measured[0], s->ok[0],
                s->unavailable[0], s->measured[1], s->ok[1], s->unavailable[1]);
        fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.6f,%" PRIu64 ",%" PRIu64 ",%.6f", s->fresh, s->stale,
                s->lost_reads, pct(anomalies(s), reads_ok(s)), o->acked_writes, o->lost_writes,
                pct(s->unavailable[0] + s->unavailable[1], s->measured[0] + s->measured[1]));
        for (int k = 0; k < 2; k++)
            for (size_t q = 0; q < NQ; q++)
                fprintf(f, ",%" PRId64, hist_quantile(&s->lat[k][OUT_OK], qs[q]));
        fprintf(f, ",%.1f,%.1f,%" PRId64 ",%" PRId64, hist_mean(&s->lat[0][OUT_OK]), hist_mean(&s->lat[1][OUT_OK]),
                report_visibility_time(s, 0.99), report_visibility_time(s, 0.999));
        for (int k = 0; k < MSG_NKINDS; k++)
            fprintf(f, ",%" PRIu64, nr->sent[k]);
        fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRId64 "\n", nr->lost, nr->cut,
                RES(it, MOD_NODE, nodes_res)->to_down, RES(it, MOD_RUN, run_res)->events,
                RES(it, MOD_RUN, run_res)->end_time);
    }
}

static void json_hist(jw *j, const char *key, const hist *h)
{
    jw_obj(j, key);
    jw_int(j, "count", (int64_t)h->count);
    jw_num(j, "mean_ns", hist_mean(h));
    for (size_t q = 0; q < NQ; q++) {
        char k[32];
        snprintf(k, sizeof k, "%s_ns", qname[q]);
        jw_int(j, k, hist_quantile(h, qs[q]));
    }
    jw_obj_end(j);
}

static void json_item(jw *j, size_t i, const run_item *it)
{
    const stats_res *s = STATS(it);
    const oracle_res *o = ORACLE(it);
    const net_res *nr = RES(it, MOD_NETWORK, net_res);
    const run_res *rn = RES(it, MOD_RUN, run_res);
    const coord_res *cr = RES(it, MOD_QUORUM, coord_res);
    const wl_res *wr = RES(it, MOD_WORKLOAD, wl_res);
    jw_obj(j, NULL);
    jw_int(j, "config", (int64_t)i);
    jw_str(j, "label", it->label);
    jw_obj(j, "overrides");
    for (size_t k = 0; k < it->nover; k++)
        jw_str(j, it->over[k].key, it->over[k].value);
    jw_obj_end(j);
    jw_int(j, "seed", SEED_OF(it));
    jw_int(j, "n", N_OF(it));
    jw_int(j, "r", R_OF(it));
    jw_int(j, "w", W_OF(it));
    jw_bool(j, "r_plus_w_gt_n", overlap(it));
    jw_str(j, "verdict", verdict_name[report_verdict(it)]);
    jw_bool(j, "theory_agrees", agrees(it));
    jw_str(j, "note", theory_note(it));
    static const char *const kinds[2] = {"reads", "writes"};
    for (int k = 0; k < 2; k++) {
        jw_obj(j, kinds[k]);
        jw_int(j, "measured", (int64_t)s->measured[k]);
        jw_int(j, "ok", (int64_t)s->ok[k]);
        jw_int(j, "unavailable", (int64_t)s->unavailable[k]);
        json_hist(j, "latency_ok", &s->lat[k][OUT_OK]);
        json_hist(j, "latency_failed", &s->lat[k][OUT_FAILED]);
        jw_obj_end(j);
    }
    jw_obj(j, "staleness");
    jw_int(j, "fresh", (int64_t)s->fresh);
    jw_int(j, "stale", (int64_t)s->stale);
    jw_int(j, "lost", (int64_t)s->lost_reads);
    jw_num(j, "stale_pct", pct(anomalies(s), reads_ok(s)));
    jw_obj(j, "k_behind");
    for (int k = 1; k <= STALE_KMAX; k++) {
        char key[16];
        snprintf(key, sizeof key, k == STALE_KMAX ? "%d+" : "%d", k);
        jw_int(j, key, (int64_t)s->stale_k[k]);
    }
    jw_obj_end(j);
    jw_obj_end(j);
    jw_obj(j, "writes_outcome");
    jw_int(j, "acknowledged", (int64_t)o->acked_writes);
    jw_int(j, "failed", (int64_t)o->failed_writes);
    jw_int(j, "lost", (int64_t)o->lost_writes);
    jw_bool(j, "lost_count_capped", o->lost_writes_capped);
    jw_obj_end(j);
    jw_obj(j, "visibility");
    jw_arr(j, "bands");
    for (int b = 0; b < VIS_NBANDS; b++) {
        jw_obj(j, NULL);
        jw_int(j, "from_ns", vis_band_edge[b]);
        if (b + 1 < VIS_NBANDS)
            jw_int(j, "to_ns", vis_band_edge[b + 1]);
        else
            jw_null(j, "to_ns");
        jw_int(j, "reads", (int64_t)s->vis_reads[b]);
        jw_int(j, "fresh", (int64_t)s->vis_fresh[b]);
        jw_num(j, "p_fresh", s->vis_reads[b] ? (double)s->vis_fresh[b] / (double)s->vis_reads[b] : (double)NAN);
        jw_obj_end(j);
    }
    jw_arr_end(j);
    int64_t t99 = report_visibility_time(s, 0.99), t999 = report_visibility_time(s, 0.999);
    if (t99 >= 0)
        jw_int(j, "t99_ns", t99);
    else
        jw_null(j, "t99_ns");
    if (t999 >= 0)
        jw_int(j, "t999_ns", t999);
    else
        jw_null(j, "t999_ns");
    jw_obj_end(j);
    jw_obj(j, "messages");
    for (int k = 0; k < MSG_NKINDS; k++)
        jw_int(j, msg_kind_name[k], (int64_t)nr->sent[k]);
    jw_int(j, "lost", (int64_t)nr->lost);
    jw_int(j, "cut_by_partition", (int64_t)nr->cut);
    jw_int(j, "to_crashed_node", (int64_t)RES(it, MOD_NODE, nodes_res)->to_down);
    jw_int(j, "late_replies", (int64_t)cr->late_replies);
    jw_obj_end(j);
    jw_int(j, "events", (int64_t)rn->events);
    jw_int(j, "sim_end_ns", rn->end_time);
    jw_int(j, "peak_inflight_ops", (int64_t)cr->peak_ops);
    jw_int(j, "peak_inflight_msgs", (int64_t)nr->peak_msgs);
    jw_obj(j, "trace");
    jw_int(j, "lines", (int64_t)o->trace_lines);
    jw_bool(j, "truncated", o->trace_truncated);
    jw_obj_end(j);
    if (wr->nscript) {
        jw_arr(j, "script");
        for (size_t k = 0; k < wr->nscript; k++) {
            const script_result *r = &wr->script[k];
            char key[16];
            snprintf(key, sizeof key, "k%u", r->key + 1);
            jw_obj(j, NULL);
            jw_str(j, "name", r->name);
            jw_str(j, "op", r->kind == OP_READ ? "read" : "write");
            jw_str(j, "key", key);
            jw_int(j, "start_ns", r->start);
            jw_int(j, "end_ns", r->end);
            jw_bool(j, "ok", r->ok);
            jw_int(j, "version", r->version);
            if (r->kind == OP_READ) {
                jw_int(j, "latest", r->latest);
                jw_str(j, "class", r->ok ? read_class_name[r->cls] : "unavailable");
                jw_int(j, "k", r->k);
            }
            jw_obj_end(j);
        }
        jw_arr_end(j);
    }
    jw_obj(j, "effective");
    for (size_t k = 0; k < it->neff; k++)
        jw_str(j, it->eff[k].key, it->eff[k].value);
    jw_obj_end(j);
    jw_obj_end(j);
}

void report_json(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    jw j;
    jw_init(&j, f, 1);
    jw_obj(&j, NULL);
    jw_str(&j, "qsim_version", QSIM_VERSION);
    jw_str(&j, "scenario", m->scenario);
    jw_str(&j, "name", m->name);
    jw_int(&j, "seed", SEED_OF(&items[0]));
    jw_arr(&j, "sweeps");
    for (size_t s = 0; s < m->nsw; s++) {
        jw_obj(&j, NULL);
        jw_str(&j, "key", m->sw[s].key);
        jw_arr(&j, "values");
        for (size_t v = 0; v < m->sw[s].n; v++)
            jw_str(&j, NULL, m->sw[s].values[v]);
        jw_arr_end(&j);
        jw_obj_end(&j);
    }
    jw_arr_end(&j);
    jw_arr(&j, "configurations");
    for (size_t i = 0; i < n; i++)
        json_item(&j, i, &items[i]);
    jw_arr_end(&j);
    jw_obj_end(&j);
}
