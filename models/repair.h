/* repair: read repair (docs/design.md section 3b). When a read's replies disagree, the
 * coordinator sends the newest version it saw to the owners that returned older ones, as
 * repair writes: real messages (repair_request, repair_ack) with network latency and
 * replica write service, applied like any write (the trace says "by": "read_repair").
 * `mode = blocking` (Cassandra): at the quorum the counted replies are compared and the
 * read's answer is held until every repair is acknowledged, so its cost shows in read
 * latency and a quorum read never returns a version a later quorum read could miss; a
 * repair that is never acknowledged keeps the answer until the deadline fails the read.
 * `mode = async` (Dynamo, Riak): the answer is not held; the replies so far are compared
 * when the coordinator responds, and the operation keeps listening for up to
 * quorum.timeout so replies after the quorum are compared too, each newer reply repairing
 * the owners seen with older versions. `chance` repairs that fraction of reads (drawn from
 * the module's own random stream, so the rest of the run draws the same numbers). Only
 * owners of the key are repaired: a sloppy quorum's fallback is left to hinted handoff.
 * Owns [read_repair] and the repair_request and repair_ack kinds. */
#ifndef QSIM_REPAIR_H
#define QSIM_REPAIR_H
#include <stdint.h>
#include "models/coord.h"
#include "models/replica.h"
#include "models/ring.h"
#include "sim/cfg.h"
#include "sim/rng.h"

typedef enum repair_mode { RR_OFF, RR_BLOCKING, RR_ASYNC } repair_mode;

typedef struct repair_cfg {
    int mode;      /* repair_mode */
    double chance; /* 0..1 */
} repair_cfg;

extern const cfg_table repair_table;

typedef struct repair_res {
    uint64_t reads;      /* reads that sent at least one repair */
    uint64_t sent;       /* repair writes sent */
    uint64_t acked;      /* repair writes acknowledged */
    uint64_t held;       /* blocking: reads whose answer was held */
    int64_t hold_ns;     /* blocking: total time answers were held */
} repair_res;

typedef struct repair {
    const repair_cfg *cfg;
    coord *c;
    const ring *rg;
    sim *s;
    replica rep;
    rng r;
    size_t ext;
    repair_res *res;
} repair;

/* Registers the kinds with rt and, unless the mode is off, attaches to c (observer,
 * per-operation area, extra requests, listening after the answer). 0, -EINVAL with err, or
 * -ENOMEM. */
int repair_init(repair *rr, const repair_cfg *rcfg, coord *c, const ring *rg, sim *s, node_set *ns, net *nt,
                router *rt, uint64_t seed, int64_t listen, repair_res *res, char *err, size_t n);
#endif
