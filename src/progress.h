/* progress: lines on stderr while runs go (docs/design.md section 5). A thread wakes once a
 * second (wall clock) and prints one whole line per run in progress that has been going for
 * a second or more:
 *
 *   qsim: [2/9 done] config 3 quorum.r=2: 12.000s of 90s simulated, 24012 ops, read p99 3.87ms (last 1s), stale 0.000%
 *
 * simulated time and operations answered (of run.ops when set), the read p99 of the last
 * complete interval (models/series.h; its width in brackets) and stale reads among
 * successful ones so far. With several jobs each run in progress has its own line, each
 * written whole under one lock, so lines never interleave. Nothing here reaches a report:
 * the figures are read from relaxed atomics the run publishes (series_live) and the files
 * stay byte-identical with or without progress. */
#ifndef QSIM_PROGRESS_H
#define QSIM_PROGRESS_H
#include <stddef.h>
#include <stdio.h>
#include "models/series.h"
#include "src/runner.h"

typedef enum progress_mode {
    PROGRESS_OFF,
    PROGRESS_AUTO,   /* stderr is a terminal: lines for runs that last a second or more */
    PROGRESS_ALWAYS, /* --progress: those, and a closing line for every run */
} progress_mode;

typedef struct progress_lines progress_lines;

/* Starts the thread for the n items (their labels and run.ops are read from them). NULL
 * for PROGRESS_OFF or when it cannot start (then no lines, nothing else changes). f is
 * where lines go (stderr). */
progress_lines *progress_start(progress_mode mode, const run_item *items, size_t n, FILE *f);
/* Item i's run has begun; live is its series (may be NULL: no lines for it). */
void progress_attach(progress_lines *p, size_t i, const series_live *live);
/* Item i's run is over (live must stay valid during the call): the closing line, if any;
 * afterwards live is never read again. */
void progress_detach(progress_lines *p, size_t i);
/* Stops the thread and frees p. NULL is a no-op. */
void progress_stop(progress_lines *p);
#endif
