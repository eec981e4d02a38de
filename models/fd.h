/* fd: failure detection, what one node believes about another's liveness (docs/design.md
 * section 1b, "Membership and liveness"). Mechanisms act on beliefs, the oracle on the
 * truth: the coordinator of a sloppy quorum asks whether it believes an owner is up, a hint
 * holder whether the owner came back. The interface is one question, "does A believe B is
 * up, and since when"; implementations differ in how beliefs form. One implementation
 * now: perfect knowledge after a delay, where every node learns of a crash or a recovery
 * `delay` after it happens (delay 0: at once). */
#ifndef QSIM_FD_H
#define QSIM_FD_H
#include <stdint.h>
#include "models/node.h"
#include "sim/sim.h"

typedef struct fd {
    /* 1 if observer believes node is up, 0 if it suspects it; *since (may be NULL) gets the
     * time (ns) that belief began. observer is an endpoint (EP_CLIENT or a node). */
    int (*up)(const void *self, int observer, int nd, int64_t *since);
    const void *self;
    const char *kind;
} fd_iface;

static inline int fd_up(const fd_iface *d, int observer, int nd, int64_t *since)
{
    return d->up(d->self, observer, nd, since);
}

/* ---- perfect knowledge after a delay ---- */

typedef struct fd_belief {
    uint8_t up;
    int64_t since; /* ns */
} fd_belief;

typedef struct fd_perfect {
    sim *s;
    int64_t delay;       /* ns */
    fd_belief *b;        /* [1..nodes]: what everyone believes */
    int nodes;
    sim_lane lane;       /* pending belief changes: one fixed delay, so in time order */
    struct fd_change *pending; /* changes scheduled and not yet applied, for fd_perfect_fini */
} fd_perfect;

/* Starts with every node believed up since 0, and listens to ns for crashes and
 * recoveries. 0, or -1 when out of memory or a table is full. */
int fd_perfect_init(fd_perfect *p, sim *s, node_set *ns, int64_t delay);
void fd_perfect_fini(fd_perfect *p);
fd_iface fd_perfect_iface(const fd_perfect *p);
#endif
