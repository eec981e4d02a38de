/* route: where each message kind goes (docs/design.md section 1b, "Routing"). The module
 * that owns a kind registers its one handler here, with the service class the kind takes
 * at a replica: a kind with a class waits for a server in the destination node's queue
 * (node.h) and its handler runs when service ends; a kind without one is handled on
 * arrival. Registering a kind twice is an error. A message to a crashed node is lost
 * before any handler sees it. The router knows message kinds and nothing of quorums. */
#ifndef QSIM_ROUTE_H
#define QSIM_ROUTE_H
#include <stdint.h>
#include "models/msg.h"

/* Service classes: what a replica's servers spend time on. Each has its own service-time
 * distribution per node ([node] read_service, write_service, anti_entropy_service). */
#define SVC_CLASSES(X) X(SVC_READ, read) X(SVC_WRITE, write) X(SVC_AE, anti_entropy)
typedef enum svc_class {
#define X(e, n) e,
    SVC_CLASSES(X)
#undef X
    SVC_NCLASSES,
    SVC_NONE = 0xff /* handled on arrival, no service */
} svc_class;
extern const char *const svc_class_name[SVC_NCLASSES];

/* A handler owns m: it sends it on (net_send) or returns it to the pool. */
typedef void (*route_fn)(void *ctx, msg *m);

typedef struct route {
    route_fn fn;
    void *ctx;
    uint8_t svc;       /* svc_class or SVC_NONE */
    const char *owner; /* the registering module, for errors */
} route;

typedef struct router {
    route r[MSG_NKINDS];
} router;

void router_init(router *rt);
/* Registers kind's handler. Returns 0, or -1 with a reason in err when the kind already has
 * one (naming both owners). */
int router_add(router *rt, msg_kind kind, svc_class svc, route_fn fn, void *ctx, const char *owner, char *err,
               size_t n);
static inline const route *router_get(const router *rt, int kind) { return &rt->r[kind]; }
#endif
