/* select: random, nearest and adaptive replica selection for reads; see select.h. */
#include "models/select.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "models/scenario.h"
#include "models/world.h"
#include "sim/alloc.h"

static const cfg_key select_keys[] = {
    {"quorum", "read_targets", CFG_ENUM, "random", 1, 0, "random|nearest|adaptive", offsetof(select_cfg, policy), NULL,
     "which R owners a read asks (read_fanout = r): at random, the nearest by configured latency, or the fastest seen"},
    {"quorum", "adaptive_alpha", CFG_NUM, "0.1", 1e-6, 1, NULL, offsetof(select_cfg, alpha), NULL,
     "adaptive: weight of each new round trip in the moving average"},
    {"quorum", "adaptive_reset", CFG_DURATION, "600s", 0, 1e18, NULL, offsetof(select_cfg, reset), NULL,
     "adaptive: the averages are forgotten this often, so a replica that was slow is tried again (0: never)"},
};
const cfg_table select_table = {select_keys, sizeof select_keys / sizeof select_keys[0], 0};

static double rank_nearest(void *ctx, const op *o, int nd)
{
    const select_state *st = ctx;
    return net_mean_latency(st->net, o->coord, nd, MSG_READ_REQ) + net_mean_latency(st->net, nd, o->coord, MSG_READ_RESP);
}

static void maybe_reset(select_state *st)
{
    if (!st->cfg->reset || st->s->now < st->reset_at)
        return;
    memset(st->avg, 0, (size_t)st->nend * (size_t)st->nend * sizeof *st->avg);
    while (st->reset_at <= st->s->now)
        st->reset_at += st->cfg->reset;
}

static double rank_adaptive(void *ctx, const op *o, int nd)
{
    select_state *st = ctx;
    maybe_reset(st);
    return st->avg[o->coord * st->nend + nd];
}

static void on_reply(void *ctx, op *o, int row)
{
    select_state *st = ctx;
    const op_target *t = &o->t[row];
    if (t->kind != MSG_READ_REQ)
        return;
    maybe_reset(st);
    double *a = &st->avg[o->coord * st->nend + t->node], x = (double)(t->replied - t->sent);
    *a = *a == 0 ? x : *a + st->cfg->alpha * (x - *a);
}

int select_init(select_state *st, const select_cfg *scfg, coord *c, const net *nt, sim *s, int nodes, char *err,
                size_t n)
{
    memset(st, 0, sizeof *st);
    st->cfg = scfg;
    st->net = nt;
    st->s = s;
    st->nend = nodes + 1;
    if (scfg->policy == SEL_RANDOM)
        return 0;
    if (scfg->policy == SEL_NEAREST)
        return coord_set_read_rank(c, rank_nearest, st, "read_targets", err, n) ? -EINVAL : 0;
    st->avg = mem_calloc((size_t)st->nend * (size_t)st->nend, sizeof *st->avg);
    if (!st->avg)
        return -ENOMEM;
    st->reset_at = scfg->reset;
    op_observer ob = {.name = "read_targets", .ctx = st, .reply = on_reply};
    if (coord_set_read_rank(c, rank_adaptive, st, "read_targets", err, n))
        return -EINVAL;
    return coord_observe(c, &ob) ? -ENOMEM : 0;
}

void select_fini(select_state *st)
{
    mem_free(st->avg);
    st->avg = NULL;
}

/* ---- the read_targets module ---- */

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const select_cfg *sel = mcfg;
    if (sel->policy != SEL_RANDOM && SC_CFG(sc, MOD_QUORUM, quorum_cfg)->read_fanout != FANOUT_R)
        cfg_error_key(c, "quorum", "read_targets",
                      "choosing read targets needs quorum.read_fanout = r (with all, every owner is asked)");
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    (void)res;
    select_state *st = mem_calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    *state = st;
    return select_init(st, mcfg, &w->coord, &w->net, &w->s, w->nodes.count, err, n);
}

static void destroy(void *state)
{
    select_fini(state);
    mem_free(state);
}

const module read_targets_module = {
    .name = "read_targets",
    .keys = &select_table,
    .cfg_size = sizeof(select_cfg),
    .check = check,
    .create = create,
    .destroy = destroy,
};
