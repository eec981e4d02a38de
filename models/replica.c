/* replica: serving write and read requests at a node; see replica.h. */
#include "models/replica.h"
#include <errno.h>
#include "models/world.h"
#include "sim/alloc.h"

void replica_reply(const replica *r, msg *m, msg_kind kind)
{
    m->kind = (uint8_t)kind;
    uint16_t t = m->src;
    m->src = m->dst;
    m->dst = t;
    if (net_send(r->net, m))
        sim_fail(r->s);
}

void replica_apply_and_ack(const replica *r, msg *m, apply_source src, msg_kind ack)
{
    version was;
    if (nodes_apply(r->ns, m->dst, m->key, &m->ver, &was, src) < 0)
        sim_fail(r->s);
    replica_reply(r, m, ack);
}

static void serve_write(void *ctx, msg *m) { replica_apply_and_ack(ctx, m, APPLY_WRITE, MSG_WRITE_ACK); }

static void serve_read(void *ctx, msg *m)
{
    replica *r = ctx;
    nodes_read(r->ns, m->dst, m->key, &m->ver);
    replica_reply(r, m, MSG_READ_RESP);
}

int replica_init(replica *r, node_set *ns, net *nt, sim *s, router *rt, char *err, size_t n)
{
    r->ns = ns;
    r->net = nt;
    r->s = s;
    if (router_add(rt, MSG_WRITE_REQ, SVC_WRITE, serve_write, r, "replica", err, n) ||
        router_add(rt, MSG_READ_REQ, SVC_READ, serve_read, r, "replica", err, n))
        return -1;
    return 0;
}

/* ---- the replica module ---- */

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    (void)mcfg;
    (void)res;
    replica *r = mem_calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    *state = r;
    return replica_init(r, &w->nodes, &w->net, &w->s, &w->rt, err, n) ? -EINVAL : 0;
}

static void destroy(void *state) { mem_free(state); }

const module replica_module = {
    .name = "replica",
    .create = create,
    .destroy = destroy,
};
