/* oracle: ground truth, read classification, lost writes and the version trace; see oracle.h. */
#include "models/oracle.h"
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "models/run.h"
#include "models/scenario.h"
#include "models/wl.h"
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

/* Per-operation area: what a read needs from its start to its classification. */
typedef struct oracle_op {
    uint32_t acked_before; /* acknowledgements of the key before the read started */
    /* latest(r)'s W, fallbacks, level and datacenter as they were then: the verdict must not
     * depend on writes acknowledged later */
    olatest latest;
} oracle_op;

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

int oracle_check_keys(const char *spec, uint32_t nkeys, char *err, size_t n)
{
    if (strcmp(spec, "auto") == 0 || strcmp(spec, "all") == 0 || strcmp(spec, "none") == 0)
        return 0;
    return parse_keys(spec, nkeys, NULL, err, n);
}

void oracle_fini(oracle *o)
{
    map_fini(&o->ackidx);
    mem_free(o->acks);
    mem_free(o->keys);
    mem_free(o->lmeta);
    mem_free(o->recent);
    mem_free(o->traced);
    memset(o, 0, sizeof *o);
}

/* ---- trace ---- */

static int traced(const oracle *o, uint32_t key) { return tracer_key(o->tr, key); }

static void key_name(uint32_t key, char *buf) { snprintf(buf, 16, "k%u", key + 1); }

/* ---- the life cycle ---- */

static void on_begin(void *ctx, op *p)
{
    oracle *o = ctx;
    jw j;
    char k[16], c[16];
    if (p->kind != OP_WRITE || !traced(o, p->key) || !tracer_begin(o->tr, &j, "write"))
        return;
    key_name(p->key, k);
    wl_trace_op(&j, o->wl, p);
    jw_str(&j, "key", k);
    jw_int(&j, "v", p->ver.seq);
    jw_str(&j, "coordinator", ep_name(p->coord, c));
    jw_int(&j, "w", p->need);
    if (p->lvl == 0) {
        jw_str(&j, "level", "ANY"); /* one acknowledgement of any kind; no replica promised */
    } else if (p->lvl < 0) {
        char l[16];
        jw_str(&j, "level", coord_level_name(p->lvl, l));
        jw_str(&j, "dc", ring_dc_name(o->rg, p->dc));
    }
    tracer_end(&j);
}

/* The window of key's newest acknowledged write ends now. */
static void close_window(oracle *o, okey *ok, int superseded)
{
    ok->missing = 0;
    hist_record(&o->res->window, o->tr->s->now - ok->latest_ack);
    if (superseded)
        o->res->superseded++;
    else
        o->res->converged++;
}

static void on_apply(void *ctx, int nd, uint32_t key, const version *v, const version *was, int stored,
                     apply_source src)
{
    oracle *o = ctx;
    okey *ok = &o->keys[key];
    if (ok->missing && ver_cmp(v, &ok->latest) >= 0) {
        int rank = ring_owner_rank(o->rg, key, nd);
        if (rank >= 0 && (ok->missing & (1u << rank))) {
            ok->missing &= (uint16_t) ~(1u << rank);
            if (!ok->missing)
                close_window(o, ok, 0);
        }
    }
    jw j;
    char k[16], nm[16];
    if (!traced(o, key) || !tracer_begin(o->tr, &j, stored ? "apply" : "apply_ignored"))
        return;
    key_name(key, k);
    jw_str(&j, "node", ep_name(nd, nm));
    jw_str(&j, "key", k);
    jw_int(&j, "v", v->seq);
    jw_int(&j, "had", was->seq);
    if (src != APPLY_WRITE)
        jw_str(&j, "by", apply_source_name[src]);
    tracer_end(&j);
}

/* Who acknowledged a traced key's newest write, for the explanation of later reads. */
static void remember_acks(oracle *o, const op *p)
{
    int64_t i = map_get(&o->ackidx, p->key);
    if (i < 0) {
        oack *na = mem_grow(o->acks, &o->acks_cap, o->nacks + 1, sizeof *na);
        if (!na || map_put(&o->ackidx, p->key, (uint32_t)o->nacks)) {
            if (na)
                o->acks = na;
            return; /* out of memory: the explanation lacks the acknowledging set */
        }
        o->acks = na;
        i = (int64_t)o->nacks++;
    }
    oack *a = &o->acks[i];
    a->seq = p->ver.seq;
    a->n = a->nfb = 0;
    for (int r = 0; r < p->ncounted; r++) {
        const op_target *t = op_counted(p, r);
        if (t->cause == CAUSE_FALLBACK)
            a->fallback[a->nfb++] = t->node;
        else
            a->node[a->n++] = t->node;
    }
}

static void write_acked(oracle *o, const op *p)
{
    okey *ok = &o->keys[p->key];
    acked *rec = o->recent[p->key];
    o->res->acked_writes++;
    ok->nacked++;
    int newest = !ok->nrecent || ver_cmp(&p->ver, &ok->latest) > 0;
    /* insert into the recent list, kept sorted oldest -> newest, dropping the oldest */
    acked a = {p->ver, o->tr->s->now, ok->nacked, p->need, 0, p->lvl, p->dc};
    for (int r = 0; r < p->ncounted; r++)
        a.fallbacks = (uint8_t)(a.fallbacks + (op_counted(p, r)->cause == CAUSE_FALLBACK));
    int i = ok->nrecent;
    if (i == ORACLE_RECENT) {
        if (ver_cmp(&a.v, &rec[0].v) < 0)
            goto traced_line; /* older than everything tracked: only counted */
        memmove(&rec[0], &rec[1], (ORACLE_RECENT - 1) * sizeof a);
        i = ORACLE_RECENT - 1;
    } else {
        ok->nrecent++;
    }
    while (i > 0 && ver_cmp(&rec[i - 1].v, &a.v) > 0) {
        rec[i] = rec[i - 1];
        i--;
    }
    rec[i] = a;
traced_line:
    if (newest) {
        /* the previous newest write's window ends (superseded), this one's opens unless
         * every owner holds it already */
        if (ok->missing)
            close_window(o, ok, 1);
        ok->latest = p->ver;
        ok->latest_ack = a.ack;
        o->lmeta[p->key] = (olatest){a.w, a.fallbacks, a.lvl, a.dc};
        const uint16_t *own = ring_owners(o->rg, p->key);
        for (int r = 0; r < o->n; r++) {
            const version *held = nodes_get(o->ns, own[r], p->key);
            if (!held || ver_cmp(held, &p->ver) < 0)
                ok->missing |= (uint16_t)(1u << r);
        }
        if (!ok->missing)
            close_window(o, ok, 0);
    } else {
        hist_record(&o->res->window, 0); /* older than what is already acknowledged */
        o->res->superseded++;
    }
    if (traced(o, p->key) && newest)
        remember_acks(o, p);
    jw j;
    char k[16], nm[16];
    if (!traced(o, p->key) || !tracer_begin(o->tr, &j, "ack"))
        return;
    key_name(p->key, k);
    wl_trace_op(&j, o->wl, p);
    jw_str(&j, "key", k);
    jw_int(&j, "v", p->ver.seq);
    jw_arr(&j, "acked_by");
    for (int r = 0; r < p->ncounted; r++)
        jw_str(&j, NULL, ep_name(op_counted(p, r)->node, nm));
    jw_arr_end(&j);
    tracer_end(&j);
}

/* latest(r): every acknowledgement recorded so far happened before this read started (at
 * an earlier time, or at the same time in an earlier event), and latest is the newest. */
static void on_submit(void *ctx, op *p)
{
    oracle *o = ctx;
    if (p->kind != OP_READ)
        return;
    const okey *ok = &o->keys[p->key];
    oracle_op *x = op_ext(p, o->ext);
    p->v.has_latest = ok->nrecent > 0;
    x->acked_before = ok->nacked;
    if (p->v.has_latest) {
        p->v.latest = ok->latest;
        p->v.latest_ack = ok->latest_ack;
        x->latest = o->lmeta[p->key];
    }
}

typedef struct holder_list {
    const version *at_least;
    uint16_t *node, *owner;
    int n;
} holder_list;

static void collect(void *arg, int nd, int owner, const version *v)
{
    holder_list *h = arg;
    if (ver_cmp(v, h->at_least) >= 0) {
        h->node[h->n] = (uint16_t)nd;
        h->owner[h->n++] = (uint16_t)owner;
    }
}

/* Classifies a read whose coordinator responds now. */
static void read_done(oracle *o, op *p)
{
    const okey *ok = &o->keys[p->key];
    const acked *rec = o->recent[p->key];
    const oracle_op *x = op_ext(p, o->ext);
    uint16_t hold[RING_MAX_NODES * HOLDERS_MAX + 1], hold_for[RING_MAX_NODES * HOLDERS_MAX + 1];
    holder_list hl = {&p->v.latest, hold, hold_for, -1};
    p->v.k = 0;
    if (!p->v.has_latest || ver_cmp(&p->ver, &p->v.latest) >= 0) {
        p->v.cls = RC_FRESH;
    } else {
        /* versions acknowledged before the read started and newer than the one returned;
         * every untracked acknowledged version is older than every tracked one */
        uint32_t k = 0, tracked_before = 0;
        for (int i = 0; i < ok->nrecent; i++) {
            if (rec[i].ord > x->acked_before)
                continue;
            tracked_before++;
            if (ver_cmp(&rec[i].v, &p->ver) > 0 && ver_cmp(&rec[i].v, &p->v.latest) <= 0)
                k++;
        }
        if (!p->ver.seq)
            k = x->acked_before; /* it returned nothing: behind every version acknowledged before it */
        else if (tracked_before < x->acked_before && ver_cmp(&p->ver, &rec[0].v) < 0)
            k = STALE_KMAX; /* some of the versions it is behind are no longer tracked */
        p->v.k = k < STALE_KMAX ? k : STALE_KMAX;
        hl.n = 0;
        holders_each(o->hs, p->key, collect, &hl);
        p->v.cls = hl.n == 0 ? RC_LOST : RC_STALE;
        /* did theory promise this read the latest? its level against latest(r)'s */
        p->v.promised = (uint8_t)coord_overlap(o->c, p->lvl, p->dc, x->latest.lvl, x->latest.dc);
        p->v.via_fallback = x->latest.fallbacks > 0;
    }
    jw j;
    char kn[16], nm[16];
    if (!traced(o, p->key) || !tracer_begin(o->tr, &j, "read"))
        return;
    key_name(p->key, kn);
    wl_trace_op(&j, o->wl, p);
    jw_str(&j, "key", kn);
    jw_int(&j, "start", p->start);
    jw_int(&j, "returned", p->ver.seq);
    jw_int(&j, "latest", p->v.has_latest ? p->v.latest.seq : 0);
    jw_str(&j, "class", read_class_name[p->v.cls]);
    if (p->v.cls != RC_FRESH)
        jw_int(&j, "k", p->v.k);
    jw_arr(&j, "read_set");
    for (int r = 0; r < p->ncounted; r++) {
        const op_target *t = op_counted(p, r);
        jw_obj(&j, NULL);
        jw_str(&j, "node", ep_name(t->node, nm));
        jw_int(&j, "v", t->ver.seq);
        jw_obj_end(&j);
    }
    jw_arr_end(&j);
    if (p->v.cls != RC_FRESH) {
        jw_arr(&j, "holders_of_latest");
        int hinted = 0;
        for (int h = 0; h < hl.n; h++) {
            hinted += hold_for[h] != 0;
            if (!hold_for[h])
                jw_str(&j, NULL, ep_name(hold[h], nm));
        }
        jw_arr_end(&j);
        if (hinted) {
            jw_arr(&j, "hint_holders_of_latest");
            for (int h = 0; h < hl.n; h++) {
                if (!hold_for[h])
                    continue;
                jw_obj(&j, NULL);
                jw_str(&j, "node", ep_name(hold[h], nm));
                jw_str(&j, "for", ep_name(hold_for[h], nm));
                jw_obj_end(&j);
            }
            jw_arr_end(&j);
        }
        int64_t ai = map_get(&o->ackidx, p->key);
        if (ai >= 0 && o->acks[ai].seq == p->v.latest.seq) {
            const oack *a = &o->acks[ai];
            jw_arr(&j, "latest_acked_by");
            for (int r = 0; r < a->n; r++)
                jw_str(&j, NULL, ep_name(a->node[r], nm));
            jw_arr_end(&j);
            if (a->nfb) {
                jw_arr(&j, "latest_acked_by_fallbacks");
                for (int r = 0; r < a->nfb; r++)
                    jw_str(&j, NULL, ep_name(a->fallback[r], nm));
                jw_arr_end(&j);
            }
        }
        jw_int(&j, "r", p->need);
        if (p->lvl >= 0 && x->latest.lvl >= 0) {
            /* the replicas latest(r)'s level promised: W, or 0 at ANY */
            jw_int(&j, "w", x->latest.lvl);
            if (x->latest.lvl == 0)
                jw_str(&j, "w_level", "ANY");
            jw_int(&j, "n", o->n);
            jw_bool(&j, "r_plus_w_gt_n", p->need + x->latest.lvl > o->n);
        } else {
            /* datacenter levels: the levels and datacenters of the read and of latest(r) */
            char l[16];
            jw_str(&j, "r_level", coord_level_name(p->lvl, l));
            jw_str(&j, "dc", ring_dc_name(o->rg, p->dc));
            jw_int(&j, "w", x->latest.w);
            jw_str(&j, "w_level", coord_level_name(x->latest.lvl, l));
            jw_str(&j, "w_dc", ring_dc_name(o->rg, x->latest.dc));
            jw_int(&j, "n", o->n);
            jw_bool(&j, "promised", p->v.promised);
        }
    }
    tracer_end(&j);
}

static void on_respond(void *ctx, op *p)
{
    oracle *o = ctx;
    if (p->kind == OP_WRITE)
        write_acked(o, p);
    else
        read_done(o, p);
}

static void on_answer(void *ctx, op *p)
{
    oracle *o = ctx;
    if (p->ok)
        return;
    jw j;
    char k[16];
    if (p->kind == OP_WRITE) {
        if (p->responded)
            return; /* acknowledged at the coordinator; only the answer failed to arrive */
        o->res->failed_writes++;
        if (!traced(o, p->key) || !tracer_begin(o->tr, &j, "write_failed"))
            return;
        key_name(p->key, k);
        wl_trace_op(&j, o->wl, p);
        jw_str(&j, "key", k);
        jw_int(&j, "v", p->ver.seq);
        jw_int(&j, "acks", p->ncounted);
        jw_int(&j, "w", p->need);
        if (p->lvl <= 0) {
            char l[16];
            jw_str(&j, "level", coord_level_name(p->lvl, l));
        }
        tracer_end(&j);
        return;
    }
    if (!traced(o, p->key) || !tracer_begin(o->tr, &j, "read_failed"))
        return;
    key_name(p->key, k);
    wl_trace_op(&j, o->wl, p);
    jw_str(&j, "key", k);
    jw_int(&j, "replies", p->ncounted);
    jw_int(&j, "r", p->need);
    tracer_end(&j);
}

int oracle_init(oracle *o, uint32_t nkeys, const trace_cfg *tc, int all_small, tracer *tr, const holders *hs,
                coord *c, node_set *ns, const ring *rg, int w, oracle_res *res, char *err, size_t errn)
{
    memset(o, 0, sizeof *o);
    o->nkeys = nkeys;
    o->tr = tr;
    o->hs = hs;
    o->ns = ns;
    o->rg = rg;
    map_init(&o->ackidx);
    o->n = ring_replicas(rg);
    o->w = w;
    o->c = c;
    o->res = res;
    o->keys = mem_calloc(nkeys, sizeof *o->keys);
    o->lmeta = mem_calloc(nkeys, sizeof *o->lmeta);
    o->recent = mem_calloc(nkeys, sizeof *o->recent);
    if (!o->keys || !o->lmeta || !o->recent)
        return -ENOMEM;
    o->ext = coord_ext(c, sizeof(oracle_op));
    op_observer ob = {.name = "oracle", .ctx = o, .submit = on_submit, .begin = on_begin, .respond = on_respond,
                      .answer = on_answer};
    apply_listener al = {o, on_apply};
    if (coord_observe(c, &ob) || nodes_on_apply(ns, &al))
        return -ENOMEM;
    if (!tr->f || strcmp(tc->keys, "none") == 0)
        return 0;
    o->traced = mem_calloc((nkeys + 7) / 8, 1);
    if (!o->traced)
        return -ENOMEM;
    tr->keys = o->traced;
    int rc = 0;
    if (strcmp(tc->keys, "all") == 0 || (strcmp(tc->keys, "auto") == 0 && all_small))
        memset(o->traced, 0xff, (nkeys + 7) / 8);
    else if (strcmp(tc->keys, "auto") == 0)
        rc = parse_keys(nkeys >= 4 ? "k1,k2,k3,k4" : "k1", nkeys, o->traced, err, errn);
    else
        rc = parse_keys(tc->keys, nkeys, o->traced, err, errn);
    return rc ? -EINVAL : 0;
}

static void best_of(void *arg, int nd, int owner, const version *v)
{
    (void)nd;
    (void)owner;
    version *best = arg;
    if (ver_cmp(v, best) > 0)
        *best = *v;
}

void oracle_finish(oracle *o)
{
    for (uint32_t key = 0; key < o->nkeys; key++) {
        const okey *ok = &o->keys[key];
        const acked *rec = o->recent[key];
        if (!ok->nacked)
            continue;
        version best = VERSION_NONE;
        holders_each(o->hs, key, best_of, &best);
        uint32_t lost = 0;
        for (int i = 0; i < ok->nrecent; i++) {
            if (ver_cmp(&rec[i].v, &best) <= 0)
                continue;
            lost++;
            o->res->lost_promised += (uint64_t)coord_overlap(o->c, o->r, -1, rec[i].lvl, rec[i].dc);
            jw j;
            char k[16];
            if (traced(o, key) && tracer_begin(o->tr, &j, "lost_write")) {
                key_name(key, k);
                jw_str(&j, "key", k);
                jw_int(&j, "v", rec[i].v.seq);
                jw_int(&j, "acked_at", rec[i].ack);
                jw_int(&j, "newest_held", best.seq);
                tracer_end(&j);
            }
        }
        if (lost == ok->nrecent && ok->nacked > ok->nrecent)
            o->res->lost_writes_capped = 1;
        o->res->lost_writes += lost;
    }
    for (uint32_t key = 0; key < o->nkeys; key++)
        o->res->open_at_end += o->keys[key].missing != 0;
    o->res->trace_lines = o->tr->lines;
    o->res->trace_truncated = o->tr->truncated;
}

/* ---- the oracle module ---- */

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const trace_cfg *tc = mcfg;
    char err[512];
    if (tc->keys && oracle_check_keys(tc->keys, sc->nkeys, err, sizeof err))
        cfg_error_key(c, "trace", "keys", "%s", err);
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const trace_cfg *tc = mcfg;
    const run_cfg *rc = SC_CFG(w->sc, MOD_RUN, run_cfg);
    int small = SC_CFG(w->sc, MOD_WORKLOAD, wl_cfg)->mode == WL_SCRIPT || (rc->ops > 0 && rc->ops <= 20000);
    oracle *o = mem_calloc(1, sizeof *o);
    if (!o)
        return -ENOMEM;
    *state = o;
    w->tr.max_lines = tc->max_lines;
    int cw = (int)SC_CFG(w->sc, MOD_QUORUM, quorum_cfg)->w;
    int rc0 = oracle_init(o, w->sc->nkeys, tc, small, &w->tr, &w->hs, &w->coord, &w->nodes, w->ring, cw, res, err, n);
    o->r = (int)SC_CFG(w->sc, MOD_QUORUM, quorum_cfg)->r; /* after oracle_init, which clears o */
    o->wl = SC_CFG(w->sc, MOD_WORKLOAD, wl_cfg);
    return rc0;
}

static void finish(void *state, void *res)
{
    (void)res;
    oracle_finish(state);
}

static void destroy(void *state)
{
    oracle_fini(state);
    mem_free(state);
}

static metric_val get_window(const run_view *v, int arg)
{
    static const double q[] = {0.5, 0.99, 1.0};
    const hist *h = &RV_RES(v, MOD_ORACLE, oracle_res)->window;
    if (!h->count)
        return mv_null();
    return arg < 0 ? mv_num(hist_mean(h)) : mv_int(hist_quantile(h, q[arg]));
}

static void res_init(void *res) { hist_init(&((oracle_res *)res)->window); }

static const metric oracle_metrics[] = {
    {"writes_outcome.acknowledged", "acked_writes", NULL, MT_COUNT, "writes",
     "writes acknowledged to the coordinator (warm-up included)", metric_u64,
     MFIELD(MOD_ORACLE, oracle_res, acked_writes), NULL},
    {"writes_outcome.failed", "failed_writes", NULL, MT_COUNT, "writes",
     "writes that never gathered W acknowledgements before the timeout", metric_u64,
     MFIELD(MOD_ORACLE, oracle_res, failed_writes), NULL},
    {"writes_outcome.lost", "lost_writes", "lost-wr", MT_COUNT, "writes",
     "acknowledged writes that no replica or other holder has at the end, and no newer write supersedes",
     metric_u64, MFIELD(MOD_ORACLE, oracle_res, lost_writes), NULL},
    {"writes_outcome.lost_despite_overlap", "lost_writes_despite_overlap", NULL, MT_COUNT, "writes",
     "lost writes acknowledged with a W that, with the scenario's R, exceeds N", metric_u64,
     MFIELD(MOD_ORACLE, oracle_res, lost_promised), NULL},
    {"writes_outcome.lost_count_capped", "lost_writes_capped", NULL, MT_BOOL, "",
     "some key lost more acknowledged writes than the oracle tracks per key (the count is a lower bound)",
     metric_int, MFIELD(MOD_ORACLE, oracle_res, lost_writes_capped), NULL},
    {"inconsistency.converged", "window_converged", NULL, MT_COUNT, "writes",
     "newest acknowledged writes that reached every owner's replica store", metric_u64,
     MFIELD(MOD_ORACLE, oracle_res, converged), NULL},
    {"inconsistency.superseded", "window_superseded", NULL, MT_COUNT, "writes",
     "acknowledged writes superseded by a newer acknowledged write before every owner held them", metric_u64,
     MFIELD(MOD_ORACLE, oracle_res, superseded), NULL},
    {"inconsistency.open_at_end", "window_open_at_end", "open", MT_COUNT, "keys",
     "keys whose newest acknowledged write some owner still lacked when the run ended", metric_u64,
     MFIELD(MOD_ORACLE, oracle_res, open_at_end), NULL},
    {"inconsistency.window_mean_ns", "window_mean_ns", NULL, MT_NUM, "ns",
     "window of inconsistency: mean time from a write's acknowledgement until every owner holds it or it is superseded",
     get_window, -1, NULL},
    {"inconsistency.window_p50_ns", "window_p50_ns", NULL, MT_NS, "ns", "median window of inconsistency",
     get_window, 0, NULL},
    {"inconsistency.window_p99_ns", "window_p99_ns", "window-p99", MT_NS, "ns", "99th percentile window of inconsistency",
     get_window, 1, NULL},
    {"inconsistency.window_max_ns", "window_max_ns", "window-max", MT_NS, "ns", "largest window of inconsistency",
     get_window, 2, NULL},
    {"trace.lines", "trace_lines", NULL, MT_COUNT, "lines", "lines this configuration wrote to trace.jsonl",
     metric_u64, MFIELD(MOD_ORACLE, oracle_res, trace_lines), NULL},
    {"trace.truncated", "trace_truncated", NULL, MT_BOOL, "", "trace.jsonl stopped at trace.max_lines",
     metric_int, MFIELD(MOD_ORACLE, oracle_res, trace_truncated), NULL},
};

const module oracle_module = {
    .name = "oracle",
    .keys = &trace_table,
    .cfg_size = sizeof(trace_cfg),
    .check = check,
    .res_size = sizeof(oracle_res),
    .res_init = res_init,
    .create = create,
    .finish = finish,
    .destroy = destroy,
    .metrics = oracle_metrics,
    .nmetrics = sizeof oracle_metrics / sizeof oracle_metrics[0],
};
