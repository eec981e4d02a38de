/* fd: the failure-detector interface and perfect knowledge after a delay; see fd.h. */
#include "models/fd.h"
#include <errno.h>
#include <string.h>
#include "models/world.h"
#include "sim/alloc.h"

/* A belief change waiting for its time: allocated per crash or recovery (rare, never per
 * operation). */
typedef struct fd_change {
    sim_event ev;
    fd_perfect *p;
    struct fd_change *prev, *next;
    int nd;
    uint8_t up;
} fd_change;

static void unlink_change(fd_perfect *p, fd_change *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        p->pending = c->next;
    if (c->next)
        c->next->prev = c->prev;
}

static void believe(fd_perfect *p, int nd, int up)
{
    if (p->b[nd].up == up)
        return;
    p->b[nd].up = (uint8_t)up;
    p->b[nd].since = p->s->now;
}

static void on_change(sim *s, sim_event *ev)
{
    (void)s;
    fd_change *c = SIM_CONTAINER_OF(ev, fd_change, ev);
    fd_perfect *p = c->p;
    believe(p, c->nd, c->up);
    unlink_change(p, c);
    mem_free(c);
}

static void on_node(void *ctx, int nd, node_event ev)
{
    fd_perfect *p = ctx;
    int up = ev == NODE_RECOVER;
    if (p->delay == 0) {
        believe(p, nd, up);
        return;
    }
    fd_change *c = mem_calloc(1, sizeof *c);
    if (!c) {
        sim_fail(p->s);
        return;
    }
    c->p = p;
    c->nd = nd;
    c->up = (uint8_t)up;
    c->next = p->pending;
    if (p->pending)
        p->pending->prev = c;
    p->pending = c;
    sim_event_init(&c->ev, on_change);
    if (sim_schedule_lane(p->s, &p->lane, &c->ev, sim_after(p->s, p->delay)))
        sim_fail(p->s);
}

static int perfect_up(const void *self, int observer, int nd, int64_t *since)
{
    const fd_perfect *p = self;
    (void)observer;
    if (since)
        *since = p->b[nd].since;
    return p->b[nd].up;
}

int fd_perfect_init(fd_perfect *p, sim *s, node_set *ns, int64_t delay)
{
    memset(p, 0, sizeof *p);
    p->s = s;
    p->delay = delay;
    p->nodes = ns->count;
    p->b = mem_calloc((size_t)ns->count + 1, sizeof *p->b);
    if (!p->b)
        return -1;
    for (int i = 1; i <= ns->count; i++)
        p->b[i].up = 1;
    node_listener l = {p, on_node};
    if (sim_lane_init(s, &p->lane) || nodes_listen(ns, &l))
        return -1;
    return 0;
}

void fd_perfect_fini(fd_perfect *p)
{
    while (p->pending) {
        fd_change *c = p->pending;
        p->pending = c->next;
        mem_free(c);
    }
    mem_free(p->b);
    p->b = NULL;
}

fd_iface fd_perfect_iface(const fd_perfect *p) { return (fd_iface){perfect_up, p, "perfect"}; }

/* ---- the failure_detector module ---- */

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    (void)mcfg;
    (void)res;
    (void)err;
    (void)n;
    fd_perfect *p = mem_calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    *state = p;
    if (fd_perfect_init(p, &w->s, &w->nodes, 0))
        return -ENOMEM;
    w->fd = fd_perfect_iface(p);
    return 0;
}

static void destroy(void *state)
{
    fd_perfect_fini(state);
    mem_free(state);
}

const module failure_detector_module = {
    .name = "failure_detector",
    .create = create,
    .destroy = destroy,
};
