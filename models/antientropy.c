/* antientropy: Merkle-tree anti-entropy between the replicas of each token range; see
 * antientropy.h. */
#include "models/antientropy.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/fault.h"
#include "models/run.h"
#include "models/scenario.h"
#include "models/wl.h"
#include "models/world.h"
#include "sim/alloc.h"
#include "sim/json.h"
#include "sim/units.h"

/* The per-message size model (bytes), see antientropy.h. */
#define AE_HDR 32
#define AE_HASH 8
#define AE_REC 20
#define AE_WANT 4
/* Trees may take at most this much memory. */
#define AE_MEM_MAX (1024.0 * 1024 * 1024)

static int parse_settle(const char *text, void *dst, char *err, size_t n)
{
    int64_t v = -1;
    if (strcmp(text, "auto") != 0) {
        char e[128];
        if (units_parse_duration(text, &v, e, sizeof e) || v < 0) {
            snprintf(err, n, "must be auto or a duration (e.g. 30s)");
            return -1;
        }
    }
    memcpy(dst, &v, sizeof v);
    return 0;
}

static const cfg_key ae_keys[] = {
    {"anti_entropy", "interval", CFG_DURATION, "0", 0, 1e18, NULL, offsetof(ae_cfg, interval), NULL,
     "time between the Merkle exchanges each node starts; 0 = anti-entropy off"},
    {"anti_entropy", "depth", CFG_INT, "10", 0, 24, NULL, offsetof(ae_cfg, depth), NULL,
     "Merkle tree depth: 2^depth leaves per token range and replica"},
    {"anti_entropy", "timeout", CFG_DURATION, "1s", 1, 1e18, NULL, offsetof(ae_cfg, timeout), NULL,
     "an exchange not complete this long after it started is abandoned by its initiator"},
    {"anti_entropy", "batch", CFG_INT, "256", 1, 1048576, NULL, offsetof(ae_cfg, batch), NULL,
     "tree hashes or (key, version) records per message (a leaf's records travel together)"},
    {"anti_entropy", "settle", CFG_CUSTOM, "auto", 1, 0, "auto|DURATION", offsetof(ae_cfg, settle), parse_settle,
     "once workload and faults are over, go on until replicas agree or this long; auto = 3 passes over a node's pairs"},
};
const cfg_table anti_entropy_table = {ae_keys, sizeof ae_keys / sizeof ae_keys[0], 0};

/* ---- the tree on its own ---- */

/* A bijective 64-bit finalizer (the xorshift-multiply steps of MurmurHash3's fmix64). */
static inline uint64_t fmix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    return x ^ (x >> 33);
}

/* The salt keeps key 0 off hash 0; the mix differs from the ring's, so a range's keys
 * (neighbours on the ring) spread over the leaves. */
uint64_t ae_key_hash(uint32_t key) { return fmix((uint64_t)key ^ UINT64_C(0x61652d6b65792121)); }

uint32_t ae_leaf(uint32_t key, int depth) { return depth ? (uint32_t)(ae_key_hash(key) >> (64 - depth)) : 0; }

uint64_t ae_pair_hash(uint32_t key, const version *v)
{
    uint64_t x = fmix(ae_key_hash(key) ^ ((uint64_t)v->ts * UINT64_C(0x9E3779B97F4A7C15)));
    return fmix(x + (((uint64_t)v->writer << 32) | v->seq));
}

static inline void tree_add(uint64_t *h, int depth, uint32_t key, uint64_t delta)
{
    for (size_t i = ((size_t)1 << depth) + ae_leaf(key, depth); i; i >>= 1)
        h[i] += delta;
}

void ae_tree_update(uint64_t *h, int depth, uint32_t key, const version *was, const version *now)
{
    uint64_t d = (now->seq ? ae_pair_hash(key, now) : 0) - (was->seq ? ae_pair_hash(key, was) : 0);
    if (d)
        tree_add(h, depth, key, d);
}

size_t ae_tree_diff(const uint64_t *a, const uint64_t *b, int depth, uint32_t *leaves, uint32_t *scratch,
                    uint64_t *compared)
{
    uint32_t *front = leaves, *next = scratch;
    size_t nf = 1;
    front[0] = 1;
    for (int level = 0;; level++) {
        size_t nn = 0;
        for (size_t i = 0; i < nf; i++) {
            uint32_t id = front[i];
            ++*compared;
            if (a[id] == b[id])
                continue;
            if (level < depth) {
                next[nn++] = 2 * id;
                next[nn++] = 2 * id + 1;
            } else {
                next[nn++] = id;
            }
        }
        uint32_t *t = front;
        front = next;
        next = t;
        nf = nn;
        if (level == depth || nf == 0)
            break;
    }
    if (front != leaves)
        memcpy(leaves, front, nf * sizeof *leaves);
    return nf;
}

/* ---- state ---- */

typedef struct ae_rec {
    version v;
    uint32_t key;
} ae_rec;

/* A growable array: grows past its largest use only, never per message. */
typedef struct vec {
    void *p;
    size_t n, cap;
} vec;

static int vec_need(vec *v, size_t need, size_t elem)
{
    void *q = mem_grow(v->p, &v->cap, need, elem);
    if (!q)
        return -1;
    v->p = q;
    return 0;
}

#define AE_OUTCOMES(X) X(AE_COMPLETE, complete) X(AE_DECLINED, declined) X(AE_TIMED_OUT, timed_out) \
    X(AE_ABORTED, aborted)
typedef enum ae_outcome {
#define X(e, n) e,
    AE_OUTCOMES(X)
#undef X
} ae_outcome;
static const char *const outcome_name[] = {
#define X(e, n) #n,
    AE_OUTCOMES(X)
#undef X
};

struct ae;

/* One exchange, owned by its initiator (slot i is node i's): its state and the contents of
 * its message in flight, in side buffers reused from exchange to exchange. */
typedef struct ae_slot {
    sim_event timeout;
    struct ae *x;
    int a, b;               /* initiator, partner */
    int ra, rb;             /* their ranks in the range's preference list */
    uint32_t range;
    uint32_t gen, step;     /* the exchange's generation and its last message's number */
    uint8_t active, joined, b_lost, declined;
    int level;              /* tree level of the frontier */
    vec front, next;        /* uint32_t tree node ids: this level's frontier, the next one */
    size_t off, cnt;        /* ae_tree: the slice [off, off + cnt) of front */
    size_t li, lj;          /* ae_keys: the leaves [li, lj) of front (the differing leaves) */
    vec hashes;             /* uint64_t: ae_tree, A's hashes of the slice */
    vec bits;               /* uint8_t: ae_tree_diff, which of them differ */
    vec recs;               /* ae_rec: ae_keys, A's pairs of the leaves */
    vec astream;            /* ae_rec: A's versions B wanted (ae_keys, last ae_stream) */
    vec bstream;            /* ae_rec: ae_stream B -> A, B's newer versions */
    vec wants;              /* uint32_t: ae_stream B -> A, keys where A is newer */
    int64_t began;
    uint64_t compared, streamed;
} ae_slot;

typedef struct ae_tick {
    sim_event ev;
    struct ae *x;
    int node;
} ae_tick;

typedef struct ae {
    ae_cfg c;
    int depth, n, nodes;
    size_t tsize;           /* hashes per tree: 2^(depth+1) */
    uint32_t nleaf, nranges, nkeys;
    sim *s;
    net *net;
    msg_pool *pool;
    node_set *ns;
    const coord *co;
    fd_iface fd;
    tracer *tr;
    ae_res *res;
    uint16_t *rown;         /* nranges * n: each range's preference list */
    uint32_t *krange;       /* nkeys: each key's range */
    uint32_t *rstart;       /* nranges + 1: each range's keys in rkeys */
    uint32_t *rkeys;        /* keys by range, by leaf within a range, by key within a leaf */
    uint64_t *hash;         /* nranges * n trees of tsize hashes */
    uint16_t *busy;         /* nranges * n: initiator of the exchange that replica is in, or 0 */
    uint8_t *apart;         /* nranges: its replicas' roots differ */
    uint32_t napart;
    uint32_t *nstart, *nlist; /* each node's ranges (CSR, nodes + 2 starts) */
    uint32_t *cursor;       /* [1..nodes]: next (range, partner) pair */
    ae_tick *tick;          /* [1..nodes] */
    ae_slot *slot;          /* [1..nodes] */
    int64_t agreed_since, last_write, faults_end, quiet_since, settle;
    int script;
    uint64_t nscript, ops;
    int64_t duration;
} ae;

/* Index of (range j, owner rank) in the per-range-and-replica arrays (rown, busy, trees). */
static inline size_t slot(const ae *x, uint32_t j, int rank)
{
    return (size_t)j * (size_t)x->n + (size_t)rank;
}

static inline uint64_t *tree(const ae *x, uint32_t j, int rank)
{
    return x->hash + slot(x, j, rank) * x->tsize;
}

static int rank_of(const ae *x, uint32_t j, int nd)
{
    const uint16_t *o = &x->rown[slot(x, j, 0)];
    for (int r = 0; r < x->n; r++)
        if (o[r] == nd)
            return r;
    return -1;
}

/* Range j's replicas agree or not: keeps the count of ranges apart and when it last fell to 0. */
static void check_range(ae *x, uint32_t j)
{
    uint64_t root = tree(x, j, 0)[1];
    uint8_t apart = 0;
    for (int r = 1; r < x->n; r++)
        apart |= tree(x, j, r)[1] != root;
    if (apart == x->apart[j])
        return;
    x->apart[j] = apart;
    if (apart)
        x->napart++;
    else if (--x->napart == 0)
        x->agreed_since = x->s->now;
}

static void on_apply(void *ctx, int nd, uint32_t key, const version *v, const version *was, int stored,
                     apply_source src)
{
    ae *x = ctx;
    if (!stored)
        return;
    if (src == APPLY_WRITE)
        x->last_write = x->s->now;
    uint32_t j = x->krange[key];
    int r = rank_of(x, j, nd);
    if (r < 0)
        return;
    ae_tree_update(tree(x, j, r), x->depth, key, was, v);
    check_range(x, j);
}

typedef struct rebuild_ctx {
    ae *x;
    int nd;
} rebuild_ctx;

static void rebuild_one(void *ctx, uint32_t key, const version *v)
{
    const rebuild_ctx *b = ctx;
    uint32_t j = b->x->krange[key];
    int r = rank_of(b->x, j, b->nd);
    if (r >= 0)
        ae_tree_update(tree(b->x, j, r), b->x->depth, key, &VERSION_NONE, v);
}

/* Node nd's trees from its store (volatile storage empties it without store changes). */
static void rebuild(ae *x, int nd)
{
    for (uint32_t i = x->nstart[nd]; i < x->nstart[nd + 1]; i++) {
        uint32_t j = x->nlist[i];
        memset(tree(x, j, rank_of(x, j, nd)), 0, x->tsize * sizeof(uint64_t));
    }
    rebuild_ctx b = {x, nd};
    store_each(&x->ns->n[nd].st, rebuild_one, &b);
    for (uint32_t i = x->nstart[nd]; i < x->nstart[nd + 1]; i++)
        check_range(x, x->nlist[i]);
}

/* ---- messages ---- */

static void send(ae *x, ae_slot *sl, msg_kind kind, int src, int dst, uint64_t bytes)
{
    msg *m = msg_get(x->pool);
    if (!m) {
        sim_fail(x->s);
        return;
    }
    m->kind = (uint8_t)kind;
    m->src = (uint16_t)src;
    m->dst = (uint16_t)dst;
    m->pl.range.lo = sl->range;
    m->pl.range.hi = (uint32_t)sl->a;
    m->pl.range.digest = ((uint64_t)sl->gen << 32) | ++sl->step;
    x->res->bytes += bytes;
    if (net_send(x->net, m))
        sim_fail(x->s);
}

/* The exchange a message belongs to, if it still waits for that message (else the message
 * is stale and dropped); the message goes back to the pool either way, its contents being
 * in the exchange's buffers. *at gets the receiving node. */
static ae_slot *session(ae *x, msg *m, int *at)
{
    uint32_t i = m->pl.range.hi;
    ae_slot *sl = i >= 1 && i <= (uint32_t)x->nodes ? &x->slot[i] : NULL;
    int ok = sl && sl->active && m->pl.range.digest == (((uint64_t)sl->gen << 32) | sl->step);
    *at = m->dst;
    if (ok && *at == sl->b && sl->b_lost)
        ok = 0; /* the partner crashed since it joined: it forgot the exchange */
    msg_put(x->pool, m);
    return ok ? sl : NULL;
}

static void trace_end(ae *x, const ae_slot *sl, ae_outcome o)
{
    jw j;
    char na[16], nb[16];
    if (!tracer_begin(x->tr, &j, "anti_entropy"))
        return;
    jw_str(&j, "node", ep_name(sl->a, na));
    jw_str(&j, "partner", ep_name(sl->b, nb));
    jw_int(&j, "range", sl->range);
    jw_str(&j, "outcome", outcome_name[o]);
    jw_int(&j, "began", sl->began);
    jw_int(&j, "compared", (int64_t)sl->compared);
    jw_int(&j, "streamed", (int64_t)sl->streamed);
    tracer_end(&j);
}

static void end(ae *x, ae_slot *sl, ae_outcome o)
{
    ae_res *r = x->res;
    switch (o) {
    case AE_COMPLETE:
        r->completed++;
        break;
    case AE_DECLINED:
        r->declined++;
        break;
    case AE_TIMED_OUT:
        r->timed_out++;
        break;
    case AE_ABORTED:
        r->aborted++;
        break;
    }
    if (sl->streamed)
        r->repairing++;
    uint16_t *ba = &x->busy[slot(x, sl->range, sl->ra)];
    uint16_t *bb = &x->busy[slot(x, sl->range, sl->rb)];
    if (*ba == sl->a)
        *ba = 0;
    if (sl->joined && !sl->b_lost && *bb == sl->a)
        *bb = 0;
    sim_cancel(x->s, &sl->timeout);
    sl->active = 0;
    sl->gen++;
    if (o != AE_COMPLETE || sl->streamed)
        trace_end(x, sl, o);
}

static void apply_recs(ae *x, int nd, const vec *v)
{
    const ae_rec *r = v->p;
    for (size_t i = 0; i < v->n; i++) {
        version was;
        if (nodes_apply(x->ns, nd, r[i].key, &r[i].v, &was, APPLY_ANTI_ENTROPY) < 0)
            sim_fail(x->s);
    }
}

static int push_rec(vec *v, uint32_t key, const version *ver)
{
    if (vec_need(v, v->n + 1, sizeof(ae_rec)))
        return -1;
    ((ae_rec *)v->p)[v->n++] = (ae_rec){*ver, key};
    return 0;
}

static int push_u32(vec *v, uint32_t x)
{
    if (vec_need(v, v->n + 1, sizeof(uint32_t)))
        return -1;
    ((uint32_t *)v->p)[v->n++] = x;
    return 0;
}

/* A -> B: the hashes of the next slice of the frontier. */
static void send_tree(ae *x, ae_slot *sl)
{
    size_t left = sl->front.n - sl->off;
    sl->cnt = left < (size_t)x->c.batch ? left : (size_t)x->c.batch;
    if (vec_need(&sl->hashes, sl->cnt, sizeof(uint64_t))) {
        sim_fail(x->s);
        return;
    }
    const uint64_t *h = tree(x, sl->range, sl->ra);
    const uint32_t *f = (const uint32_t *)sl->front.p + sl->off;
    uint64_t *o = sl->hashes.p;
    for (size_t i = 0; i < sl->cnt; i++)
        o[i] = h[f[i]];
    send(x, sl, MSG_AE_TREE, sl->a, sl->b, AE_HDR + AE_HASH * (uint64_t)sl->cnt);
}

/* At B: compares A's hashes with its own, or declines when busy with this range. */
static void on_tree(void *ctx, msg *m)
{
    ae *x = ctx;
    int at;
    ae_slot *sl = session(x, m, &at);
    if (!sl)
        return;
    if (!sl->joined) {
        uint16_t *busy = &x->busy[slot(x, sl->range, sl->rb)];
        if (*busy) {
            sl->declined = 1;
            send(x, sl, MSG_AE_TREE_DIFF, sl->b, sl->a, AE_HDR);
            return;
        }
        *busy = (uint16_t)sl->a;
        sl->joined = 1;
    }
    if (vec_need(&sl->bits, sl->cnt, 1)) {
        sim_fail(x->s);
        return;
    }
    const uint64_t *h = tree(x, sl->range, sl->rb), *ah = sl->hashes.p;
    const uint32_t *f = (const uint32_t *)sl->front.p + sl->off;
    uint8_t *bits = sl->bits.p;
    for (size_t i = 0; i < sl->cnt; i++)
        bits[i] = ah[i] != h[f[i]];
    sl->compared += sl->cnt;
    x->res->compared += sl->cnt;
    send(x, sl, MSG_AE_TREE_DIFF, sl->b, sl->a, AE_HDR + (sl->cnt + 7) / 8);
}

/* B's universe keys of range j in leaf: positions [*lo, *hi) of rkeys. */
static void leaf_span(const ae *x, uint32_t j, uint32_t leaf, uint32_t *lo, uint32_t *hi)
{
    for (int k = 0; k < 2; k++) {
        uint32_t a = x->rstart[j], b = x->rstart[j + 1];
        while (a < b) {
            uint32_t mid = a + (b - a) / 2;
            if (ae_leaf(x->rkeys[mid], x->depth) < leaf + (uint32_t)k)
                a = mid + 1;
            else
                b = mid;
        }
        *(k ? hi : lo) = a;
    }
}

/* A, after the tree or after B's stream: the next leaves' pairs with the versions B wanted;
 * the wanted versions alone when no leaf is left; else the exchange is complete. */
static void keys_next(ae *x, ae_slot *sl)
{
    const uint32_t *w = sl->wants.p;
    sl->astream.n = 0;
    for (size_t i = 0; i < sl->wants.n; i++) {
        const version *v = nodes_get(x->ns, sl->a, w[i]);
        if (v && push_rec(&sl->astream, w[i], v)) {
            sim_fail(x->s);
            return;
        }
    }
    sl->wants.n = 0;
    sl->streamed += sl->astream.n;
    x->res->streamed += sl->astream.n;
    size_t nleaves = sl->front.n;
    if (sl->li == nleaves) {
        if (!sl->astream.n)
            end(x, sl, AE_COMPLETE);
        else
            send(x, sl, MSG_AE_STREAM, sl->a, sl->b, AE_HDR + AE_REC * (uint64_t)sl->astream.n);
        return;
    }
    const uint32_t *leaves = sl->front.p;
    size_t lj = sl->li;
    sl->recs.n = 0;
    while (lj < nleaves) {
        size_t before = sl->recs.n;
        uint32_t lo, hi;
        leaf_span(x, sl->range, leaves[lj] - x->nleaf, &lo, &hi);
        for (uint32_t p = lo; p < hi; p++) {
            const version *v = nodes_get(x->ns, sl->a, x->rkeys[p]);
            if (v && push_rec(&sl->recs, x->rkeys[p], v)) {
                sim_fail(x->s);
                return;
            }
        }
        if (sl->recs.n > (size_t)x->c.batch && lj > sl->li) {
            sl->recs.n = before; /* this leaf goes in the next message */
            break;
        }
        lj++;
        if (sl->recs.n >= (size_t)x->c.batch)
            break;
    }
    sl->lj = lj;
    send(x, sl, MSG_AE_KEYS, sl->a, sl->b, AE_HDR + AE_REC * (uint64_t)(sl->recs.n + sl->astream.n));
}

/* At A: which of its hashes differ; descends, or goes on to the keys, or is done. */
static void on_tree_diff(void *ctx, msg *m)
{
    ae *x = ctx;
    int at;
    ae_slot *sl = session(x, m, &at);
    if (!sl)
        return;
    if (sl->declined) {
        end(x, sl, AE_DECLINED);
        return;
    }
    const uint8_t *bits = sl->bits.p;
    const uint32_t *f = (const uint32_t *)sl->front.p + sl->off;
    for (size_t i = 0; i < sl->cnt; i++) {
        if (!bits[i])
            continue;
        int err = sl->level < x->depth ? push_u32(&sl->next, 2 * f[i]) || push_u32(&sl->next, 2 * f[i] + 1)
                                       : push_u32(&sl->next, f[i]);
        if (err) {
            sim_fail(x->s);
            return;
        }
    }
    sl->off += sl->cnt;
    if (sl->off < sl->front.n) {
        send_tree(x, sl);
        return;
    }
    if (!sl->next.n) {
        end(x, sl, AE_COMPLETE);
        return;
    }
    vec t = sl->front;
    sl->front = sl->next;
    sl->next = t;
    sl->next.n = 0;
    sl->off = 0;
    if (sl->level < x->depth) {
        sl->level++;
        send_tree(x, sl);
        return;
    }
    sl->li = 0; /* front holds the differing leaves */
    keys_next(x, sl);
}

/* At B: applies what A streamed, compares A's pairs of the leaves with its own, and
 * answers with its newer versions and the keys it wants. */
static void on_keys(void *ctx, msg *m)
{
    ae *x = ctx;
    int at;
    ae_slot *sl = session(x, m, &at);
    if (!sl)
        return;
    apply_recs(x, sl->b, &sl->astream);
    sl->bstream.n = 0;
    sl->wants.n = 0;
    const ae_rec *ar = sl->recs.p;
    const uint32_t *leaves = sl->front.p;
    size_t p = 0, na = sl->recs.n;
    for (size_t l = sl->li; l < sl->lj; l++) {
        uint32_t lo, hi;
        leaf_span(x, sl->range, leaves[l] - x->nleaf, &lo, &hi);
        for (uint32_t q = lo; q < hi; q++) {
            uint32_t k = x->rkeys[q];
            const version *va = p < na && ar[p].key == k ? &ar[p++].v : NULL;
            const version *vb = nodes_get(x->ns, sl->b, k);
            int c = va ? (vb ? ver_cmp(va, vb) : 1) : (vb ? -1 : 0);
            int err = c > 0 ? push_u32(&sl->wants, k) : c < 0 ? push_rec(&sl->bstream, k, vb) : 0;
            if (err) {
                sim_fail(x->s);
                return;
            }
        }
    }
    sl->streamed += sl->bstream.n;
    x->res->streamed += sl->bstream.n;
    send(x, sl, MSG_AE_STREAM, sl->b, sl->a,
         AE_HDR + AE_REC * (uint64_t)sl->bstream.n + AE_WANT * (uint64_t)sl->wants.n);
}

/* At A: B's versions, then the next leaves. At B: A's last versions; the exchange is done. */
static void on_stream(void *ctx, msg *m)
{
    ae *x = ctx;
    int at;
    ae_slot *sl = session(x, m, &at);
    if (!sl)
        return;
    if (at == sl->a) {
        apply_recs(x, sl->a, &sl->bstream);
        sl->li = sl->lj;
        keys_next(x, sl);
    } else {
        apply_recs(x, sl->b, &sl->astream);
        end(x, sl, AE_COMPLETE);
    }
}

static void on_timeout(sim *s, sim_event *ev)
{
    (void)s;
    ae_slot *sl = SIM_CONTAINER_OF(ev, ae_slot, timeout);
    if (sl->active)
        end(sl->x, sl, AE_TIMED_OUT);
}

/* ---- ticks ---- */

static void begin(ae *x, int a, int b, uint32_t j, int ra, int rb)
{
    ae_slot *sl = &x->slot[a];
    sl->active = 1;
    sl->a = a;
    sl->b = b;
    sl->ra = ra;
    sl->rb = rb;
    sl->range = j;
    sl->step = 0;
    sl->joined = sl->b_lost = sl->declined = 0;
    sl->level = 0;
    sl->front.n = sl->next.n = sl->wants.n = 0;
    sl->off = 0;
    sl->began = x->s->now;
    sl->compared = sl->streamed = 0;
    x->busy[slot(x, j, ra)] = (uint16_t)a;
    x->res->started++;
    /* ticks and timeouts go in the heap, not in lanes: they are rare, and every lane costs
     * every event a look at its head */
    if (push_u32(&sl->front, 1) || sim_schedule(x->s, &sl->timeout, sim_after(x->s, x->c.timeout))) {
        sim_fail(x->s);
        return;
    }
    send_tree(x, sl);
}

/* Node a's next (range, partner) pair that it can exchange now; 0 when there is none. */
static int start(ae *x, int a)
{
    uint32_t others = (uint32_t)x->n - 1, np = (x->nstart[a + 1] - x->nstart[a]) * others;
    for (uint32_t tries = 0; tries < np; tries++) {
        uint32_t p = x->cursor[a];
        x->cursor[a] = (p + 1) % np;
        uint32_t j = x->nlist[x->nstart[a] + p / others], q = p % others, k = 0;
        const uint16_t *own = &x->rown[slot(x, j, 0)];
        int ra = -1, rb = -1;
        for (int r = 0; r < x->n; r++) {
            if (own[r] == a)
                ra = r;
            else if (k++ == q)
                rb = r;
        }
        if (x->busy[slot(x, j, ra)] || !fd_up(&x->fd, a, own[rb], NULL))
            continue;
        begin(x, a, own[rb], j, ra, rb);
        return 1;
    }
    return 0;
}

/* The workload has issued its last operation, none is in flight, and the fault timeline
 * is over. */
static int rest_over(const ae *x)
{
    if (x->co->live || x->s->now < x->faults_end)
        return 0;
    uint64_t issued = x->co->res->issued;
    if (x->script)
        return issued >= x->nscript;
    return (x->ops && issued >= x->ops) || (x->duration && x->s->now >= x->duration);
}

static void on_tick(sim *s, sim_event *ev)
{
    ae_tick *t = SIM_CONTAINER_OF(ev, ae_tick, ev);
    ae *x = t->x;
    int a = t->node;
    if (rest_over(x)) {
        if (x->quiet_since < 0)
            x->quiet_since = s->now;
        if (!x->napart || s->now - x->quiet_since >= x->settle) {
            for (int i = 1; i <= x->nodes; i++)
                sim_cancel(s, &x->tick[i].ev);
            return; /* exchanges under way finish; no new one starts */
        }
    }
    if (sim_schedule(s, ev, sim_after(s, x->c.interval)))
        sim_fail(s);
    if (!nodes_up(x->ns, a) || x->slot[a].active || !start(x, a))
        x->res->skipped++;
}

/* A crashed initiator forgets its exchange; a crashed partner its side of any. */
static void on_node(void *ctx, int nd, node_event ev)
{
    ae *x = ctx;
    if (ev != NODE_CRASH)
        return;
    if (x->slot[nd].active)
        end(x, &x->slot[nd], AE_ABORTED);
    for (int i = 1; i <= x->nodes; i++) {
        ae_slot *sl = &x->slot[i];
        if (!sl->active || sl->b != nd || !sl->joined || sl->b_lost)
            continue;
        uint16_t *bb = &x->busy[slot(x, sl->range, sl->rb)];
        if (*bb == sl->a)
            *bb = 0;
        sl->b_lost = 1;
    }
    rebuild(x, nd);
}

/* ---- the module ---- */

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const ae_cfg *ac = mcfg;
    if (ac->interval <= 0)
        return;
    const cluster_cfg *cc = SC_CFG(sc, MOD_CLUSTER, cluster_cfg);
    if (cc->replicas < 2)
        cfg_error_key(c, "anti_entropy", "interval", "anti-entropy needs cluster.replicas >= 2 (it is %lld)",
                      (long long)cc->replicas);
    double bytes = (double)cc->nodes * (double)cc->vnodes * (double)cc->replicas * ldexp(8.0, (int)ac->depth + 1);
    if (bytes > AE_MEM_MAX)
        cfg_error_key(c, "anti_entropy", "depth",
                      "the trees would take %.0f MiB (nodes * vnodes ranges * replicas * 2^(depth+1) * 8 bytes;"
                      " at most 1024): lower depth or cluster.vnodes",
                      bytes / 1048576.0);
}

/* One stable counting-sort pass of the n keys in a into b by digit(key). */
static void by_digit(const ae *x, const uint32_t *a, uint32_t *b, uint32_t n, uint32_t *count, uint32_t buckets,
                     int shift)
{
    memset(count, 0, ((size_t)buckets + 1) * sizeof *count);
    for (uint32_t i = 0; i < n; i++)
        count[((ae_leaf(a[i], x->depth) >> shift) & (buckets - 1)) + 1]++;
    for (uint32_t d = 1; d <= buckets; d++)
        count[d] += count[d - 1];
    for (uint32_t i = 0; i < n; i++)
        b[count[(ae_leaf(a[i], x->depth) >> shift) & (buckets - 1)]++] = a[i];
}

/* Ranges, their owners and keys, each node's ranges, the trees and the exchange slots. */
static int build(ae *x, world *w)
{
    const ring *rg = w->ring;
    x->nranges = ring_ranges(rg);
    x->n = ring_replicas(rg);
    x->nodes = ring_nodes(rg);
    x->nkeys = w->sc->nkeys;
    size_t nr = x->nranges, n = (size_t)x->n, nn = (size_t)x->nodes;
    x->rown = mem_alloc(nr * n * sizeof *x->rown);
    x->krange = mem_alloc((size_t)x->nkeys * sizeof *x->krange);
    x->rstart = mem_calloc(nr + 1, sizeof *x->rstart);
    x->rkeys = mem_alloc((size_t)x->nkeys * sizeof *x->rkeys);
    x->hash = mem_calloc(nr * n * x->tsize, sizeof *x->hash);
    x->busy = mem_calloc(nr * n, sizeof *x->busy);
    x->apart = mem_calloc(nr, 1);
    x->nstart = mem_calloc(nn + 2, sizeof *x->nstart);
    x->nlist = mem_alloc(nr * n * sizeof *x->nlist);
    x->cursor = mem_calloc(nn + 1, sizeof *x->cursor);
    x->tick = mem_calloc(nn + 1, sizeof *x->tick);
    x->slot = mem_calloc(nn + 1, sizeof *x->slot);
    uint32_t *a = mem_alloc((size_t)x->nkeys * sizeof *a + 1), *b = mem_alloc((size_t)x->nkeys * sizeof *b + 1);
    uint32_t *count = mem_alloc((4096 + 1) * sizeof *count), *cur = mem_alloc((nr + 1) * sizeof *cur);
    if (!x->rown || !x->krange || !x->rstart || !x->rkeys || !x->hash || !x->busy || !x->apart || !x->nstart ||
        !x->nlist || !x->cursor || !x->tick || !x->slot || !a || !b || !count || !cur) {
        mem_free(a);
        mem_free(b);
        mem_free(count);
        mem_free(cur);
        return -1;
    }
    for (uint32_t j = 0; j < x->nranges; j++) {
        ring_range_owners(rg, j, &x->rown[j * n]);
        for (size_t r = 0; r < n; r++)
            x->nstart[x->rown[j * n + r] + 1]++;
    }
    for (size_t i = 1; i <= nn + 1; i++)
        x->nstart[i] += x->nstart[i - 1];
    /* nstart[i] is now where node i's list starts; filling moves it to where it ends */
    for (uint32_t j = 0; j < x->nranges; j++)
        for (size_t r = 0; r < n; r++)
            x->nlist[x->nstart[x->rown[j * n + r]]++] = j;
    for (size_t i = nn + 1; i > 0; i--)
        x->nstart[i] = x->nstart[i - 1];
    x->nstart[0] = 0;
    for (uint32_t k = 0; k < x->nkeys; k++) {
        uint32_t j = ring_range_of(rg, k);
        x->krange[k] = j;
        x->rstart[j + 1]++;
        a[k] = k;
    }
    for (size_t j = 1; j <= nr; j++)
        x->rstart[j] += x->rstart[j - 1];
    /* rkeys: by range, by leaf within a range, by key within a leaf. Radix passes of 12
     * bits over the leaf, then a stable pass by range: linear in the keys. */
    for (int shift = 0; shift < x->depth; shift += 12) {
        by_digit(x, a, b, x->nkeys, count, 4096, shift);
        uint32_t *t = a;
        a = b;
        b = t;
    }
    memcpy(cur, x->rstart, (nr + 1) * sizeof *cur);
    for (uint32_t i = 0; i < x->nkeys; i++)
        x->rkeys[cur[x->krange[a[i]]]++] = a[i];
    mem_free(cur);
    mem_free(a);
    mem_free(b);
    mem_free(count);
    return 0;
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const ae_cfg *c = mcfg;
    ae *x = mem_calloc(1, sizeof *x);
    if (!x)
        return -ENOMEM;
    *state = x;
    x->res = res;
    x->res->time_to_agree = -1;
    if (router_add(&w->rt, MSG_AE_TREE, SVC_AE, on_tree, x, "anti_entropy", err, n) ||
        router_add(&w->rt, MSG_AE_TREE_DIFF, SVC_AE, on_tree_diff, x, "anti_entropy", err, n) ||
        router_add(&w->rt, MSG_AE_KEYS, SVC_AE, on_keys, x, "anti_entropy", err, n) ||
        router_add(&w->rt, MSG_AE_STREAM, SVC_AE, on_stream, x, "anti_entropy", err, n))
        return -EINVAL;
    if (c->interval <= 0)
        return 0; /* off: no event, no draw, no listener */
    x->c = *c;
    x->depth = (int)c->depth;
    x->nleaf = (uint32_t)1 << x->depth;
    x->tsize = (size_t)2 << x->depth;
    x->s = &w->s;
    x->net = &w->net;
    x->pool = &w->pool;
    x->ns = &w->nodes;
    x->co = &w->coord;
    x->fd = w->fd;
    x->tr = &w->tr;
    x->res->on = 1;
    x->quiet_since = -1;
    if (build(x, w))
        return -ENOMEM;
    const faults_cfg *fc = SC_CFG(w->sc, MOD_FAULTS, faults_cfg);
    for (size_t i = 0; i < fc->n; i++) {
        int64_t t = fc->f[i].kind == FAULT_SLOW && fc->f[i].until > fc->f[i].at ? fc->f[i].until : fc->f[i].at;
        if (t > x->faults_end)
            x->faults_end = t;
    }
    const wl_cfg *wc = SC_CFG(w->sc, MOD_WORKLOAD, wl_cfg);
    const run_cfg *rc = SC_CFG(w->sc, MOD_RUN, run_cfg);
    x->script = wc->mode == WL_SCRIPT;
    x->nscript = wc->nscript;
    x->ops = (uint64_t)rc->ops;
    x->duration = rc->duration;
    uint32_t pmax = 0;
    for (int i = 1; i <= x->nodes; i++) {
        uint32_t p = (x->nstart[i + 1] - x->nstart[i]) * (uint32_t)(x->n - 1);
        pmax = p > pmax ? p : pmax;
    }
    double settle = 3.0 * pmax * (double)c->interval;
    x->settle = c->settle >= 0 ? c->settle : settle >= (double)SIM_TIME_MAX ? SIM_TIME_MAX : (int64_t)settle;
    node_listener nl = {x, on_node};
    apply_listener al = {x, on_apply};
    if (nodes_listen(&w->nodes, &nl) || nodes_on_apply(&w->nodes, &al))
        return -ENOMEM;
    for (int i = 1; i <= x->nodes; i++) {
        ae_slot *sl = &x->slot[i];
        sl->x = x;
        sl->a = i;
        sim_event_init(&sl->timeout, on_timeout);
        ae_tick *t = &x->tick[i];
        t->x = x;
        t->node = i;
        sim_event_init(&t->ev, on_tick);
        char name[48];
        snprintf(name, sizeof name, "anti_entropy n%d", i);
        rng r;
        rng_derive(&r, w->seed, rng_entity_id(name));
        int64_t phase = (int64_t)(rng_uniform(&r) * (double)c->interval);
        uint32_t np = (x->nstart[i + 1] - x->nstart[i]) * (uint32_t)(x->n - 1);
        x->cursor[i] = np ? rng_bounded(&r, np) : 0;
        if (sim_schedule(&w->s, &t->ev, phase))
            return -ENOMEM;
    }
    return 0;
}

static void finish(void *state, void *res)
{
    const ae *x = state;
    ae_res *r = res;
    if (!r->on)
        return;
    r->apart = x->napart;
    int64_t ref = x->last_write > x->faults_end ? x->last_write : x->faults_end;
    r->time_to_agree = x->napart ? -1 : x->agreed_since > ref ? x->agreed_since - ref : 0;
}

static void destroy(void *state)
{
    ae *x = state;
    if (x->slot) {
        for (int i = 1; i <= x->nodes; i++) {
            ae_slot *sl = &x->slot[i];
            vec *v[] = {&sl->front, &sl->next, &sl->hashes, &sl->bits, &sl->recs, &sl->astream, &sl->bstream,
                        &sl->wants};
            for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
                mem_free(v[k]->p);
        }
    }
    mem_free(x->rown);
    mem_free(x->krange);
    mem_free(x->rstart);
    mem_free(x->rkeys);
    mem_free(x->hash);
    mem_free(x->busy);
    mem_free(x->apart);
    mem_free(x->nstart);
    mem_free(x->nlist);
    mem_free(x->cursor);
    mem_free(x->tick);
    mem_free(x->slot);
    mem_free(x);
}

static metric_val get_time_to_agree(const run_view *v, int arg)
{
    (void)arg;
    const ae_res *r = RV_RES(v, MOD_ANTI_ENTROPY, ae_res);
    return r->on && r->time_to_agree >= 0 ? mv_int(r->time_to_agree) : mv_null();
}

static metric_val get_apart(const run_view *v, int arg)
{
    (void)arg;
    const ae_res *r = RV_RES(v, MOD_ANTI_ENTROPY, ae_res);
    return r->on ? mv_int(r->apart) : mv_null();
}

#define AEF(field) MFIELD(MOD_ANTI_ENTROPY, ae_res, field)
static const metric ae_metrics[] = {
    {"anti_entropy.exchanges_started", "ae_started", NULL, MT_COUNT, "exchanges",
     "Merkle exchanges the nodes started", metric_u64, AEF(started), NULL},
    {"anti_entropy.exchanges_completed", "ae_completed", NULL, MT_COUNT, "exchanges",
     "exchanges that ran to their end: the trees agreed, or every differing key was streamed", metric_u64,
     AEF(completed), NULL},
    {"anti_entropy.exchanges_repairing", "ae_repairing", "ae-repairing", MT_COUNT, "exchanges",
     "exchanges that streamed at least one version", metric_u64, AEF(repairing), NULL},
    {"anti_entropy.exchanges_declined", "ae_declined", NULL, MT_COUNT, "exchanges",
     "exchanges the partner declined: it was exchanging the same range already", metric_u64, AEF(declined), NULL},
    {"anti_entropy.exchanges_timed_out", "ae_timed_out", NULL, MT_COUNT, "exchanges",
     "exchanges abandoned after anti_entropy.timeout (partner down or cut off, a message lost, long queues)",
     metric_u64, AEF(timed_out), NULL},
    {"anti_entropy.exchanges_aborted", "ae_aborted", NULL, MT_COUNT, "exchanges",
     "exchanges whose initiator crashed", metric_u64, AEF(aborted), NULL},
    {"anti_entropy.ticks_skipped", "ae_skipped", NULL, MT_COUNT, "ticks",
     "ticks that started no exchange: node down, its exchange still running, or no partner free and believed up",
     metric_u64, AEF(skipped), NULL},
    {"anti_entropy.tree_nodes_compared", "ae_compared", NULL, MT_COUNT, "nodes",
     "Merkle tree nodes a partner compared with its own", metric_u64, AEF(compared), NULL},
    {"anti_entropy.keys_streamed", "ae_streamed", "ae-streamed", MT_COUNT, "versions",
     "versions sent to a replica whose own was older or missing (counted when sent)", metric_u64, AEF(streamed),
     NULL},
    {"anti_entropy.bytes_sent", "ae_bytes", NULL, MT_COUNT, "bytes",
     "estimated bytes of anti-entropy messages sent: 32 a message, 8 a hash, 1 bit a flag, 20 a (key, version),"
     " 4 a wanted key",
     metric_u64, AEF(bytes), NULL},
    {"anti_entropy.time_to_agree_ns", "ae_time_to_agree_ns", "agree-after", MT_NS, "ns",
     "from the later of the last client write applied and the last fault, until every owner of every key holds"
     " the same version (null: not by the end)",
     get_time_to_agree, 0, NULL},
    {"anti_entropy.ranges_apart", "ae_ranges_apart", NULL, MT_COUNT, "ranges",
     "token ranges whose replicas still differ at the end (null: anti-entropy off)", get_apart, 0, NULL},
};

const module anti_entropy_module = {
    .name = "anti_entropy",
    .keys = &anti_entropy_table,
    .cfg_size = sizeof(ae_cfg),
    .check = check,
    .res_size = sizeof(ae_res),
    .create = create,
    .finish = finish,
    .destroy = destroy,
    .metrics = ae_metrics,
    .nmetrics = sizeof ae_metrics / sizeof ae_metrics[0],
};
