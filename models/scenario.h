/* scenario: the validated plain-data description of one configuration (DESIGN.md section 1:
 * "scenario loader -> struct scenario"). Built from the cfg entries by binding every
 * module's key table, filling defaults, and checking what no single key can check alone
 * (R and W against N, N against nodes, names in faults and scripts). Owns [run]. */
#ifndef QSIM_SCENARIO_H
#define QSIM_SCENARIO_H
#include <stddef.h>
#include <stdint.h>
#include "models/coord.h"
#include "models/fault.h"
#include "models/net.h"
#include "models/node.h"
#include "models/oracle.h"
#include "models/ring.h"
#include "models/wl.h"
#include "sim/cfg.h"

typedef struct run_cfg {
    int64_t seed;
    int64_t ops;      /* client operations to issue; 0 = no limit */
    int64_t duration; /* ns: stop issuing at this time; 0 = no limit */
    int64_t warmup;   /* first operations left out of the statistics */
} run_cfg;

extern const cfg_table run_table;

typedef struct scenario {
    run_cfg run;
    cluster_cfg cluster;
    quorum_cfg quorum;
    net_cfg net;
    node_cfg node;       /* [node] */
    node_cfg *node_over; /* [1..nodes]: [node.nI] values, where node_mask says they are set */
    uint64_t *node_mask;
    wl_cfg wl;
    trace_cfg trace;
    link_cfg *links;
    size_t nlinks;
    fault *faults;
    size_t nfaults;
    script_op *script;
    size_t nscript;
    char **names; /* strings owned here (entry names, file names) */
    size_t nnames;
} scenario;

/* Every table, in the order `qsim --keys` prints them. */
const cfg_table *const *scenario_tables(size_t *n);
/* Binds and validates the current cfg entries into sc (zeroed first). Errors are
 * collected in c; returns the number of errors (sc must be freed either way). */
size_t scenario_build(cfg *c, scenario *sc);
void scenario_free(scenario *sc);
/* The effective configuration of node i (1-based): [node] with [node.nI] applied. */
void scenario_node_cfg(const scenario *sc, int i, node_cfg *out);
#endif
