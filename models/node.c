/* node: replica service queue, storage and crash behaviour; see node.h. */
#include "models/node.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "models/world.h"
#include "sim/units.h"

static int parse_concurrency(const char *text, void *dst, char *err, size_t n)
{
    int64_t v = 0;
    if (strcmp(text, "inf") != 0) {
        if (units_parse_int(text, &v) || v < 1 || v > 1000000) {
            snprintf(err, n, "must be a number of servers (1..1000000) or inf");
            return -1;
        }
    }
    memcpy(dst, &v, sizeof v);
    return 0;
}

static const cfg_key node_keys[] = {
    {"node", "read_service", CFG_DIST, "const(0)", 1, 0, NULL, offsetof(node_cfg, read_service), NULL,
     "service time of a read at a replica"},
    {"node", "write_service", CFG_DIST, "const(0)", 1, 0, NULL, offsetof(node_cfg, write_service), NULL,
     "service time of a write at a replica"},
    {"node", "concurrency", CFG_CUSTOM, "inf", 1, 0, "N|inf", offsetof(node_cfg, concurrency), parse_concurrency,
     "servers per replica (FIFO queue in front); inf = no queueing"},
    {"node", "slow", CFG_NUM, "1", 0.001, 1e6, NULL, offsetof(node_cfg, slow), NULL,
     "factor on this node's service times (set it in [node.nI] for one slow node)"},
};
const cfg_table node_table = {node_keys, sizeof node_keys / sizeof node_keys[0], 1};

void node_init(node *n, int id, const node_cfg *c, uint64_t seed)
{
    memset(n, 0, sizeof *n);
    n->id = id;
    n->up = 1;
    n->svc_read = c->read_service;
    n->svc_write = c->write_service;
    n->servers = c->concurrency;
    n->base_slow = n->slow = c->slow;
    store_init(&n->st);
    char name[48];
    snprintf(name, sizeof name, "node n%d service", id);
    rng_derive(&n->r, seed, rng_entity_id(name));
}

void node_fini(node *n) { store_fini(&n->st); }

/* Does the replica's work for m and turns it into the reply. */
static void serve(world *w, node *n, msg *m)
{
    n->served++;
    if (m->kind == MSG_WRITE_REQ) {
        version was;
        int stored = store_put(&n->st, m->key, &m->ver, &was);
        if (stored < 0)
            w->failed = 1;
        oracle_on_apply(w, n->id, m->key, &m->ver, &was, stored > 0);
        m->kind = MSG_WRITE_ACK;
    } else {
        const version *v = store_get(&n->st, m->key);
        m->ver = v ? *v : (version){0, 0, 0};
        m->kind = MSG_READ_RESP;
    }
    uint16_t t = m->src;
    m->src = m->dst;
    m->dst = t;
    if (net_send(&w->net, m))
        w->failed = 1;
}

static void service_done(sim *s, sim_event *ev);

static void unlink_active(node *n, msg *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        n->active = m->next;
    if (m->next)
        m->next->prev = m->prev;
    m->next = m->prev = NULL;
}

/* Begins serving m: inline when its service time is zero, else schedules completion. */
static void start(world *w, node *n, msg *m)
{
    const dist *d = m->kind == MSG_WRITE_REQ ? n->svc_write : n->svc_read;
    int64_t t = dist_sample(d, &n->r);
    if (n->slow != 1.0) {
        double slowed = (double)t * n->slow + 0.5;
        t = slowed >= (double)SIM_TIME_MAX ? SIM_TIME_MAX : (int64_t)slowed;
    }
    if (t == 0 && n->servers == 0) {
        serve(w, n, m);
        return;
    }
    n->busy++;
    m->epoch = n->epoch;
    m->prev = NULL;
    m->next = n->active;
    if (n->active)
        n->active->prev = m;
    n->active = m;
    sim_event_init(&m->ev, service_done);
    if (sim_schedule(&w->s, &m->ev, sim_after(&w->s, t)))
        w->failed = 1;
}

static void service_done(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER_OF(s, world, s);
    msg *m = SIM_CONTAINER_OF(ev, msg, ev);
    node *n = &w->nodes[m->dst];
    unlink_active(n, m);
    n->busy--;
    serve(w, n, m);
    if (n->qhead && (n->servers == 0 || n->busy < n->servers)) {
        msg *q = n->qhead;
        n->qhead = q->next;
        if (!n->qhead)
            n->qtail = NULL;
        n->qlen--;
        q->next = NULL;
        start(w, n, q);
    }
}

void node_request(world *w, node *n, msg *m)
{
    if (n->servers == 0 || n->busy < n->servers) {
        start(w, n, m);
        return;
    }
    m->next = NULL;
    if (n->qtail)
        n->qtail->next = m;
    else
        n->qhead = m;
    n->qtail = m;
    n->qlen++;
}

void node_crash(world *w, node *n, int storage_volatile)
{
    if (!n->up)
        return;
    n->up = 0;
    n->epoch++;
    while (n->active) {
        msg *m = n->active;
        unlink_active(n, m);
        sim_cancel(&w->s, &m->ev);
        msg_put(&w->pool, m);
    }
    n->busy = 0;
    while (n->qhead) {
        msg *m = n->qhead;
        n->qhead = m->next;
        msg_put(&w->pool, m);
    }
    n->qtail = NULL;
    n->qlen = 0;
    if (storage_volatile)
        store_clear(&n->st);
}

void node_recover(node *n) { n->up = 1; }
