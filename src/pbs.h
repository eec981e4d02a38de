/* pbs: the reports of Probabilistically Bounded Staleness (Bailis et al., VLDB 2012;
 * docs/design.md sections 4 and 5): visibility.csv, the pointwise t-visibility curve of every
 * configuration, one of the report set beside summary.json, runs.csv and trace.jsonl. The
 * numbers come from the stats module's bins (models/visibility.h). With replications
 * (--reps), a configuration's replications are pooled: their reads and fresh reads are
 * added bin by bin (independent samples of one curve), so the curve is that of all their
 * reads; summary.json keeps each replication's own bins and t_vis. */
#ifndef QSIM_PBS_H
#define QSIM_PBS_H
#include <stdio.h>
#include "src/report.h"

/* visibility.csv: "config,t_lo_ns,t_hi_ns,reads,fresh,p_fresh,ci_lo,ci_hi", one row per
 * configuration and bin with reads (ascending t; t_hi_ns empty for the last, open bin),
 * p_fresh = fresh / reads and its 95% Wilson interval, to 6 decimals. Only the header when
 * no read had an acknowledged latest(r). */
void report_visibility_csv(FILE *f, const report_meta *m, const run_item *items, size_t n);
#endif
