/* world: one run's store and its surroundings, built from a scenario (DESIGN.md section 1:
 * "runner: builds the world, runs it"). Every model handler finds the world from the
 * loop: the sim is the world's first member (SIM_CONTAINER_OF(s, world, s)). One world is
 * single-threaded; separate worlds share nothing and may run on separate threads. */
#ifndef QSIM_WORLD_H
#define QSIM_WORLD_H
#include <stdio.h>
#include "models/coord.h"
#include "models/fault.h"
#include "models/msg.h"
#include "models/net.h"
#include "models/node.h"
#include "models/oracle.h"
#include "models/ring.h"
#include "models/scenario.h"
#include "models/stats.h"
#include "models/wl.h"
#include "sim/sim.h"

typedef struct world {
    sim s; /* first: handlers recover the world from it */
    const scenario *sc;
    int nnodes, n, r, w; /* nodes, N, R, W */
    msg_pool pool;
    net net;
    ring *ring;
    node *nodes; /* [1..nnodes]; [0] unused (the client tier) */
    coord coord;
    wl wl;
    oracle oracle;
    fault_rt *faults;
    size_t nfaults;
    run_stats *st;
    int failed; /* out of memory during the run: the results are not valid */
} world;

/* Builds a world for one configuration. trace may be NULL. On error returns a negative code
 * and writes a reason to err (e.g. a script's prefer node that does not own the key). */
int world_create(const scenario *sc, int run_index, FILE *trace, run_stats *st, world **out, char *err, size_t n);
/* Runs until no event is left; fills the stats. Returns 0, or -1 if the run ran out of
 * memory (the stats are then incomplete). */
int world_run(world *w);
void world_destroy(world *w);
#endif
