/* op: a client operation's life cycle, the interface every mechanism attaches to
 * (docs/design.md section 1b, "Operation life cycle"). An operation moves
 *
 *   submitted -> fanout -> held -> responded -> answered -> retired
 *
 * submitted: the client issued it at its intended start; with a coordinator on a node its
 * request is on the way there. fanout: the coordinator sent its requests and waits for R
 * (reads) or W (writes) counted replies. held: the quorum is reached and an observer holds
 * the answer (blocking read repair); without a hold the operation passes straight on.
 * responded: the coordinator returned success (a write is acknowledged at this instant);
 * with a coordinator on a node the answer is on the way to the client. answered: the
 * client has its answer, success or failure (the deadline passed first). The operation
 * keeps listening after the answer while requests it sent are unanswered and a linger
 * deadline has not passed, so late replies still reach observers; then it is retired and
 * its slot reused.
 *
 * Every request an operation sends is a row of its target table (node, cause, send time,
 * reply time, version), in send order; `order` lists the rows in the order their replies
 * arrived. Observers hear each step in registration order, so output stays
 * deterministic. */
#ifndef QSIM_OP_H
#define QSIM_OP_H
#include <stdint.h>
#include "models/ring.h"
#include "models/version.h"
#include "sim/sim.h"

typedef enum op_kind { OP_READ, OP_WRITE } op_kind;

#define OP_STATES(X)                                                                                   \
    X(OP_SUBMITTED, submitted) X(OP_FANOUT, fanout) X(OP_HELD, held) X(OP_RESPONDED, responded)        \
    X(OP_ANSWERED, answered) X(OP_RETIRED, retired)
typedef enum op_state {
#define X(e, n) e,
    OP_STATES(X)
#undef X
} op_state;
extern const char *const op_state_name[];

/* Why a request was sent. */
#define OP_CAUSES(X)                                                                                    \
    X(CAUSE_FIRST, first) X(CAUSE_HEDGE, hedge) X(CAUSE_REPAIR, repair) X(CAUSE_FALLBACK, fallback)      \
    X(CAUSE_RETRY, retry)
typedef enum op_cause {
#define X(e, n) e,
    OP_CAUSES(X)
#undef X
    OP_NCAUSES
} op_cause;
extern const char *const op_cause_name[OP_NCAUSES];

/* How the oracle judged a successful read. */
#define READ_CLASSES(X) X(RC_NONE, none) X(RC_FRESH, fresh) X(RC_STALE, stale) X(RC_LOST, lost)
typedef enum read_class {
#define X(e, n) e,
    READ_CLASSES(X)
#undef X
} read_class;
extern const char *const read_class_name[];

/* One request the operation sent. */
typedef struct op_target {
    int64_t sent;    /* ns */
    int64_t replied; /* ns; -1 while unanswered */
    version ver;     /* the version sent (writes, repairs), then the version the reply carried */
    uint16_t node;
    uint8_t cause;   /* op_cause */
    uint8_t kind;    /* msg_kind of the request */
    uint8_t counts;  /* its reply counts toward R or W */
} op_target;

/* The oracle's judgement of a read, for every observer that reports it. */
typedef struct op_verdict {
    uint8_t cls;        /* read_class, set when the coordinator responds */
    uint8_t has_latest; /* some write of the key was acknowledged before the read started */
    uint8_t promised;   /* stale or lost although R + W > N (this read's R, latest(r)'s W) */
    uint8_t via_fallback; /* stale or lost, and latest(r) was acknowledged by sloppy-quorum fallbacks */
    uint32_t k;         /* acknowledged versions behind (STALE_KMAX: that many or more) */
    version latest;     /* latest(r) */
    int64_t latest_ack; /* ns: when latest(r) was acknowledged */
} op_verdict;

/* Timer slots: the deadline and the linger are the coordinator's; the rest are claimed by
 * modules (coord_timer_claim). */
#define OP_TIMERS 4
enum { OP_TIMER_DEADLINE, OP_TIMER_LINGER, OP_TIMER_MODULE };

struct coord;

typedef struct op {
    sim_event timer[OP_TIMERS];
    struct coord *c;
    struct op *next_free;
    uint32_t id, gen;
    uint8_t kind;      /* op_kind */
    uint8_t state;     /* op_state */
    uint8_t ok;        /* answered: 1 success, 0 failed */
    uint8_t holds;     /* observers holding the answer */
    uint8_t responded; /* the coordinator returned success (a write: it was acknowledged) */
    uint8_t retries;   /* times its deadline passed and it was given another try (coord_set_expiry) */
    uint8_t need;      /* R or W of this operation */
    uint8_t ntargets;  /* rows in t */
    uint8_t nreplied;  /* rows that replied (order[0..nreplied)) */
    uint8_t ncounted;  /* replies counted toward need before the quorum */
    uint8_t nprefer;
    int8_t lvl;        /* its level now: > 0 a count (= need); < 0 a quorum rule's level (coord_set_rule) */
    uint8_t dc;        /* the datacenter of the client that issued it (0 without datacenters) */
    int16_t coord;     /* coordinator endpoint */
    uint32_t coord_epoch;
    uint32_t key, client;
    int32_t script;    /* index of the script entry, or -1 */
    uint64_t index;    /* issue order */
    int64_t start;     /* ns, intended start */
    int64_t answered;  /* ns, when the client got its answer */
    version ver;       /* write: its version; read: newest among the counted replies */
    op_verdict v;
    uint16_t prefer[RING_MAX_REPLICAS];
    uint8_t *order;    /* rows in reply order (capacity: the coordinator's target capacity) */
    void *ext;         /* module areas (coord_ext) */
    op_target t[];     /* the target table */
} op;

/* The i-th reply counted toward the quorum (i < ncounted), in arrival order. */
static inline const op_target *op_counted(const op *o, int i)
{
    for (int j = 0, seen = 0; j < o->nreplied; j++) {
        const op_target *t = &o->t[o->order[j]];
        if (t->counts && seen++ == i)
            return t;
    }
    return NULL;
}

/* A module's per-operation area, at the offset coord_ext returned. */
static inline void *op_ext(const op *o, size_t off) { return (char *)o->ext + off; }

/* What a workload asks for. */
typedef struct op_request {
    uint8_t kind;            /* op_kind */
    uint32_t key, client;
    int32_t script;          /* script entry or -1 */
    const uint16_t *prefer;  /* owners to read from first (may be NULL) */
    int nprefer;
    int64_t level;           /* R or W as a number or QL_*; 0 = the scenario's */
    uint8_t dc;              /* the client's datacenter (0 without datacenters) */
} op_request;

/* How a workload submits without knowing the coordinator. */
typedef struct op_submitter {
    op *(*submit)(void *ctx, const op_request *rq); /* NULL when out of memory */
    void *ctx;
} op_submitter;

/* Life-cycle observers. Any hook may be NULL. */
typedef struct op_observer {
    const char *name;
    void *ctx;
    void (*submit)(void *ctx, op *o);        /* the client issued it (now = its intended start) */
    void (*begin)(void *ctx, op *o);         /* the coordinator begins the fan-out (a write has its version) */
    void (*send)(void *ctx, op *o, int row); /* a request left (row of the target table) */
    /* A reply arrived; o->state > OP_FANOUT means after the quorum, >= OP_ANSWERED after
     * the answer (a late reply). */
    void (*reply)(void *ctx, op *o, int row);
    /* The quorum is reached; return nonzero to hold the answer until coord_release. */
    int (*quorum)(void *ctx, op *o);
    void (*respond)(void *ctx, op *o);       /* the coordinator returns success */
    void (*answer)(void *ctx, op *o);        /* the client has its answer (o->ok) */
    void (*retire)(void *ctx, op *o);        /* the operation ends; no hook sees it again */
} op_observer;
#endif
