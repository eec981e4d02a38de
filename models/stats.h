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
#include "sim/hist.h"

/* t-visibility bands: reads by t = start - ack time of latest(r), ns; band i is
 * [vis_band_edge[i], vis_band_edge[i+1]), the last band is open. */
#define VIS_NBANDS 17
extern const int64_t vis_band_edge[VIS_NBANDS];

typedef enum op_outcome { OUT_OK, OUT_FAILED } op_outcome;

typedef struct stats_res {
    uint64_t measured[2];   /* per op_kind, after warm-up */
    uint64_t ok[2], unavailable[2];
    uint64_t fresh, stale, lost_reads;     /* successful measured reads */
    uint64_t promised;                     /* stale or lost reads whose own R + latest(r)'s W > N */
    uint64_t via_fallback;                 /* stale or lost reads whose latest(r) fallbacks acknowledged */
    uint64_t stale_k[STALE_KMAX + 1];      /* [k] for k = 1..STALE_KMAX (last: >=) */
    hist lat[2][2];                        /* [op_kind][op_outcome], ns from intended start */
    hist lat_corrected[2];                 /* [op_kind], ok or failed, back-filled every
                                              workload.expected_interval (closed loop only) */
    hist vis_all, vis_stale;               /* t = start - ack time of latest(r), ns */
    uint64_t vis_reads[VIS_NBANDS], vis_fresh[VIS_NBANDS]; /* exact counts per band */
} stats_res;

typedef struct stats {
    uint64_t warmup; /* operations (by issue order) left out */
    int64_t expected_interval; /* ns; 0: no corrected histograms */
    stats_res *res;
} stats;

/* Band of t (ns, >= 0). */
int stats_vis_band(int64_t t);
void stats_res_init(stats_res *r);
/* Time t such that reads with t-visibility >= t were fresh with probability >= p, at
 * histogram resolution; -1 when even the oldest reads fall short. 0 if no read had a latest. */
int64_t stats_visibility_time(const stats_res *st, double p);
/* Starts counting into res; registers with c. expected_interval > 0 also fills
 * lat_corrected. 0, or -1 when the observer table is full. */
int stats_init(stats *st, uint64_t warmup, int64_t expected_interval, coord *c, stats_res *res);
#endif
