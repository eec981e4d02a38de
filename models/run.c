/* run: the [run] keys and the engine's counts; see run.h. */
#include "models/run.h"
#include <stddef.h>
#include "models/world.h"

static const cfg_key run_keys[] = {
    {"run", "seed", CFG_INT, "1", 0, 9007199254740991.0, NULL, offsetof(run_cfg, seed), NULL,
     "run seed: every random stream derives from it and an entity's name"},
    {"run", "ops", CFG_INT, "0", 0, 1e12, NULL, offsetof(run_cfg, ops), NULL,
     "client operations to issue (0 = no limit; then set duration)"},
    {"run", "duration", CFG_DURATION, "0", 0, 1e18, NULL, offsetof(run_cfg, duration), NULL,
     "stop issuing operations at this simulated time (0 = no limit)"},
    {"run", "warmup", CFG_INT, "0", 0, 1e12, NULL, offsetof(run_cfg, warmup), NULL,
     "first operations left out of every statistic"},
    {"run", "reps", CFG_INT, "1", 1, 1000, NULL, offsetof(run_cfg, reps), NULL,
     "replications of each configuration, with seeds seed, seed + 1, ...: reports give means and 95% intervals"},
};
const cfg_table run_table = {run_keys, sizeof run_keys / sizeof run_keys[0], 0};

static const cfg_key sweep_keys[] = {
    {"sweep", "*", CFG_LIST, "", 1, 0, NULL, 0, NULL,
     "section.key = v1,v2,... : run every value (several entries: the cross product); commas inside parentheses "
     "or \"quotes\" do not split, 1..5 and 1..9..2 are ranges; --sweep of the same key replaces it, --set of it "
     "pins one value"},
};
const cfg_table sweep_table = {sweep_keys, 1, 0};

/* [sweep] entries are read by the runner before configurations are built; binding a
 * configuration only marks them as known. */
static void mark(void *ctx, cfg_entry *e)
{
    (void)ctx;
    (void)e;
}

static void load(cfg *c, scenario *sc, void *mcfg)
{
    (void)sc;
    (void)mcfg;
    cfg_each(c, "sweep", mark, NULL);
}

static const cfg_table *const run_lists[] = {&sweep_table, NULL};

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const run_cfg *rc = mcfg;
    (void)sc;
    if (rc->ops > 0 && rc->warmup >= rc->ops)
        cfg_error_key(c, "run", "warmup", "must be smaller than run.ops (%lld)", (long long)rc->ops);
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    (void)mcfg;
    (void)res;
    (void)err;
    (void)n;
    *state = &w->s;
    return 0;
}

static void finish(void *state, void *res)
{
    const sim *s = state;
    run_res *r = res;
    r->events = s->dispatched;
    r->end_time = s->now;
    r->saturated = s->saturated;
}

static const metric run_metrics[] = {
    {"events", "events", NULL, MT_COUNT, "events", "events the engine dispatched", metric_u64,
     MFIELD(MOD_RUN, run_res, events), NULL},
    {"sim_end_ns", "sim_end_ns", NULL, MT_NS, "ns", "simulated time when the last event ran", metric_i64,
     MFIELD(MOD_RUN, run_res, end_time), NULL},
    {"clock_saturated", "clock_saturated", NULL, MT_BOOL, "",
     "a delay would have passed the clock's limit (2^62 ns, about 146 years) and was clamped there: figures "
     "involving such events are not meaningful",
     metric_int, MFIELD(MOD_RUN, run_res, saturated), NULL},
};

const module run_module = {
    .name = "run",
    .keys = &run_table,
    .lists = run_lists,
    .cfg_size = sizeof(run_cfg),
    .load = load,
    .check = check,
    .res_size = sizeof(run_res),
    .create = create,
    .finish = finish,
    .metrics = run_metrics,
    .nmetrics = sizeof run_metrics / sizeof run_metrics[0],
};
