/* node: a replica: storage, a FIFO service queue with k servers (or none: k = inf), a
 * slowdown factor, crash and recovery (DESIGN.md section 3). A crashed node loses every
 * message sent to it and every request queued or in service; `volatile` storage is lost,
 * `durable` storage is kept. Owns [node] and the per-node overrides [node.nI]. */
#ifndef QSIM_NODE_H
#define QSIM_NODE_H
#include <stdint.h>
#include "models/msg.h"
#include "models/store.h"
#include "sim/cfg.h"
#include "sim/dist.h"
#include "sim/rng.h"

typedef struct node_cfg {
    dist *read_service;  /* service time of a read at a replica */
    dist *write_service; /* service time of a write at a replica */
    int64_t concurrency; /* servers; 0 = inf (no queueing) */
    double slow;         /* factor on service times (1 = normal) */
} node_cfg;

extern const cfg_table node_table;

typedef struct node {
    int id;          /* 1..nodes */
    int up;
    uint32_t epoch;  /* bumped at every crash */
    const dist *svc_read, *svc_write;
    int64_t servers; /* 0 = inf */
    double base_slow, slow; /* slow = base_slow * current slow fault factor */
    int64_t busy;
    msg *qhead, *qtail;
    uint64_t qlen;
    msg *active;     /* requests in service (doubly linked), their completion pending */
    store st;
    rng r;
    uint64_t served;
} node;

struct world;

/* Fills n from its effective configuration; seed derives its service stream. */
void node_init(node *n, int id, const node_cfg *c, uint64_t seed);
void node_fini(node *n);
/* A request (MSG_WRITE_REQ / MSG_READ_REQ) arrived at an up node: serve or queue it. */
void node_request(struct world *w, node *n, msg *m);
/* Crash: drops queued and in-service requests; storage_volatile clears the store. */
void node_crash(struct world *w, node *n, int storage_volatile);
void node_recover(node *n);
#endif
