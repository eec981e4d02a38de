/* stats: what one run measured (DESIGN.md section 4). Filled by the coordinator and the
 * oracle from what happened in the simulation; read by the report writers. A plain value:
 * constant size whatever the number of operations (histograms, counters), plus the
 * per-operation outcomes of a scripted story (bounded by the script). */
#ifndef QSIM_STATS_H
#define QSIM_STATS_H
#include <stddef.h>
#include <stdint.h>
#include "models/msg.h"
#include "sim/hist.h"

/* k-staleness is counted exactly up to STALE_KMAX - 1; the last bucket is ">= STALE_KMAX". */
#define STALE_KMAX 8

/* t-visibility bands: reads by t = start - ack time of latest(r), ns; band i is
 * [vis_band_edge[i], vis_band_edge[i+1]), the last band is open. */
#define VIS_NBANDS 17
extern const int64_t vis_band_edge[VIS_NBANDS];

typedef enum op_kind { OP_READ, OP_WRITE } op_kind;
typedef enum op_outcome { OUT_OK, OUT_FAILED } op_outcome;

#define READ_CLASSES(X) X(RC_NONE, none) X(RC_FRESH, fresh) X(RC_STALE, stale) X(RC_LOST, lost)
typedef enum read_class {
#define X(e, n) e,
    READ_CLASSES(X)
#undef X
} read_class;
extern const char *const read_class_name[];

/* The outcome of one scripted operation (story scenarios). */
typedef struct script_result {
    char name[64];    /* the script entry's name (truncated to 63 bytes) */
    uint8_t kind;     /* op_kind */
    uint8_t ok;       /* quorum reached and answered in time */
    uint8_t cls;      /* read_class for reads */
    uint32_t key;
    int64_t start, end; /* ns; end = completion or timeout */
    uint32_t version;   /* write: the version it wrote; read: the version returned (0 = none) */
    uint32_t latest;    /* read: latest(r), the newest version acknowledged before start */
    uint32_t k;         /* read: acknowledged versions behind */
} script_result;

typedef struct run_stats {
    uint64_t issued;        /* operations started, warm-up included */
    uint64_t measured[2];   /* per op_kind, after warm-up */
    uint64_t ok[2], unavailable[2];
    uint64_t fresh, stale, lost_reads;     /* successful measured reads */
    uint64_t stale_k[STALE_KMAX + 1];      /* [k] for k = 1..STALE_KMAX (last: >=) */
    uint64_t acked_writes, failed_writes;  /* all writes, warm-up included */
    uint64_t lost_writes;                  /* acknowledged, and held by no replica at the end */
    int lost_writes_capped;                /* 1: some key lost more than the oracle tracks */
    hist lat[2][2];                        /* [op_kind][op_outcome], ns from intended start */
    hist vis_all, vis_stale;               /* t = start - ack time of latest(r), ns */
    uint64_t vis_reads[VIS_NBANDS], vis_fresh[VIS_NBANDS]; /* exact counts per band */
    uint64_t msgs_sent[MSG_NKINDS];
    uint64_t msgs_lost, msgs_cut, msgs_to_down, late_replies;
    uint64_t events;
    int64_t end_time;       /* ns: simulated time when the run ended */
    size_t peak_ops, peak_msgs;
    uint64_t trace_lines;
    int trace_truncated;
    script_result *script;  /* nscript entries (script workloads), owned */
    size_t nscript;
} run_stats;

void stats_init(run_stats *s);
/* Band of t (ns, >= 0). */
int stats_vis_band(int64_t t);
void stats_fini(run_stats *s); /* frees script results */
#endif
