/* fault: the timeline of faults in a scenario (DESIGN.md section 3). Entries live in
 * [faults], one key each (INI sections cannot repeat): "NAME = TIME ACTION ARGS":
 *   crash NODE [durable|volatile]      (durable is the default)
 *   recover NODE
 *   partition G1 | G2 [| G3 ...]       groups of endpoints ("n1,n2 | n3,client"), cut both ways
 *   partition G1 > G2                  one way: messages from G1 to G2 are dropped
 *   heal                               restores every cut link
 *   slow NODE FACTOR [until TIME]      service times on NODE multiplied by FACTOR
 *   link A>B|A-B latency DIST|default  change a link's latency from then on
 *   link A>B|A-B loss P|default        change a link's loss probability */
#ifndef QSIM_FAULT_H
#define QSIM_FAULT_H
#include <stdint.h>
#include "sim/cfg.h"
#include "sim/dist.h"
#include "sim/sim.h"

#define FAULT_KINDS(X) X(FAULT_CRASH, crash) X(FAULT_RECOVER, recover) X(FAULT_PARTITION, partition) \
    X(FAULT_HEAL, heal) X(FAULT_SLOW, slow) X(FAULT_LINK, link)

typedef enum fault_kind {
#define X(e, n) e,
    FAULT_KINDS(X)
#undef X
} fault_kind;
extern const char *const fault_kind_name[];

typedef struct fault {
    const char *name, *file, *text; /* owned by the scenario */
    int line;
    int64_t at;          /* ns */
    int kind;            /* fault_kind */
    int node;            /* crash, recover, slow */
    int storage_volatile;
    double factor;       /* slow */
    int64_t until;       /* slow: end, 0 = never */
    int8_t *group;       /* partition: group per endpoint (-1: none), owned */
    int oneway;
    int src, dst, both;  /* link */
    int link_loss;       /* link: 1 = loss, 0 = latency */
    int to_default;
    dist *latency;       /* link latency, owned */
    double loss;
} fault;

extern const cfg_table faults_table;

/* Longest fault value fault_parse reads, in bytes; longer is an error. */
#define FAULT_TEXT_MAX 511

/* Parses a fault value for a cluster of `nodes` nodes (dir resolves empirical files).
 * 0 or -1 with err. */
int fault_parse(const char *text, int nodes, const char *dir, fault *f, char *err, size_t n);
void fault_free(fault *f);

typedef struct fault_rt {
    sim_event ev;
    const fault *f;
    int ending; /* the event ends a slow window */
    int active; /* a slow window that has begun and not ended */
} fault_rt;

struct world;
/* Schedules every fault (and the end of slow windows). */
int fault_schedule(struct world *w);
#endif
