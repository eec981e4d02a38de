/* levels: qsim's settings against the consistency settings of real stores (docs/design.md
 * section 5, `qsim --levels`): Apache Cassandra's consistency levels, Amazon DynamoDB's read
 * consistency, Riak KV's replication properties. Without a scenario, the reference: each of
 * qsim's N, R, W and knobs beside its counterpart in each store, and what each store's default
 * amounts to. With one, per configuration of the run: the equivalent setting in each store,
 * and for each anomaly class the run showed (models/explain.h), whether each store's default
 * would hide it and why, by the same arithmetic the write-up uses (R + W against N, a sloppy
 * quorum or not, copies against the run's volatile crashes). Printed instead of the table. */
#ifndef QSIM_LEVELS_H
#define QSIM_LEVELS_H
#include <stdio.h>
#include "src/report.h"

/* One row of the reference: a qsim setting and its counterpart in each store ("-": none). */
typedef struct level_row {
    const char *qsim, *cassandra, *dynamodb, *riak;
} level_row;

/* The reference rows, in order; *n gets their count. */
const level_row *levels_rows(size_t *n);

/* A store's default, as qsim settings (consulted by the per-run analysis). */
typedef struct store_default {
    const char *name;    /* "Cassandra (drivers)" */
    const char *setting; /* the default in the store's own words */
    int n;               /* its N: 0 = the run's own (a setting the user chooses) */
    int r, w;            /* replicas; 0 = a quorum of n */
    int sloppy;          /* fallbacks count toward W */
    const char *stronger; /* the store's own setting that gives R + W > N, or NULL */
} store_default;

const store_default *levels_defaults(size_t *n);

/* `qsim --levels`: the reference table and the defaults. */
void levels_print_reference(FILE *f);
/* `qsim --levels SCENARIO`: a header, then per configuration its equivalents and, for each
 * anomaly class seen, what each store's default would do. */
void report_levels(FILE *f, const report_meta *m, const run_item *items, size_t n);
#endif
