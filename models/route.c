/* route: the message routing table; see route.h. */
#include "models/route.h"
#include <stdio.h>
#include <string.h>

const char *const svc_class_name[SVC_NCLASSES] = {
#define X(e, n) #n,
    SVC_CLASSES(X)
#undef X
};

void router_init(router *rt) { memset(rt, 0, sizeof *rt); }

int router_add(router *rt, msg_kind kind, svc_class svc, route_fn fn, void *ctx, const char *owner, char *err,
               size_t n)
{
    route *r = &rt->r[kind];
    if (r->fn) {
        snprintf(err, n, "message kind %s is registered by %s and again by %s", msg_kind_name[kind], r->owner, owner);
        return -1;
    }
    r->fn = fn;
    r->ctx = ctx;
    r->svc = (uint8_t)svc;
    r->owner = owner;
    return 0;
}
