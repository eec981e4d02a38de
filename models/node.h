/* node: the cluster's nodes as servers (docs/design.md sections 1b and 3). Each node is a
 * replica store, a FIFO service queue in front of k servers (or none: k = inf), a slowdown
 * factor, and an up/down state with an epoch bumped at every crash. The queue serves any
 * module's work: a message kind routed with a service class (route.h) waits here for a
 * server, takes a service time drawn for its class times the node's slowdown, and then
 * runs its handler. A crashed node loses every message sent to it and every request
 * queued or in service; `volatile` storage is lost, `durable` storage kept. Nodes announce
 * crash and recovery to listeners and every store change to apply listeners, and offer
 * their stores to the oracle as a holder source. Owns [node] and the per-node overrides
 * [node.nI]. */
#ifndef QSIM_NODE_H
#define QSIM_NODE_H
#include <stdint.h>
#include "models/holders.h"
#include "models/msg.h"
#include "models/route.h"
#include "models/store.h"
#include "sim/cfg.h"
#include "sim/dist.h"
#include "sim/rng.h"
#include "sim/sim.h"

typedef struct node_cfg {
    dist *read_service;  /* service time of a read at a replica */
    dist *write_service; /* service time of a write at a replica */
    int64_t concurrency; /* servers; 0 = inf (no queueing) */
    double slow;         /* factor on service times (1 = normal) */
    dist *ae_service;    /* service time of an anti-entropy message at a replica */
} node_cfg;

extern const cfg_table node_table;

/* The node module's configuration: [node], and [node.nI] where node_mask says it is set. */
typedef struct nodes_cfg {
    node_cfg base;       /* first: [node] binds here */
    node_cfg *over;      /* [1..count] */
    uint64_t *mask;      /* [1..count]: bit i = node_table key i set in [node.nI] */
    int count;
} nodes_cfg;

/* The effective configuration of node i (1-based): [node] with [node.nI] applied. */
void nodes_cfg_of(const nodes_cfg *c, int i, node_cfg *out);

#define NODE_EVENTS(X) X(NODE_CRASH, crash) X(NODE_RECOVER, recover)
typedef enum node_event {
#define X(e, n) e,
    NODE_EVENTS(X)
#undef X
} node_event;

typedef struct node {
    int id;          /* 1..nodes */
    int up;
    uint32_t epoch;  /* bumped at every crash */
    const dist *svc[SVC_NCLASSES];
    int64_t servers; /* 0 = inf */
    double base_slow, slow; /* slow = base_slow * the factor of the slow faults in force */
    int64_t busy;
    msg *qhead, *qtail;
    uint64_t qlen;
    msg *active;     /* requests in service (doubly linked), their completion pending */
    store st;
    rng r;
    uint64_t served;
} node;

typedef struct node_listener {
    void *ctx;
    void (*event)(void *ctx, int node, node_event ev);
} node_listener;

/* What brought a version to a replica store, for the trace and the mechanisms' metrics. */
#define APPLY_SOURCES(X) X(APPLY_WRITE, write) X(APPLY_READ_REPAIR, read_repair) X(APPLY_HANDOFF, handoff) \
    X(APPLY_ANTI_ENTROPY, anti_entropy)
typedef enum apply_source {
#define X(e, n) e,
    APPLY_SOURCES(X)
#undef X
    APPLY_NSOURCES
} apply_source;
extern const char *const apply_source_name[APPLY_NSOURCES];

typedef struct apply_listener {
    void *ctx;
    /* A store was offered v for key by src: stored (it was newer) or not; was = what it held. */
    void (*apply)(void *ctx, int nd, uint32_t key, const version *v, const version *was, int stored, apply_source src);
} apply_listener;

#define NODES_MAX_LISTENERS 8

/* What the nodes counted, for the report. */
typedef struct nodes_res {
    uint64_t to_down; /* messages that reached a crashed node and were lost */
} nodes_res;

typedef struct node_set {
    node *n;         /* [1..count]; [0] unused (the client tier) */
    int count;
    sim *s;
    msg_pool *pool;
    const router *rt;
    sim_handler on_served; /* the loop's handler for a service completion: calls nodes_served */
    node_listener lis[NODES_MAX_LISTENERS];
    int nlis;
    apply_listener app[NODES_MAX_LISTENERS];
    int napp;
    nodes_res *res;
} node_set;

/* Builds count nodes from their configuration. Each store is sized once for owned[i] keys
 * of nkeys. seed derives every node's service stream. 0, or -1 when out of memory. */
int nodes_init(node_set *ns, int count, const nodes_cfg *nc, const uint32_t *owned, uint32_t nkeys, uint64_t seed,
               sim *s, msg_pool *pool, const router *rt, sim_handler on_served, nodes_res *res);
void nodes_fini(node_set *ns);
static inline int nodes_up(const node_set *ns, int id) { return ns->n[id].up; }
static inline uint32_t nodes_epoch(const node_set *ns, int id) { return ns->n[id].epoch; }
/* A message arrived at node m->dst: lost if the node is down, else queued for service
 * (a kind with a service class) or handled now. */
void nodes_deliver(node_set *ns, msg *m);
/* The service of m ended (called from on_served): its handler runs, then the next queued
 * request starts. */
void nodes_served(node_set *ns, msg *m);
/* Offers v to node id's store (last write wins) on behalf of src and tells the apply
 * listeners. Returns 1 if stored, 0 if not newer, -1 when out of memory; *was gets what was
 * held. */
int nodes_apply(node_set *ns, int id, uint32_t key, const version *v, version *was, apply_source src);
/* The version node id holds for key, or NULL. */
static inline const version *nodes_get(const node_set *ns, int id, uint32_t key) { return store_get(&ns->n[id].st, key); }
/* Crash: drops queued and in-service requests; storage_volatile clears the store. A node
 * already down is left as it is. Listeners hear it. */
void nodes_crash(node_set *ns, int id, int storage_volatile);
void nodes_recover(node_set *ns, int id);
/* Sets node id's slowdown: its configured factor (nodes_base_slow) times the factor of each
 * slow fault in force, multiplied in that order by the caller. */
void nodes_set_slow(node_set *ns, int id, double slow);
static inline double nodes_base_slow(const node_set *ns, int id) { return ns->n[id].base_slow; }
/* 0, or -1 when the listener table is full. */
int nodes_listen(node_set *ns, const node_listener *l);
int nodes_on_apply(node_set *ns, const apply_listener *l);
/* The replica stores as a holder source (durable storage of crashed nodes included). */
holder_src nodes_holder_src(const node_set *ns);
#endif
