/* repair: read repair, blocking or async; see repair.h. */
#include "models/repair.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "models/scenario.h"
#include "models/world.h"
#include "sim/alloc.h"

static const cfg_key repair_keys[] = {
    {"read_repair", "mode", CFG_ENUM, "off", 1, 0, "off|blocking|async", offsetof(repair_cfg, mode), NULL,
     "repair owners that returned older versions: before the answer (blocking) or after it (async)"},
    {"read_repair", "chance", CFG_NUM, "1", 0, 1, NULL, offsetof(repair_cfg, chance), NULL,
     "fraction of reads that are checked and repaired (when mode is not off)"},
};
const cfg_table repair_table = {repair_keys, sizeof repair_keys / sizeof repair_keys[0], 0};

/* Per-operation area. */
typedef struct repair_op {
    uint8_t chosen;     /* this read is repaired */
    uint8_t pending;    /* blocking: repairs not yet acknowledged */
    int64_t held_at;    /* blocking: when the answer was held */
    version best;       /* the newest version any reply carried */
} repair_op;

/* Has node already been sent a repair of at least v for this operation? */
static int repaired(const op *o, int nd, const version *v)
{
    for (int i = 0; i < o->ntargets; i++)
        if (o->t[i].cause == CAUSE_REPAIR && o->t[i].node == nd && ver_cmp(&o->t[i].ver, v) >= 0)
            return 1;
    return 0;
}

/* Sends x->best to every owner that returned an older version: among the counted replies
 * (counted_only) or among every read reply so far. Returns repairs sent. */
static int repair_stale(repair *rr, op *o, repair_op *x, int counted_only)
{
    int sent = 0;
    int nrows = counted_only ? o->ncounted : o->nreplied;
    for (int i = 0; i < nrows; i++) {
        const op_target *t = counted_only ? op_counted(o, i) : &o->t[o->order[i]];
        if (t->kind != MSG_READ_REQ || ver_cmp(&t->ver, &x->best) >= 0)
            continue;
        if (ring_owner_rank(rr->rg, o->key, t->node) < 0 || repaired(o, t->node, &x->best))
            continue;
        if (coord_send(rr->c, o, t->node, MSG_REPAIR_REQ, CAUSE_REPAIR, 0, &x->best, NULL) < 0)
            continue;
        rr->res->sent++;
        sent++;
    }
    return sent;
}

static void on_submit(void *ctx, op *o)
{
    repair *rr = ctx;
    if (o->kind != OP_READ)
        return;
    repair_op *x = op_ext(o, rr->ext);
    double p = rr->cfg->chance;
    x->chosen = p >= 1.0 || (p > 0.0 && rng_uniform(&rr->r) < p);
}

static int on_quorum(void *ctx, op *o)
{
    repair *rr = ctx;
    repair_op *x = op_ext(o, rr->ext);
    if (o->kind != OP_READ || !x->chosen || rr->cfg->mode != RR_BLOCKING)
        return 0;
    x->best = o->ver;
    int sent = repair_stale(rr, o, x, 1);
    if (!sent)
        return 0;
    rr->res->reads++;
    rr->res->held++;
    x->pending = (uint8_t)sent;
    x->held_at = rr->s->now;
    return 1;
}

static void on_respond(void *ctx, op *o)
{
    repair *rr = ctx;
    repair_op *x = op_ext(o, rr->ext);
    if (o->kind != OP_READ || !x->chosen || rr->cfg->mode != RR_ASYNC)
        return;
    x->best = o->ver;
    for (int i = 0; i < o->nreplied; i++) { /* replies after the quorum, before the answer */
        const op_target *t = &o->t[o->order[i]];
        if (t->kind == MSG_READ_REQ && ver_cmp(&t->ver, &x->best) > 0)
            x->best = t->ver;
    }
    if (repair_stale(rr, o, x, 0))
        rr->res->reads++;
}

static void on_reply(void *ctx, op *o, int row)
{
    repair *rr = ctx;
    repair_op *x = op_ext(o, rr->ext);
    const op_target *t = &o->t[row];
    if (o->kind != OP_READ || !x->chosen)
        return;
    if (t->cause == CAUSE_REPAIR) {
        rr->res->acked++;
        if (x->pending && --x->pending == 0 && o->state == OP_HELD) {
            rr->res->hold_ns += rr->s->now - x->held_at;
            coord_release(rr->c, o);
        }
        return;
    }
    /* async: a read reply after the coordinator responded */
    if (rr->cfg->mode != RR_ASYNC || o->state < OP_RESPONDED || t->kind != MSG_READ_REQ)
        return;
    int had = 0;
    for (int i = 0; i < o->ntargets; i++)
        had |= o->t[i].cause == CAUSE_REPAIR;
    if (ver_cmp(&t->ver, &x->best) > 0)
        x->best = t->ver;
    if (repair_stale(rr, o, x, 0) && !had)
        rr->res->reads++;
}

static void on_repair(void *ctx, msg *m)
{
    repair *rr = ctx;
    replica_apply_and_ack(&rr->rep, m, APPLY_READ_REPAIR, MSG_REPAIR_ACK);
}

int repair_init(repair *rr, const repair_cfg *rcfg, coord *c, const ring *rg, sim *s, node_set *ns, net *nt,
                router *rt, uint64_t seed, int64_t listen, repair_res *res, char *err, size_t n)
{
    memset(rr, 0, sizeof *rr);
    rr->cfg = rcfg;
    rr->c = c;
    rr->rg = rg;
    rr->s = s;
    rr->rep = (replica){ns, nt, s};
    rr->res = res;
    rng_derive(&rr->r, seed, rng_entity_id("read repair chance"));
    if (router_add(rt, MSG_REPAIR_REQ, SVC_WRITE, on_repair, rr, "read_repair", err, n) ||
        router_add(rt, MSG_REPAIR_ACK, SVC_NONE, coord_reply_route, c, "read_repair", err, n))
        return -EINVAL;
    if (rcfg->mode == RR_OFF)
        return 0; /* its kinds are routed; nothing is sent */
    rr->ext = coord_ext(c, sizeof(repair_op));
    /* a read repairs each owner at most once per newer version it learns of */
    coord_reserve_targets(c, ring_replicas(rg) * (rcfg->mode == RR_ASYNC ? 2 : 1));
    if (rcfg->mode == RR_ASYNC)
        coord_keep_listening(c, listen);
    op_observer ob = {.name = "read_repair", .ctx = rr, .submit = on_submit, .quorum = on_quorum,
                      .respond = on_respond, .reply = on_reply};
    return coord_observe(c, &ob) ? -ENOMEM : 0;
}

/* ---- the read_repair module ---- */

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const repair_cfg *rc = mcfg;
    repair *rr = mem_calloc(1, sizeof *rr);
    if (!rr)
        return -ENOMEM;
    *state = rr;
    int64_t listen = SC_CFG(w->sc, MOD_QUORUM, quorum_cfg)->timeout;
    return repair_init(rr, rc, &w->coord, w->ring, &w->s, &w->nodes, &w->net, &w->rt, w->seed, listen, res, err, n);
}

static void destroy(void *state) { mem_free(state); }

#define F(field) metric_u64, MFIELD(MOD_READ_REPAIR, repair_res, field), NULL

static metric_val get_hold_mean(const run_view *v, int arg)
{
    (void)arg;
    const repair_res *r = RV_RES(v, MOD_READ_REPAIR, repair_res);
    return r->held ? mv_num((double)r->hold_ns / (double)r->held) : mv_null();
}

static const metric repair_metrics[] = {
    {"read_repair.reads_repaired", "rr_reads", "rr-reads", MT_COUNT, "reads",
     "reads whose replies disagreed and that sent at least one repair", F(reads)},
    {"read_repair.repairs_sent", "rr_sent", "rr-sent", MT_COUNT, "messages", "repair writes sent to owners", F(sent)},
    {"read_repair.repairs_acked", "rr_acked", NULL, MT_COUNT, "messages",
     "repair writes acknowledged while their read still listened", F(acked)},
    {"read_repair.answers_held", "rr_held", NULL, MT_COUNT, "reads",
     "blocking: reads whose answer waited for their repairs", F(held)},
    {"read_repair.hold_mean_ns", "rr_hold_mean_ns", NULL, MT_NUM, "ns",
     "blocking: mean time an answer waited for its repairs (null: none)", get_hold_mean, 0, NULL},
};

const module read_repair_module = {
    .name = "read_repair",
    .keys = &repair_table,
    .cfg_size = sizeof(repair_cfg),
    .res_size = sizeof(repair_res),
    .create = create,
    .destroy = destroy,
    .metrics = repair_metrics,
    .nmetrics = sizeof repair_metrics / sizeof repair_metrics[0],
};
