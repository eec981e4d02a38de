/* node: service queues, storage, crash and recovery of the nodes; see node.h. */
#include "models/node.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "sim/alloc.h"
#include "models/ring.h"
#include "models/scenario.h"
#include "models/world.h"
#include "sim/units.h"

static int parse_concurrency(const char *text, void *dst, char *err, size_t n)
{
    int64_t v = 0;
    if (strcmp(text, "inf") != 0) {
        if (units_parse_int(text, &v) || v < 1 || v > 1000000) {
            snprintf(err, n, "must be a number of servers (1..1000000) or inf");
            return -1;
        }
    }
    memcpy(dst, &v, sizeof v);
    return 0;
}

static const cfg_key node_keys[] = {
    {"node", "read_service", CFG_DIST, "const(0)", 1, 0, NULL, offsetof(node_cfg, read_service), NULL,
     "service time of a read at a replica"},
    {"node", "write_service", CFG_DIST, "const(0)", 1, 0, NULL, offsetof(node_cfg, write_service), NULL,
     "service time of a write at a replica"},
    {"node", "concurrency", CFG_CUSTOM, "inf", 1, 0, "N|inf", offsetof(node_cfg, concurrency), parse_concurrency,
     "servers per replica (FIFO queue in front); inf = no queueing"},
    {"node", "slow", CFG_NUM, "1", 0.001, 1e6, NULL, offsetof(node_cfg, slow), NULL,
     "slowdown factor of this node (set it in [node.nI] for one slow node): see slow_on"},
    {"node", "slow_on", CFG_ENUM, "both", 1, 0, "both|service|network", offsetof(node_cfg, slow_on), NULL,
     "what slow slows: service times, the latency of messages to and from the node, or both"},
    {"node", "drop_expired", CFG_ENUM, "on", 1, 0, "off|on", offsetof(node_cfg, drop_expired), NULL,
     "a request whose operation deadline passed while it waited is dropped when it reaches the queue's head"},
    {"node", "anti_entropy_service", CFG_DIST, "const(0)", 1, 0, NULL, offsetof(node_cfg, ae_service), NULL,
     "service time of an anti-entropy message at a replica"},
};
const cfg_table node_table = {node_keys, sizeof node_keys / sizeof node_keys[0], 1};

void nodes_cfg_of(const nodes_cfg *c, int i, node_cfg *out)
{
    *out = c->base;
    if (!c->over || !c->mask)
        return; /* the overrides could not be read (out of memory, already an error) */
    const node_cfg *o = &c->over[i];
    uint64_t m = c->mask[i];
    /* bit order follows node_table: read_service, write_service, concurrency, slow, slow_on, drop_expired,
     * anti_entropy_service */
    if (m & 1)
        out->read_service = o->read_service;
    if (m & 2)
        out->write_service = o->write_service;
    if (m & 4)
        out->concurrency = o->concurrency;
    if (m & 8)
        out->slow = o->slow;
    if (m & 16)
        out->slow_on = o->slow_on;
    if (m & 32)
        out->drop_expired = o->drop_expired;
    if (m & 64)
        out->ae_service = o->ae_service;
}

int nodes_init(node_set *ns, int count, const nodes_cfg *nc, const uint32_t *owned, uint32_t nkeys, uint64_t seed,
               sim *s, msg_pool *pool, const router *rt, sim_handler on_served, nodes_res *res)
{
    memset(ns, 0, sizeof *ns);
    ns->s = s;
    ns->pool = pool;
    ns->rt = rt;
    ns->on_served = on_served;
    ns->res = res;
    ns->n = mem_calloc((size_t)count + 1, sizeof *ns->n);
    if (!ns->n)
        return -1;
    ns->count = count;
    for (int i = 1; i <= count; i++) {
        node *n = &ns->n[i];
        node_cfg c;
        nodes_cfg_of(nc, i, &c);
        n->id = i;
        n->up = 1;
        n->svc[SVC_READ] = c.read_service;
        n->svc[SVC_WRITE] = c.write_service;
        n->svc[SVC_AE] = c.ae_service;
        n->servers = c.concurrency;
        n->base_slow = n->slow = c.slow_on == 2 ? 1.0 : c.slow;
        n->base_slow_net = c.slow_on == 1 ? 1.0 : c.slow;
        n->drop_expired = c.drop_expired;
        store_init(&n->st);
        char name[48];
        snprintf(name, sizeof name, "node n%d service", i);
        rng_derive(&n->r, seed, rng_entity_id(name));
        /* each replica's storage is sized for the keys it owns, once: memory then depends
         * on the key space, not on how many operations happen to touch it */
        if (store_reserve(&n->st, owned[i], nkeys))
            return -1;
    }
    return 0;
}

void nodes_fini(node_set *ns)
{
    if (ns->n)
        for (int i = 1; i <= ns->count; i++)
            store_fini(&ns->n[i].st);
    mem_free(ns->n);
    ns->n = NULL;
    ns->count = 0;
}

static void unlink_active(node *n, msg *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        n->active = m->next;
    if (m->next)
        m->next->prev = m->prev;
    m->next = m->prev = NULL;
}

/* Brings the queue's time integral up to now, before qlen changes. The busy integral needs
 * no clock: each request adds its service time when it starts, and a request cut short (a
 * crash, the end of the run) takes back what it did not serve (unserved). */
static inline void account(const node_set *ns, node *n)
{
    n->stats.queue_area += (double)n->qlen * (double)(ns->s->now - n->last);
    n->last = ns->s->now;
}

/* Takes back the service the requests in service at n will not get from now on. */
static void unserved(const node_set *ns, node *n)
{
    for (const msg *m = n->active; m; m = m->next)
        n->stats.busy_area -= (double)(m->ev.hn.time - ns->s->now);
}

/* The service is over (or took no time): the kind's handler does the work. */
static inline void serve(node_set *ns, node *n, msg *m)
{
    n->stats.served++;
    const route *r = router_get(ns->rt, m->kind);
    r->fn(r->ctx, m);
}

/* A request at the head of the queue whose operation's deadline has passed: nobody waits
 * for its reply any more, so it is dropped without service (as Cassandra drops expired
 * messages). Returns 1 if m was dropped. */
static int expired(node_set *ns, node *n, msg *m)
{
    if (!n->drop_expired || !m->deadline || ns->s->now <= m->deadline)
        return 0;
    n->stats.dropped++;
    ns->res->dropped[m->kind]++;
    msg_put(ns->pool, m);
    return 1;
}

/* Begins serving m: inline when its service time is zero with unlimited servers, else
 * schedules its completion. */
static void start(node_set *ns, node *n, msg *m)
{
    if (expired(ns, n, m))
        return;
    int64_t t = dist_sample(n->svc[m->svc], &n->r);
    if (n->slow != 1.0) {
        double slowed = (double)t * n->slow + 0.5;
        t = slowed >= (double)SIM_TIME_MAX ? SIM_TIME_MAX : (int64_t)slowed;
    }
    for (int i = 0; i < ns->nslis; i++)
        ns->slis[i].start(ns->slis[i].ctx, n->id, m);
    if (t == 0 && n->servers == 0) {
        serve(ns, n, m);
        return;
    }
    n->stats.busy_area += (double)t;
    n->busy++;
    m->epoch = n->epoch;
    m->prev = NULL;
    m->next = n->active;
    if (n->active)
        n->active->prev = m;
    n->active = m;
    sim_event_init(&m->ev, ns->on_served);
    if (sim_schedule(ns->s, &m->ev, sim_after(ns->s, t)))
        sim_fail(ns->s);
}

void nodes_served(node_set *ns, msg *m)
{
    node *n = &ns->n[m->dst];
    unlink_active(n, m);
    n->busy--;
    serve(ns, n, m);
    /* the next request (expired ones at the head are dropped on the way) */
    while (n->qhead && (n->servers == 0 || n->busy < n->servers)) {
        msg *q = n->qhead;
        n->qhead = q->next;
        if (!n->qhead)
            n->qtail = NULL;
        account(ns, n);
        n->qlen--;
        q->next = NULL;
        int64_t busy = n->busy;
        start(ns, n, q);
        if (n->busy != busy)
            break; /* started; else it was dropped and the next one gets the server */
    }
}

void nodes_deliver(node_set *ns, msg *m)
{
    node *n = &ns->n[m->dst];
    if (!n->up) {
        ns->res->to_down++;
        msg_put(ns->pool, m);
        return;
    }
    const route *r = router_get(ns->rt, m->kind);
    if (r->svc == SVC_NONE) {
        r->fn(r->ctx, m);
        return;
    }
    store_prefetch(&n->st, m->key); /* served later: the slot is in cache by then */
    m->svc = r->svc;
    if (n->servers == 0 || n->busy < n->servers) {
        start(ns, n, m);
        return;
    }
    m->next = NULL;
    if (n->qtail)
        n->qtail->next = m;
    else
        n->qhead = m;
    n->qtail = m;
    account(ns, n);
    n->qlen++;
    if (n->qlen > n->stats.queue_max)
        n->stats.queue_max = n->qlen;
}

const char *const apply_source_name[APPLY_NSOURCES] = {
#define X(e, n) #n,
    APPLY_SOURCES(X)
#undef X
};

int nodes_apply(node_set *ns, int id, uint32_t key, const version *v, version *was, apply_source src)
{
    int stored = store_put(&ns->n[id].st, key, v, was);
    if (stored < 0)
        return -1;
    for (int i = 0; i < ns->napp; i++)
        ns->app[i].apply(ns->app[i].ctx, id, key, v, was, stored, src);
    return stored;
}

static void tell(node_set *ns, int id, node_event ev)
{
    for (int i = 0; i < ns->nlis; i++)
        ns->lis[i].event(ns->lis[i].ctx, id, ev);
}

void nodes_crash(node_set *ns, int id, int storage_volatile)
{
    node *n = &ns->n[id];
    if (!n->up)
        return;
    account(ns, n);
    unserved(ns, n);
    n->up = 0;
    n->epoch++;
    n->down_at = ns->s->now;
    while (n->active) {
        msg *m = n->active;
        unlink_active(n, m);
        sim_cancel(ns->s, &m->ev);
        msg_put(ns->pool, m);
    }
    n->busy = 0;
    while (n->qhead) {
        msg *m = n->qhead;
        n->qhead = m->next;
        msg_put(ns->pool, m);
    }
    n->qtail = NULL;
    n->qlen = 0;
    n->storage_lost = storage_volatile;
    if (storage_volatile)
        store_clear(&n->st);
    tell(ns, id, NODE_CRASH);
}

void nodes_recover(node_set *ns, int id)
{
    node *n = &ns->n[id];
    if (n->up)
        return;
    n->up = 1;
    n->stats.down_ns += ns->s->now - n->down_at;
    n->last = ns->s->now;
    tell(ns, id, NODE_RECOVER);
}

void nodes_set_slow(node_set *ns, int id, double slow) { ns->n[id].slow = slow; }

int nodes_listen(node_set *ns, const node_listener *l)
{
    if (ns->nlis == NODES_MAX_LISTENERS)
        return -1;
    ns->lis[ns->nlis++] = *l;
    return 0;
}

int nodes_on_apply(node_set *ns, const apply_listener *l)
{
    if (ns->napp == NODES_MAX_LISTENERS)
        return -1;
    ns->app[ns->napp++] = *l;
    return 0;
}

int nodes_on_start(node_set *ns, const start_listener *l)
{
    if (ns->nslis == NODES_MAX_LISTENERS)
        return -1;
    ns->slis[ns->nslis++] = *l;
    return 0;
}

int nodes_unqueue(node_set *ns, int nd, uint32_t opid, uint32_t gen, uint16_t row)
{
    node *n = &ns->n[nd];
    for (msg *prev = NULL, *m = n->qhead; m; prev = m, m = m->next) {
        if (m->op != opid || m->gen != gen || m->row != row)
            continue;
        if (prev)
            prev->next = m->next;
        else
            n->qhead = m->next;
        if (n->qtail == m)
            n->qtail = prev;
        account(ns, n);
        n->qlen--;
        msg_put(ns->pool, m);
        return 1;
    }
    return 0;
}

int nodes_add_read_source(node_set *ns, const read_source *r)
{
    if (ns->nrsrc == NODES_MAX_LISTENERS)
        return -1;
    ns->rsrc[ns->nrsrc++] = *r;
    return 0;
}

static void each_replica(const void *ctx, uint32_t key, holder_fn fn, void *arg)
{
    const node_set *ns = ctx;
    for (int i = 1; i <= ns->count; i++) {
        const version *v = store_get(&ns->n[i].st, key);
        if (v)
            fn(arg, i, 0, v);
    }
}

holder_src nodes_holder_src(const node_set *ns) { return (holder_src){"replica", ns, each_replica}; }

/* ---- the node module ---- */

typedef struct section_load {
    cfg *c;
    nodes_cfg *nc;
} section_load;

static void on_node_section(void *ctx, const char *name, const cfg_entry *first)
{
    const section_load *sl = ctx;
    int id = ep_parse(name, sl->nc->count);
    char section[64];
    snprintf(section, sizeof section, "node.%s", name);
    if (id <= 0) {
        cfg_error(sl->c, first, "unknown node in section [node.%s] (nodes are n1..n%d)", name, sl->nc->count);
        /* bind into a scratch struct so its keys are still checked and marked */
        node_cfg scratch = {0};
        cfg_bind(sl->c, &node_table, section, &scratch, 0);
        cfg_release(&node_table, &scratch);
        return;
    }
    sl->nc->mask[id] = cfg_bind(sl->c, &node_table, section, &sl->nc->over[id], 0);
}

static void load(cfg *c, scenario *sc, void *mcfg)
{
    nodes_cfg *nc = mcfg;
    int count = (int)SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->nodes;
    nc->count = count < 1 ? 1 : count;
    nc->over = mem_calloc((size_t)nc->count + 1, sizeof *nc->over);
    nc->mask = mem_calloc((size_t)nc->count + 1, sizeof *nc->mask);
    if (!nc->over || !nc->mask) {
        cfg_error(c, NULL, "out of memory");
        return;
    }
    section_load sl = {c, nc};
    cfg_each_subsection(c, "node", on_node_section, &sl);
}

/* A slowdown that can have no effect is an error: service only, on a node that spends no
 * time serving. */
static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const nodes_cfg *nc = mcfg;
    (void)sc;
    for (int i = 1; i <= nc->count && nc->over && nc->mask; i++) {
        node_cfg e;
        nodes_cfg_of(nc, i, &e);
        if (e.slow == 1.0 || e.slow_on != 1 || dist_mean(e.read_service) > 0 || dist_mean(e.write_service) > 0)
            continue;
        char section[32];
        snprintf(section, sizeof section, "node.n%d", i);
        int own = (nc->mask[i] & (8 | 16)) != 0;
        cfg_error_key(c, own ? section : "node", (nc->mask[i] & 8) || !own ? "slow" : "slow_on",
                      "n%d's service times are all zero: slowing its service only does nothing (slow_on = network "
                      "or both)",
                      i);
        if (!own)
            break; /* one error for the shared [node] setting */
    }
}

static void release(void *mcfg)
{
    nodes_cfg *nc = mcfg;
    if (nc->over)
        for (int i = 0; i <= nc->count; i++)
            cfg_release(&node_table, &nc->over[i]);
    mem_free(nc->over);
    mem_free(nc->mask);
    nc->over = NULL;
    nc->mask = NULL;
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const nodes_cfg *nc = mcfg;
    (void)err;
    (void)n;
    *state = &w->nodes;
    uint32_t nkeys = w->sc->nkeys;
    int replicas = ring_replicas(w->ring);
    uint32_t *owned = mem_calloc((size_t)nc->count + 1, sizeof *owned);
    if (!owned)
        return -ENOMEM;
    for (uint32_t k = 0; k < nkeys; k++)
        for (int i = 0; i < replicas; i++)
            owned[ring_owners(w->ring, k)[i]]++;
    int rc = nodes_init(&w->nodes, nc->count, nc, owned, nkeys, w->seed, &w->s, &w->pool, &w->rt, world_on_served, res);
    mem_free(owned);
    nodes_res *r = res;
    r->per = mem_calloc((size_t)nc->count + 1, sizeof *r->per);
    r->servers = mem_calloc((size_t)nc->count + 1, sizeof *r->servers);
    if (!r->per || !r->servers)
        return -ENOMEM;
    r->count = nc->count;
    if (rc || holders_add(&w->hs, nodes_holder_src(&w->nodes)))
        return -ENOMEM;
    for (int i = 1; i <= nc->count; i++)
        if (w->nodes.n[i].base_slow_net != 1.0)
            net_set_slow(&w->net, i, w->nodes.n[i].base_slow_net);
    return 0;
}

static void destroy(void *state) { nodes_fini(state); }


static void finish(void *state, void *res)
{
    node_set *ns = state;
    nodes_res *r = res;
    r->end = ns->s->now;
    for (int i = 1; i <= ns->count && r->per; i++) {
        node *n = &ns->n[i];
        account(ns, n);
        unserved(ns, n);
        if (!n->up)
            n->stats.down_ns += ns->s->now - n->down_at;
        r->per[i] = n->stats;
        r->servers[i] = n->servers;
    }
}

static void res_free(void *res)
{
    nodes_res *r = res;
    mem_free(r->per);
    mem_free(r->servers);
    r->per = NULL;
    r->servers = NULL;
}

/* Per node: what it served, dropped, how busy it was, its queue, its time down. */
static void json_nodes(jw *j, const char *key, const run_view *v)
{
    const nodes_res *r = RV_RES(v, MOD_NODE, nodes_res);
    double span = (double)r->end;
    jw_arr(j, key);
    for (int i = 1; i <= r->count && r->per; i++) {
        const node_stats *st = &r->per[i];
        char nm[16];
        jw_obj(j, NULL);
        jw_str(j, "node", ep_name(i, nm));
        jw_int(j, "served", (int64_t)st->served);
        jw_int(j, "dropped_expired", (int64_t)st->dropped);
        if (r->servers[i] && span > 0)
            jw_num(j, "utilization", st->busy_area / (span * (double)r->servers[i]));
        else
            jw_null(j, "utilization");
        jw_num(j, "busy_mean", span > 0 ? st->busy_area / span : 0.0);
        jw_num(j, "queue_mean", span > 0 ? st->queue_area / span : 0.0);
        jw_int(j, "queue_max", (int64_t)st->queue_max);
        jw_int(j, "down_ns", st->down_ns);
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

#define DROPPED_METRIC(e, nm)                                                                           \
    {"dropped_expired." #nm, "dropped_" #nm, NULL, MT_COUNT, "messages",                                \
     #nm " requests dropped at a replica's queue head because their operation's deadline had passed", \
     metric_u64, MFIELD(MOD_NODE, nodes_res, dropped) + (int)((e) * sizeof(uint64_t)), NULL},

static const metric node_metrics[] = {
    {"messages.to_crashed_node", "msgs_to_down", NULL, MT_COUNT, "messages",
     "messages that reached a crashed node and were lost", metric_u64, MFIELD(MOD_NODE, nodes_res, to_down), NULL},
    MSG_KINDS(DROPPED_METRIC)
    {"nodes", NULL, NULL, MT_JSON, "",
     "per node: requests served and dropped, utilization (busy servers / servers), mean requests in service and "
     "waiting, longest queue, time down",
     NULL, 0, json_nodes},
};

const module node_module = {
    .name = "node",
    .keys = &node_table,
    .cfg_size = sizeof(nodes_cfg),
    .load = load,
    .check = check,
    .release = release,
    .res_size = sizeof(nodes_res),
    .res_free = res_free,
    .create = create,
    .finish = finish,
    .destroy = destroy,
    .metrics = node_metrics,
    .nmetrics = sizeof node_metrics / sizeof node_metrics[0],
};
