/* coord: quorum read and write state machines; see coord.h. */
#include "models/coord.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "models/world.h"
#include "sim/alloc.h"
#include "sim/units.h"

#define OP_SLAB 256

int coord_parse_level(const char *text, void *dst, char *err, size_t n)
{
    static const struct {
        const char *name;
        int64_t v;
    } levels[] = {{"ONE", 1}, {"TWO", 2}, {"THREE", 3}, {"QUORUM", QL_QUORUM}, {"ALL", QL_ALL}};
    int64_t v;
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        if (strcmp(text, levels[i].name) == 0) {
            memcpy(dst, &levels[i].v, sizeof v);
            return 0;
        }
    }
    if (units_parse_int(text, &v) || v < 1 || v > RING_MAX_REPLICAS) {
        snprintf(err, n, "must be 1..%d or ONE, TWO, THREE, QUORUM, ALL", RING_MAX_REPLICAS);
        return -1;
    }
    memcpy(dst, &v, sizeof v);
    return 0;
}

static const cfg_key quorum_keys[] = {
    {"quorum", "r", CFG_CUSTOM, "QUORUM", 1, 0, "1..N|ONE|TWO|THREE|QUORUM|ALL", offsetof(quorum_cfg, r),
     coord_parse_level, "R: replies a read waits for (QUORUM = N/2+1)"},
    {"quorum", "w", CFG_CUSTOM, "QUORUM", 1, 0, "1..N|ONE|TWO|THREE|QUORUM|ALL", offsetof(quorum_cfg, w),
     coord_parse_level, "W: acknowledgements a write waits for"},
    {"quorum", "timeout", CFG_DURATION, "1s", 1, 3600.0 * 1e9, NULL, offsetof(quorum_cfg, timeout), NULL,
     "an operation not answered by start + timeout fails as unavailable"},
    {"quorum", "read_fanout", CFG_ENUM, "all", 1, 0, "all|r", offsetof(quorum_cfg, read_fanout), NULL,
     "a read asks all N owners (Dynamo) or only R of them (Cassandra)"},
};
const cfg_table quorum_table = {quorum_keys, sizeof quorum_keys / sizeof quorum_keys[0], 0};

int coord_init(coord *c, sim *s, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    if (sim_lane_init(s, &c->deadlines))
        return -1;
    rng_derive(&c->r_place, seed, rng_entity_id("coordinator placement"));
    rng_derive(&c->r_targets, seed, rng_entity_id("coordinator read targets"));
    return 0;
}

void coord_fini(coord *c)
{
    for (size_t i = 0; i < c->nops; i += OP_SLAB)
        mem_free(c->byid[i]);
    mem_free(c->byid);
    memset(c, 0, sizeof *c);
}

static void on_timeout(sim *s, sim_event *ev);

static op *op_alloc(coord *c)
{
    if (!c->free) {
        if (c->nops + OP_SLAB > c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 1024;
            op **nb = mem_realloc(c->byid, nc * sizeof *nb);
            if (!nb)
                return NULL;
            c->byid = nb;
            c->cap = nc;
        }
        op *slab = mem_calloc(OP_SLAB, sizeof *slab);
        if (!slab)
            return NULL;
        for (size_t i = OP_SLAB; i-- > 0;) {
            slab[i].id = (uint32_t)(c->nops + i);
            slab[i].next_free = c->free;
            c->free = &slab[i];
            c->byid[c->nops + i] = &slab[i];
        }
        c->nops += OP_SLAB;
    }
    op *o = c->free;
    c->free = o->next_free;
    uint32_t id = o->id, gen = o->gen;
    memset(o, 0, sizeof *o);
    o->id = id;
    o->gen = gen;
    o->active = 1;
    sim_event_init(&o->timeout, on_timeout);
    if (++c->live > c->peak)
        c->peak = c->live;
    return o;
}

static void op_release(coord *c, op *o)
{
    o->active = 0;
    o->gen++;
    o->next_free = c->free;
    c->free = o;
    c->live--;
}

static int send(world *w, op *o, msg_kind kind, int src, int dst)
{
    msg *m = msg_get(&w->pool);
    if (!m) {
        w->failed = 1;
        return -1;
    }
    m->kind = (uint8_t)kind;
    m->src = (uint16_t)src;
    m->dst = (uint16_t)dst;
    m->op = o->id;
    m->gen = o->gen;
    m->key = o->key;
    m->ver = o->ver;
    if (net_send(&w->net, m))
        w->failed = 1;
    return 0;
}

/* The client has its answer (ok) or gave up: record, tell the workload, free the op. */
static void complete(world *w, op *o, int ok)
{
    run_stats *st = w->st;
    sim_cancel(&w->s, &o->timeout);
    int measured = o->index >= (uint64_t)w->sc->run.warmup;
    if (measured) {
        st->measured[o->kind]++;
        if (ok)
            st->ok[o->kind]++;
        else
            st->unavailable[o->kind]++;
        hist_record(&st->lat[o->kind][ok ? OUT_OK : OUT_FAILED], w->s.now - o->start);
        if (ok && o->kind == OP_READ) {
            if (o->cls == RC_FRESH)
                st->fresh++;
            else if (o->cls == RC_STALE || o->cls == RC_LOST) {
                if (o->cls == RC_STALE)
                    st->stale++;
                else
                    st->lost_reads++;
                st->stale_k[o->k < STALE_KMAX ? o->k : STALE_KMAX]++;
            }
            if (o->has_latest) {
                int64_t t = o->start - o->latest_ack;
                int band = stats_vis_band(t);
                hist_record(&st->vis_all, t);
                st->vis_reads[band]++;
                if (o->cls != RC_FRESH)
                    hist_record(&st->vis_stale, t);
                else
                    st->vis_fresh[band]++;
            }
        }
    }
    if (!ok) {
        if (o->kind == OP_WRITE && !o->coord_done)
            oracle_write_failed(w, o);
        else if (o->kind == OP_READ)
            oracle_read_failed(w, o);
    }
    if (o->script >= 0) {
        script_result *r = &st->script[o->script];
        r->ok = (uint8_t)ok;
        r->end = w->s.now;
        r->kind = o->kind;
        r->key = o->key;
        r->start = o->start;
        if (o->kind == OP_WRITE) {
            r->version = o->ver.seq;
        } else if (ok) {
            r->version = o->ver.seq;
            r->latest = o->has_latest ? o->latest.seq : 0;
            r->cls = o->cls;
            r->k = o->k;
        } else {
            r->latest = o->has_latest ? o->latest.seq : 0;
        }
    }
    wl_on_done(w, o);
    op_release(&w->coord, o);
}

static void on_timeout(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER_OF(s, world, s);
    complete(w, SIM_CONTAINER_OF(ev, op, timeout), 0);
}

/* Chooses the read targets into o->targets. */
static void pick_read_targets(world *w, op *o)
{
    const uint16_t *own = ring_owners(w->ring, o->key);
    int n = w->n;
    if (w->sc->quorum.read_fanout == FANOUT_ALL) {
        for (int i = 0; i < n; i++)
            o->targets[i] = own[i];
        o->ntargets = (uint8_t)n;
        return;
    }
    uint16_t pool[RING_MAX_REPLICAS];
    int np = 0, got = 0;
    for (int i = 0; i < o->nprefer && got < w->r; i++)
        o->targets[got++] = o->prefer[i];
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int j = 0; j < got; j++)
            dup |= o->targets[j] == own[i];
        if (!dup)
            pool[np++] = own[i];
    }
    if (o->nprefer > 0) {
        for (int i = 0; got < w->r && i < np; i++)
            o->targets[got++] = pool[i]; /* the rest in preference-list order */
    } else {
        for (int i = 0; got < w->r; i++) { /* R owners drawn at random */
            uint32_t j = (uint32_t)i + rng_bounded(&w->coord.r_targets, (uint32_t)(np - i));
            uint16_t t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
            o->targets[got++] = pool[i];
        }
    }
    o->ntargets = (uint8_t)got;
}

/* The coordinator at endpoint e starts the fan-out. */
static void begin(world *w, op *o, int e)
{
    o->coord = (int16_t)e;
    o->coord_epoch = e == EP_CLIENT ? 0 : w->nodes[e].epoch;
    if (o->kind == OP_WRITE) {
        o->need = (uint8_t)w->w;
        o->ver = (version){w->s.now, o->client, oracle_next_seq(w, o->key)};
        oracle_write_begin(w, o);
        const uint16_t *own = ring_owners(w->ring, o->key);
        for (int i = 0; i < w->n; i++)
            send(w, o, MSG_WRITE_REQ, e, own[i]);
    } else {
        o->need = (uint8_t)w->r;
        pick_read_targets(w, o);
        for (int i = 0; i < o->ntargets; i++)
            send(w, o, MSG_READ_REQ, e, o->targets[i]);
    }
}

op *coord_submit(world *w, op_kind kind, uint32_t key, uint32_t client, int32_t script, const uint16_t *prefer,
                 int nprefer)
{
    op *o = op_alloc(&w->coord);
    if (!o) {
        w->failed = 1;
        return NULL;
    }
    o->kind = (uint8_t)kind;
    o->key = key;
    o->client = client;
    o->script = script;
    o->index = w->st->issued++;
    o->start = w->s.now;
    for (int i = 0; i < nprefer && i < RING_MAX_REPLICAS; i++)
        o->prefer[o->nprefer++] = prefer[i];
    if (sim_schedule_lane(&w->s, &w->coord.deadlines, &o->timeout, sim_after(&w->s, w->sc->quorum.timeout)))
        w->failed = 1;
    if (kind == OP_READ)
        oracle_read_start(w, o);
    int place = w->sc->cluster.coordinator;
    if (place == COORD_AT_CLIENT) {
        begin(w, o, EP_CLIENT);
    } else {
        int c = place == COORD_AT_OWNER ? ring_owners(w->ring, key)[0]
                                        : 1 + (int)rng_bounded(&w->coord.r_place, (uint32_t)w->nnodes);
        o->coord = (int16_t)c;
        send(w, o, MSG_CLIENT_REQ, EP_CLIENT, c);
    }
    return o;
}

/* Looks up the op a message refers to; NULL when it has ended (or its coordinator crashed). */
static op *find(world *w, const msg *m)
{
    if (m->op >= w->coord.nops)
        return NULL;
    op *o = w->coord.byid[m->op];
    if (!o->active || o->gen != m->gen)
        return NULL;
    return o;
}

/* Quorum reached at the coordinator. */
static void quorum(world *w, op *o)
{
    o->coord_done = 1;
    if (o->kind == OP_WRITE)
        oracle_write_acked(w, o);
    else
        oracle_read_done(w, o);
    if (o->coord == EP_CLIENT)
        complete(w, o, 1);
    else
        send(w, o, MSG_CLIENT_RESP, o->coord, EP_CLIENT);
}

void coord_on_msg(world *w, msg *m)
{
    op *o = find(w, m);
    switch (m->kind) {
    case MSG_CLIENT_REQ:
        if (o && !o->need) /* not begun yet: begin() sets need */
            begin(w, o, m->dst);
        else
            w->st->late_replies++;
        break;
    case MSG_CLIENT_RESP:
        if (o)
            complete(w, o, 1);
        else
            w->st->late_replies++;
        break;
    case MSG_WRITE_ACK:
    case MSG_READ_RESP:
        if (!o || o->coord_done || m->dst != (uint16_t)o->coord ||
            (o->coord != EP_CLIENT && w->nodes[o->coord].epoch != o->coord_epoch)) {
            w->st->late_replies++;
            break;
        }
        o->resp_node[o->nresp] = m->src;
        o->resp_ver[o->nresp] = m->ver;
        if (m->kind == MSG_READ_RESP && version_cmp(&m->ver, &o->ver) > 0)
            o->ver = m->ver;
        if (++o->nresp == o->need)
            quorum(w, o);
        break;
    default:
        break;
    }
    msg_put(&w->pool, m);
}
