/* wl: the workload, the clients that drive the store (DESIGN.md section 3). Open loop
 * (Poisson or fixed-rate arrivals at `rate`; latency is measured from the intended start,
 * so a stall is never hidden), closed loop (`clients` each issuing its next operation a
 * think time after the previous one ends), or a script of exact operations at exact times
 * (the stories). Key popularity: uniform, zipf(s), or hotspot. Arrival times and the
 * operations drawn come from their own streams, so changing the store's mechanisms never
 * changes what the clients ask for (common random numbers). Owns [workload] and [script]. */
#ifndef QSIM_WL_H
#define QSIM_WL_H
#include <stdint.h>
#include "models/ring.h"
#include "sim/cfg.h"
#include "sim/dist.h"
#include "sim/rng.h"
#include "sim/sim.h"

typedef enum wl_mode { WL_OPEN, WL_CLOSED, WL_SCRIPT } wl_mode;
typedef enum wl_arrival { ARRIVAL_POISSON, ARRIVAL_FIXED } wl_arrival;
typedef enum wl_pop { POP_UNIFORM, POP_ZIPF, POP_HOTSPOT } wl_pop;

typedef struct wl_cfg {
    int mode;          /* wl_mode */
    double rate;       /* per second (open loop) */
    int arrival;       /* wl_arrival */
    int64_t clients;   /* closed loop */
    dist *think;       /* closed loop */
    double read_ratio;
    int64_t keys;
    int popularity;    /* wl_pop */
    double zipf_s;
    double hot_keys;   /* hotspot: fraction of keys that are hot */
    double hot_ops;    /* hotspot: fraction of operations that go to hot keys */
} wl_cfg;

/* One [script] entry: "NAME = TIME read|write kK [prefer nA,nB,...]". */
typedef struct script_op {
    const char *name; /* owned by the scenario */
    const char *file;
    int line;
    int64_t at;       /* ns */
    uint8_t kind;     /* op_kind */
    uint32_t key;     /* 0-based: k1 is 0 */
    uint16_t prefer[RING_MAX_REPLICAS];
    uint8_t nprefer;
} script_op;

extern const cfg_table workload_table;
extern const cfg_table script_table;

/* Parses a script value; 0 or -1 with err. Keys are checked against nkeys, nodes against nodes. */
int wl_parse_script(const char *text, int64_t nkeys, int nodes, script_op *so, char *err, size_t n);

typedef struct wl_client {
    sim_event ev;
    uint32_t id;
} wl_client;

typedef struct wl {
    rng r_arrival, r_op, r_think;
    sim_event arrive;
    uint64_t limit;      /* run.ops; 0 = none */
    int64_t deadline;    /* run.duration; 0 = none */
    wl_client *clients;
    size_t nclients;
    double *zipf_cdf;    /* keys entries */
    uint32_t *order;     /* script: entries sorted by time */
    size_t next;         /* script: next entry to issue */
} wl;

struct world;
struct op;

int wl_init(struct world *w, wl *l, uint64_t seed);
void wl_fini(wl *l);
/* Called by the coordinator when an operation has answered or failed. */
void wl_on_done(struct world *w, const struct op *op);
#endif
