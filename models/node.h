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
    double slow;         /* slowdown factor (1 = normal) */
    int slow_on;         /* what [node] slow slows: 0 both, 1 service, 2 network */
    int drop_expired;    /* 1: a request whose operation deadline passed is dropped at the head of the queue */
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

/* What one node did, for the report. Areas are time integrals (value x ns). */
typedef struct node_stats {
    uint64_t served;     /* requests whose service ended (handlers run) */
    uint64_t dropped;    /* requests dropped at the head of the queue, their deadline past */
    uint64_t queue_max;  /* longest queue */
    double busy_area;    /* requests in service, integrated over time */
    double queue_area;   /* requests waiting, integrated over time */
    int64_t down_ns;     /* time spent crashed */
} node_stats;

typedef struct node {
    int id;          /* 1..nodes */
    int up;
    int storage_lost; /* its last crash lost its storage (volatile) */
    uint32_t epoch;  /* bumped at every crash */
    const dist *svc[SVC_NCLASSES];
    int64_t servers; /* 0 = inf */
    double base_slow, slow; /* service: slow = base_slow * the factor of the slow faults in force */
    double base_slow_net;   /* network: [node] slow when it slows messages */
    int64_t busy;
    msg *qhead, *qtail;
    uint64_t qlen;
    msg *active;     /* requests in service (doubly linked), their completion pending */
    store st;
    rng r;
    int drop_expired;
    int64_t last;      /* ns: when qlen last changed (for queue_area) */
    int64_t down_at;   /* ns: the last crash */
    node_stats stats;
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

/* Told when a request starts service at a node (tied requests cancel their twin then). */
typedef struct start_listener {
    void *ctx;
    void (*start)(void *ctx, int nd, const msg *m);
} start_listener;

/* A place besides the replica store that a replica answers reads from (readable hints):
 * merges what it holds for key at node nd into *best (newest wins). */
typedef struct read_source {
    const void *ctx;
    void (*read)(const void *ctx, int nd, uint32_t key, version *best);
} read_source;

#define NODES_MAX_LISTENERS 8

/* What the nodes counted, for the report. */
typedef struct nodes_res {
    uint64_t to_down;                /* messages that reached a crashed node and were lost */
    uint64_t dropped[MSG_NKINDS];    /* requests dropped at a queue's head, their deadline past, by kind */
    node_stats *per;                 /* [1..count], owned */
    int64_t *servers;                /* [1..count]: servers (0 = inf), owned */
    int count;
    int64_t end;                     /* ns: when the run ended (the areas' span) */
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
    read_source rsrc[NODES_MAX_LISTENERS];
    int nrsrc;
    start_listener slis[NODES_MAX_LISTENERS];
    int nslis;
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
/* The version node id's replica store holds for key, or NULL. */
static inline const version *nodes_get(const node_set *ns, int id, uint32_t key) { return store_get(&ns->n[id].st, key); }
/* What a replica answers a read of key with, into *out: the newest of its store and every
 * read source (VERSION_NONE when it has nothing). Inline: every read comes here. */
static inline void nodes_read(const node_set *ns, int id, uint32_t key, version *out)
{
    const version *v = store_get(&ns->n[id].st, key);
    *out = v ? *v : VERSION_NONE;
    for (int i = 0; i < ns->nrsrc; i++)
        ns->rsrc[i].read(ns->rsrc[i].ctx, id, key, out);
}
/* 0, or -1 when the table is full. */
int nodes_add_read_source(node_set *ns, const read_source *r);
int nodes_on_start(node_set *ns, const start_listener *l);
/* Removes the request of operation (op, gen), row, from node nd's queue if it is still
 * waiting there (not in service). Returns 1 if it was removed (and freed). O(queue). */
int nodes_unqueue(node_set *ns, int nd, uint32_t opid, uint32_t gen, uint16_t row);
/* 1 when node id's last crash lost its storage (listeners may ask during NODE_CRASH). */
static inline int nodes_storage_lost(const node_set *ns, int id) { return ns->n[id].storage_lost; }
/* Crash: drops queued and in-service requests; storage_volatile clears the store. A node
 * already down is left as it is. Listeners hear it. */
void nodes_crash(node_set *ns, int id, int storage_volatile);
/* Recovery of a crashed node; a node already up is left as it is (no listener hears it). */
void nodes_recover(node_set *ns, int id);
/* Sets node id's slowdown: its configured factor (nodes_base_slow) times the factor of each
 * slow fault in force, multiplied in that order by the caller. */
void nodes_set_slow(node_set *ns, int id, double slow);
static inline double nodes_base_slow(const node_set *ns, int id) { return ns->n[id].base_slow; }
static inline double nodes_base_slow_net(const node_set *ns, int id) { return ns->n[id].base_slow_net; }
/* 0, or -1 when the listener table is full. */
int nodes_listen(node_set *ns, const node_listener *l);
int nodes_on_apply(node_set *ns, const apply_listener *l);
/* The replica stores as a holder source (durable storage of crashed nodes included). */
holder_src nodes_holder_src(const node_set *ns);
#endif
