/* run: the run itself (docs/design.md section 2): its seed, when the workload stops, the
 * warm-up left out of the statistics, and the engine's own counts. Owns [run]. */
#ifndef QSIM_RUN_H
#define QSIM_RUN_H
#include <stdint.h>
#include "sim/cfg.h"

typedef struct run_cfg {
    int64_t seed;
    int64_t ops;      /* client operations to issue; 0 = no limit */
    int64_t duration; /* ns: stop issuing at this time; 0 = no limit */
    int64_t warmup;   /* first operations left out of the statistics */
    int64_t reps;     /* replications of each configuration (seeds seed, seed + 1, ...) */
} run_cfg;

extern const cfg_table run_table;
extern const cfg_table sweep_table;

typedef struct run_res {
    uint64_t events;  /* events dispatched */
    int64_t end_time; /* ns: simulated time when the run ended */
    int saturated;    /* a delay was clamped at the clock's limit (about 146 years) */
} run_res;
#endif
