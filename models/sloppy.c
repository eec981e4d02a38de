/* sloppy: the sloppy-quorum fan-out policy; see sloppy.h. */
#include "models/sloppy.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "models/hints.h"
#include "models/scenario.h"
#include "models/wl.h"
#include "models/world.h"
#include "sim/alloc.h"

static const cfg_key sloppy_keys[] = {
    {"quorum", "sloppy", CFG_ENUM, "off", 1, 0, "off|on", offsetof(sloppy_cfg, on), NULL,
     "sloppy quorum: the first N nodes believed up on the ring walk take the owners' place, fallbacks keeping hints"},
};
const cfg_table sloppy_table = {sloppy_keys, 1, 0};

/* The operation's target line in the trace: who the coordinator believed down and which
 * fallback took whose place. */
static void trace_targets(sloppy *sl, const op *o, const uint16_t *down, int ndown, const uint16_t *fb,
                          const uint16_t *fb_for, int nfb)
{
    jw j;
    char a[16], k[16];
    if (!tracer_begin_key(sl->tr, &j, "sloppy_targets", o->key))
        return;
    snprintf(k, sizeof k, "k%u", o->key + 1);
    wl_trace_op(&j, sl->wl, o);
    jw_str(&j, "key", k);
    jw_str(&j, "coordinator", ep_name(o->coord, a));
    jw_arr(&j, "believed_down");
    for (int i = 0; i < ndown; i++)
        jw_str(&j, NULL, ep_name(down[i], a));
    jw_arr_end(&j);
    jw_arr(&j, "fallbacks");
    for (int i = 0; i < nfb; i++) {
        jw_obj(&j, NULL);
        jw_str(&j, "node", ep_name(fb[i], a));
        jw_str(&j, "for", ep_name(fb_for[i], a));
        jw_obj_end(&j);
    }
    jw_arr_end(&j);
    tracer_end(&j);
}

static void fanout(void *ctx, op *o)
{
    sloppy *sl = ctx;
    coord *c = sl->c;
    int any = o->kind == OP_WRITE && o->lvl == 0;
    int keep = any || (o->kind == OP_WRITE && sl->coord_hints); /* the coordinator keeps hints */
    if (!sl->on && !keep) {
        coord_fanout_default(c, o);
        return;
    }
    uint16_t up[RING_MAX_REPLICAS], hint_for[RING_MAX_REPLICAS], down[RING_MAX_REPLICAS] = {0};
    uint16_t fb[RING_MAX_REPLICAS], fb_for[RING_MAX_REPLICAS];
    int nup = 0, ndown = 0, nfb = 0;
    for (int i = 0; i < sl->n; i++) {
        int nd = ring_walk(sl->rg, o->key, i);
        if (fd_up(sl->fd, o->coord, nd, NULL)) {
            hint_for[nup] = 0;
            up[nup++] = (uint16_t)nd;
        } else {
            down[ndown++] = (uint16_t)nd;
        }
    }
    /* each owner believed down is replaced by the next node clockwise believed up */
    for (int i = sl->n; sl->on && ndown > nfb && i < sl->nodes; i++) {
        int nd = ring_walk(sl->rg, o->key, i);
        if (!fd_up(sl->fd, o->coord, nd, NULL))
            continue;
        fb[nfb] = (uint16_t)nd;
        fb_for[nfb] = down[nfb];
        hint_for[nup] = down[nfb];
        up[nup++] = (uint16_t)nd;
        nfb++;
    }
    /* the coordinator keeps a hint for each owner left without a fallback */
    int ncoord = 0;
    for (int i = nfb; keep && o->coord != EP_CLIENT && i < ndown; i++) {
        fb[nfb + ncoord] = (uint16_t)o->coord;
        fb_for[nfb + ncoord] = down[i];
        hint_for[nup] = down[i];
        up[nup++] = (uint16_t)o->coord;
        ncoord++;
    }
    if (ndown) {
        sl->res->believed_down += (uint64_t)ndown;
        sl->res->ops += nfb > 0;
        sl->res->short_of_n += nup - ncoord < sl->n;
        trace_targets(sl, o, down, ndown, fb, fb_for, nfb + ncoord);
    }
    if (o->kind == OP_WRITE) {
        for (int i = 0; i < nup; i++) {
            if (!hint_for[i]) {
                coord_send(c, o, up[i], MSG_WRITE_REQ, CAUSE_FIRST, 1, NULL, NULL);
                continue;
            }
            msg_payload pl = {.hint = {hint_for[i]}};
            int own = i >= nup - ncoord; /* the coordinator's: counts toward W only at ANY */
            if (own)
                sl->res->coord_hints++;
            else
                sl->res->fallbacks++;
            coord_send(c, o, up[i], MSG_HINT_WRITE, CAUSE_FALLBACK, !own || any, NULL, &pl);
        }
        return;
    }
    uint16_t tg[RING_MAX_REPLICAS];
    int got = coord_pick_reads(c, o, up, nup, tg);
    for (int i = 0; i < got; i++) {
        int owner = ring_owner_rank(sl->rg, o->key, tg[i]) >= 0;
        sl->res->fallbacks += !owner;
        coord_send(c, o, tg[i], MSG_READ_REQ, owner ? CAUSE_FIRST : CAUSE_FALLBACK, 1, NULL, NULL);
    }
}

int sloppy_init(sloppy *sl, coord *c, const ring *rg, const fd_iface *fd, tracer *tr, int on, int coord_hints,
                sloppy_res *res, char *err, size_t n)
{
    sl->c = c;
    sl->rg = rg;
    sl->fd = fd;
    sl->tr = tr;
    sl->n = ring_replicas(rg);
    sl->nodes = ring_nodes(rg);
    sl->on = on;
    sl->coord_hints = coord_hints;
    sl->res = res;
    return coord_set_fanout(c, fanout, sl, "sloppy", err, n);
}

/* ---- the sloppy module ---- */

/* Some write of the scenario is at ANY: its W, or a script entry's level. */
static int uses_any(const scenario *sc)
{
    if (SC_CFG(sc, MOD_QUORUM, quorum_cfg)->w == QL_ANY)
        return 1;
    const wl_cfg *wc = SC_CFG(sc, MOD_WORKLOAD, wl_cfg);
    for (size_t i = 0; i < wc->nscript; i++)
        if (wc->script[i].level == QL_ANY)
            return 1;
    return 0;
}

/* The fan-out keeps a write at ANY as a hint on its coordinator: the client tier has none. */
static void check(cfg *c, const scenario *sc, void *mcfg)
{
    (void)mcfg;
    if (SC_CFG(sc, MOD_QUORUM, quorum_cfg)->w == QL_ANY &&
        SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->coordinator == COORD_AT_CLIENT)
        cfg_error_key(c, "quorum", "w", "ANY needs a node coordinator to keep the hint (cluster.coordinator = any or owner)");
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const sloppy_cfg *sc = mcfg;
    int coord_hints = SC_CFG(w->sc, MOD_HINTS, hints_cfg)->coordinator;
    if (!sc->on && !coord_hints && !uses_any(w->sc))
        return 0;
    sloppy *sl = mem_calloc(1, sizeof *sl);
    if (!sl)
        return -ENOMEM;
    *state = sl;
    if (sloppy_init(sl, &w->coord, w->ring, &w->fd, &w->tr, sc->on, coord_hints, res, err, n))
        return -EINVAL;
    sl->wl = SC_CFG(w->sc, MOD_WORKLOAD, wl_cfg);
    return 0;
}

static void destroy(void *state) { mem_free(state); }

#define F(field) metric_u64, MFIELD(MOD_SLOPPY, sloppy_res, field), NULL

static const metric sloppy_metrics[] = {
    {"sloppy.ops_with_fallback", "sloppy_ops", "fallback-ops", MT_COUNT, "operations",
     "operations that sent to at least one fallback in place of an owner believed down", F(ops)},
    {"sloppy.fallback_requests", "sloppy_fallback_requests", NULL, MT_COUNT, "messages",
     "requests sent to fallbacks (hinted writes, reads)", F(fallbacks)},
    {"sloppy.owners_believed_down", "sloppy_owners_down", NULL, MT_COUNT, "owners",
     "owners skipped because the coordinator believed them down, summed over operations", F(believed_down)},
    {"sloppy.short_of_n", "sloppy_short_of_n", NULL, MT_COUNT, "operations",
     "operations that found fewer than N nodes believed up", F(short_of_n)},
    {"sloppy.coordinator_hints", "sloppy_coordinator_hints", NULL, MT_COUNT, "messages",
     "hints a coordinator kept itself for owners believed down with no fallback (writes at ANY, or "
     "hints.coordinator = on)", F(coord_hints)},
};

const module sloppy_module = {
    .name = "sloppy",
    .keys = &sloppy_table,
    .cfg_size = sizeof(sloppy_cfg),
    .check = check,
    .res_size = sizeof(sloppy_res),
    .create = create,
    .destroy = destroy,
    .metrics = sloppy_metrics,
    .nmetrics = sizeof sloppy_metrics / sizeof sloppy_metrics[0],
};
