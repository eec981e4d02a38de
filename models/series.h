/* series: what clients saw over time and per fault phase (docs/design.md sections 4 and 5).
 * An observer of the operation life cycle, beside stats, that counts every measured
 * operation (after run.warmup) twice:
 *
 * Intervals (intervals.csv), by ANSWER time: interval i is [i * width, (i + 1) * width) and
 * holds the operations whose client got its answer (success or failure) in it, so its
 * ops / width is throughput as a client-side monitor records it (a stall shows as a dip,
 * then the backlog as a burst; an operation that times out counts when its deadline
 * passes). Per interval: reads and writes answered, of them failed (unavailable), stale or
 * lost successful reads, and p50, p99, p99.9 of successful reads' and writes' latency
 * (from start to answer, as everywhere). The intervals run from 0 to the one holding the
 * last answer, empty ones included.
 *   width: [series] interval, or auto: the smallest of 1, 2, 10, 20, 100, 200, ... us (the
 *   powers of ten and their doubles) that keeps the run within SERIES_AUTO_INTERVALS
 *   intervals and one more (for the answers that come after the last full interval: a run
 *   of exactly 400 s gets 2 s, a 90 s run 1 s). A configured width keeps to it up to
 *   SERIES_MAX_INTERVALS (and one more): a longer run is widened by 2, then 5, then 2, ...
 *   times the configured width, and says so (intervals.widened); one whose run.duration
 *   already passes it is an error. Memory: one compact histogram
 *   (sim/chist.h: quantiles within 1/32) per interval and kind while the run lasts, the
 *   figures alone afterwards; never a record per operation.
 *
 * Phases (summary.json "phases", the terminal's phase table), by START time: the fault
 * windows (models/fault.h: crash..recover, partition..heal, slow..until, a link change
 * until the link's next change) cut the run at every instant a window opens or closes;
 * phase k is [b_k, b_k+1) between consecutive cuts (the first from 0, the last to the end
 * of the run), and holds the operations whose (intended) start fell in it, with the
 * windows in force all through it. One window gives three phases: before, during, after;
 * overlapping windows give a phase for each stretch with the same windows in force (n2
 * down, then n2 down and n1 slow, then n1 slow, ...), and a phase between two windows is
 * the after of one and the before of the next. An operation started exactly at a cut
 * belongs to the phase that begins there (faults run before operations at one instant).
 * The same figures as an interval, from compact histograms. */
#ifndef QSIM_SERIES_H
#define QSIM_SERIES_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "models/fault.h"
#include "models/op.h"
#include "sim/chist.h"
#include "sim/sim.h"

#define SERIES_AUTO_INTERVALS 200
#define SERIES_MAX_INTERVALS 10000
#define SERIES_AUTO_BASE 1000 /* ns: the finest auto width */

typedef struct series_cfg {
    int64_t interval; /* ns; 0 = auto */
} series_cfg;

extern const cfg_table series_table;

/* One interval's or phase's figures. q: p50, p99, p99.9 of successful operations' latency
 * (ns from start) by op_kind, -1 when there were none. */
typedef struct series_row {
    uint64_t n[2];      /* measured operations answered, by op_kind */
    uint64_t failed[2]; /* of them not answered in time (unavailable) */
    uint64_t stale;     /* successful reads stale or lost */
    int64_t q[2][3];
} series_row;

typedef struct series_phase {
    int64_t lo, hi;        /* ns; hi = -1: to the end of the run */
    size_t first, count;   /* windows in force: win[in_force[first .. first + count)] */
    series_row row;
} series_phase;

/* A fault window as the results keep it (they outlive the scenario in tests). */
typedef struct series_window {
    char *name;       /* owned: the [faults] entry that opened it */
    char *end;        /* owned: the entry that closed it, or NULL */
    int64_t from, to; /* ns; to = -1: to the end of the run */
} series_window;

typedef struct series_res {
    int64_t width;      /* ns: the intervals' width as used */
    int64_t configured; /* ns: [series] interval; 0 = auto */
    int widened;        /* the configured width would have passed SERIES_MAX_INTERVALS */
    size_t nrows;
    series_row *rows;   /* owned */
    size_t nphases;
    series_phase *phases; /* owned */
    size_t nwin;
    series_window *win; /* owned */
    size_t *in_force;   /* owned */
} series_res;

/* What a run has done so far, for progress lines from another thread (relaxed atomics:
 * written by the run, read by anyone; never part of a report). */
typedef struct series_live {
    _Atomic int64_t now;       /* ns: simulated time of the last publication */
    _Atomic uint64_t ops;      /* measured operations answered */
    _Atomic uint64_t reads_ok, stale;
    _Atomic int64_t read_p99;  /* of the last complete interval; -1 none */
    _Atomic int64_t width;     /* that interval's width */
} series_live;

/* Quantiles a row gives, in the order of series_row.q. */
extern const double series_quantile[3];

void series_res_init(series_res *r);
void series_res_free(series_res *r);
/* Phase arithmetic, for tests and reports. The phases' cuts of windows: 0 and every
 * window's from and to (sorted, distinct), into *cuts (mem_free it); returns their number,
 * or -1 when out of memory. */
long series_cuts(const series_window *w, size_t nwin, int64_t **cuts);
/* The index of the last cut <= t (cuts[0] = 0, t >= 0). O(log n). */
size_t series_phase_of(const int64_t *cuts, size_t n, int64_t t);

struct world;
/* The live figures of a world's run (its series module's). */
const series_live *series_live_of(const struct world *w);
#endif
