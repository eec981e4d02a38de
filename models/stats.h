/* stats: the client's view of a run (docs/design.md section 4): for every operation after
 * the warm-up, whether it succeeded, its latency from its intended start, and for reads
 * the oracle's verdict (fresh, stale k behind, lost) and t-visibility. A closed loop with
 * workload.expected_interval also gets response times corrected for coordinated omission. An observer of the
 * operation life cycle that counts what happened at each answer; constant size whatever
 * the number of operations (histograms, counters). */
#ifndef QSIM_STATS_H
#define QSIM_STATS_H
#include <stddef.h>
#include <stdint.h>
#include "models/coord.h"
#include "models/oracle.h"
#include "models/visibility.h"
#include "sim/hist.h"

typedef enum op_outcome { OUT_OK, OUT_FAILED } op_outcome;

typedef struct stats_res {
    uint64_t measured[2];   /* per op_kind, after warm-up */
    uint64_t ok[2], unavailable[2];
    uint64_t fresh, stale, lost_reads;     /* successful measured reads */
    uint64_t promised;                     /* stale or lost reads whose own R + latest(r)'s W > N */
    uint64_t via_fallback;                 /* stale or lost reads whose latest(r) fallbacks acknowledged */
    uint64_t stale_promised;               /* stale (not lost) reads whose own R + latest(r)'s W > N */
    uint64_t stale_promised_fallback;      /* of those, the ones whose latest(r) fallbacks acknowledged */
    uint64_t lost_promised;                /* lost reads whose own R + latest(r)'s W > N */
    uint64_t stale_k[STALE_KMAX + 1];      /* [k] for k = 1..STALE_KMAX (last: >=) */
    hist lat[2][2];                        /* [op_kind][op_outcome], ns from intended start */
    hist lat_corrected[2];                 /* [op_kind], ok or failed, back-filled every
                                              workload.expected_interval (closed loop only) */
    /* successful reads with a latest(r), by bin of t = start - ack time of latest(r)
     * (models/visibility.h), and how many of them were fresh */
    uint64_t vis_reads[VIS_NBINS], vis_fresh[VIS_NBINS];
} stats_res;

typedef struct stats {
    uint64_t warmup; /* operations (by issue order) left out */
    int64_t expected_interval; /* ns; 0: no corrected histograms */
    stats_res *res;
} stats;

void stats_res_init(stats_res *r);
/* Starts counting into res; registers with c. expected_interval > 0 also fills
 * lat_corrected. 0, or -1 when the observer table is full. */
int stats_init(stats *st, uint64_t warmup, int64_t expected_interval, coord *c, stats_res *res);
#endif
