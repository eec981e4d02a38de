/* world: assembling, running and tearing down one configuration; see world.h. */
#include "models/world.h"
#include <assert.h>
#include <errno.h>
#include <string.h>
#include "models/run.h"
#include "sim/alloc.h"
#include "sim/units.h"

/* Every message arrives here: at the client tier its handler runs; at a node, the node
 * decides (lost if it is down, queued for service, or handled now). */
void world_on_arrive(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER_OF(s, world, s);
    msg *m = SIM_CONTAINER_OF(ev, msg, ev);
    if (m->dst == EP_CLIENT) {
        const route *r = router_get(&w->rt, m->kind);
        r->fn(r->ctx, m);
    } else {
        nodes_deliver(&w->nodes, m);
    }
}

void world_on_served(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER_OF(s, world, s);
    nodes_served(&w->nodes, SIM_CONTAINER_OF(ev, msg, ev));
}

int world_create(const scenario *sc, int run_index, FILE *trace, run_result *rr, world **out, char *err, size_t n)
{
    err[0] = '\0';
    world *w = mem_calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, n, "out of memory building the simulated cluster");
        return -ENOMEM;
    }
    sim_init(&w->s);
    msg_pool_init(&w->pool);
    router_init(&w->rt);
    tracer_init(&w->tr, trace, &w->s, run_index, 0);
    w->sc = sc;
    w->seed = (uint64_t)SC_CFG(sc, MOD_RUN, run_cfg)->seed;
    w->run_index = run_index;
    w->rr = rr;
    int rc = 0;
    for (int m = 0; m < MOD_COUNT && !rc; m++) {
        const module *md = module_list[m];
        if (!md->create)
            continue;
        rc = md->create(w, sc->cfg[m], rr->res[m], &w->state[m], err, n);
    }
    for (int k = 0; k < MSG_NKINDS && !rc; k++) {
        if (!router_get(&w->rt, k)->fn) {
            snprintf(err, n, "message kind %s has no handler (no module registered it)", msg_kind_name[k]);
            rc = -EINVAL;
        }
    }
    if (rc) {
        if (rc != -EINVAL) {
            rc = -ENOMEM;
            snprintf(err, n, "out of memory building the simulated cluster");
        }
        world_destroy(w);
        return rc;
    }
    *out = w;
    return 0;
}

int world_run(world *w, char *err, size_t n)
{
    w->s.stall_limit = WORLD_STALL_EVENTS;
    sim_run(&w->s, INT64_MAX);
    if (w->s.stalled) {
        char t[32];
        units_format_duration(w->s.now, t, sizeof t);
        snprintf(err, n,
                 "the run made no progress in simulated time: %d events at %s without the clock advancing "
                 "(zero latency and zero service or think time let operations follow each other at one instant)",
                 WORLD_STALL_EVENTS, t);
        return -EINVAL;
    }
    for (int m = 0; m < MOD_COUNT; m++)
        if (module_list[m]->finish)
            module_list[m]->finish(w->state[m], w->rr->res[m]);
    if (w->s.failed) {
        snprintf(err, n, "out of memory during the run");
        return -ENOMEM;
    }
    /* bookkeeping: with the queue drained every operation has been retired and every
     * message returned to the pool */
    assert(sim_pending(&w->s) == 0 && w->coord.live == 0 && w->pool.live == 0);
    if (!sim_balanced(&w->s) || w->coord.live || w->pool.live) {
        snprintf(err, n, "internal: the run ended with its bookkeeping unbalanced");
        return -ENOMEM;
    }
    return 0;
}

void world_destroy(world *w)
{
    if (!w)
        return;
    /* pending events belong to structures freed below: drop the queue first */
    sim_fini(&w->s);
    for (int m = MOD_COUNT; m-- > 0;)
        if (w->state[m] && module_list[m]->destroy)
            module_list[m]->destroy(w->state[m]);
    msg_pool_fini(&w->pool);
    mem_free(w);
}
