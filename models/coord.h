/* coord: the quorum coordinator (docs/design.md sections 1b and 3). It knows quorums and
 * nothing else: it drives each operation's life cycle (op.h), sends its requests, counts
 * replies toward R or W, and tells the observers. A write gets a version, goes to all N
 * owners and succeeds at W acks; a read goes to all N owners (read_fanout = all, Dynamo) or
 * to R of them (read_fanout = r, Cassandra: the script's `prefer` nodes first, else R
 * owners drawn at random) and returns the newest version among the first R counted
 * replies. An operation not answered at the client by start + timeout fails as
 * unavailable. The coordinator runs at the client, at a random node, or at the key's first
 * owner; a node coordinator that crashes forgets its operations (their replies are
 * dropped and the deadline fails them).
 *
 * Mechanisms attach through hooks, never through code here: observers on the life cycle,
 * a fan-out policy that chooses the first requests, timer slots and a per-operation area,
 * and coord_send for requests of their own (hedges, repairs, fallbacks). Owns [quorum],
 * the write_ack, read_response, client_request and client_response kinds. */
#ifndef QSIM_COORD_H
#define QSIM_COORD_H
#include <stdint.h>
#include "models/msg.h"
#include "models/net.h"
#include "models/node.h"
#include "models/op.h"
#include "models/ring.h"
#include "models/route.h"
#include "models/version.h"
#include "sim/cfg.h"
#include "sim/rng.h"
#include "sim/sim.h"

/* Symbolic consistency levels, resolved against N (QUORUM = N/2 + 1); the datacenter
 * levels QL_LOCAL_ONE..QL_EACH_QUORUM are resolved and counted by a quorum rule
 * (coord_set_rule; the datacenters module, models/dc.h). QL_ANY (writes only, Cassandra's
 * ANY) waits for one acknowledgement of any kind, a stored hint's included, and promises
 * no replica: an operation at ANY has need 1 and lvl 0 (W = 0 in R + W > N); who keeps
 * the hint is the fan-out's business (models/sloppy.h). */
#define QL_QUORUM (-1)
#define QL_ALL (-2)
#define QL_LOCAL_ONE (-3)
#define QL_LOCAL_QUORUM (-4)
#define QL_EACH_QUORUM (-5)
#define QL_ANY (-6)

/* A datacenter level, resolved by the quorum rule. */
static inline int coord_level_is_dc(int64_t level) { return level <= QL_LOCAL_ONE && level >= QL_EACH_QUORUM; }

typedef enum read_fanout { FANOUT_ALL, FANOUT_R } read_fanout;

typedef struct quorum_cfg {
    int64_t r, w;       /* 1..N after resolution by the scenario */
    int64_t timeout;    /* ns */
    int read_fanout;    /* read_fanout */
} quorum_cfg;

extern const cfg_table quorum_table;
/* Parses "2", "ONE", "QUORUM", "ALL", "LOCAL_QUORUM", ... into an int64_t (QL_* for
 * symbolic levels). */
int coord_parse_level(const char *text, void *dst, char *err, size_t n);
/* A level (a number, QUORUM or ALL) as a count of replicas out of n; a datacenter level
 * counts as n here (only a quorum rule resolves it); ANY as 0 (the replicas it promises). */
int coord_level(int64_t level, int n);
/* A level as written: "2", "QUORUM", "LOCAL_QUORUM", "ANY" (for QL_ANY, and for an
 * operation's lvl 0); buf holds at least 16 bytes. */
const char *coord_level_name(int64_t level, char *buf);

/* What the coordinator counted, for the report. */
typedef struct coord_res {
    uint64_t issued;       /* operations started, warm-up included */
    uint64_t requests[OP_NCAUSES]; /* requests sent, by cause */
    uint64_t late_replies; /* replies and client messages that came after their quorum or their operation */
    uint64_t peak_ops;     /* most operations alive at once (answered and lingering included) */
} coord_res;

typedef void (*coord_timer_fn)(void *ctx, op *o);
/* An operation's deadline passed before its quorum: return a level (> 0) to try again at,
 * with a new deadline, or 0 to let it fail. */
typedef int (*coord_expiry_fn)(void *ctx, op *o);
/* A replica-selection policy's score of node for a read of o: lower is asked first. */
typedef double (*coord_rank_fn)(void *ctx, const op *o, int nd);
/* A fan-out policy: sends the operation's first requests with coord_send. */
typedef void (*coord_fanout_fn)(void *ctx, op *o);
/* A coordinator-placement policy (coordinator = any or owner): the node, 1..nodes, that
 * coordinates o. */
typedef int (*coord_place_fn)(void *ctx, const op *o);

/* A quorum rule: resolves and counts the datacenter levels (per datacenter), for the
 * module that installs it. An operation at such a level is ruled (o->lvl < 0): a request
 * counts toward its quorum only if the rule accepts its node, its read targets are the
 * rule's choice, and the rule's test replaces ncounted == need. Every function is
 * required. */
typedef struct coord_rule {
    void *ctx;
    /* The replies o waits for at level (a datacenter level), in all: o->need. Called when
     * o is submitted (o->dc set). 0: o cannot reach it (it then fails at its deadline). */
    int (*need)(void *ctx, const op *o, int64_t level);
    /* Can a reply from node nd count toward ruled o's quorum? */
    int (*counts)(void *ctx, const op *o, int nd);
    /* A counted reply (row) arrived before ruled o's quorum (o->ncounted includes it):
     * nonzero when o has its quorum now. */
    int (*reached)(void *ctx, op *o, int row);
    /* The nodes ruled read o asks among n candidates in preference order (coord_pick_reads),
     * into out; returns how many. */
    int (*pick)(void *ctx, op *o, const uint16_t *cand, int n, uint16_t *out);
    /* Does every read set of a read at level rlvl (o->lvl) from datacenter rdc meet every
     * write set of a write acknowledged at wlvl from wdc? rdc < 0: a read from any
     * datacenter with clients. Asked only when a level is below 0. */
    int (*overlap)(void *ctx, int rlvl, int rdc, int wlvl, int wdc);
} coord_rule;

typedef struct coord_hook {
    void *ctx;
    void *fn;
} coord_hook;

enum { CH_SUBMIT, CH_BEGIN, CH_SEND, CH_REPLY, CH_QUORUM, CH_RESPOND, CH_ANSWER, CH_RETIRE, CH_N };
#define COORD_MAX_OBSERVERS 16

typedef struct coord {
    sim *s;
    msg_pool *pool;
    net *net;
    const ring *ring;
    const node_set *nodes;
    const quorum_cfg *cfg;
    versions vers;
    int n, nnodes, place; /* N, nodes, coord_place */
    /* operation slots */
    op **byid;          /* every op ever allocated, by id */
    size_t nops, cap;
    op *free;
    size_t live;
    size_t stride;      /* bytes per op: header, targets, order, module areas */
    size_t order_off, ext_off, ext_size;
    int tcap;           /* target-table rows per op */
    int sealed;         /* the first op was allocated: the layout is fixed */
    rng r_place;        /* which node coordinates (coordinator = any) */
    rng r_targets;      /* which R owners a read asks (read_fanout = r) */
    sim_lane deadlines; /* every operation's timeout: one fixed duration */
    sim_lane lingers;
    int64_t linger;     /* ns an answered operation keeps listening; 0 = retire at the answer */
    coord_hook hook[CH_N][COORD_MAX_OBSERVERS];
    int nhook[CH_N];
    coord_hook timer[OP_TIMERS];
    int ntimers;
    coord_fanout_fn fanout;
    void *fanout_ctx;
    const char *fanout_owner;
    coord_rank_fn rank;
    void *rank_ctx;
    const char *rank_owner;
    coord_expiry_fn expiry;
    void *expiry_ctx;
    const char *expiry_owner;
    coord_place_fn place_fn;
    void *place_ctx;
    const char *place_owner;
    coord_rule rule;
    const char *rule_owner;
    coord_res *res;
} coord;

/* Creates the coordinator for a cluster of nnodes nodes (res: where it counts; kept by the
 * caller) and registers its message kinds with rt. ns is read only during the run. 0,
 * -EINVAL with err when a kind is registered already, or -ENOMEM. */
int coord_init(coord *c, sim *s, msg_pool *pool, net *nt, const ring *rg, const node_set *ns, router *rt,
               const quorum_cfg *qc, int place, int nnodes, uint32_t nkeys, uint64_t seed, coord_res *res,
               char *err, size_t n);
void coord_fini(coord *c);
/* The submit interface for workloads. */
op_submitter coord_submitter(coord *c);
/* Starts a client operation now (its intended start). Returns the op, or NULL when out of
 * memory (the run is marked failed). */
op *coord_submit(coord *c, const op_request *rq);

/* ---- hooks, set while the world is assembled (before the first operation) ---- */

/* Adds an observer (copied); observers run in the order they were added. 0 or -1 (too many). */
int coord_observe(coord *c, const op_observer *ob);
/* Replaces the default fan-out (owners, or R of them for read_fanout = r). A second policy
 * is an error: -1 with err naming both owners. */
int coord_set_fanout(coord *c, coord_fanout_fn fn, void *ctx, const char *owner, char *err, size_t n);
/* Replaces the random choice of R owners (read_fanout = r, no prefer) by the R with the
 * lowest scores (ties in candidate order). A second policy is an error: -1 with err. */
int coord_set_read_rank(coord *c, coord_rank_fn fn, void *ctx, const char *owner, char *err, size_t n);
/* A retry policy: asked when an operation's deadline passes before its quorum. Given a
 * level L, the operation needs L counted replies from then on, and a new deadline, start of
 * the retry + timeout, is set: with enough replies already it responds at once (an answer
 * lost on its way to the client fails it at that deadline); else the requests that have not
 * replied are sent again (cause retry). The client sees one operation, its latency
 * from its first start. A second policy is an error: -1 with err. */
int coord_set_expiry(coord *c, coord_expiry_fn fn, void *ctx, const char *owner, char *err, size_t n);
/* Replaces the coordinator placement for coordinator = any|owner. A second policy is an
 * error: -1 with err. */
int coord_set_place(coord *c, coord_place_fn fn, void *ctx, const char *owner, char *err, size_t n);
/* Installs the quorum rule for the datacenter levels (copied). A second rule is an error:
 * -1 with err. */
int coord_set_rule(coord *c, const coord_rule *r, const char *owner, char *err, size_t n);
/* Claims a timer slot for fn; returns the slot, or -1 when none is left. */
int coord_timer_claim(coord *c, coord_timer_fn fn, void *ctx);
/* Reserves size bytes (8-aligned) in every operation; returns the offset for op_ext. */
size_t coord_ext(coord *c, size_t size);
/* Room for extra requests per operation beyond N (hedges, repairs, fallbacks). */
void coord_reserve_targets(coord *c, int extra);
/* Keeps answered operations listening for late replies for up to ns (the largest asked for wins). */
void coord_keep_listening(coord *c, int64_t ns);

/* ---- calls for mechanisms, during the run ---- */

/* Sends a request for o to node dst: a new row of its target table (cause; counts: its reply
 * counts toward R or W before the quorum). ver NULL: the operation's version. pl may be
 * NULL. Returns the row, or -1 when the table is full or out of memory. */
int coord_send(coord *c, op *o, int dst, msg_kind kind, op_cause cause, int counts, const version *ver,
               const msg_payload *pl);
/* The route handler for replies to an operation's requests (ctx: the coordinator): a
 * module that sends requests of its own kind registers its reply kind with it, so the
 * reply reaches the operation's target table and the observers like any other. */
void coord_reply_route(void *ctx, msg *m);
/* The live operation a message refers to, or NULL when it has been retired. */
op *coord_find(const coord *c, uint32_t id, uint32_t gen);
/* An observer that held the answer releases it; the last release lets the coordinator respond. */
void coord_release(coord *c, op *o);
/* Arms (at: absolute ns) or cancels a claimed timer slot of o. Armed timers end at retirement. */
int coord_timer_set(coord *c, op *o, int slot, int64_t at);
void coord_timer_cancel(coord *c, op *o, int slot);
/* The default fan-out: owners for writes; all owners or R of them for reads. */
void coord_fanout_default(void *ctx, op *o);
/* The nodes a read asks among n candidates (in preference order): all of them
 * (read_fanout = all), or R of them (read_fanout = r: the operation's prefer nodes first,
 * then the rest in order when prefer was given, else the best ranked by a read-rank policy,
 * else drawn at random); for a ruled operation, the quorum rule's choice. Returns how many. */
int coord_pick_reads(coord *c, op *o, const uint16_t *cand, int n, uint16_t *out);
/* The same choice of want among n candidates, the operation's prefer nodes among them first:
 * for a quorum rule that picks per group of candidates. */
int coord_choose_reads(coord *c, op *o, const uint16_t *cand, int n, int want, uint16_t *out);
/* Can a reply from node nd count toward o's quorum (always, unless o is ruled)? */
int coord_may_count(const coord *c, const op *o, int nd);
/* Does every read set at level rlvl (an operation's lvl) from datacenter rdc meet every
 * write set at wlvl from wdc? R + W > N for counts; the quorum rule's answer otherwise. */
int coord_overlap(const coord *c, int rlvl, int rdc, int wlvl, int wdc);
#endif
