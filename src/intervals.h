/* intervals: the reports of the series module (models/series.h; docs/design.md section 5):
 * intervals.csv, what clients saw interval by interval, one of the report set beside
 * summary.json, runs.csv, trace.jsonl and visibility.csv; and the terminal's phase table,
 * what operations saw before, during and after each fault window. */
#ifndef QSIM_INTERVALS_H
#define QSIM_INTERVALS_H
#include <stdio.h>
#include "src/report.h"

/* intervals.csv, one row per run (configuration and replication) and interval, from 0 to
 * the interval of the run's last answer, empty intervals included:
 *
 *   config,rep,t_lo_ns,t_hi_ns,ops,ops_per_s,reads,read_p50_ns,read_p99_ns,read_p999_ns,
 *   writes,write_p50_ns,write_p99_ns,write_p999_ns,stale,stale_pct,unavailable,unavailable_pct
 *
 * Operations are counted in the interval [t_lo_ns, t_hi_ns) that holds their ANSWER time
 * (measured operations: after run.warmup). ops = reads + writes answered, successful or not;
 * ops_per_s = ops / width (3 decimals). The quantiles are of successful operations' latency
 * (start to answer), within 1/32 (sim/chist.h), empty without one. stale: successful reads
 * that were stale or lost; stale_pct = stale / successful reads. unavailable: operations
 * not answered in time; unavailable_pct = unavailable / ops. Percentages to 6 decimals,
 * empty when their denominator is 0. rep is 0 without replications. */
void report_intervals_csv(FILE *f, const report_meta *m, const run_item *items, size_t n);

/* The phase table, when some run has a fault window (else nothing): per configuration (the
 * first replication of each), a row per phase: its span, the windows in force, operations
 * started in it, read p50, p99, p99.9, write p99, stale % and unavailable %. */
void report_phases(FILE *f, const report_meta *m, const run_item *items, size_t n);
#endif
