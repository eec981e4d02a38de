/* report: what a user reads (docs/design.md section 5): the terminal table (one row per
 * configuration, readable in ten seconds), runs.csv (one row per configuration, one column
 * per metric) and summary.json (everything, with seed, version and effective
 * configuration). Every figure comes from a metric description (models/metric.h): the
 * report's own summary (N, R, W, the verdict) and then each module's metrics in module
 * order, so the three writers and `qsim --metrics` never disagree. Output depends only on
 * the results: no wall-clock, no pointers. */
#ifndef QSIM_REPORT_H
#define QSIM_REPORT_H
#include <stdio.h>
#include "src/runner.h"

typedef struct report_meta {
    const char *scenario; /* path as given */
    const char *name;     /* scenario name (file stem) */
    const sweep *sw;
    size_t nsw;
    const runner_skip *skipped; /* configurations not run: their values conflict */
    size_t nskipped;
    /* how qsim was invoked: the arguments after the program's name, as given, and the
     * overrides among them (--seed's value or NULL, --set and --sweep arguments in order) */
    const char *const *argv;
    size_t argc;
    const char *seed;
    const char *const *sets;
    size_t nsets;
    const char *const *sweep_args;
    size_t nsweep_args;
} report_meta;

typedef enum verdict { V_LATEST, V_STALE, V_LOST, V_NOREADS } verdict;
extern const char *const verdict_name[];

/* Verdict observed in one run: lost (a lost read or lost write), possibly-stale (a stale
 * read), latest (every read fresh), or no-reads. */
verdict report_verdict(const run_item *it);

void report_table(FILE *f, const report_meta *m, const run_item *items, size_t n);
void report_csv(FILE *f, const report_meta *m, const run_item *items, size_t n);
/* summary.json opens with qsim_version, scenario, name, seed, then command_line (the
 * arguments as given, without the program's name: the same arguments give the same file)
 * and overrides ({"seed": text or null, "set": [...], "sweep": [...]}), then sweeps,
 * skipped (configurations not run, with why), configurations and, with replications,
 * replications. */
void report_json(FILE *f, const report_meta *m, const run_item *items, size_t n);
/* The metric reference (qsim --metrics): every metric's path, column, unit and meaning. */
void report_print_metrics(FILE *f);
#endif
