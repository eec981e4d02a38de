/* runner: turns a scenario file plus command-line overrides into configurations, runs
 * them (in parallel threads when asked; results never depend on the job count), and keeps
 * what each produced (docs/design.md sections 1 and 7). */
#ifndef QSIM_RUNNER_H
#define QSIM_RUNNER_H
#include <stddef.h>
#include <stdio.h>
#include "models/scenario.h"
#include "models/module.h"
#include "sim/cfg.h"

#define RUNNER_MAX_SWEEPS 8
/* Most configurations in one run: each keeps about 350 KB of statistics until the reports
 * are written, so 4096 of them take about 1.4 GB. */
#define RUNNER_MAX_CONFIGS 4096

typedef struct sweep {
    char *key;     /* "quorum.r" */
    char **values; /* as written */
    size_t n;
} sweep;

typedef struct kv {
    char *key, *value;
} kv;

typedef struct run_item {
    scenario sc;
    int built;
    size_t config;    /* the configuration (sweep point) it belongs to */
    size_t rep;       /* its replication: 0 .. reps-1, seed = the configuration's seed + rep */
    size_t reps;      /* replications of its configuration */
    char *label;      /* "quorum.r=1 quorum.w=2", "" without sweeps; owned */
    kv *over;         /* this configuration's sweep values */
    size_t nover;
    kv *eff;          /* effective configuration "section.key" = text */
    size_t neff;
    run_result rr;    /* every module's results */
    int has_rr;
    char *trace_path; /* per-configuration temporary trace, or NULL */
    int ok;
    int bad_input;    /* the failure is the scenario's fault (exit status 2) */
    char err[1024];
    double wall_s;    /* wall-clock seconds (stderr only, never in files) */
} run_item;

/* Number of configurations of the cross product of the sweeps (1 without sweeps) in
 * *total; -1 when it is more than RUNNER_MAX_CONFIGS (checked without overflow) or a sweep
 * has no values. */
int runner_count(const sweep *sw, size_t nsw, size_t *total);
/* Builds every configuration of the cross product of sweeps over the loaded cfg, each
 * replicated reps times (0: its run.reps) with seeds seed, seed + 1, ...: the items come
 * configuration by configuration, replications together. Errors go to the cfg; returns the
 * number of items in *out (0 on error, also when runner_count refuses the cross product or
 * the replications pass RUNNER_MAX_CONFIGS). */
size_t runner_build(cfg *c, const sweep *sw, size_t nsw, long reps, run_item **out);
/* Runs the items with up to jobs threads. trace_dir: where per-configuration trace files
 * go (NULL: no trace). progress: a progress_mode (src/progress.h): 0 none, 1 lines on
 * stderr for runs lasting a second or more, 2 those and a closing line per run. Returns
 * the number of items that failed (their err says why). */
size_t runner_run(run_item *items, size_t n, int jobs, const char *trace_dir, int progress);
void runner_free(run_item *items, size_t n);
#endif
