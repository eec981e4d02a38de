/* explain: per-operation explanations of a story and the write-up of a run; see explain.h. */
#include "models/explain.h"
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "models/dc.h"
#include "models/fault.h"
#include "models/hints.h"
#include "models/oracle.h"
#include "models/retry.h"
#include "models/run.h"
#include "models/scenario.h"
#include "models/sloppy.h"
#include "models/stats.h"
#include "models/world.h"
#include "sim/alloc.h"
#include "sim/units.h"

const char *const why_cause_name[] = {
#define X(e, n) #n,
    WHY_CAUSES(X)
#undef X
};

/* ---- lists ---- */

static void list_add(why_list *l, int nd, int owner, uint32_t v, int64_t at, int fallback)
{
    if (l->n == EXPLAIN_LIST) {
        l->more++;
        return;
    }
    l->e[l->n++] = (why_node){at, v, (uint16_t)nd, (uint16_t)owner, (uint8_t)fallback};
}

static int list_find(const why_list *l, int nd)
{
    for (int i = 0; i < l->n; i++)
        if (l->e[i].node == nd)
            return i;
    return -1;
}

static uint64_t ver_key(uint32_t key, uint32_t seq) { return (uint64_t)key << 32 | seq; }

/* ---- during the run ---- */

typedef struct holder_walk {
    const version *at_least;
    why_list *out;
    int node;      /* hint_owner: the holder asked about */
    int owner;     /* hint_owner: the owner found, 0 if none */
} holder_walk;

static void collect_holder(void *arg, int nd, int owner, const version *v)
{
    holder_walk *h = arg;
    if (ver_cmp(v, h->at_least) >= 0)
        list_add(h->out, nd, owner, v->seq, -1, 0);
}

static void find_hint(void *arg, int nd, int owner, const version *v)
{
    holder_walk *h = arg;
    if (owner && nd == h->node && ver_cmp(v, h->at_least) == 0)
        h->owner = owner;
}

/* The owner whose hint for key at version v fallback nd holds, or 0. */
static int hint_owner(const explain *x, uint32_t key, int nd, const version *v)
{
    holder_walk h = {v, NULL, nd, 0};
    holders_each(x->hs, key, find_hint, &h);
    return h.owner;
}

static void add_copy(explain *x, size_t i, int nd, int owner, uint32_t v)
{
    why_list *c = &x->copies[i];
    int j = list_find(c, nd);
    if (j >= 0) {
        c->e[j].at = -1; /* held again (a repair, a handoff after a volatile crash) */
        return;
    }
    list_add(c, nd, owner, v, -1, 0);
}

static void on_begin(void *ctx, op *o)
{
    explain *x = ctx;
    if (o->script < 0)
        return;
    x->res->op[o->script].asked = o->need; /* its level resolved, before any downgrade */
    if (o->kind != OP_WRITE)
        return;
    x->wver[o->script] = o->ver;
    /* out of memory: this write's copies go untracked and its readers say less */
    (void)map_put(&x->byver, ver_key(o->key, o->ver.seq), (uint32_t)o->script);
}

static void on_apply(void *ctx, int nd, uint32_t key, const version *v, const version *was, int stored,
                     apply_source src)
{
    (void)was;
    (void)src;
    explain *x = ctx;
    if (!stored)
        return;
    int64_t i = map_get(&x->byver, ver_key(key, v->seq));
    if (i >= 0)
        add_copy(x, (size_t)i, nd, 0, v->seq);
}

static void on_node(void *ctx, int nd, node_event ev)
{
    explain *x = ctx;
    if (ev != NODE_CRASH || !nodes_storage_lost(x->ns, nd))
        return;
    for (size_t i = 0; i < x->res->n; i++) {
        why_list *c = &x->copies[i];
        int j = list_find(c, nd);
        if (j >= 0 && c->e[j].at < 0)
            c->e[j].at = x->s->now;
    }
}

/* Why a stale or lost read missed latest(r): the facts, then the cause. */
static void explain_read(explain *x, const op *o, explain_op *e)
{
    holder_walk h = {&o->v.latest, &e->holders, 0, 0};
    holders_each(x->hs, o->key, collect_holder, &h);
    int64_t lw = map_get(&x->byver, ver_key(o->key, o->v.latest.seq));
    e->latest_write = (int32_t)lw;
    e->latest_w = (uint8_t)coord_level(x->default_level[1], x->n);
    e->latest_lvl = (int8_t)e->latest_w;
    if (lw >= 0) {
        const explain_op *w = &x->res->op[lw];
        const why_list *c = &x->copies[lw];
        e->acked = w->acked;
        e->latest_w = w->need;
        e->latest_w_asked = w->asked;
        e->latest_lvl = w->lvl;
        e->latest_dc = w->dc;
        e->copies = (uint16_t)(c->n + c->more);
        for (int i = 0; i < c->n; i++)
            if (c->e[i].at >= 0 && list_find(&e->holders, c->e[i].node) < 0)
                list_add(&e->lost, c->e[i].node, c->e[i].owner, c->e[i].v, c->e[i].at, 0);
    }
    e->promised = o->v.promised;
    e->via_fallback = o->v.via_fallback;
    if (o->v.cls == RC_LOST) {
        e->cause = e->lost.n ? WHY_COPIES_LOST : WHY_UNKNOWN;
        return;
    }
    int met = 0, met_lost = 0, fb_out = 0, fb_read = 0;
    for (int i = 0; i < e->read_set.n; i++) {
        int a = list_find(&e->acked, e->read_set.e[i].node);
        fb_read += e->read_set.e[i].fallback;
        if (a < 0)
            continue;
        met++;
        met_lost += list_find(&e->lost, e->read_set.e[i].node) >= 0;
    }
    for (int i = 0; i < e->acked.n; i++)
        fb_out += e->acked.e[i].fallback && list_find(&e->read_set, e->acked.e[i].node) < 0;
    if (met)
        e->cause = met_lost == met ? WHY_VOLATILE : WHY_UNKNOWN;
    else if (!e->promised) /* R + W <= N, or the datacenter rule does not promise it */
        e->cause = WHY_NO_OVERLAP;
    else if (fb_out)
        e->cause = WHY_FALLBACK;
    else if (fb_read)
        e->cause = WHY_FALLBACK_READ;
    else
        e->cause = WHY_UNKNOWN;
}

static void counted_into(const explain *x, const op *o, why_list *l, int writes)
{
    for (int r = 0; r < o->ncounted; r++) {
        const op_target *t = op_counted(o, r);
        int fb = t->cause == CAUSE_FALLBACK ? 1 + (writes && o->lvl == 0 && t->node == o->coord) : 0;
        int owner = writes && fb ? hint_owner(x, o->key, t->node, &o->ver) : 0;
        list_add(l, t->node, owner, t->ver.seq, -1, fb);
    }
}

static void on_respond(void *ctx, op *o)
{
    explain *x = ctx;
    if (o->script < 0)
        return;
    explain_op *e = &x->res->op[o->script];
    e->responded = 1;
    e->need = o->need;
    e->lvl = o->lvl;
    e->dc = o->dc;
    e->version = o->ver.seq;
    if (o->kind == OP_WRITE) {
        counted_into(x, o, &e->acked, 1);
        for (int i = 0; i < e->acked.n; i++)
            if (e->acked.e[i].fallback) /* it keeps the write as a hint */
                add_copy(x, (size_t)o->script, e->acked.e[i].node, e->acked.e[i].owner, o->ver.seq);
        return;
    }
    counted_into(x, o, &e->read_set, 0);
    e->cls = o->v.cls;
    e->latest = o->v.has_latest ? o->v.latest.seq : 0;
    if (o->v.cls == RC_STALE || o->v.cls == RC_LOST)
        explain_read(x, o, e);
}

static void on_answer(void *ctx, op *o)
{
    explain *x = ctx;
    if (o->script < 0)
        return;
    explain_op *e = &x->res->op[o->script];
    e->seen = 1;
    e->ok = o->ok;
    e->measured = o->index >= x->warmup;
    e->need = o->need;
    e->counted = o->ncounted;
    e->downgraded = o->retries > 0;
    e->lvl = o->lvl;
    e->dc = o->dc;
    if (o->kind == OP_WRITE)
        e->version = o->ver.seq;
    if (!e->responded) /* failed: who answered in time */
        counted_into(x, o, o->kind == OP_WRITE ? &e->acked : &e->read_set, o->kind == OP_WRITE);
}

int explain_init(explain *x, const wl_cfg *scr, int64_t r, int64_t w, uint64_t warmup, coord *c, node_set *ns,
                 const holders *hs, const sim *s, int replicas, explain_res *res)
{
    memset(x, 0, sizeof *x);
    map_init(&x->byver);
    x->script_cfg = scr;
    x->hs = hs;
    x->ns = ns;
    x->s = s;
    x->warmup = warmup;
    x->default_level[0] = r;
    x->default_level[1] = w;
    x->n = replicas;
    x->res = res;
    res->replicas = replicas;
    size_t n = scr->nscript;
    res->op = mem_calloc(n ? n : 1, sizeof *res->op);
    x->copies = mem_calloc(n ? n : 1, sizeof *x->copies);
    x->wver = mem_calloc(n ? n : 1, sizeof *x->wver);
    if (!res->op || !x->copies || !x->wver)
        return -ENOMEM;
    res->n = n;
    for (size_t i = 0; i < n; i++) {
        res->op[i].latest_write = -1;
        res->op[i].kind = scr->script[i].kind;
        res->op[i].key = scr->script[i].key;
    }
    op_observer ob = {.name = "explain", .ctx = x, .begin = on_begin, .respond = on_respond, .answer = on_answer};
    node_listener nl = {x, on_node};
    apply_listener al = {x, on_apply};
    if (coord_observe(c, &ob) || nodes_listen(ns, &nl) || nodes_on_apply(ns, &al))
        return -ENOMEM;
    return 0;
}

void explain_fini(explain *x)
{
    map_fini(&x->byver);
    mem_free(x->copies);
    mem_free(x->wver);
    x->copies = NULL;
    x->wver = NULL;
}

static void best_held(void *arg, int nd, int owner, const version *v)
{
    (void)nd;
    (void)owner;
    version *best = arg;
    if (ver_cmp(v, best) > 0)
        *best = *v;
}

void explain_finish(explain *x)
{
    for (size_t i = 0; i < x->res->n; i++) {
        explain_op *e = &x->res->op[i];
        if (e->kind != OP_WRITE || !e->responded)
            continue;
        version best = VERSION_NONE;
        holders_each(x->hs, e->key, best_held, &best);
        e->lost_at_end = ver_cmp(&best, &x->wver[i]) < 0;
        const why_list *c = &x->copies[i];
        e->copies = (uint16_t)(c->n + c->more);
        for (int k = 0; k < c->n; k++)
            if (c->e[k].at >= 0)
                list_add(&e->lost, c->e[k].node, c->e[k].owner, c->e[k].v, c->e[k].at, 0);
    }
}

/* ---- words ---- */

/* A bounded string builder: never writes past n, always terminated. */
typedef struct sb {
    char *buf;
    size_t n, len;
} sb;

static void sb_init(sb *b, char *buf, size_t n)
{
    b->buf = buf;
    b->n = n;
    b->len = 0;
    if (n)
        buf[0] = '\0';
}

__attribute__((format(printf, 2, 3))) static void sb_printf(sb *b, const char *fmt, ...)
{
    if (b->len + 1 >= b->n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->buf + b->len, b->n - b->len, fmt, ap);
    va_end(ap);
    if (k > 0)
        b->len = b->len + (size_t)k < b->n ? b->len + (size_t)k : b->n - 1;
}

static const char *node_name(int nd, char *buf) { return ep_name(nd, buf); }

/* "{n3,n1}" */
static void sb_set(sb *b, const why_list *l)
{
    char a[16];
    sb_printf(b, "{");
    for (int i = 0; i < l->n; i++)
        sb_printf(b, "%s%s", i ? "," : "", node_name(l->e[i].node, a));
    if (l->more)
        sb_printf(b, ",... %u more", l->more);
    sb_printf(b, "}");
}

/* "n1", "n1 and n2", "n1, n2 and n3" */
static void sb_names(sb *b, const why_list *l)
{
    char a[16];
    for (int i = 0; i < l->n; i++)
        sb_printf(b, "%s%s", i == 0 ? "" : i + 1 == l->n ? " and " : ", ", node_name(l->e[i].node, a));
}

static const char *dur(int64_t ns, char *buf, size_t n) { return units_format_duration(ns, buf, n); }

static const char *name_of(const wl_cfg *scr, int32_t i) { return i >= 0 && (size_t)i < scr->nscript ? scr->script[i].name : "?"; }

/* "fallback n4 holding a hint for n1" (or "the coordinator n4 ...") */
static void sb_fallback(sb *b, const why_node *e)
{
    char a[16], c[16];
    if (e->owner)
        sb_printf(b, "%s %s holding a hint for %s", e->fallback == 2 ? "the coordinator" : "fallback",
                  node_name(e->node, a), node_name(e->owner, c));
    else
        sb_printf(b, "fallback %s", node_name(e->node, a));
}

/* "n1 at 12ms" for each lost copy */
static void sb_crashes(sb *b, const why_list *l)
{
    char a[16], t[32];
    for (int i = 0; i < l->n; i++)
        sb_printf(b, "%s%s at %s", i == 0 ? "" : i + 1 == l->n ? " and " : ", ", node_name(l->e[i].node, a),
                  dur(l->e[i].at, t, sizeof t));
}

/* The overlap rule for read e and the write of its latest(r), promised or not: "R + W = 4 > N
 * = 3" for counts; with a datacenter level, the levels and where their clients were (the
 * promise is the rule of docs/design.md section 3b, decided by the oracle). */
static void sb_rule(sb *b, const explain_res *r, const explain_op *e)
{
    int R = e->need, W = e->latest_w, N = r->replicas;
    if (e->lvl >= 0 && e->latest_lvl == 0) {
        sb_printf(b, "the write was acknowledged at ANY, which promises no replica (W = 0)");
        return;
    }
    if (e->lvl >= 0 && e->latest_lvl >= 0) {
        sb_printf(b, "R + W = %d %s N = %d", R + W, R + W > N ? ">" : "<=", N);
        return;
    }
    char rlv[16], wlv[16];
    sb_printf(b, "a read at %s from %s and a write at %s from %s are %spromised to meet", coord_level_name(e->lvl, rlv),
              r->dc[e->dc], coord_level_name(e->latest_lvl, wlv), r->dc[e->latest_dc], e->promised ? "" : "not ");
}

static void why_read(sb *b, const explain_res *r, const wl_cfg *scr, const explain_op *e)
{
    char a[16], t[32];
    switch (e->cause) {
    case WHY_NO_OVERLAP:
        sb_rule(b, r, e);
        sb_printf(b, ": the read set ");
        sb_set(b, &e->read_set);
        sb_printf(b, " need not meet the write set ");
        sb_set(b, &e->acked);
        break;
    case WHY_FALLBACK: {
        sb_rule(b, r, e);
        sb_printf(b, ", but the write was acknowledged by ");
        int k = 0, nfb = 0;
        for (int i = 0; i < e->acked.n; i++)
            nfb += e->acked.e[i].fallback && list_find(&e->read_set, e->acked.e[i].node) < 0;
        for (int i = 0; i < e->acked.n; i++) {
            if (!e->acked.e[i].fallback || list_find(&e->read_set, e->acked.e[i].node) >= 0)
                continue;
            sb_printf(b, "%s", k == 0 ? "" : k + 1 == nfb ? " and " : ", ");
            sb_fallback(b, &e->acked.e[i]);
            k++;
        }
        sb_printf(b, ", outside the read set ");
        sb_set(b, &e->read_set);
        break;
    }
    case WHY_FALLBACK_READ:
        sb_rule(b, r, e);
        sb_printf(b, ", but the read set ");
        sb_set(b, &e->read_set);
        sb_printf(b, " took fallback");
        for (int i = 0; i < e->read_set.n; i++)
            if (e->read_set.e[i].fallback)
                sb_printf(b, " %s", node_name(e->read_set.e[i].node, a));
        sb_printf(b, " in place of owners, and did not meet the write set ");
        sb_set(b, &e->acked);
        break;
    case WHY_VOLATILE: {
        sb_rule(b, r, e);
        sb_printf(b, ": the read set ");
        sb_set(b, &e->read_set);
        sb_printf(b, " met the write set ");
        sb_set(b, &e->acked);
        why_list met = {0};
        for (int i = 0; i < e->lost.n; i++)
            if (list_find(&e->read_set, e->lost.e[i].node) >= 0 && list_find(&e->acked, e->lost.e[i].node) >= 0)
                met.e[met.n++] = e->lost.e[i];
        sb_printf(b, " at ");
        sb_names(b, &met);
        if (met.n == 1)
            sb_printf(b, ", which lost v%u in a volatile crash at %s", e->latest, dur(met.e[0].at, t, sizeof t));
        else {
            sb_printf(b, ", which lost v%u in volatile crashes (", e->latest);
            sb_crashes(b, &met);
            sb_printf(b, ")");
        }
        break;
    }
    case WHY_COPIES_LOST:
        if (e->acked.n == 1 && !e->acked.more && e->copies == 1 && e->lost.n == 1 &&
            e->lost.e[0].node == e->acked.e[0].node) {
            sb_printf(b, "the only %s that acknowledged v%u (%s) crashed with volatile storage at %s, and no other "
                         "node had stored it",
                      e->acked.e[0].fallback ? "node" : "replica", e->latest, node_name(e->acked.e[0].node, a),
                      dur(e->lost.e[0].at, t, sizeof t));
        } else {
            sb_printf(b, "every copy of v%u was destroyed by a volatile crash: ", e->latest);
            sb_crashes(b, &e->lost);
            if (e->copies > e->lost.n)
                sb_printf(b, " (%u other copies left by other ways: a delivered hint, a lost message)",
                          (unsigned)(e->copies - e->lost.n));
        }
        break;
    default: {
        sb_rule(b, r, e);
        sb_printf(b, ": the read set ");
        sb_set(b, &e->read_set);
        why_list met = {0};
        for (int i = 0; i < e->read_set.n; i++)
            if (list_find(&e->acked, e->read_set.e[i].node) >= 0)
                met.e[met.n++] = e->read_set.e[i];
        if (met.n) {
            sb_printf(b, " met the write set ");
            sb_set(b, &e->acked);
            sb_printf(b, " at ");
            sb_names(b, &met);
            sb_printf(b, ", which returned an older version");
        } else {
            sb_printf(b, " and the write set ");
            sb_set(b, &e->acked);
            sb_printf(b, " did not meet");
        }
        break;
    }
    }
    if (e->downgraded)
        sb_printf(b, "; the read was answered at R=%d, downgraded from R=%d after missing its quorum by its deadline",
                  e->need, e->asked);
    if (e->latest_write >= 0 && e->latest_w_asked && e->latest_w < e->latest_w_asked)
        sb_printf(b, "; %s was acknowledged at W=%d, downgraded from W=%d", name_of(scr, e->latest_write),
                  e->latest_w, e->latest_w_asked);
}

static void why_write(sb *b, const explain_op *e)
{
    if (!e->ok && e->responded) {
        sb_printf(b, "was acknowledged by ");
        sb_names(b, &e->acked);
        sb_printf(b, " at the coordinator, but the answer did not reach the client before its deadline");
        return;
    }
    if (!e->ok) {
        sb_printf(b, "gathered %u of W=%d acknowledgements", e->counted, e->need);
        if (e->acked.n) {
            sb_printf(b, " (");
            sb_names(b, &e->acked);
            sb_printf(b, ")");
        }
        sb_printf(b, " before its deadline");
        return;
    }
    if (!e->lost_at_end)
        return;
    sb_printf(b, "v%u, acknowledged by ", e->version);
    sb_names(b, &e->acked);
    if (e->lvl == 0)
        sb_printf(b, " at ANY, is held by no node at the end");
    else
        sb_printf(b, " at W=%d, is held by no node at the end", e->need);
    if (e->lost.n) {
        sb_printf(b, ": %s with volatile storage (", e->lost.n == 1 ? "its only copy was lost in a crash" : "its copies were lost in crashes");
        sb_crashes(b, &e->lost);
        sb_printf(b, ")");
        if (e->copies == e->lost.n && e->acked.n == e->copies)
            sb_printf(b, " before any other node stored it");
    }
    if (e->downgraded)
        sb_printf(b, "; it was downgraded from W=%d", e->asked);
}

const char *explain_why(const explain_res *r, const wl_cfg *scr, size_t i, char *buf, size_t n)
{
    sb b;
    sb_init(&b, buf, n);
    if (!r || i >= r->n)
        return buf;
    const explain_op *e = &r->op[i];
    if (!e->seen)
        return buf;
    if (e->kind == OP_WRITE) {
        why_write(&b, e);
    } else if (!e->ok && e->responded) {
        sb_printf(&b, "gathered R=%d replies at the coordinator, but the answer did not reach the client before its "
                      "deadline",
                  e->need);
    } else if (!e->ok) {
        sb_printf(&b, "gathered %u of R=%d replies before its deadline", e->counted, e->need);
    } else if (e->cls == RC_STALE || e->cls == RC_LOST) {
        why_read(&b, r, scr, e);
    }
    return buf;
}

/* ---- the write-up ---- */

typedef struct facts {
    const stats_res *st;
    const oracle_res *orc;
    const retry_res *rt;
    const sloppy_res *sl;
    const hints_res *hi;
    const explain_res *ex;
    const faults_res *fr;
    const faults_cfg *fc;
    const wl_cfg *script_cfg;
    int n, r, w;        /* N, and the scenario's R and W as replies (a datacenter level's in all) */
    int64_t rl, wl;     /* the scenario's R and W as written: counts, or datacenter levels (< 0) */
    int overlap;        /* the scenario's levels promise every read the latest (dc_scenario_overlap) */
    int64_t timeout;
} facts;

static const char *plural(uint64_t n) { return n == 1 ? "" : "s"; }

static int scripted(const facts *f) { return f->ex && f->ex->n; }

static int is_read_anomaly(const explain_op *e)
{
    return e->seen && e->measured && e->kind == OP_READ && e->ok && (e->cls == RC_STALE || e->cls == RC_LOST);
}

/* The run's crashes as "n1 at 12ms" (volatile_only), or "n1 at 5ms (durable)"; how many. */
static int sb_fault_crashes(sb *b, const facts *f, int volatile_only)
{
    char a[16], t[32];
    int k = 0;
    for (size_t i = 0; f->fr && i < f->fr->n; i++) {
        const fault *ft = &f->fc->f[f->fr->ev[i].fault];
        if (ft->kind != FAULT_CRASH || (volatile_only && !ft->storage_volatile))
            continue;
        sb_printf(b, "%s%s at %s%s", k ? ", " : "", node_name(ft->node, a), dur(f->fr->ev[i].at, t, sizeof t),
                  volatile_only ? "" : ft->storage_volatile ? " (volatile)" : " (durable)");
        k++;
    }
    return k;
}

/* The run's crashes and partitions: "n1 crashed at 5ms (durable), partition client > n2,n3
 * at 9ms"; how many. */
static int sb_fault_cuts(sb *b, const facts *f)
{
    char a[16], t[32], what[FAULT_TEXT_MAX + 16];
    int k = 0;
    for (size_t i = 0; f->fr && i < f->fr->n; i++) {
        const fault *ft = &f->fc->f[f->fr->ev[i].fault];
        dur(f->fr->ev[i].at, t, sizeof t);
        if (ft->kind == FAULT_CRASH)
            sb_printf(b, "%s%s crashed at %s (%s)", k ? ", " : "", node_name(ft->node, a), t,
                      ft->storage_volatile ? "volatile" : "durable");
        else if (ft->kind == FAULT_PARTITION)
            sb_printf(b, "%s%s at %s", k ? ", " : "", fault_describe(ft, 0, what, sizeof what), t);
        else
            continue;
        k++;
    }
    return k;
}

static int count_crashes(const facts *f, int volatile_only)
{
    int k = 0;
    for (size_t i = 0; f->fr && i < f->fr->n; i++) {
        const fault *ft = &f->fc->f[f->fr->ev[i].fault];
        k += ft->kind == FAULT_CRASH && (!volatile_only || ft->storage_volatile);
    }
    return k;
}

static void sb_volatile_crashes(sb *b, const facts *f)
{
    sb_printf(b, " Volatile crashes in this run: ");
    if (!sb_fault_crashes(b, f, 1))
        sb_printf(b, "none");
    sb_printf(b, ".");
}

/* Is there room in b for another account of about 1.5 KB? The write-up's paragraphs are
 * bounded; what does not fit is counted and left to explain.script. */
static int room(const sb *b) { return b->len + 1600 < b->n; }

static void sb_more(sb *b, size_t more, const char *what)
{
    if (more)
        sb_printf(b, " And %zu more %s%s: explain.script in summary.json has each.", more, what, more == 1 ? "" : "s");
}

/* Each read of the class, grouped by their cause in words: " r1 and r2 missed v2: WHY.",
 * " r0, r1, ... and 292 more returned older versions than the latest: WHY." At most
 * WRITEUP_GROUPS groups and 8 names a group; the rest is counted. */
#define WRITEUP_GROUPS 4
static void sb_script_reads(sb *b, const facts *f, int (*in_class)(const explain_op *))
{
    char why[1024], other[1024];
    size_t n = f->ex->n, more = 0, groups = 0;
    uint8_t *told = mem_calloc(n ? n : 1, 1);
    if (!told)
        return; /* out of memory: the counts alone */
    for (size_t i = 0; i < n; i++) {
        const explain_op *e = &f->ex->op[i];
        if (told[i] || !is_read_anomaly(e) || !in_class(e))
            continue;
        if (groups == WRITEUP_GROUPS || !room(b)) {
            more++;
            continue;
        }
        groups++;
        explain_why(f->ex, f->script_cfg, i, why, sizeof why);
        size_t same[8], ns = 0;
        int alike = 1; /* every read of the group returned the same version and missed the same */
        for (size_t k = i; k < n; k++) {
            const explain_op *o = &f->ex->op[k];
            if (told[k] || !is_read_anomaly(o) || !in_class(o) || o->cls != e->cls)
                continue;
            if (k != i) {
                explain_why(f->ex, f->script_cfg, k, other, sizeof other);
                if (strcmp(why, other) != 0)
                    continue;
            }
            told[k] = 1;
            alike &= o->version == e->version && o->latest == e->latest;
            if (ns < 8)
                same[ns] = k;
            ns++;
        }
        size_t shown = ns < 8 ? ns : 8;
        sb_printf(b, " ");
        for (size_t k = 0; k < shown; k++)
            sb_printf(b, "%s%s", k == 0 ? "" : k + 1 == shown && ns == shown ? " and " : ", ",
                      f->script_cfg->script[same[k]].name);
        if (ns > shown)
            sb_printf(b, " and %zu more", ns - shown);
        if (e->cls == RC_LOST)
            sb_printf(b, alike ? " missed v%u: " : " missed the latest versions: ", e->latest);
        else if (alike)
            sb_printf(b, " returned v%u while v%u was the latest: ", e->version, e->latest);
        else
            sb_printf(b, " returned older versions than the latest: ");
        sb_printf(b, "%s.", why);
    }
    mem_free(told);
    sb_more(b, more, "read");
}

static int cls_no_overlap(const explain_op *e) { return e->cls == RC_STALE && !e->promised; }
static int cls_fallback(const explain_op *e) { return e->cls == RC_STALE && e->promised && e->via_fallback; }
static int cls_other(const explain_op *e) { return e->cls == RC_STALE && e->promised && !e->via_fallback; }
static int cls_lost(const explain_op *e) { return e->cls == RC_LOST; }

static void sb_reads_of(sb *b, const facts *f, uint64_t k)
{
    uint64_t reads = f->st->ok[OP_READ];
    sb_printf(b, "%" PRIu64 " of %" PRIu64 " successful read%s (%.2f%%)", k, reads, plural(reads),
              reads ? 100.0 * (double)k / (double)reads : 0.0);
}

static void para_stale_no_overlap(sb *b, const facts *f, uint64_t k)
{
    sb_reads_of(b, f, k);
    sb_printf(b, " returned a version older than the latest acknowledged one, and nothing promised otherwise: "
                 "the read's R and the W of the write it missed add up to at most N, so its read set need not "
                 "meet the write set.");
    if (scripted(f)) {
        sb_script_reads(b, f, cls_no_overlap);
        return;
    }
    char rlv[16], wlv[16];
    if (f->wl == QL_ANY)
        sb_printf(b, " Here writes at ANY promise no replica (W = 0): a write acknowledged by a hint alone is "
                     "on no replica until the hint is handed off.");
    else if (f->rl < 0 || f->wl < 0)
        sb_printf(b, " Here reads at %s and writes at %s are %spromised to meet (the datacenter rule).",
                  coord_level_name(f->rl, rlv), coord_level_name(f->wl, wlv), f->overlap ? "" : "not ");
    else if (f->r + f->w <= f->n)
        sb_printf(b, " Here R + W = %d <= N = %d.", f->r + f->w, f->n);
    else
        sb_printf(b, " Here R + W = %d > N = %d: these reads or the writes they missed were downgraded to a lower "
                     "level.",
                  f->r + f->w, f->n);
    if (count_crashes(f, 1)) {
        sb_printf(b, " Volatile crashes in this run, whose nodes came back without the versions they held: ");
        sb_fault_crashes(b, f, 1);
        sb_printf(b, ".");
    }
    int first = 1;
    for (int d = 1; d <= STALE_KMAX; d++) {
        if (!f->st->stale_k[d])
            continue;
        sb_printf(b, "%s%" PRIu64 " by %d%s", first ? " Versions behind, of all stale and lost reads: " : ", ",
                  f->st->stale_k[d], d, d == STALE_KMAX ? " or more" : "");
        first = 0;
    }
    if (!first)
        sb_printf(b, ".");
}

static void para_via_fallback(sb *b, const facts *f, uint64_t k)
{
    sb_reads_of(b, f, k);
    sb_printf(b, " returned an older version although R + W > N promised the latest: a sloppy quorum let "
                 "fallbacks acknowledge the write in place of owners believed down, and a fallback keeps the write "
                 "as a hint, outside the nodes a read asks, so the read set and the write set need not share a node "
                 "that has the write.");
    if (scripted(f)) {
        sb_script_reads(b, f, cls_fallback);
        return;
    }
    sb_printf(b, " %" PRIu64 " operation%s used fallbacks; %" PRIu64 " hint%s stored, %" PRIu64
                 " delivered by hinted handoff.",
              f->sl->ops, plural(f->sl->ops), f->hi->stored, plural(f->hi->stored), f->hi->delivered);
}

static void para_despite_overlap(sb *b, const facts *f, uint64_t k)
{
    sb_reads_of(b, f, k);
    sb_printf(b, " returned an older version although R + W > N promised the latest, and no fallback "
                 "acknowledged the write they missed.");
    if (scripted(f)) {
        sb_script_reads(b, f, cls_other);
        return;
    }
    sb_volatile_crashes(b, f);
    if (f->sl->ops)
        sb_printf(b, " %" PRIu64 " operation%s read or wrote through sloppy-quorum fallbacks.", f->sl->ops,
                  plural(f->sl->ops));
}

static void para_lost_reads(sb *b, const facts *f, uint64_t k)
{
    sb_reads_of(b, f, k);
    sb_printf(b, " missed a version that no replica and no hint held any more when they were answered (LOST): "
                 "the acknowledged write was gone, not late");
    if (f->st->lost_promised)
        sb_printf(b, "; %" PRIu64 " of them were promised the latest by R + W > N", f->st->lost_promised);
    sb_printf(b, ".");
    if (scripted(f)) {
        sb_script_reads(b, f, cls_lost);
        return;
    }
    sb_volatile_crashes(b, f);
}

static void para_lost_writes(sb *b, const facts *f)
{
    const oracle_res *o = f->orc;
    sb_printf(b, "%" PRIu64 " of %" PRIu64 " acknowledged write%s %s held by no node at the end of the run",
              o->lost_writes, o->acked_writes, plural(o->acked_writes), o->lost_writes == 1 ? "was" : "were");
    if (o->lost_promised)
        sb_printf(b, " (%" PRIu64 " of them acknowledged with R + W > N)", o->lost_promised);
    sb_printf(b, ": the acknowledgement counted W copies, and volatile crashes destroyed every copy before repair "
                 "or handoff spread it.");
    if (f->wl == QL_ANY)
        sb_printf(b, " Writes here are at ANY: one acknowledgement of any kind, and for an owner it believes down "
                     "the coordinator keeps a hint itself, which acknowledges at once: a copy on no replica.");
    if (scripted(f)) {
        char why[1024];
        size_t more = 0, listed = 0;
        for (size_t i = 0; i < f->ex->n; i++) {
            const explain_op *e = &f->ex->op[i];
            if (e->kind != OP_WRITE || !e->lost_at_end)
                continue;
            if (listed == WRITEUP_GROUPS || !room(b)) {
                more++;
                continue;
            }
            listed++;
            explain_why(f->ex, f->script_cfg, i, why, sizeof why);
            sb_printf(b, " %s: %s.", f->script_cfg->script[i].name, why);
        }
        sb_more(b, more, "write");
        return;
    }
    sb_volatile_crashes(b, f);
}

static void para_downgraded(sb *b, const facts *f)
{
    const retry_res *r = f->rt;
    uint64_t dr = r->downgraded[OP_READ], dw = r->downgraded[OP_WRITE];
    sb_printf(b, "%" PRIu64 " read%s and %" PRIu64 " write%s missed their quorum by the deadline and were retried at "
                 "a lower level (retry.downgrade = on); %" PRIu64 " and %" PRIu64 " of them then succeeded, and %" PRIu64
                 " of the downgraded reads came back stale or lost: the client stayed available at a weaker level "
                 "than it asked for.",
              dr, plural(dr), dw, plural(dw), r->succeeded[OP_READ], r->succeeded[OP_WRITE], r->stale);
    if (!scripted(f))
        return;
    size_t more = 0, listed = 0;
    for (size_t i = 0; i < f->ex->n; i++) {
        const explain_op *e = &f->ex->op[i];
        if (!e->seen || !e->downgraded || !e->ok)
            continue;
        if (listed == WRITEUP_GROUPS || !room(b)) {
            more++;
            continue;
        }
        listed++;
        char lv = e->kind == OP_WRITE ? 'W' : 'R';
        sb_printf(b, " %s asked for %c=%d and was answered at %c=%d.", f->script_cfg->script[i].name, lv, e->asked,
                  lv, e->need);
    }
    sb_more(b, more, "operation");
}

static void para_unavailable(sb *b, const facts *f)
{
    char t[32], why[1024];
    const stats_res *s = f->st;
    int first = 1;
    for (int kind = OP_READ; kind <= OP_WRITE; kind++) {
        if (!s->unavailable[kind])
            continue;
        sb_printf(b, "%s%" PRIu64 " of %" PRIu64 " %s%s", first ? "" : " and ", s->unavailable[kind],
                  s->measured[kind], kind == OP_READ ? "read" : "write", plural(s->measured[kind]));
        first = 0;
    }
    sb_printf(b, " failed as unavailable: not answered within quorum.timeout (%s).", dur(f->timeout, t, sizeof t));
    if (scripted(f)) {
        size_t more = 0, listed = 0;
        for (size_t i = 0; i < f->ex->n; i++) {
            const explain_op *e = &f->ex->op[i];
            if (!e->seen || !e->measured || e->ok)
                continue;
            if (listed == WRITEUP_GROUPS || !room(b)) {
                more++;
                continue;
            }
            listed++;
            explain_why(f->ex, f->script_cfg, i, why, sizeof why);
            sb_printf(b, " %s %s.", f->script_cfg->script[i].name, why);
        }
        sb_more(b, more, "operation");
    }
    sb_printf(b, " Crashes and partitions in this run: ");
    if (!sb_fault_cuts(b, f))
        sb_printf(b, "none");
    sb_printf(b, ".");
}

size_t explain_writeup(const run_view *v, writeup_fn fn, void *ctx)
{
    const quorum_cfg *q = SC_CFG(v->sc, MOD_QUORUM, quorum_cfg);
    facts f = {
        .st = RV_RES(v, MOD_STATS, stats_res),
        .orc = RV_RES(v, MOD_ORACLE, oracle_res),
        .rt = RV_RES(v, MOD_RETRY, retry_res),
        .sl = RV_RES(v, MOD_SLOPPY, sloppy_res),
        .hi = RV_RES(v, MOD_HINTS, hints_res),
        .ex = RV_RES(v, MOD_EXPLAIN, explain_res),
        .fr = RV_RES(v, MOD_FAULTS, faults_res),
        .fc = SC_CFG(v->sc, MOD_FAULTS, faults_cfg),
        .script_cfg = SC_CFG(v->sc, MOD_WORKLOAD, wl_cfg),
        .n = (int)SC_CFG(v->sc, MOD_CLUSTER, cluster_cfg)->replicas,
        .r = dc_scenario_count(v->sc, q->r),
        .w = dc_scenario_count(v->sc, q->w),
        .rl = q->r,
        .wl = q->w,
        .overlap = dc_scenario_overlap(v->sc),
        .timeout = q->timeout,
    };
    char text[8192];
    sb b;
    size_t k = 0;
    const stats_res *s = f.st;
    /* stale reads by what was promised (the oracle's verdict); lost reads apart */
    uint64_t no_overlap = s->stale - s->stale_promised, via_fb = s->stale_promised_fallback;
    uint64_t other = s->stale_promised - s->stale_promised_fallback;
    if (no_overlap) {
        sb_init(&b, text, sizeof text);
        para_stale_no_overlap(&b, &f, no_overlap);
        fn(ctx, "stale_without_overlap", "Stale reads without overlap", "reading the latest acknowledged write, which only R + W > N guarantees", text);
        k++;
    }
    if (via_fb) {
        sb_init(&b, text, sizeof text);
        para_via_fallback(&b, &f, via_fb);
        fn(ctx, "stale_via_fallback", "Stale reads despite overlap, through sloppy-quorum fallbacks", "the overlap of every read set with every write set that R + W > N promises in a strict quorum", text);
        k++;
    }
    if (other) {
        sb_init(&b, text, sizeof text);
        para_despite_overlap(&b, &f, other);
        fn(ctx, "stale_despite_overlap", "Stale reads despite overlap", "the overlap of every read set with every write set that R + W > N promises", text);
        k++;
    }
    if (s->lost_reads) {
        sb_init(&b, text, sizeof text);
        para_lost_reads(&b, &f, s->lost_reads);
        fn(ctx, "lost_reads", "Lost reads", "that an acknowledged write stays readable", text);
        k++;
    }
    if (f.orc->lost_writes) {
        sb_init(&b, text, sizeof text);
        para_lost_writes(&b, &f);
        fn(ctx, "lost_writes", "Lost writes", "the durability of acknowledged writes", text);
        k++;
    }
    if (f.rt->downgraded[OP_READ] + f.rt->downgraded[OP_WRITE]) {
        sb_init(&b, text, sizeof text);
        para_downgraded(&b, &f);
        fn(ctx, "downgraded", "Downgraded operations", "the consistency level the client asked for", text);
        k++;
    }
    if (s->unavailable[OP_READ] + s->unavailable[OP_WRITE]) {
        sb_init(&b, text, sizeof text);
        para_unavailable(&b, &f);
        fn(ctx, "unavailable", "Unavailable operations", "availability within quorum.timeout", text);
        k++;
    }
    return k;
}

/* ---- the module ---- */

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    (void)mcfg;
    (void)err;
    (void)n;
    const wl_cfg *scr = SC_CFG(w->sc, MOD_WORKLOAD, wl_cfg);
    if (scr->mode != WL_SCRIPT || !scr->nscript)
        return 0; /* nothing per operation outside the stories */
    explain *x = mem_calloc(1, sizeof *x);
    if (!x)
        return -ENOMEM;
    *state = x;
    const quorum_cfg *q = SC_CFG(w->sc, MOD_QUORUM, quorum_cfg);
    explain_res *r = res;
    for (int d = 0; d < ring_dcs(w->ring) && d < RING_MAX_DCS; d++)
        snprintf(r->dc[d], sizeof r->dc[d], "%s", ring_dc_name(w->ring, d));
    return explain_init(x, scr, q->r, q->w, (uint64_t)SC_CFG(w->sc, MOD_RUN, run_cfg)->warmup, &w->coord, &w->nodes,
                        &w->hs, &w->s, ring_replicas(w->ring), res);
}

static void finish(void *state, void *res)
{
    (void)res;
    if (state)
        explain_finish(state);
}

static void destroy(void *state)
{
    if (!state)
        return;
    explain_fini(state);
    mem_free(state);
}

static void res_free(void *res)
{
    explain_res *r = res;
    mem_free(r->op);
    r->op = NULL;
    r->n = 0;
}

static void json_nodes(jw *j, const char *key, const why_list *l, int fallbacks)
{
    char a[16], c[16];
    jw_arr(j, key);
    for (int i = 0; i < l->n; i++) {
        if (!!l->e[i].fallback != fallbacks)
            continue;
        if (!fallbacks) {
            jw_str(j, NULL, node_name(l->e[i].node, a));
            continue;
        }
        jw_obj(j, NULL);
        jw_str(j, "node", node_name(l->e[i].node, a));
        if (l->e[i].owner)
            jw_str(j, "for", node_name(l->e[i].owner, c));
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

static void json_versions(jw *j, const char *key, const why_list *l, int hint_list)
{
    char a[16], c[16];
    jw_arr(j, key);
    for (int i = 0; i < l->n; i++) {
        if (!!l->e[i].owner != hint_list)
            continue;
        jw_obj(j, NULL);
        jw_str(j, "node", node_name(l->e[i].node, a));
        if (hint_list)
            jw_str(j, "for", node_name(l->e[i].owner, c));
        jw_int(j, "v", l->e[i].v);
        if (l->e[i].fallback)
            jw_bool(j, "fallback", 1);
        if (l->e[i].fallback == 2)
            jw_bool(j, "coordinator", 1);
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

static void json_lost(jw *j, const char *key, const why_list *l)
{
    char a[16];
    jw_arr(j, key);
    for (int i = 0; i < l->n; i++) {
        jw_obj(j, NULL);
        jw_str(j, "node", node_name(l->e[i].node, a));
        jw_int(j, "t_ns", l->e[i].at);
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

/* summary.json: explain.script, one object per [script] entry */
static void json_script(jw *j, const char *key, const run_view *v)
{
    const explain_res *r = RV_RES(v, MOD_EXPLAIN, explain_res);
    const wl_cfg *scr = SC_CFG(v->sc, MOD_WORKLOAD, wl_cfg);
    if (!r->n)
        return;
    char why[1024];
    jw_arr(j, key);
    for (size_t i = 0; i < r->n; i++) {
        const explain_op *e = &r->op[i];
        jw_obj(j, NULL);
        jw_str(j, "name", scr->script[i].name);
        if (e->kind == OP_READ) {
            json_versions(j, "read_set", &e->read_set, 0);
            jw_int(j, "r", e->need);
            if (e->ok && (e->cls == RC_STALE || e->cls == RC_LOST)) {
                jw_str(j, "cause", why_cause_name[e->cause]);
                jw_str(j, "why", explain_why(r, scr, i, why, sizeof why));
                json_versions(j, "holders_of_latest", &e->holders, 0);
                json_versions(j, "hint_holders_of_latest", &e->holders, 1);
                jw_str(j, "latest_write", e->latest_write >= 0 ? name_of(scr, e->latest_write) : NULL);
                json_nodes(j, "latest_acked_by", &e->acked, 0);
                json_nodes(j, "latest_acked_by_fallbacks", &e->acked, 1);
                /* the replicas the write's level promised: W, or 0 at ANY (latest_lvl) */
                jw_int(j, "w", e->latest_lvl >= 0 ? e->latest_lvl : e->latest_w);
                if (e->latest_lvl == 0)
                    jw_str(j, "w_level", "ANY");
                jw_int(j, "n", r->replicas);
                if (e->lvl >= 0 && e->latest_lvl >= 0) {
                    jw_bool(j, "r_plus_w_gt_n", e->need + e->latest_lvl > r->replicas);
                } else { /* datacenter levels: the rule's verdict, not the sum */
                    char l[16];
                    jw_str(j, "r_level", coord_level_name(e->lvl, l));
                    jw_str(j, "dc", r->dc[e->dc]);
                    jw_str(j, "w_level", coord_level_name(e->latest_lvl, l));
                    jw_str(j, "w_dc", r->dc[e->latest_dc]);
                    jw_bool(j, "promised", e->promised);
                }
                json_lost(j, "copies_lost", &e->lost);
            } else if (!e->ok) {
                jw_str(j, "why", explain_why(r, scr, i, why, sizeof why));
            }
        } else {
            json_nodes(j, "acked_by", &e->acked, 0);
            json_nodes(j, "acked_by_fallbacks", &e->acked, 1);
            jw_int(j, "w", e->need);
            jw_bool(j, "lost_at_end", e->lost_at_end);
            json_lost(j, "copies_lost", &e->lost);
            if (!e->ok || e->lost_at_end)
                jw_str(j, "why", explain_why(r, scr, i, why, sizeof why));
        }
        jw_bool(j, "downgraded", e->downgraded);
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

static void json_para(void *ctx, const char *cls, const char *title, const char *guarantee, const char *text)
{
    jw *j = ctx;
    jw_obj(j, NULL);
    jw_str(j, "class", cls);
    jw_str(j, "title", title);
    jw_str(j, "guarantee", guarantee);
    jw_str(j, "text", text);
    jw_obj_end(j);
}

/* summary.json: explain.writeup, one object per anomaly class seen */
static void json_writeup(jw *j, const char *key, const run_view *v)
{
    jw_arr(j, key);
    explain_writeup(v, json_para, j);
    jw_arr_end(j);
}

static const metric explain_metrics[] = {
    {"explain.script", NULL, NULL, MT_JSON, "",
     "per [script] entry: the read set, and for a stale or lost read the holders of latest(r), who acknowledged it, "
     "R, W, N, the copies volatile crashes destroyed and the cause in words",
     NULL, 0, json_script},
    {"explain.writeup", NULL, NULL, MT_JSON, "",
     "one paragraph per anomaly class seen: the class, the guarantee forfeited and its cause in this run", NULL, 0,
     json_writeup},
};

const module explain_module = {
    .name = "explain",
    .res_size = sizeof(explain_res),
    .res_free = res_free,
    .create = create,
    .finish = finish,
    .destroy = destroy,
    .metrics = explain_metrics,
    .nmetrics = sizeof explain_metrics / sizeof explain_metrics[0],
};
