/* world: building, running and tearing down one configuration; see world.h. */
#include "models/world.h"
#include <assert.h>
#include <errno.h>
#include <string.h>
#include "sim/alloc.h"

/* Every message arrives here: a message to a crashed node is lost; requests go to the
 * replica, replies and client messages to the coordinator. */
static void on_arrive(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER_OF(s, world, s);
    msg *m = SIM_CONTAINER_OF(ev, msg, ev);
    if (m->dst != EP_CLIENT && !w->nodes[m->dst].up) {
        w->st->msgs_to_down++;
        msg_put(&w->pool, m);
        return;
    }
    if (m->kind == MSG_WRITE_REQ || m->kind == MSG_READ_REQ)
        node_request(w, &w->nodes[m->dst], m);
    else
        coord_on_msg(w, m);
}

int world_create(const scenario *sc, int run_index, FILE *trace, run_stats *st, world **out, char *err, size_t n)
{
    world *w = mem_calloc(1, sizeof *w);
    if (!w)
        goto oom;
    sim_init(&w->s);
    msg_pool_init(&w->pool);
    w->sc = sc;
    w->st = st;
    w->nnodes = (int)sc->cluster.nodes;
    w->n = (int)sc->cluster.replicas;
    w->r = (int)sc->quorum.r;
    w->w = (int)sc->quorum.w;
    uint64_t seed = (uint64_t)sc->run.seed;
    uint32_t nkeys = (uint32_t)sc->wl.keys;
    if (ring_create(w->nnodes, (int)sc->cluster.vnodes, w->n, nkeys, &w->ring))
        goto oom;
    w->nodes = mem_calloc((size_t)w->nnodes + 1, sizeof *w->nodes);
    if (!w->nodes)
        goto oom;
    for (int i = 1; i <= w->nnodes; i++) {
        node_cfg nc;
        scenario_node_cfg(sc, i, &nc);
        node_init(&w->nodes[i], i, &nc, seed);
    }
    /* each replica's storage is sized for the keys it owns, once: memory then depends on
     * the key space, not on how many operations happen to touch it */
    uint32_t *owned = mem_calloc((size_t)w->nnodes + 1, sizeof *owned);
    if (!owned)
        goto oom;
    for (uint32_t k = 0; k < nkeys; k++)
        for (int i = 0; i < w->n; i++)
            owned[ring_owners(w->ring, k)[i]]++;
    for (int i = 1; i <= w->nnodes; i++) {
        if (store_reserve(&w->nodes[i].st, owned[i], nkeys)) {
            mem_free(owned);
            goto oom;
        }
    }
    mem_free(owned);
    if (net_init(&w->net, &sc->net, sc->links, sc->nlinks, w->nnodes, seed, &w->s, &w->pool, st, on_arrive))
        goto oom;
    if (coord_init(&w->coord, &w->s, seed))
        goto oom;
    int small = sc->wl.mode == WL_SCRIPT || (sc->run.ops > 0 && sc->run.ops <= 20000);
    if (oracle_init(&w->oracle, nkeys, &sc->trace, small, trace, run_index, err, n)) {
        if (!err[0])
            snprintf(err, n, "out of memory");
        world_destroy(w);
        return -EINVAL;
    }
    if (sc->nscript) {
        st->script = mem_calloc(sc->nscript, sizeof *st->script);
        if (!st->script)
            goto oom;
        st->nscript = sc->nscript;
        for (size_t i = 0; i < sc->nscript; i++)
            snprintf(st->script[i].name, sizeof st->script[i].name, "%s", sc->script[i].name);
    }
    if (fault_schedule(w) || wl_init(w, &w->wl, seed))
        goto oom;
    *out = w;
    return 0;
oom:
    snprintf(err, n, "out of memory building the simulated cluster");
    world_destroy(w);
    return -ENOMEM;
}

int world_run(world *w)
{
    w->st->events += sim_run(&w->s, INT64_MAX);
    oracle_finish(w);
    w->st->end_time = w->s.now;
    w->st->peak_ops = w->coord.peak;
    w->st->peak_msgs = w->pool.peak;
    /* bookkeeping: with the queue drained every operation has ended and every message
     * has been returned to the pool */
    assert(sim_pending(&w->s) == 0 && w->coord.live == 0 && w->pool.live == 0);
    if (!sim_balanced(&w->s) || w->coord.live || w->pool.live)
        w->failed = 1;
    return w->failed ? -1 : 0;
}

void world_destroy(world *w)
{
    if (!w)
        return;
    /* pending events belong to structures freed below: drop the queue first */
    sim_fini(&w->s);
    wl_fini(&w->wl);
    mem_free(w->faults);
    oracle_fini(&w->oracle);
    coord_fini(&w->coord);
    net_fini(&w->net);
    if (w->nodes)
        for (int i = 1; i <= w->nnodes; i++)
            node_fini(&w->nodes[i]);
    mem_free(w->nodes);
    ring_destroy(w->ring);
    msg_pool_fini(&w->pool);
    mem_free(w);
}
