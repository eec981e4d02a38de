/* select: replica selection for reads sent to R of the N owners (docs/design.md section
 * 3b). `random` (the default) draws the R owners at random. `nearest` asks the R owners with
 * the smallest configured round trip from the coordinator (the mean of the read request's
 * and the response's latency distributions, link overrides and slow nodes included, as
 * configured when the read starts). `adaptive` asks the R owners with the smallest moving
 * average of the round trips this coordinator observed (each reply updates it: avg +=
 * alpha (x - avg); Cassandra's dynamic snitch, C3 in NSDI 2015); an owner never observed
 * scores 0, so it is tried; every `adaptive_reset` the averages are forgotten, as the
 * dynamic snitch resets its scores, so a replica that was slow gets another chance. A
 * script's prefer nodes still come first; hedges still go to the next owner in preference
 * order. Owns [quorum] read_targets, adaptive_alpha, adaptive_reset. */
#ifndef QSIM_SELECT_H
#define QSIM_SELECT_H
#include <stdint.h>
#include "models/coord.h"
#include "models/net.h"
#include "sim/cfg.h"

typedef enum select_policy { SEL_RANDOM, SEL_NEAREST, SEL_ADAPTIVE } select_policy;

typedef struct select_cfg {
    int policy;          /* select_policy */
    double alpha;        /* adaptive: weight of a new observation */
    int64_t reset;       /* adaptive: ns between forgettings (0: never) */
} select_cfg;

extern const cfg_table select_table;

typedef struct select_state {
    const select_cfg *cfg;
    const net *net;
    sim *s;
    int nend;
    double *avg;         /* [coordinator * nend + node]: ns, 0 = not observed */
    int64_t reset_at;
} select_state;

/* Installs the policy on c (nothing for random). 0, -EINVAL with err, or -ENOMEM. */
int select_init(select_state *st, const select_cfg *scfg, coord *c, const net *nt, sim *s, int nodes, char *err,
                size_t n);
void select_fini(select_state *st);
#endif
