/* probe: the probe workload (workload.mode = probe); see probe.h. */
#include "models/probe.h"
#include <errno.h>
#include <stdio.h>
#include "models/run.h"
#include "models/scenario.h"
#include "models/wl.h"
#include "sim/alloc.h"

static void on_probe(sim *s, sim_event *ev);

int probe_start(wl *l, uint64_t seed)
{
    const wl_cfg *c = l->c;
    l->nprobes = (size_t)c->clients;
    l->probes = mem_calloc(l->nprobes, sizeof *l->probes);
    if (!l->probes)
        return -ENOMEM;
    for (size_t i = 0; i < l->nprobes; i++) {
        wl_probe *p = &l->probes[i];
        char name[64];
        p->l = l;
        p->id = (uint32_t)i;
        p->key = (uint32_t)i;
        p->dc = wl_draw_dc(l);
        snprintf(name, sizeof name, "workload probe %zu read_after", i);
        rng_derive(&p->r_after, seed, rng_entity_id(name));
        snprintf(name, sizeof name, "workload probe %zu gap", i);
        rng_derive(&p->r_gap, seed, rng_entity_id(name));
        sim_event_init(&p->ev, on_probe);
        if (sim_schedule(l->s, &p->ev, 0))
            return -ENOMEM;
    }
    return 0;
}

void probe_fini(wl *l)
{
    mem_free(l->probes);
    l->probes = NULL;
    l->nprobes = 0;
}

/* The current probe will not read (it did, or its write failed): its place under run.ops
 * is no longer held. */
static void release_read(wl *l, wl_probe *p)
{
    if (p->has_read && l->limit)
        l->reserved--;
    p->has_read = 0;
}

static void submit(wl *l, wl_probe *p, op_kind kind)
{
    op_request rq = {.kind = (uint8_t)kind, .key = p->key, .client = p->id, .script = -1, .dc = p->dc};
    l->issued++;
    l->sub.submit(l->sub.ctx, &rq);
}

/* The client's next step: the read of its probe, or a new probe's write when the run's
 * limits leave room for it (for its read too, when they allow two more operations). */
static void on_probe(sim *s, sim_event *ev)
{
    wl_probe *p = SIM_CONTAINER_OF(ev, wl_probe, ev);
    wl *l = p->l;
    if (p->reading) {
        p->reading = 0;
        release_read(l, p);
        submit(l, p, OP_READ);
        return;
    }
    if (l->deadline && s->now >= l->deadline)
        return;
    if (l->limit) {
        uint64_t used = l->issued + l->reserved;
        if (used >= l->limit)
            return;
        if (l->limit - used >= 2) {
            p->has_read = 1;
            l->reserved++;
        }
    } else {
        p->has_read = 1;
    }
    submit(l, p, OP_WRITE);
}

/* The probe's write is acknowledged: its read starts read_after from now. */
void probe_on_respond(void *ctx, op *o)
{
    wl *l = ctx;
    if (o->kind != OP_WRITE)
        return;
    wl_probe *p = &l->probes[o->client];
    if (!p->has_read)
        return; /* the run's last operation: a write alone */
    p->reading = 1;
    if (sim_schedule(l->s, &p->ev, sim_after(l->s, dist_sample(l->c->read_after, &p->r_after))))
        sim_fail(l->s);
}

/* A probe ends with its read's answer, or with its write's failure (no acknowledgement);
 * the client's next probe writes the next of its keys gap later. */
void probe_on_answer(wl *l, op *o)
{
    wl_probe *p = &l->probes[o->client];
    if (o->kind == OP_WRITE && (o->responded || !p->has_read))
        return; /* acknowledged: its read is scheduled (or it had none: the run's last) */
    if (o->kind == OP_WRITE)
        release_read(l, p); /* failed: the read's place goes back */
    uint32_t step = (uint32_t)l->nprobes, nkeys = (uint32_t)l->c->keys;
    p->key = p->key + step < nkeys ? p->key + step : p->id;
    if (sim_schedule(l->s, &p->ev, sim_after(l->s, dist_sample(l->c->gap, &p->r_gap))))
        sim_fail(l->s);
}

void probe_check(cfg *c, const scenario *sc, const wl_cfg *wc)
{
    (void)sc;
    if (wc->mode != WL_PROBE) {
        static const char *const keys[] = {"read_after", "gap"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (cfg_find(c, "workload", keys[i]))
                cfg_error_key(c, "workload", keys[i], "only used with workload.mode = probe");
        return;
    }
    if (wc->clients > wc->keys)
        cfg_error_key(c, "workload", "clients",
                      "probe: each client needs keys of its own: must be <= workload.keys (%lld)",
                      (long long)wc->keys);
}
