/* replica: what a replica does with a request (docs/design.md section 3). It owns the
 * write_request and read_request kinds: a write is offered to the node's store (last
 * write wins) and acknowledged with the version written; a read is answered with the
 * version the store holds (none: v0). Both wait for a server in the node's queue (write
 * and read service classes). The reply goes back over the network to the coordinator. */
#ifndef QSIM_REPLICA_H
#define QSIM_REPLICA_H
#include "models/net.h"
#include "models/node.h"
#include "models/route.h"

typedef struct replica {
    node_set *ns;
    net *net;
    sim *s;
} replica;

/* Registers the request kinds with rt. 0, or -1 with err. */
int replica_init(replica *r, node_set *ns, net *nt, sim *s, router *rt, char *err, size_t n);
/* Serves a write-like request m at node m->dst for any module: offers m->ver to the store
 * on behalf of src, turns m into its acknowledgement of kind ack and sends it back. */
void replica_apply_and_ack(const replica *r, msg *m, apply_source src, msg_kind ack);
/* Turns a request m into its reply of kind kind and sends it back to m->src. */
void replica_reply(const replica *r, msg *m, msg_kind kind);
#endif
