/* scenario: the validated plain-data description of one configuration (docs/design.md
 * section 1: "scenario loader -> struct scenario"). Built from the cfg entries by walking
 * the module list: every module's key table is bound into its configuration block with
 * defaults filled, then every module loads its list sections, then every module checks
 * what no single key can check alone (R and W against N, names in faults and scripts). */
#ifndef QSIM_SCENARIO_H
#define QSIM_SCENARIO_H
#include <stddef.h>
#include <stdint.h>
#include "models/module.h"
#include "sim/cfg.h"

typedef struct scenario {
    void *cfg[MOD_COUNT]; /* each module's configuration block (NULL for a module without one) */
    uint32_t nkeys;       /* the key space k1..kK (workload.keys), for every module */
    char **names;         /* strings owned here (entry names, file names) */
    size_t nnames, names_cap;
} scenario;

/* Module id's configuration block, typed by the module's header. */
#define SC_CFG(sc, id, type) ((const type *)(sc)->cfg[id])

/* Every key table, in the order `qsim --keys` prints them. */
const cfg_table *const *scenario_tables(size_t *n);
/* Binds and validates the current cfg entries into sc (zeroed first). Errors are
 * collected in c; returns the number of errors (sc must be freed either way). */
size_t scenario_build(cfg *c, scenario *sc);
void scenario_free(scenario *sc);
/* A copy of s owned by the scenario (for entry and file names); out of memory is recorded
 * in c and "?" returned. */
const char *scenario_keep(cfg *c, scenario *sc, const char *s);
#endif
