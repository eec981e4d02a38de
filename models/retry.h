/* retry: graceful degradation (docs/design.md section 3b). With `downgrade = on`, an
 * operation whose deadline passes before it gathers R (or W) counted replies is retried once
 * at a lower level, as Cassandra's downgrading retry policy does: at the number of replies it
 * has if that is at least one (it then answers at once, with what it has), else at ONE, asking
 * again the replicas that have not replied, within a second timeout. The client sees one
 * operation, slower, that succeeded at a weaker level: the report counts downgraded operations
 * and how many downgraded reads returned a stale or lost version, the price of staying
 * available. Owns [retry]. */
#ifndef QSIM_RETRY_H
#define QSIM_RETRY_H
#include <stdint.h>
#include "models/coord.h"
#include "sim/cfg.h"

typedef struct retry_cfg {
    int downgrade; /* 0 off, 1 on */
} retry_cfg;

extern const cfg_table retry_table;

typedef struct retry_res {
    uint64_t downgraded[2];   /* per op_kind: operations retried at a lower level */
    uint64_t succeeded[2];    /* of those, answered with success */
    uint64_t stale;           /* downgraded reads that returned a stale or lost version */
} retry_res;

typedef struct retry {
    retry_res *res;
} retry;

/* Installs the policy on c and observes answers. 0, -EINVAL with err, or -ENOMEM. */
int retry_init(retry *rt, coord *c, retry_res *res, char *err, size_t n);
#endif
