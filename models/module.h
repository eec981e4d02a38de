/* module: what a mechanism declares to join the simulator (docs/design.md section 1b,
 * "Modules"). A module owns an INI key table (and list sections), a configuration block
 * the scenario binds those keys into, a results block it fills, and create / finish /
 * destroy for one run. The module list (modules.h) drives key binding, `qsim --keys`,
 * validation, freeing, assembly of a run and every report writer, so a new mechanism is a
 * new file plus one line in that list. A module's handlers get its own state, never the
 * world: the world is only where modules are assembled (create). */
#ifndef QSIM_MODULE_H
#define QSIM_MODULE_H
#include <stddef.h>
#include "models/metric.h"
#include "models/modules.h"
#include "sim/cfg.h"

struct world;
struct scenario;

/* One run's results: each module's block, in list order. */
typedef struct run_result {
    void *res[MOD_COUNT];
} run_result;

typedef struct module {
    const char *name;
    const cfg_table *keys;          /* bound into the configuration block (NULL: none) */
    const cfg_table *const *lists;  /* list sections (CFG_LIST) read by load; NULL-terminated, may be NULL */
    size_t cfg_size;                /* configuration block */
    /* Reads what the key table cannot (list sections, [node.nI] subsections); called after
     * every module's keys are bound. Errors go to c. */
    void (*load)(cfg *c, struct scenario *sc, void *mcfg);
    /* Checks across keys and modules, after every module loaded. */
    void (*check)(cfg *c, const struct scenario *sc, void *mcfg);
    /* Frees what load allocated (the key table's values are released for it). */
    void (*release)(void *mcfg);
    size_t res_size;                /* results block (zeroed before res_init) */
    void (*res_init)(void *res);
    void (*res_free)(void *res);
    /* Builds the module's state for one run from its configuration: *state is what its
     * handlers get, set as soon as there is anything to destroy (destroy then copes with a
     * state that create left half-built). Returns 0, -EINVAL with err (the scenario is at
     * fault), or -ENOMEM. */
    int (*create)(struct world *w, const void *mcfg, void *res, void **state, char *err, size_t n);
    /* The run ended: final counts into res. */
    void (*finish)(void *state, void *res);
    void (*destroy)(void *state);
    const metric *metrics;          /* what it reports, in report order */
    size_t nmetrics;
} module;

/* Module id's results block in a run_view, typed by the module's header. */
#define RV_RES(v, id, type) ((const type *)(v)->rr->res[id])

/* Getters for a plain field of a results block: .get = metric_u64 (uint64_t), metric_i64
 * (int64_t) or metric_int (int), with .arg = MFIELD(module id, results type, field). */
#define MFIELD(id, type, field) ((int)(((unsigned)(id) << 20) | (unsigned)offsetof(type, field)))
metric_val metric_u64(const run_view *v, int arg);
metric_val metric_i64(const run_view *v, int arg);
metric_val metric_int(const run_view *v, int arg);

/* The module list, in order. */
extern const module *const module_list[MOD_COUNT];

/* Allocates every module's results block; 0 or -1 when out of memory (rr is then freed). */
int run_result_init(run_result *rr);
void run_result_free(run_result *rr);
#endif
