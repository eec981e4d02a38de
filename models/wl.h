/* wl: the workload, the clients that drive the store (docs/design.md section 3). Open loop
 * (Poisson or fixed-rate arrivals at `rate`; latency is measured from the intended start,
 * so a stall is never hidden), closed loop (`clients` each issuing its next operation a
 * think time after the previous one ends; its latencies are service times, since a stalled
 * client sends nothing, and expected_interval asks stats for corrected response times too),
 * a script of exact operations at exact times (the stories), or probes (a write, then one
 * read of its key `read_after` after its acknowledgement: the t-visibility curve;
 * models/probe.h). Key popularity: uniform, zipf(s), or hotspot. Arrival times and the
 * operations drawn come from their own streams, so changing the store's mechanisms never
 * changes what the clients ask for (common random numbers). The workload knows no
 * coordinator: it submits through an op_submitter and hears back as an observer.
 *
 * Datacenters (docs/design.md section 3, "Workload"): `client_dc = dc1` puts the clients in
 * dc1; `client_dc = dc1:3 dc2:1` spreads them with those weights: an open loop draws each
 * operation's datacenter, a closed loop or probe client draws its own once, in client order,
 * from a stream of its own ("workload client datacenter"), so the weights change no other
 * draw. The default is the first datacenter. A script entry says `from DC` (default: the
 * first datacenter client_dc names). An operation's datacenter is where it is coordinated
 * and what LOCAL_ levels mean. Owns [workload] and [script]. */
#ifndef QSIM_WL_H
#define QSIM_WL_H
#include <stdint.h>
#include "models/op.h"
#include "models/ring.h"
#include "sim/cfg.h"
#include "sim/dist.h"
#include "sim/json.h"
#include "sim/rng.h"
#include "sim/sim.h"

typedef enum wl_mode { WL_OPEN, WL_CLOSED, WL_SCRIPT, WL_PROBE } wl_mode;
typedef enum wl_arrival { ARRIVAL_POISSON, ARRIVAL_FIXED } wl_arrival;
typedef enum wl_pop { POP_UNIFORM, POP_ZIPF, POP_HOTSPOT } wl_pop;

/* One [script] entry: "NAME = TIME read|write kK [at LEVEL] [prefer nA,nB,...] [from DC]". */
typedef struct script_op {
    const char *name; /* owned by the scenario */
    const char *file;
    int line;
    int64_t at;       /* ns */
    int64_t level;    /* this operation's R or W (a number or QL_*); 0 = the scenario's */
    uint8_t kind;     /* op_kind */
    uint32_t key;     /* 0-based: k1 is 0 */
    uint16_t prefer[RING_MAX_REPLICAS];
    uint8_t nprefer;
    uint8_t dc;       /* its client's datacenter (resolved by the module's load) */
    char from[RING_DC_NAME]; /* the datacenter as written ("": the default) */
} script_op;

/* [workload] client_dc as written: datacenter names with weights. */
typedef struct wl_dc_share {
    int n;
    char name[RING_MAX_DCS][RING_DC_NAME];
    double weight[RING_MAX_DCS];
} wl_dc_share;

typedef struct wl_cfg {
    int mode;          /* wl_mode */
    double rate;       /* per second (open loop) */
    int arrival;       /* wl_arrival */
    int64_t clients;   /* closed loop */
    dist *think;       /* closed loop */
    int64_t expected_interval; /* closed loop: ns between one client's intended sends; 0 = no correction */
    double read_ratio;
    int64_t keys;
    int popularity;    /* wl_pop */
    double zipf_s;
    double hot_keys;   /* hotspot: fraction of keys that are hot */
    double hot_ops;    /* hotspot: fraction of operations that go to hot keys */
    script_op *script; /* [script] entries in file order, owned */
    size_t nscript, script_cap;
    dist *read_after;  /* probe: from a write's acknowledgement to its read */
    dist *gap;         /* probe: from a probe's read's answer to the client's next write */
    wl_dc_share client_dc; /* as written */
    /* resolved by the module's load: the datacenters clients are drawn from (index and
     * cumulative weight), and every datacenter some operation comes from (bit per index) */
    int ndraw;
    uint8_t draw_dc[RING_MAX_DCS];
    double draw_cum[RING_MAX_DCS];
    uint32_t dc_mask;
} wl_cfg;

extern const cfg_table workload_table;
extern const cfg_table script_table;

/* Writes the member "op" naming operation o in a trace line: the name of its [script]
 * entry for a scripted operation (c may be NULL: none), else its issue index. */
void wl_trace_op(jw *j, const wl_cfg *c, const op *o);

/* Parses a script value; 0 or -1 with err. Keys are checked against nkeys, nodes against
 * nodes; a `from` datacenter is kept as written (so->from). */
int wl_parse_script(const char *text, int64_t nkeys, int nodes, script_op *so, char *err, size_t n);

/* The outcome of one scripted operation (story scenarios). */
typedef struct script_result {
    char name[64];    /* the script entry's name (truncated to 63 bytes) */
    uint8_t kind;     /* op_kind */
    uint8_t ok;       /* quorum reached and answered in time */
    uint8_t cls;      /* read_class for reads */
    uint32_t key;
    int64_t start, end; /* ns; end = completion or timeout */
    uint32_t version;   /* write: the version it wrote; read: the version returned (0 = none) */
    uint32_t latest;    /* read: latest(r), the newest version acknowledged before start */
    uint32_t k;         /* read: acknowledged versions behind */
} script_result;

/* What the workload reports: every scripted operation's outcome. */
typedef struct wl_res {
    script_result *script; /* nscript entries (script workloads), owned */
    size_t nscript;
} wl_res;

struct wl;

typedef struct wl_client {
    sim_event ev;
    struct wl *l;
    uint32_t id;
    uint8_t dc;          /* its datacenter */
} wl_client;

typedef struct wl {
    const wl_cfg *c;
    sim *s;
    op_submitter sub;
    rng r_arrival, r_op, r_think, r_dc;
    sim_event arrive;
    uint64_t limit;      /* run.ops; 0 = none */
    int64_t deadline;    /* run.duration; 0 = none */
    uint64_t issued;
    wl_client *clients;
    size_t nclients;
    double *zipf_cdf;    /* keys entries */
    uint32_t *order;     /* script: entries sorted by time */
    size_t next;         /* script: next entry to issue */
    wl_res *res;
    struct wl_probe *probes; /* probe: one per client */
    size_t nprobes;
    uint64_t reserved;   /* probe: reads of begun probes not issued yet (counted against limit) */
} wl;

/* Starts the clients: schedules the first arrivals into s; operations go to sub. ops and
 * duration stop an open or closed workload (0: no limit). Scripted operations record
 * their outcome in res (its script array is allocated here). 0 or -ENOMEM. */
int wl_init(wl *l, const wl_cfg *c, sim *s, op_submitter sub, int64_t ops, int64_t duration, uint64_t seed,
            wl_res *res);
void wl_fini(wl *l);
/* A client's datacenter (open loop: an operation's), drawn with the client_dc weights. */
uint8_t wl_draw_dc(wl *l);
/* The observer the workload needs on the life cycle: at each answer a closed-loop client
 * thinks and goes again, and a scripted operation records its outcome; in probe mode a
 * write's acknowledgement (respond) schedules its read, and a read's answer the next probe. */
op_observer wl_observer(wl *l);
#endif
