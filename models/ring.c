/* ring: consistent hashing with virtual nodes; see ring.h. */
#include "models/ring.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "sim/alloc.h"
#include "models/world.h"
#include "sim/rng.h"

static const cfg_key cluster_keys[] = {
    {"cluster", "nodes", CFG_INT, "3", 1, RING_MAX_NODES, NULL, offsetof(cluster_cfg, nodes), NULL,
     "number of nodes, named n1, n2, ..."},
    {"cluster", "replicas", CFG_INT, "3", 1, RING_MAX_REPLICAS, NULL, offsetof(cluster_cfg, replicas), NULL,
     "N: replicas of each key (<= nodes)"},
    {"cluster", "vnodes", CFG_INT, "16", 1, 4096, NULL, offsetof(cluster_cfg, vnodes), NULL,
     "tokens per node on the consistent-hash ring"},
    {"cluster", "coordinator", CFG_ENUM, "client", 1, 0, "client|any|owner", offsetof(cluster_cfg, coordinator), NULL,
     "where an operation is coordinated: at the client, at a random node, or at the key's first owner"},
};
const cfg_table cluster_table = {cluster_keys, sizeof cluster_keys / sizeof cluster_keys[0], 0};

struct ring {
    int nodes, n;
    uint32_t nkeys;
    uint16_t *owners; /* nkeys * n */
    struct token *tok; /* sorted by position */
    size_t ntok;
};

struct token {
    uint64_t pos;
    uint16_t node;
};
typedef struct token token;

static int token_cmp(const void *a, const void *b)
{
    const token *x = a, *y = b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return x->node < y->node ? -1 : (x->node > y->node);
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

/* The first token at or after key's position on the ring (wrapping to 0). */
static size_t first_token(const ring *r, uint32_t k)
{
    uint64_t h = mix64(UINT64_C(0x6b6579) ^ ((uint64_t)k * UINT64_C(0x9E3779B97F4A7C15)));
    size_t lo = 0, hi = r->ntok; /* first token with pos >= h */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->tok[mid].pos < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int ring_create(int nodes, int vnodes, int replicas, uint32_t nkeys, ring **out)
{
    if (replicas > nodes || replicas < 1 || replicas > RING_MAX_REPLICAS)
        return -EINVAL;
    ring *r = mem_calloc(1, sizeof *r);
    size_t ntok = (size_t)nodes * (size_t)vnodes;
    token *tok = mem_alloc(ntok * sizeof *tok);
    if (!r || !tok)
        goto fail;
    r->owners = mem_alloc((size_t)nkeys * (size_t)replicas * sizeof *r->owners);
    if (!r->owners)
        goto fail;
    r->nodes = nodes;
    r->n = replicas;
    r->nkeys = nkeys;
    for (int i = 0; i < nodes; i++) {
        for (int j = 0; j < vnodes; j++) {
            char name[48];
            snprintf(name, sizeof name, "n%d#%d", i + 1, j);
            tok[(size_t)i * (size_t)vnodes + (size_t)j] = (token){mix64(rng_entity_id(name)), (uint16_t)(i + 1)};
        }
    }
    qsort(tok, ntok, sizeof *tok, token_cmp);
    r->tok = tok;
    r->ntok = ntok;
    for (uint32_t k = 0; k < nkeys; k++) {
        size_t lo = first_token(r, k);
        uint16_t *o = &r->owners[(size_t)k * (size_t)replicas];
        int got = 0;
        for (size_t step = 0; step < ntok && got < replicas; step++) {
            uint16_t nd = tok[(lo + step) % ntok].node;
            int dup = 0;
            for (int q = 0; q < got; q++)
                dup |= o[q] == nd;
            if (!dup)
                o[got++] = nd;
        }
    }
    *out = r;
    return 0;
fail:
    if (!r || !r->tok)
        mem_free(tok);
    ring_destroy(r);
    return -ENOMEM;
}

void ring_destroy(ring *r)
{
    if (!r)
        return;
    mem_free(r->owners);
    mem_free(r->tok);
    mem_free(r);
}

const uint16_t *ring_owners(const ring *r, uint32_t key) { return &r->owners[(size_t)key * (size_t)r->n]; }

int ring_replicas(const ring *r) { return r->n; }
int ring_nodes(const ring *r) { return r->nodes; }

int ring_walk(const ring *r, uint32_t key, int i)
{
    if (i < r->n)
        return ring_owners(r, key)[i];
    if (i >= r->nodes)
        return 0;
    uint8_t seen[RING_MAX_NODES / 8 + 1] = {0};
    size_t lo = first_token(r, key);
    int got = 0;
    for (size_t step = 0; step < r->ntok; step++) {
        uint16_t nd = r->tok[(lo + step) % r->ntok].node;
        if (seen[nd / 8] & (1u << (nd % 8)))
            continue;
        seen[nd / 8] |= (uint8_t)(1u << (nd % 8));
        if (got++ == i)
            return nd;
    }
    return 0;
}

int ring_owner_rank(const ring *r, uint32_t key, int nd)
{
    const uint16_t *o = ring_owners(r, key);
    for (int i = 0; i < r->n; i++)
        if (o[i] == nd)
            return i;
    return -1;
}

/* ---- the cluster module ---- */

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const cluster_cfg *cc = mcfg;
    if (cc->replicas > cc->nodes) {
        if (cfg_find(c, "cluster", "replicas") || !cfg_find(c, "cluster", "nodes"))
            cfg_error_key(c, "cluster", "replicas", "must be <= nodes (%lld)", (long long)cc->nodes);
        else
            cfg_error_key(c, "cluster", "nodes", "must be >= replicas (%lld)", (long long)cc->replicas);
    }
    (void)sc;
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const cluster_cfg *cc = mcfg;
    (void)res;
    (void)err;
    (void)n;
    uint32_t nkeys = w->sc->nkeys;
    if (ring_create((int)cc->nodes, (int)cc->vnodes, (int)cc->replicas, nkeys, &w->ring))
        return -ENOMEM;
    *state = w->ring;
    return 0;
}

static void destroy(void *state) { ring_destroy(state); }

const module cluster_module = {
    .name = "cluster",
    .keys = &cluster_table,
    .cfg_size = sizeof(cluster_cfg),
    .check = check,
    .create = create,
    .destroy = destroy,
};

/* ---- token ranges ---- */

uint32_t ring_ranges(const ring *r) { return (uint32_t)r->ntok; }

uint32_t ring_range_of(const ring *r, uint32_t key) { return (uint32_t)(first_token(r, key) % r->ntok); }

int ring_range_owners(const ring *r, uint32_t range, uint16_t *out)
{
    int got = 0;
    for (size_t step = 0; step < r->ntok && got < r->n; step++) {
        uint16_t nd = r->tok[(range + step) % r->ntok].node;
        int dup = 0;
        for (int q = 0; q < got; q++)
            dup |= out[q] == nd;
        if (!dup)
            out[got++] = nd;
    }
    return got;
}
