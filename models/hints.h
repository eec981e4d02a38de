/* hints: hinted handoff (docs/design.md section 3b). Under a sloppy quorum (sloppy.h) a
 * write meant for an owner the coordinator believes down goes to the next node on the ring
 * walk, which keeps it as a hint naming the owner, in a hint store apart from its replica
 * store (Dynamo's separate hint database, Cassandra's hints). The store is bounded:
 * `max_hints` per node, and a hint window: a fallback that has believed the owner down for
 * longer than `window` takes no new hint for it (Cassandra's max_hint_window). A fallback
 * that does not keep the hint does not acknowledge it. `readable = on` lets a fallback
 * answer reads from its hints as well (Riak's fallback vnodes); off (the default) it
 * answers from its replica store only.
 *
 * Handoff: every `dispatch_interval` a holder with hints checks, by its own failure
 * detector view, which owners it believes up, and replays their hints one at a time at
 * `replay_rate`; the owner applies a hint like any write (its trace line says "by":
 * "handoff"), and the holder deletes the hint when the owner acknowledges it (unless a newer
 * hint for the key replaced it meanwhile). A replay that is not acknowledged within
 * `dispatch_interval` is sent again. A holder that crashes with volatile storage loses its
 * hints; durable, it keeps them and resumes after recovery. Hints are holders for the
 * oracle: a write alive only as a hint is not lost.
 *
 * Who keeps a hint is the fan-out's choice (sloppy.h): a sloppy quorum's fallback; the
 * coordinator itself for an owner it believes down that no fallback stands in for, at ANY
 * or with `coordinator = on` (Cassandra's hinted handoff, where the coordinator writes the
 * hints; they count toward W only at ANY). Without any of these the [hints] keys have
 * nothing to act on (a scenario may keep them while a sweep turns quorum.sloppy off).
 *
 * Owns [hints] and the hint_write, hint_ack, handoff and handoff_ack kinds. */
#ifndef QSIM_HINTS_H
#define QSIM_HINTS_H
#include <stdint.h>
#include "models/coord.h"
#include "models/fd.h"
#include "models/holders.h"
#include "models/node.h"
#include "models/replica.h"
#include "models/ring.h"
#include "sim/cfg.h"
#include "sim/hist.h"
#include "sim/map.h"
#include "sim/trace.h"

typedef struct hints_cfg {
    int64_t max_hints;         /* per node */
    int64_t window;            /* ns */
    int readable;              /* 0 off, 1 on */
    double replay_rate;        /* hints per second per holder */
    int64_t dispatch_interval; /* ns */
    int coordinator;           /* 0 off, 1 on: the coordinator keeps hints for owners believed down */
} hints_cfg;

extern const cfg_table hints_table;

typedef struct hints_res {
    uint64_t stored;            /* hints kept (a newer hint for the same owner and key replaces one) */
    uint64_t delivered;         /* acknowledged by their owner and deleted */
    uint64_t dropped_window;    /* refused: the owner was believed down for longer than the window */
    uint64_t dropped_capacity;  /* refused: the holder's store was full */
    uint64_t dropped_crash;     /* lost with a holder that crashed with volatile storage */
    uint64_t replays;           /* handoff messages sent (resends included) */
    uint64_t pending;           /* hints still held at the end */
    hist delivery;              /* ns from the write's start to the owner's acknowledgement */
} hints_res;

/* One hint: the newest version a holder keeps of key for owner. */
typedef struct hint {
    uint32_t key;
    uint16_t owner;
    uint8_t inflight;  /* a replay was sent at `sent` */
    uint8_t live;
    version v;
    int64_t sent;      /* ns */
    uint32_t prev, next; /* the owner's FIFO at this holder (index + 1; 0 = none) */
} hint;

struct hints;

/* A holder's hint store. */
typedef struct hint_store {
    struct hints *hs;
    int id;            /* the holder */
    hint *h;           /* slots; free ones chained through next */
    uint32_t cap, n, free;
    map idx;           /* (owner << 32 | key) -> slot + 1 */
    uint32_t *head, *tail; /* per owner [1..nodes]: FIFO of its hints */
    int rr;            /* the owner the replay looks at next */
    sim_event tick;
} hint_store;

typedef struct hints {
    const hints_cfg *cfg;
    sim *s;
    msg_pool *pool;
    net *net;
    node_set *ns;
    const ring *rg;
    const fd_iface *fd;
    tracer *tr;
    replica rep;
    hint_store *st;    /* [1..nodes] */
    int nodes;
    int64_t gap;       /* ns between two replays of a holder */
    hints_res *res;
} hints;

/* Registers the kinds with rt and the module with ns (crashes, recoveries), hs (holder
 * source) and, readable, ns's read sources. 0, -EINVAL with err, or -ENOMEM. */
int hints_init(hints *h, const hints_cfg *c, sim *s, msg_pool *pool, net *nt, node_set *ns, const ring *rg,
               const fd_iface *fd, tracer *tr, router *rt, holders *hs, coord *co, hints_res *res, char *err,
               size_t n);
void hints_fini(hints *h);
#endif
