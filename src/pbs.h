/* pbs: the reports of Probabilistically Bounded Staleness (Bailis et al., VLDB 2012;
 * docs/design.md sections 4 and 5): visibility.csv, the pointwise t-visibility curve of every
 * configuration, one of the report set beside summary.json, runs.csv and trace.jsonl; and
 * `qsim --predict`, a consistency prediction per configuration in the manner of Cassandra's
 * `nodetool predictconsistency`, printed instead of the table. The numbers come from the
 * stats module's counts (models/visibility.h for the bins). With replications (--reps), a
 * configuration's replications are pooled: their counts are added (independent samples of
 * one curve) and their latency histograms merged; summary.json keeps each replication's
 * own figures. */
#ifndef QSIM_PBS_H
#define QSIM_PBS_H
#include <stdio.h>
#include "src/report.h"

/* visibility.csv: "config,t_lo_ns,t_hi_ns,reads,fresh,p_fresh,ci_lo,ci_hi", one row per
 * configuration and bin with reads (ascending t; t_hi_ns empty for the last, open bin),
 * p_fresh = fresh / reads and its 95% Wilson interval, to 6 decimals. Only the header when
 * no read had an acknowledged latest(r). */
void report_visibility_csv(FILE *f, const report_meta *m, const run_item *items, size_t n);

/* The t at which --predict gives P(consistent read): 1ms, 10ms, 100ms, 1s (bin edges). */
#define PREDICT_NT 4
extern const int64_t predict_t[PREDICT_NT];

/* --predict: a header, then per configuration (in order) a block:
 *
 *   quorum.w=1: N=3 R=1 W=1 (2 replications pooled)
 *             t     reads  P(consistent)  95% interval
 *           1ms       983       0.921668  [0.903183, 0.936871]
 *          10ms      1017       1.000000  [0.996237, 1.000000]
 *         100ms         0              -
 *            1s         0              -
 *     t-visibility: P(consistent) >= 0.99 from 10ms on, >= 0.999 from 10ms on
 *     P(within k versions): k=1 0.961500, k=2 1.000000 (of 2000 reads)
 *     latency p99.9: read 4.57ms, write 3.83ms
 *
 * P(consistent) at t is the bin of t-visibility that starts at t, [t, 1.25t): the fraction
 * of the reads started that long after latest(r)'s acknowledgement that returned latest(r)
 * or newer, with its 95% Wilson interval ("-" when the bin has no reads). t-visibility is
 * t_vis(0.99) and t_vis(0.999) (models/visibility.h). P(within k versions) is PBS's
 * k-staleness over every successful read, whatever its t: k=1 is fresh, k=2 fresh or one
 * acknowledged version behind (from the oracle's counts, staleness.k_behind). The
 * latencies are those of successful operations. */
void report_predict(FILE *f, const report_meta *m, const run_item *items, size_t n);
#endif
