/* fd: failure detection, what one endpoint believes about a node's liveness (docs/design.md
 * section 1b, "Membership and liveness"). Mechanisms act on beliefs, the oracle on the
 * truth: the coordinator of a sloppy quorum asks whether it believes an owner is up, a hint
 * holder whether the owner came back. The interface is one question, "does A believe B is
 * up, and since when", asked of any observer: the client tier (EP_CLIENT) or a node. Owns
 * [failure_detector]; `kind` chooses how beliefs form:
 *
 * perfect  Every observer, the client tier included, shares one belief per node and learns
 *          of a crash or a recovery `delay` after it happens (delay 0: at once, the default,
 *          which is what the simulator did before the other kinds existed).
 * gossip   Each node keeps its own heartbeat table and sends it to `fanout` peers it
 *          believes up every `interval`; it suspects a peer whose heartbeat has not grown
 *          for `suspect_after`, or whose phi (phi accrual) passes `phi`. The client tier
 *          pulls tables from `fanout` nodes every interval and judges the same way. See
 *          models/gossip.h for the model, the phi formula and what a round is.
 * timeout  Every endpoint that coordinates operations forms its own view from them: an
 *          owner that left its last `misses` requests unanswered when their operations
 *          retired is believed down for `down_for`, then up again. With coordinator =
 *          client that endpoint is the client tier; the nodes, which then coordinate
 *          nothing, believe every node up all along (and with coordinator = any | owner it
 *          is the other way round).
 *
 * Decisions where the task left room (so a user knows what to expect):
 * - At time 0 every observer believes every node up since 0, as if the cluster had been
 *   running before the simulation started. A node believes itself up (except under
 *   perfect, whose one shared table also answers for the crashed node itself).
 * - A crashed observer's beliefs are frozen (gossip) or keep their course (perfect,
 *   timeout); nobody acts on them. A node that recovers starts afresh under gossip and
 *   timeout: it believes every node up since its recovery, with no evidence counted.
 * - Keys of a kind that is not selected are errors (a key that parses and does nothing
 *   would hide a forgotten `kind = gossip`), except when `kind` itself comes from --set or
 *   --sweep: a sweep across kinds keeps the file's settings for the kinds that use them.
 *   `phi` and `suspect_after` are alternatives: setting both is an error.
 * - The record of beliefs (fd_book) is kept for every kind: suspicions raised, false ones,
 *   and per crash the time until the first live node, every live node, and the client tier
 *   suspect it. "Live" observers are the nodes that are up and the client tier; a crashed
 *   node's beliefs are not counted. Detection is the first instant at or after the crash
 *   when every live node other than the crashed one suspects it, before it recovers.
 * - Listeners (fd_listen) hear every belief change of every observer, for mechanisms that
 *   react to them (hinted handoff replays when the holder sees the owner up) and for tests.
 * - Gossip checks suspicion at the observer's own rounds, so beliefs change at round
 *   instants; it would run forever, so it stops once nothing else has been pending for a
 *   suspicion horizon and every crash is suspected (models/gossip.h), and the run ends.
 * - The timeout detector's "believed up again" is an event at the end of down_for, so a run
 *   lasts until the last such belief returns. */
#ifndef QSIM_FD_H
#define QSIM_FD_H
#include <stdint.h>
#include "models/node.h"
#include "sim/cfg.h"
#include "sim/sim.h"

struct fd_book;
struct coord;

typedef struct fd {
    /* 1 if observer believes node is up, 0 if it suspects it; *since (may be NULL) gets the
     * time (ns) that belief began. observer is an endpoint (EP_CLIENT or a node). */
    int (*up)(const void *self, int observer, int nd, int64_t *since);
    const void *self;
    const char *kind;
    struct fd_book *book; /* where belief changes are counted and listeners told; NULL for a bare detector */
} fd_iface;

static inline int fd_up(const fd_iface *d, int observer, int nd, int64_t *since)
{
    return d->up(d->self, observer, nd, since);
}

typedef struct fd_listener {
    void *ctx;
    /* observer's belief about node nd became up (1) or down (0), now. */
    void (*change)(void *ctx, int observer, int nd, int up);
} fd_listener;

/* Adds a listener (copied); listeners run in the order they were added, at each change.
 * 0, or -1 when d keeps no record (a bare detector) or FD_MAX_LISTENERS are set. */
int fd_listen(const fd_iface *d, const fd_listener *l);

/* ---- what the failure detector counted (its results block) ---- */

/* Times measured from crashes: how many, their sum and their largest (ns). */
typedef struct fd_span {
    uint64_t n;
    int64_t sum, max;
} fd_span;

typedef struct fd_res {
    uint64_t rounds;           /* gossip rounds the nodes ran */
    uint64_t messages;         /* gossip messages sent (pushes, the client tier's pulls, answers) */
    uint64_t suspicions;       /* a live observer began to suspect another node */
    uint64_t false_suspicions; /* ... while that node was up */
    uint64_t crashes;          /* node crashes */
    fd_span all;               /* crash -> every live node suspects it (detected crashes) */
    fd_span first;             /* crash -> the first live node suspects it */
    fd_span client;            /* crash -> the client tier suspects it */
} fd_res;

/* ---- the record of beliefs, kept for every kind ---- */

#define FD_MAX_LISTENERS 8

typedef struct fd_book {
    sim *s;
    const node_set *ns;
    fd_res *res;
    fd_iface d;          /* the detector whose beliefs are recorded */
    int nodes;
    int64_t *crashed;    /* [1..nodes]: when the crash in progress began (ns); -1 while up */
    int32_t *pending;    /* [1..nodes]: live nodes that still believe a crashed node up */
    uint8_t *seen;       /* [1..nodes]: which times of the crash in progress are recorded */
    int open;            /* crashes in progress that not every live node suspects yet */
    int open_client;     /* crashes in progress that the client tier does not suspect yet */
    fd_listener lis[FD_MAX_LISTENERS];
    int nlis;
} fd_book;

/* Allocates the record for ns's nodes (res: where it counts, kept by the caller). 0 or -1
 * when out of memory. */
int fd_book_init(fd_book *b, sim *s, const node_set *ns, fd_res *res);
/* Starts recording d's beliefs and listens to ns for crashes and recoveries; call it after
 * d's own node listener is registered, so d has updated its views when the book looks. 0,
 * or -1 when the listener table is full. */
int fd_book_start(fd_book *b, const fd_iface *d, node_set *ns);
void fd_book_fini(fd_book *b);
/* A detector reports that observer's belief about nd changed to up (1) or down (0), now. */
void fd_book_note(fd_book *b, int observer, int nd, int up);
/* Crashes in progress that some live observer (a node that is up, or the client tier) does
 * not suspect yet. */
static inline int fd_book_open(const fd_book *b) { return b->open + b->open_client; }

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
    fd_book *book;       /* told of every change, for every observer (NULL: nobody) */
} fd_perfect;

/* Starts with every node believed up since 0, and listens to ns for crashes and
 * recoveries. 0, or -1 when out of memory or a table is full. */
int fd_perfect_init(fd_perfect *p, sim *s, node_set *ns, int64_t delay);
void fd_perfect_fini(fd_perfect *p);
fd_iface fd_perfect_iface(const fd_perfect *p);

/* ---- the client coordinator's timeouts ---- */

typedef struct fd_tview {
    sim_event ev;        /* the end of a down period */
    struct fd_timeout *t;
    int64_t since;       /* ns */
    uint32_t misses;     /* unanswered requests in a row */
    uint16_t obs, nd;
    uint8_t up;
} fd_tview;

typedef struct fd_timeout {
    sim *s;
    const node_set *ns;
    fd_book *book;       /* NULL: nobody is told */
    int nodes;
    uint32_t misses;     /* in a row, to believe an owner down */
    int64_t down_for;    /* ns */
    fd_tview *v;         /* [(nodes + 1) * (nodes + 1)]: observer * (nodes + 1) + node */
    uint8_t *down;       /* [1..nodes]: crashed and not recovered */
    sim_lane lane;       /* ends of down periods: one fixed duration */
} fd_timeout;

/* Observes c's operations: at each retirement, the coordinating endpoint counts each
 * request of the operation's target table as answered (replied >= 0: the owner's count
 * of misses restarts) or missed (replied < 0); misses in a row believe the owner down for
 * down_for, during which its requests are not counted. Operations whose node coordinator
 * crashed (and forgot them) count for nothing. Asks c to keep answered operations
 * listening for grace ns (coord_keep_listening), so a reply that comes after the quorum
 * but within grace is not a miss. 0, or -1 when out of memory or a table is full. */
int fd_timeout_init(fd_timeout *t, sim *s, node_set *ns, struct coord *c, uint32_t misses, int64_t down_for,
                    int64_t grace);
void fd_timeout_fini(fd_timeout *t);
fd_iface fd_timeout_iface(const fd_timeout *t);

/* ---- [failure_detector] ---- */

#define FD_KINDS(X) X(FD_PERFECT, perfect) X(FD_GOSSIP, gossip) X(FD_TIMEOUT, timeout)
typedef enum fd_kind {
#define X(e, n) e,
    FD_KINDS(X)
#undef X
} fd_kind;

typedef struct fd_cfg {
    int kind;              /* fd_kind */
    int64_t delay;         /* perfect: ns */
    int64_t interval;      /* gossip: ns between rounds */
    int64_t fanout;        /* gossip: peers per round */
    int64_t suspect_after; /* gossip: ns without a newer heartbeat */
    double phi;            /* gossip: phi-accrual threshold; 0 = use suspect_after */
    int rounds;            /* gossip: 0 staggered, 1 lockstep */
    int64_t misses;        /* timeout: unanswered requests in a row */
    int64_t down_for;      /* timeout: ns */
    int64_t grace;         /* timeout: ns an answered operation keeps listening */
} fd_cfg;

extern const cfg_table fd_table;
#endif
