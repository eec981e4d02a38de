/* explain: why each scripted operation returned what it did, and the write-up of a run's
 * anomalies (docs/design.md section 4, "Explanations"). For a script workload (the stories)
 * it observes the life cycle after the oracle, every crash and every store change, and keeps
 * per [script] entry: a read's read set with the version each member returned, the holders of
 * latest(r) or newer when it responded (replicas, and hint holders with the owner each holds
 * for), who acknowledged latest(r) (owners, and fallbacks with the owner their hint was for),
 * the copies of latest(r) that volatile crashes destroyed, and the cause in one word; a
 * write's acknowledging set, what became of its copies and whether it was lost by the end.
 * Any other workload registers nothing: no work per operation. The write-up is written from
 * results alone (this module's for scripts, the counts every run keeps otherwise): one
 * paragraph per anomaly class seen, naming the guarantee forfeited and its cause.
 *
 * Bounds: at most EXPLAIN_LIST nodes per list (read set, holders, acknowledgers, lost copies,
 * a write's copies); a list that had more says how many it left out. */
#ifndef QSIM_EXPLAIN_H
#define QSIM_EXPLAIN_H
#include <stddef.h>
#include <stdint.h>
#include "models/coord.h"
#include "models/holders.h"
#include "models/metric.h"
#include "models/node.h"
#include "models/ring.h"
#include "models/wl.h"
#include "sim/map.h"

#define EXPLAIN_LIST 16

/* One node in a list: a read-set member and the version it returned, a holder and the
 * version it held, an acknowledger, a copy and when it was lost. */
typedef struct why_node {
    int64_t at;     /* ns: when the copy was lost (lost copies, a write's copies; -1: still there) */
    uint32_t v;     /* version returned or held */
    uint16_t node;
    uint16_t owner;   /* the owner a hint is held for (hint holders, fallbacks); 0: its own replica */
    uint8_t fallback; /* 1 a sloppy-quorum fallback, not an owner of the key (read sets, acknowledgers);
                         2 the coordinator, keeping a hint itself (a write at ANY) */
} why_node;

typedef struct why_list {
    why_node e[EXPLAIN_LIST];
    uint16_t n;    /* entries kept */
    uint16_t more; /* entries left out */
} why_list;

/* Why a read returned an older version than latest(r). */
#define WHY_CAUSES(X)                                                                                    \
    X(WHY_NONE, none)                  /* fresh, a write, a failed operation */                          \
    X(WHY_NO_OVERLAP, no_overlap)      /* R + W <= N and the read set missed the write set */            \
    X(WHY_FALLBACK, fallback)          /* fallbacks acknowledged the write outside the read set */       \
    X(WHY_FALLBACK_READ, fallback_read) /* the read set held fallbacks, outside the write set */         \
    X(WHY_VOLATILE, volatile_crash)    /* the sets met where a volatile crash had destroyed the copy */  \
    X(WHY_COPIES_LOST, copies_lost)    /* no copy left anywhere: volatile crashes destroyed them */      \
    X(WHY_UNKNOWN, unexplained)        /* none of the above: the facts alone are given */
typedef enum why_cause {
#define X(e, n) e,
    WHY_CAUSES(X)
#undef X
} why_cause;
extern const char *const why_cause_name[];

/* What one [script] entry did, and why. */
typedef struct explain_op {
    uint8_t seen;       /* answered */
    uint8_t measured;   /* after run.warmup: counted by the statistics */
    uint8_t kind, ok, cls; /* op_kind; success; read_class */
    uint8_t cause;      /* why_cause (stale and lost reads) */
    uint8_t promised;   /* stale or lost although its R + latest(r)'s W > N (the oracle's verdict) */
    uint8_t via_fallback; /* stale or lost, and fallbacks acknowledged latest(r) */
    uint8_t downgraded; /* answered at a lower level than it asked for (retry.downgrade) */
    uint8_t need, asked; /* R or W it was answered at, and what its level asked for (replies) */
    int8_t lvl;         /* the level it was answered at: a count, or a datacenter level (op.lvl) */
    uint8_t dc;         /* its client's datacenter */
    int8_t latest_lvl;  /* read: the level latest(r)'s write was acknowledged at */
    uint8_t latest_dc;  /* read: that write's client datacenter */
    uint8_t counted;    /* replies or acknowledgements counted when answered */
    uint8_t latest_w, latest_w_asked; /* read: latest(r)'s W, and what its write asked for (0: unknown) */
    uint8_t responded;  /* the coordinator returned success (a write: acknowledged) */
    uint8_t lost_at_end; /* write: acknowledged, and no holder had it or newer at the end */
    uint16_t copies;    /* nodes that ever held the write's version (read: latest(r)'s), hints included */
    uint32_t key, version, latest; /* version written or returned; latest(r) */
    int32_t latest_write; /* read: the script entry that wrote latest(r), -1 if none */
    why_list read_set;    /* read: the counted replies, in arrival order */
    why_list holders;     /* stale or lost read: holders of latest(r) or newer at the response */
    why_list acked;       /* write: its acknowledgers; read: latest(r)'s */
    why_list lost;        /* write: its copies lost in volatile crashes (by the end); read: before the response */
} explain_op;

typedef struct explain_res {
    explain_op *op; /* one per [script] entry, in file order (scripts only); owned */
    size_t n;
    int replicas;   /* N */
    char dc[RING_MAX_DCS][RING_DC_NAME]; /* datacenter names (datacenter levels' explanations) */
} explain_res;

typedef struct explain {
    const wl_cfg *script_cfg;
    const holders *hs;
    const node_set *ns;
    const sim *s;
    uint64_t warmup;
    int64_t default_level[2]; /* the scenario's R and W (numbers or QL_*) */
    int n;
    map byver;        /* key << 32 | version -> the script entry that wrote it */
    why_list *copies; /* per script entry (writes): nodes that stored its version, at = -1 while held */
    version *wver;    /* per script entry (writes): the version it wrote */
    explain_res *res;
} explain;

/* Starts explaining a script workload: allocates res's records (one per entry of scr) and
 * attaches to c (an observer), ns (crashes and store changes) and hs (holders at a read's
 * response). warmup: operations left out of the statistics. 0 or -ENOMEM. */
int explain_init(explain *x, const wl_cfg *scr, int64_t r, int64_t w, uint64_t warmup, coord *c, node_set *ns,
                 const holders *hs, const sim *s, int replicas, explain_res *res);
void explain_fini(explain *x);
/* End of run: which acknowledged scripted writes no holder has any more. */
void explain_finish(explain *x);

/* The cause of script entry i's anomaly in words ("R + W = 2 <= N = 3: the read set {n3}
 * need not meet the write set {n2}"), empty for a fresh read or a write. Writes at most n
 * bytes to buf; returns buf. */
const char *explain_why(const explain_res *r, const wl_cfg *scr, size_t i, char *buf, size_t n);

/* One paragraph of the write-up: cls names the anomaly class ("stale_without_overlap",
 * "stale_via_fallback", "stale_despite_overlap", "lost_reads", "lost_writes", "downgraded",
 * "unavailable"), title says it in words, guarantee is the guarantee forfeited, text the
 * paragraph. */
typedef void (*writeup_fn)(void *ctx, const char *cls, const char *title, const char *guarantee, const char *text);
/* Calls fn once per anomaly class seen in the run v, in that order; not at all when there
 * was none. Returns the number of paragraphs. */
size_t explain_writeup(const run_view *v, writeup_fn fn, void *ctx);
#endif
