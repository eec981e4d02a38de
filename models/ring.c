/* ring: consistent hashing with virtual nodes; see ring.h. */
#include "models/ring.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/alloc.h"
#include "models/world.h"
#include "sim/rng.h"
#include "sim/units.h"

int ring_dc_find(const ring_dc_list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->name[i], name) == 0)
            return i;
    return -1;
}

const char *ring_dc_names(const ring_dc_list *l, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int d = 0; d < l->n; d++) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%s%s", d ? ", " : "", l->name[d]);
    }
    return buf;
}

static int valid_dc_name(const char *s, char *err, size_t n)
{
    size_t len = strlen(s);
    int ok = len > 0 && len < RING_DC_NAME && (s[0] == '_' || ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'));
    for (size_t i = 1; ok && i < len; i++)
        ok = s[i] == '_' || (s[i] >= '0' && s[i] <= '9') || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z');
    if (!ok) {
        snprintf(err, n, "datacenter name '%.40s': a letter or '_', then letters, digits or '_' (at most %d)", s,
                 RING_DC_NAME - 1);
        return -1;
    }
    if (strcmp(s, "client") == 0 || ep_parse(s, RING_MAX_NODES) > 0) {
        snprintf(err, n, "datacenter name '%s' would read as an endpoint (client, n1, ...)", s);
        return -1;
    }
    return 0;
}

int ring_parse_dc_list(const char *text, ring_dc_list *out, int64_t min, int64_t max, char *err, size_t n)
{
    char buf[512], *save = NULL;
    if (strlen(text) >= sizeof buf) {
        snprintf(err, n, "too long: at most %zu characters", sizeof buf - 1);
        return -1;
    }
    memcpy(buf, text, strlen(text) + 1);
    ring_dc_list l;
    memset(&l, 0, sizeof l);
    for (char *t = strtok_r(buf, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
        char *colon = strchr(t, ':');
        if (!colon) {
            snprintf(err, n, "'%.40s': expected NAME:COUNT, e.g. dc1:3 dc2:3", t);
            return -1;
        }
        *colon = '\0';
        if (valid_dc_name(t, err, n))
            return -1;
        if (ring_dc_find(&l, t) >= 0) {
            snprintf(err, n, "datacenter %s is named twice", t);
            return -1;
        }
        if (l.n == RING_MAX_DCS) {
            snprintf(err, n, "at most %d datacenters", RING_MAX_DCS);
            return -1;
        }
        int64_t v;
        if (units_parse_int(colon + 1, &v) || v < min || v > max) {
            snprintf(err, n, "%s:%.20s: the count must be %lld..%lld", t, colon + 1, (long long)min, (long long)max);
            return -1;
        }
        memcpy(l.name[l.n], t, strlen(t) + 1);
        l.count[l.n++] = v;
    }
    *out = l;
    return 0;
}

static int parse_dcs(const char *text, void *dst, char *err, size_t n)
{
    return ring_parse_dc_list(text, dst, 1, RING_MAX_NODES, err, n);
}

/* "3", or "dc1:3 dc2:2". */
static int parse_replicas(const char *text, void *dst, char *err, size_t n)
{
    ring_rf rf;
    memset(&rf, 0, sizeof rf);
    if (!strchr(text, ':')) {
        if (units_parse_int(text, &rf.plain) || rf.plain < 1 || rf.plain > RING_MAX_REPLICAS) {
            snprintf(err, n, "must be 1..%d, or per datacenter, e.g. dc1:3 dc2:2", RING_MAX_REPLICAS);
            return -1;
        }
    } else if (ring_parse_dc_list(text, &rf.list, 0, RING_MAX_REPLICAS, err, n)) {
        return -1;
    }
    memcpy(dst, &rf, sizeof rf);
    return 0;
}

static const cfg_key cluster_keys[] = {
    {"cluster", "nodes", CFG_INT, "3", 1, RING_MAX_NODES, NULL, offsetof(cluster_cfg, nodes), NULL,
     "number of nodes, named n1, n2, ... (with datacenters: their sum unless set)"},
    {"cluster", "replicas", CFG_CUSTOM, "3", 1, 0, "1..16|dc1:N dc2:N", offsetof(cluster_cfg, rf), parse_replicas,
     "N: replicas of each key (<= nodes); with datacenters per datacenter (dc1:3 dc2:2), or one number each keeps"},
    {"cluster", "vnodes", CFG_INT, "16", 1, 4096, NULL, offsetof(cluster_cfg, vnodes), NULL,
     "tokens per node on the consistent-hash ring"},
    {"cluster", "coordinator", CFG_ENUM, "client", 1, 0, "client|any|owner", offsetof(cluster_cfg, coordinator), NULL,
     "where an operation is coordinated: at the client, at a random node, or at the key's first owner (with "
     "datacenters: any by default, in the client's datacenter)"},
    {"cluster", "datacenters", CFG_CUSTOM, "", 1, 0, "dc1:N dc2:N", offsetof(cluster_cfg, dcs), parse_dcs,
     "datacenters and their nodes in order (dc1:3 dc2:3: n1..n3 in dc1, n4..n6 in dc2); nodes defaults to the sum"},
    {"cluster", "racks", CFG_INT, "1", 1, RING_MAX_RACKS, NULL, offsetof(cluster_cfg, racks), NULL,
     "racks per datacenter, nodes round robin; replicas go to distinct racks first (NetworkTopologyStrategy)"},
};
const cfg_table cluster_table = {cluster_keys, sizeof cluster_keys / sizeof cluster_keys[0], 0};

struct ring {
    int nodes, n;
    uint32_t nkeys;
    uint16_t *owners; /* nkeys * n */
    struct token *tok; /* sorted by position */
    size_t ntok;
    int ndc;          /* 0: no datacenters */
    uint8_t dc_of[RING_MAX_NODES + 1], rack_of[RING_MAX_NODES + 1];
    int rf[RING_MAX_DCS], first[RING_MAX_DCS], size[RING_MAX_DCS], nracks[RING_MAX_DCS];
    char name[RING_MAX_DCS][RING_DC_NAME];
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

/* NetworkTopologyStrategy from token index start: the owners in the order the walk takes
 * them (see ring.h). Returns how many (N unless the ring lacks nodes). */
static int place_nts(const ring *r, size_t start, uint16_t *out)
{
    int left[RING_MAX_DCS], repeats[RING_MAX_DCS], dcs_left = 0, got = 0;
    uint64_t seen[RING_MAX_DCS] = {0};
    for (int d = 0; d < r->ndc; d++) {
        left[d] = r->rf[d];
        repeats[d] = r->rf[d] - r->nracks[d];
        dcs_left += left[d] > 0;
    }
    for (size_t step = 0; step < r->ntok && dcs_left; step++) {
        uint16_t nd = r->tok[(start + step) % r->ntok].node;
        int d = r->dc_of[nd];
        if (!left[d])
            continue;
        int dup = 0;
        for (int q = 0; q < got; q++)
            dup |= out[q] == nd;
        if (dup)
            continue;
        uint64_t bit = UINT64_C(1) << r->rack_of[nd];
        if (seen[d] & bit) {
            if (repeats[d] <= 0)
                continue; /* every rack left must still get one */
            repeats[d]--;
        }
        seen[d] |= bit;
        out[got++] = nd;
        dcs_left -= --left[d] == 0;
    }
    return got;
}

/* The plain rule from token index start: the first n distinct nodes clockwise. */
static int place_plain(const ring *r, size_t start, uint16_t *out)
{
    int got = 0;
    for (size_t step = 0; step < r->ntok && got < r->n; step++) {
        uint16_t nd = r->tok[(start + step) % r->ntok].node;
        int dup = 0;
        for (int q = 0; q < got; q++)
            dup |= out[q] == nd;
        if (!dup)
            out[got++] = nd;
    }
    return got;
}

static int place(const ring *r, size_t start, uint16_t *out)
{
    return r->ndc ? place_nts(r, start, out) : place_plain(r, start, out);
}

int ring_create_topo(const ring_topo *t, int vnodes, uint32_t nkeys, ring **out)
{
    int nodes = 0, replicas = 0;
    for (int d = 0; d < (t->ndc ? t->ndc : 1); d++) {
        if (t->ndc && (t->rf[d] > t->nodes[d] || t->rf[d] < 0 || t->nodes[d] < 1))
            return -EINVAL;
        nodes += t->nodes[d];
        replicas += t->rf[d];
    }
    if (replicas > nodes || replicas < 1 || replicas > RING_MAX_REPLICAS || nodes > RING_MAX_NODES ||
        t->ndc > RING_MAX_DCS || t->racks < 1 || t->racks > RING_MAX_RACKS)
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
    r->ndc = t->ndc;
    for (int d = 0, nd = 1; d < t->ndc; d++) {
        snprintf(r->name[d], sizeof r->name[d], "%s", t->name[d]);
        r->rf[d] = t->rf[d];
        r->first[d] = nd;
        r->size[d] = t->nodes[d];
        r->nracks[d] = t->racks < t->nodes[d] ? t->racks : t->nodes[d];
        for (int i = 0; i < t->nodes[d]; i++, nd++) {
            r->dc_of[nd] = (uint8_t)d;
            r->rack_of[nd] = (uint8_t)(i % t->racks);
        }
    }
    if (!t->ndc) {
        r->rf[0] = replicas;
        r->first[0] = 1;
        r->size[0] = nodes;
        r->nracks[0] = 1;
    }
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
    for (uint32_t k = 0; k < nkeys; k++)
        place(r, first_token(r, k), &r->owners[(size_t)k * (size_t)replicas]);
    *out = r;
    return 0;
fail:
    if (!r || !r->tok)
        mem_free(tok);
    ring_destroy(r);
    return -ENOMEM;
}

int ring_create(int nodes, int vnodes, int replicas, uint32_t nkeys, ring **out)
{
    ring_topo t = {.ndc = 0, .nodes = {nodes}, .rf = {replicas}, .racks = 1};
    return ring_create_topo(&t, vnodes, nkeys, out);
}

int ring_create_cfg(const cluster_cfg *cc, uint32_t nkeys, ring **out)
{
    ring_topo t = {.ndc = cc->dcs.n, .racks = (int)cc->racks};
    if (!t.ndc) {
        t.nodes[0] = (int)cc->nodes;
        t.rf[0] = (int)cc->replicas;
    }
    for (int d = 0; d < t.ndc; d++) {
        t.name[d] = cc->dcs.name[d];
        t.nodes[d] = (int)cc->dcs.count[d];
        t.rf[d] = (int)cc->dc_rf[d];
    }
    return ring_create_topo(&t, (int)cc->vnodes, nkeys, out);
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
    if (r->ndc) {
        /* the owners first (not the first N distinct nodes), then the rest clockwise */
        const uint16_t *o = ring_owners(r, key);
        for (int q = 0; q < r->n; q++)
            seen[o[q] / 8] |= (uint8_t)(1u << (o[q] % 8));
        got = r->n;
    }
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

/* Resolves datacenters and replicas: nodes (when not set) and N from them, replicas per
 * datacenter. Runs before every other module's load, which may read nodes. */
static void load(cfg *c, scenario *sc, void *mcfg)
{
    cluster_cfg *cc = mcfg;
    (void)sc;
    if (!cc->dcs.n) {
        cc->replicas = cc->rf.plain ? cc->rf.plain : 1;
        if (!cc->rf.plain)
            cfg_error_key(c, "cluster", "replicas", "replicas per datacenter need cluster.datacenters");
        return;
    }
    int64_t sum = 0;
    char names[RING_DC_NAMES_MAX];
    for (int d = 0; d < cc->dcs.n; d++)
        sum += cc->dcs.count[d];
    if (sum > RING_MAX_NODES)
        cfg_error_key(c, "cluster", "datacenters", "hold %lld nodes; at most %d", (long long)sum, RING_MAX_NODES);
    else if (!cfg_find(c, "cluster", "nodes")) {
        char t[24];
        cc->nodes = sum;
        snprintf(t, sizeof t, "%lld", (long long)sum);
        cfg_effective_set(c, "cluster", "nodes", t);
    } else if (cc->nodes != sum) {
        cfg_error_key(c, "cluster", "nodes", "must equal the nodes of cluster.datacenters (%lld), or be left out",
                      (long long)sum);
    }
    /* with datacenters a node in the client's datacenter coordinates (models/dc.h) */
    if (!cfg_find(c, "cluster", "coordinator")) {
        cc->coordinator = COORD_AT_ANY;
        cfg_effective_set(c, "cluster", "coordinator", "any");
    }
    cc->replicas = 0;
    for (int d = 0; d < cc->dcs.n; d++) {
        int i = ring_dc_find(&cc->rf.list, cc->dcs.name[d]);
        cc->dc_rf[d] = cc->rf.plain ? cc->rf.plain : i >= 0 ? cc->rf.list.count[i] : 0;
        cc->replicas += cc->dc_rf[d];
    }
    for (int i = 0; i < cc->rf.list.n; i++)
        if (ring_dc_find(&cc->dcs, cc->rf.list.name[i]) < 0)
            cfg_error_key(c, "cluster", "replicas", "unknown datacenter %s (cluster.datacenters: %s)",
                          cc->rf.list.name[i], ring_dc_names(&cc->dcs, names, sizeof names));
}

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const cluster_cfg *cc = mcfg;
    (void)sc;
    if (cc->dcs.n) {
        if (cc->coordinator == COORD_AT_CLIENT)
            cfg_error_key(c, "cluster", "coordinator",
                          "with datacenters a node in the client's datacenter coordinates: any (the default) or owner");
        if (cc->replicas < 1)
            cfg_error_key(c, "cluster", "replicas", "no datacenter keeps a replica");
        else if (cc->replicas > RING_MAX_REPLICAS)
            cfg_error_key(c, "cluster", "replicas", "%lld replicas per key in all; at most %d",
                          (long long)cc->replicas, RING_MAX_REPLICAS);
        for (int d = 0; d < cc->dcs.n; d++) {
            if (cc->dc_rf[d] <= cc->dcs.count[d])
                continue;
            if (cc->rf.plain && !cfg_find(c, "cluster", "replicas"))
                cfg_error_key(c, "cluster", "datacenters",
                              "%s has %lld nodes, fewer than the %lld replicas each datacenter keeps by default "
                              "(write cluster.replicas per datacenter, e.g. %s:%lld)",
                              cc->dcs.name[d], (long long)cc->dcs.count[d], (long long)cc->rf.plain, cc->dcs.name[d],
                              (long long)cc->dcs.count[d]);
            else if (cc->rf.plain)
                cfg_error_key(c, "cluster", "replicas",
                              "with datacenters each keeps %lld replicas, and %s has %lld nodes (write replicas "
                              "per datacenter, e.g. %s:%lld)",
                              (long long)cc->rf.plain, cc->dcs.name[d], (long long)cc->dcs.count[d], cc->dcs.name[d],
                              (long long)cc->dcs.count[d]);
            else
                cfg_error_key(c, "cluster", "replicas", "%s keeps %lld replicas but has %lld nodes", cc->dcs.name[d],
                              (long long)cc->dc_rf[d], (long long)cc->dcs.count[d]);
        }
        return;
    }
    if (cc->racks > 1)
        cfg_error_key(c, "cluster", "racks", "racks need cluster.datacenters (racks are counted per datacenter)");
    if (cc->replicas > cc->nodes) {
        if (cfg_find(c, "cluster", "replicas") || !cfg_find(c, "cluster", "nodes"))
            cfg_error_key(c, "cluster", "replicas", "must be <= nodes (%lld)", (long long)cc->nodes);
        else
            cfg_error_key(c, "cluster", "nodes", "must be >= replicas (%lld)", (long long)cc->replicas);
    }
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const cluster_cfg *cc = mcfg;
    (void)res;
    (void)err;
    (void)n;
    uint32_t nkeys = w->sc->nkeys;
    if (ring_create_cfg(cc, nkeys, &w->ring))
        return -ENOMEM;
    *state = w->ring;
    return 0;
}

static void destroy(void *state) { ring_destroy(state); }

const module cluster_module = {
    .name = "cluster",
    .keys = &cluster_table,
    .cfg_size = sizeof(cluster_cfg),
    .load = load,
    .check = check,
    .create = create,
    .destroy = destroy,
};

/* ---- token ranges ---- */

uint32_t ring_ranges(const ring *r) { return (uint32_t)r->ntok; }

uint32_t ring_range_of(const ring *r, uint32_t key) { return (uint32_t)(first_token(r, key) % r->ntok); }

int ring_range_owners(const ring *r, uint32_t range, uint16_t *out) { return place(r, range, out); }

/* ---- datacenters ---- */

int ring_dcs(const ring *r) { return r->ndc; }
int ring_dc_of(const ring *r, int nd) { return r->dc_of[nd]; }
const char *ring_dc_name(const ring *r, int dc) { return r->ndc ? r->name[dc] : ""; }
int ring_dc_rf(const ring *r, int dc) { return r->rf[dc]; }
int ring_dc_first(const ring *r, int dc) { return r->first[dc]; }
int ring_dc_size(const ring *r, int dc) { return r->size[dc]; }
int ring_rack_of(const ring *r, int nd) { return r->rack_of[nd]; }
