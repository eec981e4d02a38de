/* fault: the timeline of faults in a scenario (docs/design.md section 3). Entries live in
 * [faults], one key each (INI sections cannot repeat): "NAME = TIME ACTION ARGS":
 *   crash NODE [durable|volatile]      (durable is the default)
 *   recover NODE
 *   partition G1 | G2 [| G3 ...]       groups of endpoints ("n1,n2 | n3,client"), cut both ways;
 *                                      a datacenter's name stands for its nodes ("dc1 | dc2"); the
 *                                      client tier is one endpoint, whatever its clients'
 *                                      datacenters
 *   partition G1 > G2                  one way: messages from G1 to G2 are dropped
 *   heal                               restores every cut link
 *   slow NODE FACTOR [on service|network|both] [until TIME]
 *                                      NODE slowed by FACTOR (a GC pause, a bad disk): its
 *                                      service times, the latency of every message it
 *                                      sends or receives, or both (the default)
 *   link A>B|A-B latency DIST|default  change a link's latency from then on
 *   link A>B|A-B loss P|default        change a link's loss probability */
#ifndef QSIM_FAULT_H
#define QSIM_FAULT_H
#include <stdint.h>
#include "sim/cfg.h"
#include "sim/dist.h"
#include "models/net.h"
#include "models/node.h"
#include "sim/sim.h"
#include "sim/trace.h"

#define FAULT_KINDS(X) X(FAULT_CRASH, crash) X(FAULT_RECOVER, recover) X(FAULT_PARTITION, partition) \
    X(FAULT_HEAL, heal) X(FAULT_SLOW, slow) X(FAULT_LINK, link)

typedef enum fault_kind {
#define X(e, n) e,
    FAULT_KINDS(X)
#undef X
} fault_kind;
extern const char *const fault_kind_name[];

/* What a slowdown slows (bits). */
#define SLOW_SERVICE 1
#define SLOW_NETWORK 2
#define SLOW_BOTH 3

typedef struct fault {
    const char *name, *file, *text; /* owned by the scenario */
    int line;
    int64_t at;          /* ns */
    int kind;            /* fault_kind */
    int node;            /* crash, recover, slow */
    int storage_volatile;
    double factor;       /* slow */
    int slow_on;         /* slow: SLOW_SERVICE, SLOW_NETWORK or both (bits) */
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

/* The faults module's configuration: the [faults] entries in file order. */
typedef struct faults_cfg {
    fault *f;
    size_t n, cap;
} faults_cfg;
/* Longest fault value fault_parse reads, in bytes; longer is an error. */
#define FAULT_TEXT_MAX 511

/* Parses a fault value for a cluster of `nodes` nodes (dir resolves empirical files).
 * 0 or -1 with err. */
int fault_parse(const char *text, int nodes, const char *dir, fault *f, char *err, size_t n);
/* The same where a partition group may name datacenters (dcs: [cluster] datacenters, may be
 * NULL): "partition dc1,client | dc2" cuts dc2 off. */
int fault_parse_dc(const char *text, int nodes, const ring_dc_list *dcs, const char *dir, fault *f, char *err,
                   size_t n);
void fault_free(fault *f);

/* One fault as it happened: which [faults] entry acted, and when. */
typedef struct fault_event {
    int64_t at;     /* ns */
    uint32_t fault; /* index into faults_cfg.f */
    uint8_t ending; /* the end of a slow window (its `until`) */
} fault_event;

/* The timeline as it happened, for the reports (stories interleave it with their
 * operations): at most one event per scheduled fault, so bounded by the scenario. */
typedef struct faults_res {
    fault_event *ev; /* owned */
    size_t n;
} faults_res;

/* What fault f does, without its time: "crash n1 volatile", or "slow n3 ends" for the end
 * of a slow window. Writes at most n bytes to buf; returns buf. */
const char *fault_describe(const fault *f, int ending, char *buf, size_t n);

struct faults;

typedef struct fault_rt {
    sim_event ev;
    struct faults *owner;
    const fault *f;
    int ending; /* the event ends a slow window */
    int active; /* a slow window that has begun and not ended */
} fault_rt;

/* The timeline of one run: applies each fault to the nodes and the network at its time
 * and writes it to the trace. */
typedef struct faults {
    fault_rt *rt;
    size_t n;
    node_set *ns;
    net *net;
    tracer *tr;
    const faults_cfg *fc;
    faults_res *res;
} faults;

/* A fault window: the span of time a fault is in force, from the timeline alone
 * (docs/design.md section 4, "Over time and per fault phase"). Which entries open and close one:
 *   crash NODE       until the next recover of NODE
 *   partition ...    until the next heal (a heal closes every partition in force)
 *   slow ... until T until T; without until, to the end of the run
 *   link A>B|A-B latency|loss VALUE
 *                    until the next link entry that sets the same property (to default or
 *                    to another value, which opens a window of its own) on a direction
 *                    this one changed
 * recover, heal and a link reset to default close windows and open none. A window nothing
 * closes lasts to the end of the run. Windows may overlap and may share instants. */
typedef struct fault_window {
    const fault *f;   /* the entry that opened it */
    const fault *end; /* the entry that closed it, or NULL (a slow window's until, or none) */
    int64_t from, to; /* ns; to = -1: in force until the end of the run */
} fault_window;

/* The windows of the timeline, by start time (the same instant: file order), into *out
 * (mem_free it; NULL when there are none). Returns their number, or -1 when out of memory. */
long faults_windows(const faults_cfg *fc, fault_window **out);

/* Schedules every fault (and the end of slow windows) into s; each fault that acts is
 * recorded in res (may be NULL). 0 or -ENOMEM. */
int faults_init(faults *fs, const faults_cfg *fc, sim *s, node_set *ns, net *nt, tracer *tr, faults_res *res);
void faults_fini(faults *fs);
#endif
