/* retry: the downgrading retry policy; see retry.h. */
#include "models/retry.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include "models/scenario.h"
#include "models/world.h"
#include "sim/alloc.h"

static const cfg_key retry_keys[] = {
    {"retry", "downgrade", CFG_ENUM, "off", 1, 0, "off|on", offsetof(retry_cfg, downgrade), NULL,
     "an operation that misses its quorum by its deadline is retried once at a lower level (the replies it has, or ONE)"},
};
const cfg_table retry_table = {retry_keys, 1, 0};

static int on_expiry(void *ctx, op *o)
{
    retry *rt = ctx;
    if (o->retries || o->lvl == 0)
        return 0; /* once; and ANY has no lower level */
    rt->res->downgraded[o->kind]++;
    return o->ncounted > 0 ? o->ncounted : 1;
}

static void on_answer(void *ctx, op *o)
{
    retry *rt = ctx;
    if (!o->retries || !o->ok)
        return;
    rt->res->succeeded[o->kind]++;
    if (o->kind == OP_READ && (o->v.cls == RC_STALE || o->v.cls == RC_LOST))
        rt->res->stale++;
}

int retry_init(retry *rt, coord *c, retry_res *res, char *err, size_t n)
{
    rt->res = res;
    if (coord_set_expiry(c, on_expiry, rt, "retry", err, n))
        return -EINVAL;
    op_observer ob = {.name = "retry", .ctx = rt, .answer = on_answer};
    return coord_observe(c, &ob) ? -ENOMEM : 0;
}

/* ---- the retry module ---- */

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const retry_cfg *rc = mcfg;
    if (!rc->downgrade)
        return 0;
    retry *rt = mem_calloc(1, sizeof *rt);
    if (!rt)
        return -ENOMEM;
    *state = rt;
    return retry_init(rt, &w->coord, res, err, n);
}

static void destroy(void *state) { mem_free(state); }

#define F(field) metric_u64, MFIELD(MOD_RETRY, retry_res, field), NULL

static const metric retry_metrics[] = {
    {"retry.downgraded_reads", "downgraded_reads", NULL, MT_COUNT, "reads",
     "reads that missed their quorum by the deadline and were retried at a lower level", F(downgraded[OP_READ])},
    {"retry.downgraded_writes", "downgraded_writes", NULL, MT_COUNT, "writes",
     "writes that missed their quorum by the deadline and were retried at a lower level", F(downgraded[OP_WRITE])},
    {"retry.downgraded_reads_ok", "downgraded_reads_ok", NULL, MT_COUNT, "reads", "downgraded reads that then succeeded",
     F(succeeded[OP_READ])},
    {"retry.downgraded_writes_ok", "downgraded_writes_ok", NULL, MT_COUNT, "writes",
     "downgraded writes that then succeeded", F(succeeded[OP_WRITE])},
    {"retry.downgraded_reads_stale", "downgraded_reads_stale", NULL, MT_COUNT, "reads",
     "downgraded reads that returned a stale or lost version", F(stale)},
};

const module retry_module = {
    .name = "retry",
    .keys = &retry_table,
    .cfg_size = sizeof(retry_cfg),
    .res_size = sizeof(retry_res),
    .create = create,
    .destroy = destroy,
    .metrics = retry_metrics,
    .nmetrics = sizeof retry_metrics / sizeof retry_metrics[0],
};
