/* oracle: ground truth, read classification, lost writes and the version trace; see oracle.h. */
#include "models/oracle.h"
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "models/world.h"
#include "sim/alloc.h"
#include "sim/json.h"

static const cfg_key trace_keys[] = {
    {"trace", "keys", CFG_STR, "auto", 1, 0, NULL, offsetof(trace_cfg, keys), NULL,
     "keys whose versions are traced: auto (all for scripts and runs of <= 20000 ops, else k1..k4), all, none, or k1,k7,..."},
    {"trace", "max_lines", CFG_INT, "200000", 0, 1e9, NULL, offsetof(trace_cfg, max_lines), NULL,
     "trace.jsonl stops (and says so) after this many lines per configuration"},
};
const cfg_table trace_table = {trace_keys, sizeof trace_keys / sizeof trace_keys[0], 0};

/* Parses "k1,k7,..." and marks the keys in bits (may be NULL: check only). */
static int parse_keys(const char *list, uint32_t nkeys, uint8_t *bits, char *err, size_t n)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        char *end;
        if (*p != 'k' || p[1] < '1' || p[1] > '9') {
            snprintf(err, n, "must be auto, all, none or a key list like k1,k7");
            return -1;
        }
        unsigned long k = strtoul(p + 1, &end, 10);
        if (*end && *end != ',' && *end != ' ') {
            snprintf(err, n, "must be auto, all, none or a key list like k1,k7");
            return -1;
        }
        if (k < 1 || k > nkeys) {
            snprintf(err, n, "key k%lu is not one of k1..k%u (workload.keys)", k, nkeys);
            return -1;
        }
        if (bits)
            bits[(k - 1) / 8] |= (uint8_t)(1u << ((k - 1) % 8));
        p = end;
    }
    return 0;
}

int oracle_init(oracle *o, uint32_t nkeys, const trace_cfg *tc, int all_small, FILE *trace, int run, char *err,
                size_t n)
{
    memset(o, 0, sizeof *o);
    o->nkeys = nkeys;
    o->keys = mem_calloc(nkeys, sizeof *o->keys);
    if (!o->keys)
        return -ENOMEM;
    o->trace = trace;
    o->max_lines = tc->max_lines;
    o->run = run;
    if (!trace || strcmp(tc->keys, "none") == 0)
        return 0;
    o->traced = mem_calloc((nkeys + 7) / 8, 1);
    if (!o->traced)
        return -ENOMEM;
    if (strcmp(tc->keys, "all") == 0 || (strcmp(tc->keys, "auto") == 0 && all_small))
        memset(o->traced, 0xff, (nkeys + 7) / 8);
    else if (strcmp(tc->keys, "auto") == 0)
        return parse_keys(nkeys >= 4 ? "k1,k2,k3,k4" : "k1", nkeys, o->traced, err, n);
    else
        return parse_keys(tc->keys, nkeys, o->traced, err, n);
    return 0;
}

int oracle_check_keys(const char *spec, uint32_t nkeys, char *err, size_t n)
{
    if (strcmp(spec, "auto") == 0 || strcmp(spec, "all") == 0 || strcmp(spec, "none") == 0)
        return 0;
    return parse_keys(spec, nkeys, NULL, err, n);
}

void oracle_fini(oracle *o)
{
    mem_free(o->keys);
    mem_free(o->traced);
    memset(o, 0, sizeof *o);
}

/* ---- trace ---- */

static int traced(const oracle *o, uint32_t key) { return o->traced && (o->traced[key / 8] >> (key % 8)) & 1; }

/* Starts a trace line; returns 0 when the trace is off or full. */
static int line(world *w, jw *j, const char *ev)
{
    oracle *o = &w->oracle;
    if (!o->trace || w->st->trace_truncated)
        return 0;
    if (o->max_lines > 0 && (int64_t)w->st->trace_lines >= o->max_lines) {
        w->st->trace_truncated = 1;
        fprintf(o->trace, "{\"run\":%d,\"ev\":\"truncated\",\"t\":%" PRId64 ",\"max_lines\":%" PRId64 "}\n", o->run,
                w->s.now, o->max_lines);
        return 0;
    }
    w->st->trace_lines++;
    jw_init(j, o->trace, 0);
    jw_obj(j, NULL);
    jw_int(j, "run", o->run);
    jw_int(j, "t", w->s.now);
    jw_str(j, "ev", ev);
    return 1;
}

static void end(jw *j)
{
    jw_obj_end(j);
    fputc('\n', j->f);
}

static void key_name(uint32_t key, char *buf) { snprintf(buf, 16, "k%u", key + 1); }

/* ---- bookkeeping ---- */

uint32_t oracle_next_seq(world *w, uint32_t key) { return ++w->oracle.keys[key].next_seq; }

void oracle_write_begin(world *w, const op *o)
{
    jw j;
    char k[16], c[16];
    if (!traced(&w->oracle, o->key) || !line(w, &j, "write"))
        return;
    key_name(o->key, k);
    jw_int(&j, "op", (int64_t)o->index);
    jw_str(&j, "key", k);
    jw_int(&j, "v", o->ver.seq);
    jw_str(&j, "coordinator", ep_name(o->coord, c));
    jw_int(&j, "w", w->w);
    end(&j);
}

void oracle_on_apply(world *w, int nd, uint32_t key, const version *v, const version *was, int stored)
{
    jw j;
    char k[16], nm[16];
    if (!traced(&w->oracle, key) || !line(w, &j, stored ? "apply" : "apply_ignored"))
        return;
    key_name(key, k);
    jw_str(&j, "node", ep_name(nd, nm));
    jw_str(&j, "key", k);
    jw_int(&j, "v", v->seq);
    jw_int(&j, "had", was->seq);
    end(&j);
}

void oracle_write_acked(world *w, const op *o)
{
    okey *ok = &w->oracle.keys[o->key];
    w->st->acked_writes++;
    ok->nacked++;
    /* insert into the recent list, kept sorted oldest -> newest, dropping the oldest */
    acked a = {o->ver, w->s.now, ok->nacked};
    int i = ok->nrecent;
    if (i == ORACLE_RECENT) {
        if (version_cmp(&a.v, &ok->recent[0].v) < 0)
            goto traced_line; /* older than everything tracked: only counted */
        memmove(&ok->recent[0], &ok->recent[1], (ORACLE_RECENT - 1) * sizeof a);
        i = ORACLE_RECENT - 1;
    } else {
        ok->nrecent++;
    }
    while (i > 0 && version_cmp(&ok->recent[i - 1].v, &a.v) > 0) {
        ok->recent[i] = ok->recent[i - 1];
        i--;
    }
    ok->recent[i] = a;
traced_line:;
    jw j;
    char k[16], nm[16];
    if (!traced(&w->oracle, o->key) || !line(w, &j, "ack"))
        return;
    key_name(o->key, k);
    jw_int(&j, "op", (int64_t)o->index);
    jw_str(&j, "key", k);
    jw_int(&j, "v", o->ver.seq);
    jw_arr(&j, "acked_by");
    for (int r = 0; r < o->nresp; r++)
        jw_str(&j, NULL, ep_name(o->resp_node[r], nm));
    jw_arr_end(&j);
    end(&j);
}

void oracle_write_failed(world *w, const op *o)
{
    w->st->failed_writes++;
    jw j;
    char k[16];
    if (!traced(&w->oracle, o->key) || !line(w, &j, "write_failed"))
        return;
    key_name(o->key, k);
    jw_int(&j, "op", (int64_t)o->index);
    jw_str(&j, "key", k);
    jw_int(&j, "v", o->ver.seq);
    jw_int(&j, "acks", o->nresp);
    jw_int(&j, "w", w->w);
    end(&j);
}

void oracle_read_start(world *w, op *o)
{
    const okey *ok = &w->oracle.keys[o->key];
    /* latest(r): every acknowledgement recorded so far happened before this read started
     * (at an earlier time, or at the same time in an earlier event), and the recent list
     * is ordered oldest to newest version */
    o->has_latest = ok->nrecent > 0;
    o->acked_before = ok->nacked;
    if (o->has_latest) {
        o->latest = ok->recent[ok->nrecent - 1].v;
        o->latest_ack = ok->recent[ok->nrecent - 1].ack;
    }
}

/* Nodes holding latest(r) or newer right now (durable storage of crashed nodes included). */
static int holders(world *w, const op *o, uint16_t *out)
{
    int n = 0;
    for (int i = 1; i <= w->nnodes; i++) {
        const version *v = store_get(&w->nodes[i].st, o->key);
        if (v && version_cmp(v, &o->latest) >= 0)
            out[n++] = (uint16_t)i;
    }
    return n;
}

void oracle_read_done(world *w, op *o)
{
    const okey *ok = &w->oracle.keys[o->key];
    uint16_t hold[RING_MAX_NODES + 1];
    int nhold = -1;
    o->k = 0;
    if (!o->has_latest || version_cmp(&o->ver, &o->latest) >= 0) {
        o->cls = RC_FRESH;
    } else {
        /* versions acknowledged before the read started and newer than the one returned;
         * every untracked acknowledged version is older than every tracked one */
        uint32_t k = 0, tracked_before = 0;
        for (int i = 0; i < ok->nrecent; i++) {
            if (ok->recent[i].ord > o->acked_before)
                continue;
            tracked_before++;
            if (version_cmp(&ok->recent[i].v, &o->ver) > 0 && version_cmp(&ok->recent[i].v, &o->latest) <= 0)
                k++;
        }
        if (tracked_before < o->acked_before && version_cmp(&o->ver, &ok->recent[0].v) < 0)
            k = STALE_KMAX; /* some of the versions it is behind are no longer tracked */
        o->k = k < STALE_KMAX ? k : STALE_KMAX;
        nhold = holders(w, o, hold);
        o->cls = nhold == 0 ? RC_LOST : RC_STALE;
    }
    jw j;
    char kn[16], nm[16];
    if (!traced(&w->oracle, o->key) || !line(w, &j, "read"))
        return;
    key_name(o->key, kn);
    jw_int(&j, "op", (int64_t)o->index);
    jw_str(&j, "key", kn);
    jw_int(&j, "start", o->start);
    jw_int(&j, "returned", o->ver.seq);
    jw_int(&j, "latest", o->has_latest ? o->latest.seq : 0);
    jw_str(&j, "class", read_class_name[o->cls]);
    if (o->cls != RC_FRESH) {
        jw_int(&j, "k", o->k);
        jw_arr(&j, "read_set");
        for (int r = 0; r < o->nresp; r++) {
            jw_obj(&j, NULL);
            jw_str(&j, "node", ep_name(o->resp_node[r], nm));
            jw_int(&j, "v", o->resp_ver[r].seq);
            jw_obj_end(&j);
        }
        jw_arr_end(&j);
        jw_arr(&j, "holders_of_latest");
        for (int h = 0; h < nhold; h++)
            jw_str(&j, NULL, ep_name(hold[h], nm));
        jw_arr_end(&j);
        jw_int(&j, "r", w->r);
        jw_int(&j, "w", w->w);
        jw_int(&j, "n", w->n);
        jw_bool(&j, "r_plus_w_gt_n", w->r + w->w > w->n);
    }
    end(&j);
}

void oracle_read_failed(world *w, const op *o)
{
    jw j;
    char k[16];
    if (!traced(&w->oracle, o->key) || !line(w, &j, "read_failed"))
        return;
    key_name(o->key, k);
    jw_int(&j, "op", (int64_t)o->index);
    jw_str(&j, "key", k);
    jw_int(&j, "replies", o->nresp);
    jw_int(&j, "r", w->r);
    end(&j);
}

void oracle_fault(world *w, const char *members)
{
    jw j;
    if (!line(w, &j, "fault"))
        return;
    fprintf(w->oracle.trace, ",%s", members);
    end(&j);
}

void oracle_finish(world *w)
{
    oracle *o = &w->oracle;
    for (uint32_t key = 0; key < o->nkeys; key++) {
        const okey *ok = &o->keys[key];
        if (!ok->nacked)
            continue;
        version best = {0, 0, 0};
        for (int i = 1; i <= w->nnodes; i++) {
            const version *v = store_get(&w->nodes[i].st, key);
            if (v && version_cmp(v, &best) > 0)
                best = *v;
        }
        uint32_t lost = 0;
        for (int i = 0; i < ok->nrecent; i++) {
            if (version_cmp(&ok->recent[i].v, &best) <= 0)
                continue;
            lost++;
            jw j;
            char k[16];
            if (traced(o, key) && line(w, &j, "lost_write")) {
                key_name(key, k);
                jw_str(&j, "key", k);
                jw_int(&j, "v", ok->recent[i].v.seq);
                jw_int(&j, "acked_at", ok->recent[i].ack);
                jw_int(&j, "newest_held", best.seq);
                end(&j);
            }
        }
        if (lost == ok->nrecent && ok->nacked > ok->nrecent)
            w->st->lost_writes_capped = 1;
        w->st->lost_writes += lost;
    }
}
