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
#endif
