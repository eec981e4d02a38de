/* world: one run, assembled from the module list (docs/design.md section 1: "runner: builds
 * the world, runs it"). It holds the engine and the platform every module builds on: the
 * message pool, the routing table, the trace writer, the holder registry, and the services
 * the core modules provide (ring, network, nodes, coordinator), then each module's state.
 * Modules use the world while they are created; their handlers get their own state. One
 * world is single-threaded; separate worlds share nothing and may run on separate
 * threads. */
#ifndef QSIM_WORLD_H
#define QSIM_WORLD_H
#include <stdio.h>
#include "models/coord.h"
#include "models/fd.h"
#include "models/holders.h"
#include "models/module.h"
#include "models/msg.h"
#include "models/net.h"
#include "models/node.h"
#include "models/ring.h"
#include "models/route.h"
#include "models/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"

typedef struct world {
    sim s; /* first: the loop's handlers for arrivals and service find the world from it */
    const scenario *sc;
    uint64_t seed;
    int run_index;
    msg_pool pool;
    router rt;
    tracer tr;
    holders hs;
    ring *ring;       /* cluster */
    net net;          /* network */
    node_set nodes;      /* node */
    coord coord;      /* quorum */
    fd_iface fd;      /* failure_detector: what nodes believe of each other */
    void *state[MOD_COUNT]; /* set by create as soon as there is something to destroy */
    run_result *rr;
} world;

/* Builds a world for one configuration; rr (run_result_init'ed) receives the results.
 * trace may be NULL. Returns 0, -EINVAL with a reason in err when the scenario is at fault
 * (e.g. a bad [trace] key list), or -ENOMEM. */
int world_create(const scenario *sc, int run_index, FILE *trace, run_result *rr, world **out, char *err, size_t n);
/* Events at one simulated instant after which a run is taken to make no progress. */
#define WORLD_STALL_EVENTS 10000000
/* Runs until no event is left; every module finishes its results. Returns 0, -EINVAL with a
 * reason in err when the run made no progress in simulated time (WORLD_STALL_EVENTS events
 * without the clock advancing: the scenario is at fault), or -ENOMEM when the run ran out of
 * memory (the results are then incomplete). */
int world_run(world *w, char *err, size_t n);
void world_destroy(world *w);
/* The loop's handlers for a message's arrival and the end of its service at a node. */
void world_on_arrive(sim *s, sim_event *ev);
void world_on_served(sim *s, sim_event *ev);
/* A test or tool may add an observer before world_run (see coord_observe). */
static inline coord *world_coord(world *w) { return &w->coord; }
#endif
