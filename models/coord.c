/* coord: the quorum coordinator and the operation life cycle; see coord.h and op.h. */
#include "models/coord.h"
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "sim/alloc.h"
#include "models/scenario.h"
#include "models/world.h"
#include "sim/units.h"

#define OP_SLAB 256
#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

const char *const op_state_name[] = {
#define X(e, n) #n,
    OP_STATES(X)
#undef X
};
const char *const op_cause_name[OP_NCAUSES] = {
#define X(e, n) #n,
    OP_CAUSES(X)
#undef X
};
const char *const read_class_name[] = {
#define X(e, n) #n,
    READ_CLASSES(X)
#undef X
};

static const struct {
    const char *name;
    int64_t v;
} level_names[] = {{"ONE", 1},
                   {"TWO", 2},
                   {"THREE", 3},
                   {"QUORUM", QL_QUORUM},
                   {"ALL", QL_ALL},
                   {"LOCAL_ONE", QL_LOCAL_ONE},
                   {"LOCAL_QUORUM", QL_LOCAL_QUORUM},
                   {"EACH_QUORUM", QL_EACH_QUORUM},
                   {"ANY", QL_ANY}};

int coord_parse_level(const char *text, void *dst, char *err, size_t n)
{
    int64_t v;
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (strcmp(text, level_names[i].name) == 0) {
            memcpy(dst, &level_names[i].v, sizeof v);
            return 0;
        }
    }
    if (units_parse_int(text, &v) || v < 1 || v > RING_MAX_REPLICAS) {
        snprintf(err, n, "must be 1..%d or ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, ANY",
                 RING_MAX_REPLICAS);
        return -1;
    }
    memcpy(dst, &v, sizeof v);
    return 0;
}

int coord_level(int64_t level, int n)
{
    if (level == QL_QUORUM)
        return n / 2 + 1;
    if (level == QL_ANY)
        return 0;
    if (level < 0 || level > n)
        return n;
    return (int)level;
}

const char *coord_level_name(int64_t level, char *buf)
{
    if (level == 0) { /* an operation's lvl at ANY */
        snprintf(buf, 16, "ANY");
        return buf;
    }
    for (size_t i = 3; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (level == level_names[i].v) {
            snprintf(buf, 16, "%s", level_names[i].name);
            return buf;
        }
    }
    snprintf(buf, 16, "%lld", (long long)level);
    return buf;
}

static const cfg_key quorum_keys[] = {
    {"quorum", "r", CFG_CUSTOM, "QUORUM", 1, 0, "1..N|ONE|TWO|THREE|QUORUM|ALL|LOCAL_ONE|LOCAL_QUORUM|EACH_QUORUM",
     offsetof(quorum_cfg, r), coord_parse_level,
     "R: replies a read waits for (QUORUM = N/2+1; LOCAL_* in the client's datacenter, EACH_QUORUM in each)"},
    {"quorum", "w", CFG_CUSTOM, "QUORUM", 1, 0,
     "1..N|ONE|TWO|THREE|QUORUM|ALL|LOCAL_ONE|LOCAL_QUORUM|EACH_QUORUM|ANY", offsetof(quorum_cfg, w),
     coord_parse_level,
     "W: acknowledgements a write waits for (ANY: one of any kind, promising no replica)"},
    {"quorum", "timeout", CFG_DURATION, "1s", 1, 3600.0 * 1e9, NULL, offsetof(quorum_cfg, timeout), NULL,
     "an operation not answered by start + timeout fails as unavailable"},
    {"quorum", "read_fanout", CFG_ENUM, "all", 1, 0, "all|r", offsetof(quorum_cfg, read_fanout), NULL,
     "a read asks all N owners (Dynamo) or only R of them (Cassandra)"},
};
const cfg_table quorum_table = {quorum_keys, sizeof quorum_keys / sizeof quorum_keys[0], 0};

/* ---- observers ---- */

typedef void (*hook_op)(void *ctx, op *o);
typedef void (*hook_row)(void *ctx, op *o, int row);
typedef int (*hook_hold)(void *ctx, op *o);

static inline void notify(coord *c, int h, op *o)
{
    for (int i = 0; i < c->nhook[h]; i++)
        ((hook_op)c->hook[h][i].fn)(c->hook[h][i].ctx, o);
}

static inline void notify_row(coord *c, int h, op *o, int row)
{
    for (int i = 0; i < c->nhook[h]; i++)
        ((hook_row)c->hook[h][i].fn)(c->hook[h][i].ctx, o, row);
}

static int add_hook(coord *c, int h, void *fn, void *ctx)
{
    if (!fn)
        return 0;
    if (c->nhook[h] == COORD_MAX_OBSERVERS)
        return -1;
    c->hook[h][c->nhook[h]++] = (coord_hook){ctx, fn};
    return 0;
}

int coord_observe(coord *c, const op_observer *ob)
{
    if (add_hook(c, CH_SUBMIT, (void *)ob->submit, ob->ctx) || add_hook(c, CH_BEGIN, (void *)ob->begin, ob->ctx) ||
        add_hook(c, CH_SEND, (void *)ob->send, ob->ctx) || add_hook(c, CH_REPLY, (void *)ob->reply, ob->ctx) ||
        add_hook(c, CH_QUORUM, (void *)ob->quorum, ob->ctx) ||
        add_hook(c, CH_RESPOND, (void *)ob->respond, ob->ctx) ||
        add_hook(c, CH_ANSWER, (void *)ob->answer, ob->ctx) || add_hook(c, CH_RETIRE, (void *)ob->retire, ob->ctx))
        return -1;
    return 0;
}

int coord_set_fanout(coord *c, coord_fanout_fn fn, void *ctx, const char *owner, char *err, size_t n)
{
    if (c->fanout_owner) {
        snprintf(err, n, "the fan-out policy is set by %s and again by %s", c->fanout_owner, owner);
        return -1;
    }
    c->fanout = fn;
    c->fanout_ctx = ctx;
    c->fanout_owner = owner;
    return 0;
}

int coord_set_read_rank(coord *c, coord_rank_fn fn, void *ctx, const char *owner, char *err, size_t n)
{
    if (c->rank_owner) {
        snprintf(err, n, "replica selection is set by %s and again by %s", c->rank_owner, owner);
        return -1;
    }
    c->rank = fn;
    c->rank_ctx = ctx;
    c->rank_owner = owner;
    return 0;
}

int coord_set_expiry(coord *c, coord_expiry_fn fn, void *ctx, const char *owner, char *err, size_t n)
{
    if (c->expiry_owner) {
        snprintf(err, n, "the retry policy is set by %s and again by %s", c->expiry_owner, owner);
        return -1;
    }
    c->expiry = fn;
    c->expiry_ctx = ctx;
    c->expiry_owner = owner;
    return 0;
}

int coord_set_place(coord *c, coord_place_fn fn, void *ctx, const char *owner, char *err, size_t n)
{
    if (c->place_owner) {
        snprintf(err, n, "coordinator placement is set by %s and again by %s", c->place_owner, owner);
        return -1;
    }
    c->place_fn = fn;
    c->place_ctx = ctx;
    c->place_owner = owner;
    return 0;
}

int coord_set_rule(coord *c, const coord_rule *r, const char *owner, char *err, size_t n)
{
    if (c->rule_owner) {
        snprintf(err, n, "the quorum rule is set by %s and again by %s", c->rule_owner, owner);
        return -1;
    }
    c->rule = *r;
    c->rule_owner = owner;
    return 0;
}

int coord_may_count(const coord *c, const op *o, int nd) { return o->lvl >= 0 || c->rule.counts(c->rule.ctx, o, nd); }

int coord_overlap(const coord *c, int rlvl, int rdc, int wlvl, int wdc)
{
    if ((rlvl >= 0 && wlvl >= 0) || !c->rule.overlap)
        return rlvl + wlvl > c->n;
    return c->rule.overlap(c->rule.ctx, rlvl, rdc, wlvl, wdc);
}

/* Sets o's level: a count, ANY (one acknowledgement, no replica promised), or a level the
 * quorum rule resolves. */
static void set_level(coord *c, op *o, int64_t level)
{
    if (level == QL_ANY) {
        o->need = 1;
        o->lvl = 0;
        return;
    }
    if (coord_level_is_dc(level) && c->rule.need) {
        o->lvl = (int8_t)level;
        o->need = (uint8_t)c->rule.need(c->rule.ctx, o, level);
        return;
    }
    o->need = (uint8_t)coord_level(level, c->n);
    o->lvl = (int8_t)o->need;
}

int coord_timer_claim(coord *c, coord_timer_fn fn, void *ctx)
{
    if (c->ntimers == OP_TIMERS)
        return -1;
    c->timer[c->ntimers] = (coord_hook){ctx, (void *)fn};
    return c->ntimers++;
}

size_t coord_ext(coord *c, size_t size)
{
    assert(!c->sealed);
    size_t off = c->ext_size;
    c->ext_size += ALIGN8(size);
    return off;
}

void coord_reserve_targets(coord *c, int extra)
{
    assert(!c->sealed);
    c->tcap += extra;
    if (c->tcap > 255)
        c->tcap = 255;
}

void coord_keep_listening(coord *c, int64_t ns)
{
    if (ns > c->linger)
        c->linger = ns;
}

/* ---- operation slots ---- */

static void on_deadline(coord *c, op *o);
static void retire(coord *c, op *o);

/* Each timer slot has its own trampoline, so the event finds its operation. */
#define TIMER_FIRE(i)                                                                                   \
    static void timer_fire_##i(sim *s, sim_event *ev)                                                  \
    {                                                                                                   \
        (void)s;                                                                                        \
        op *o = SIM_CONTAINER_OF(ev, op, timer[i]);                                                    \
        coord *c = o->c;                                                                                \
        if ((i) == OP_TIMER_DEADLINE)                                                                   \
            on_deadline(c, o);                                                                          \
        else if ((i) == OP_TIMER_LINGER)                                                                \
            retire(c, o);                                                                               \
        else                                                                                            \
            ((coord_timer_fn)c->timer[i].fn)(c->timer[i].ctx, o);                                      \
    }
TIMER_FIRE(0)
TIMER_FIRE(1)
TIMER_FIRE(2)
TIMER_FIRE(3)
static const sim_handler timer_fire[OP_TIMERS] = {timer_fire_0, timer_fire_1, timer_fire_2, timer_fire_3};

static void seal(coord *c)
{
    c->sealed = 1;
    c->order_off = ALIGN8(offsetof(op, t) + (size_t)c->tcap * sizeof(op_target));
    c->ext_off = c->order_off + ALIGN8((size_t)c->tcap);
    c->stride = c->ext_off + c->ext_size;
}

static op *op_alloc(coord *c)
{
    if (!c->sealed)
        seal(c);
    if (!c->free) {
        if (c->nops + OP_SLAB > c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 1024;
            op **nb = mem_realloc(c->byid, nc * sizeof *nb);
            if (!nb)
                return NULL;
            c->byid = nb;
            c->cap = nc;
        }
        char *slab = mem_calloc(OP_SLAB, c->stride);
        if (!slab)
            return NULL;
        for (size_t i = OP_SLAB; i-- > 0;) {
            op *o = (op *)(slab + i * c->stride);
            o->id = (uint32_t)(c->nops + i);
            o->next_free = c->free;
            c->free = o;
            c->byid[c->nops + i] = o;
        }
        c->nops += OP_SLAB;
    }
    op *o = c->free;
    c->free = o->next_free;
    uint32_t id = o->id, gen = o->gen;
    memset(o, 0, offsetof(op, t));
    o->id = id;
    o->gen = gen;
    o->c = c;
    o->order = (uint8_t *)o + c->order_off;
    o->ext = (char *)o + c->ext_off;
    if (c->ext_size)
        memset(o->ext, 0, c->ext_size);
    for (int i = 0; i < OP_TIMERS; i++)
        sim_event_init(&o->timer[i], timer_fire[i]);
    if (++c->live > c->res->peak_ops)
        c->res->peak_ops = c->live;
    return o;
}

static void retire(coord *c, op *o)
{
    for (int i = 0; i < OP_TIMERS; i++)
        sim_cancel(c->s, &o->timer[i]);
    o->state = OP_RETIRED;
    notify(c, CH_RETIRE, o);
    o->gen++;
    o->next_free = c->free;
    c->free = o;
    c->live--;
}

int coord_timer_set(coord *c, op *o, int slot, int64_t at)
{
    sim_cancel(c->s, &o->timer[slot]);
    if (sim_schedule(c->s, &o->timer[slot], at)) {
        sim_fail(c->s);
        return -1;
    }
    return 0;
}

void coord_timer_cancel(coord *c, op *o, int slot) { sim_cancel(c->s, &o->timer[slot]); }

/* ---- messages ---- */

static msg *new_msg(coord *c, const op *o, msg_kind kind, int src, int dst)
{
    msg *m = msg_get(c->pool);
    if (!m) {
        sim_fail(c->s);
        return NULL;
    }
    m->kind = (uint8_t)kind;
    m->src = (uint16_t)src;
    m->dst = (uint16_t)dst;
    m->op = o->id;
    m->gen = o->gen;
    m->key = o->key;
    return m;
}

/* A client message (request to a node coordinator, or the answer back). */
static void send_client(coord *c, op *o, msg_kind kind, int src, int dst)
{
    msg *m = new_msg(c, o, kind, src, dst);
    if (m && net_send(c->net, m))
        sim_fail(c->s);
}

int coord_send(coord *c, op *o, int dst, msg_kind kind, op_cause cause, int counts, const version *ver,
               const msg_payload *pl)
{
    if (o->ntargets == c->tcap)
        return -1;
    msg *m = new_msg(c, o, kind, o->coord, dst);
    if (!m)
        return -1;
    int row = o->ntargets++;
    op_target *t = &o->t[row];
    t->sent = c->s->now;
    t->replied = -1;
    t->ver = ver ? *ver : o->ver;
    t->node = (uint16_t)dst;
    t->cause = (uint8_t)cause;
    t->kind = (uint8_t)kind;
    t->counts = (uint8_t)(counts && (o->lvl >= 0 || c->rule.counts(c->rule.ctx, o, dst)));
    c->res->requests[cause]++;
    m->row = (uint16_t)row;
    m->ver = t->ver;
    m->deadline = o->timer[OP_TIMER_DEADLINE].hn.time;
    if (pl)
        m->pl = *pl;
    if (net_send(c->net, m))
        sim_fail(c->s);
    notify_row(c, CH_SEND, o, row);
    return row;
}

/* ---- the life cycle ---- */

/* The client has its answer: ok, or failed because the deadline passed. */
static void answer(coord *c, op *o, int ok)
{
    sim_cancel(c->s, &o->timer[OP_TIMER_DEADLINE]);
    o->state = OP_ANSWERED;
    o->ok = (uint8_t)ok;
    o->answered = c->s->now;
    notify(c, CH_ANSWER, o);
    if (o->state != OP_ANSWERED)
        return; /* an observer retired it (cannot happen today; kept safe) */
    if (c->linger == 0 || o->nreplied == o->ntargets)
        retire(c, o);
    else if (sim_schedule_lane(c->s, &c->lingers, &o->timer[OP_TIMER_LINGER], sim_after(c->s, c->linger)))
        sim_fail(c->s);
}

static void reach_quorum(coord *c, op *o);

/* The deadline passed: the retry policy may give the operation another try. */
static void on_deadline(coord *c, op *o)
{
    int level = c->expiry && o->state == OP_FANOUT ? c->expiry(c->expiry_ctx, o) : 0;
    if (level <= 0) {
        answer(c, o, 0);
        return;
    }
    o->retries++;
    set_level(c, o, level);
    /* the new deadline first: the requests sent again carry it, and an answer that is lost on
     * its way to the client (a node coordinator's) still ends the operation there */
    if (sim_schedule_lane(c->s, &c->deadlines, &o->timer[OP_TIMER_DEADLINE], sim_after(c->s, c->cfg->timeout)))
        sim_fail(c->s);
    if (o->ncounted >= o->need) {
        reach_quorum(c, o);
        return;
    }
    int rows = o->ntargets;
    for (int r = 0; r < rows; r++) {
        const op_target *t = &o->t[r];
        /* plain reads and writes only: a kind with a module's payload is not sent again */
        if (t->counts && t->replied < 0 && (t->kind == MSG_READ_REQ || t->kind == MSG_WRITE_REQ))
            coord_send(c, o, t->node, (msg_kind)t->kind, CAUSE_RETRY, 1, &t->ver, NULL);
    }
}

/* The coordinator returns success: after the quorum, once no observer holds the answer. */
static void respond(coord *c, op *o)
{
    o->state = OP_RESPONDED;
    o->responded = 1;
    notify(c, CH_RESPOND, o);
    if (o->coord == EP_CLIENT)
        answer(c, o, 1);
    else
        send_client(c, o, MSG_CLIENT_RESP, o->coord, EP_CLIENT);
}

static void reach_quorum(coord *c, op *o)
{
    o->state = OP_HELD;
    int holds = 0;
    for (int i = 0; i < c->nhook[CH_QUORUM]; i++)
        holds += ((hook_hold)c->hook[CH_QUORUM][i].fn)(c->hook[CH_QUORUM][i].ctx, o) != 0;
    o->holds = (uint8_t)holds;
    if (!holds)
        respond(c, o);
}

void coord_release(coord *c, op *o)
{
    assert(o->holds > 0);
    if (--o->holds == 0 && o->state == OP_HELD)
        respond(c, o);
}

/* want of the n candidates (all of them with read_fanout = all): prefer first, then the
 * rest in candidate order when ordered, else the best ranked, else drawn at random. */
static int choose(coord *c, op *o, const uint16_t *prefer, int nprefer, int ordered, const uint16_t *cand, int n,
                  int want, uint16_t *out)
{
    if (c->cfg->read_fanout == FANOUT_ALL) {
        for (int i = 0; i < n; i++)
            out[i] = cand[i];
        return n;
    }
    /* R of them: the script's prefer nodes first, then the rest in candidate order when
     * prefer was given, else drawn at random */
    uint16_t pool[RING_MAX_REPLICAS];
    int np = 0, got = 0;
    if (want > n)
        want = n;
    for (int i = 0; i < nprefer && got < want; i++)
        out[got++] = prefer[i];
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int j = 0; j < got; j++)
            dup |= out[j] == cand[i];
        if (!dup)
            pool[np++] = cand[i];
    }
    if (ordered) {
        for (int i = 0; got < want && i < np; i++)
            out[got++] = pool[i];
    } else if (c->rank) {
        /* the best ranked, ties in candidate order (insertion sort: N is small) */
        double score[RING_MAX_REPLICAS];
        for (int i = 0; i < np; i++) {
            double sc = c->rank(c->rank_ctx, o, pool[i]);
            uint16_t nd = pool[i];
            int j = i;
            for (; j > 0 && score[j - 1] > sc; j--) {
                score[j] = score[j - 1];
                pool[j] = pool[j - 1];
            }
            score[j] = sc;
            pool[j] = nd;
        }
        for (int i = 0; got < want && i < np; i++)
            out[got++] = pool[i];
    } else {
        for (int i = 0; got < want && i < np; i++) {
            uint32_t j = (uint32_t)i + rng_bounded(&c->r_targets, (uint32_t)(np - i));
            uint16_t t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
            out[got++] = pool[i];
        }
    }
    return got;
}

int coord_pick_reads(coord *c, op *o, const uint16_t *cand, int n, uint16_t *out)
{
    if (o->lvl < 0)
        return c->rule.pick(c->rule.ctx, o, cand, n, out);
    return choose(c, o, o->prefer, o->nprefer, o->nprefer > 0, cand, n, o->need, out);
}

int coord_choose_reads(coord *c, op *o, const uint16_t *cand, int n, int want, uint16_t *out)
{
    uint16_t prefer[RING_MAX_REPLICAS];
    int np = 0;
    for (int i = 0; i < o->nprefer; i++)
        for (int j = 0; j < n; j++)
            if (cand[j] == o->prefer[i])
                prefer[np++] = cand[j];
    return choose(c, o, prefer, np, o->nprefer > 0, cand, n, want, out);
}

void coord_fanout_default(void *ctx, op *o)
{
    coord *c = ctx;
    const uint16_t *own = ring_owners(c->ring, o->key);
    if (o->kind == OP_WRITE) {
        for (int i = 0; i < c->n; i++)
            coord_send(c, o, own[i], MSG_WRITE_REQ, CAUSE_FIRST, 1, NULL, NULL);
        return;
    }
    uint16_t tg[RING_MAX_REPLICAS];
    int got = coord_pick_reads(c, o, own, c->n, tg);
    for (int i = 0; i < got; i++)
        coord_send(c, o, tg[i], MSG_READ_REQ, CAUSE_FIRST, 1, NULL, NULL);
}

/* The coordinator at endpoint e starts the fan-out. */
static void begin(coord *c, op *o, int e)
{
    o->state = OP_FANOUT;
    o->coord = (int16_t)e;
    o->coord_epoch = e == EP_CLIENT ? 0 : nodes_epoch(c->nodes, e);
    if (o->kind == OP_WRITE)
        o->ver = ver_new(&c->vers, o->key, c->s->now, o->client);
    notify(c, CH_BEGIN, o);
    c->fanout(c->fanout_ctx, o);
}

op *coord_submit(coord *c, const op_request *rq)
{
    op *o = op_alloc(c);
    if (!o) {
        sim_fail(c->s);
        return NULL;
    }
    o->kind = rq->kind;
    o->key = rq->key;
    o->client = rq->client;
    o->script = rq->script;
    o->index = c->res->issued++;
    o->start = c->s->now;
    o->dc = rq->dc;
    set_level(c, o, rq->level ? rq->level : rq->kind == OP_WRITE ? c->cfg->w : c->cfg->r);
    for (int i = 0; i < rq->nprefer && i < RING_MAX_REPLICAS; i++)
        o->prefer[o->nprefer++] = rq->prefer[i];
    if (sim_schedule_lane(c->s, &c->deadlines, &o->timer[OP_TIMER_DEADLINE], sim_after(c->s, c->cfg->timeout)))
        sim_fail(c->s);
    notify(c, CH_SUBMIT, o);
    if (c->place == COORD_AT_CLIENT) {
        begin(c, o, EP_CLIENT);
    } else {
        int e = c->place_fn                  ? c->place_fn(c->place_ctx, o)
                : c->place == COORD_AT_OWNER ? ring_owners(c->ring, o->key)[0]
                                             : 1 + (int)rng_bounded(&c->r_place, (uint32_t)c->nnodes);
        o->coord = (int16_t)e;
        send_client(c, o, MSG_CLIENT_REQ, EP_CLIENT, e);
    }
    return o;
}

static op *submit_cb(void *ctx, const op_request *rq) { return coord_submit(ctx, rq); }

op_submitter coord_submitter(coord *c) { return (op_submitter){submit_cb, c}; }

op *coord_find(const coord *c, uint32_t id, uint32_t gen)
{
    if (id >= c->nops)
        return NULL;
    op *o = c->byid[id];
    return o->state != OP_RETIRED && o->gen == gen ? o : NULL;
}

/* The op a message refers to; NULL when it has been retired. */
static op *find(const coord *c, const msg *m) { return coord_find(c, m->op, m->gen); }

void coord_reply_route(void *ctx, msg *m)
{
    coord *c = ctx;
    op *o = find(c, m);
    if (!o || m->dst != (uint16_t)o->coord || o->state == OP_SUBMITTED ||
        (o->coord != EP_CLIENT && nodes_epoch(c->nodes, o->coord) != o->coord_epoch)) {
        c->res->late_replies++; /* retired, or its coordinator crashed and forgot it */
        msg_put(c->pool, m);
        return;
    }
    int row = m->row;
    op_target *t = &o->t[row];
    t->replied = c->s->now;
    t->ver = m->ver;
    o->order[o->nreplied++] = (uint8_t)row;
    int before_quorum = o->state == OP_FANOUT;
    if (!before_quorum)
        c->res->late_replies++;
    notify_row(c, CH_REPLY, o, row);
    if (before_quorum && t->counts) {
        if (o->kind == OP_READ && ver_cmp(&t->ver, &o->ver) > 0)
            o->ver = t->ver;
        ++o->ncounted;
        if (o->lvl < 0 ? c->rule.reached(c->rule.ctx, o, row) : o->ncounted == o->need)
            reach_quorum(c, o);
    } else if (o->state == OP_ANSWERED && o->nreplied == o->ntargets) {
        retire(c, o);
    }
    msg_put(c->pool, m); /* last: the reply counts as in flight until it is handled */
}

static void on_client_req(void *ctx, msg *m)
{
    coord *c = ctx;
    op *o = find(c, m);
    if (o && o->state == OP_SUBMITTED)
        begin(c, o, m->dst);
    else
        c->res->late_replies++;
    msg_put(c->pool, m);
}

static void on_client_resp(void *ctx, msg *m)
{
    coord *c = ctx;
    op *o = find(c, m);
    if (o && o->state == OP_RESPONDED)
        answer(c, o, 1);
    else
        c->res->late_replies++;
    msg_put(c->pool, m);
}

int coord_init(coord *c, sim *s, msg_pool *pool, net *nt, const ring *rg, const node_set *ns, router *rt,
               const quorum_cfg *qc, int place, int nnodes, uint32_t nkeys, uint64_t seed, coord_res *res,
               char *err, size_t n)
{
    memset(c, 0, sizeof *c);
    c->s = s;
    c->pool = pool;
    c->net = nt;
    c->ring = rg;
    c->nodes = ns;
    c->cfg = qc;
    c->res = res;
    c->n = ring_replicas(rg);
    c->nnodes = nnodes;
    c->place = place;
    c->tcap = c->n;
    c->fanout = coord_fanout_default;
    c->fanout_ctx = c;
    c->ntimers = OP_TIMER_MODULE;
    rng_derive(&c->r_place, seed, rng_entity_id("coordinator placement"));
    rng_derive(&c->r_targets, seed, rng_entity_id("coordinator read targets"));
    if (versions_init(&c->vers, nkeys) || sim_lane_init(s, &c->deadlines) || sim_lane_init(s, &c->lingers)) {
        snprintf(err, n, "out of memory");
        return -ENOMEM;
    }
    if (router_add(rt, MSG_WRITE_ACK, SVC_NONE, coord_reply_route, c, "quorum", err, n) ||
        router_add(rt, MSG_READ_RESP, SVC_NONE, coord_reply_route, c, "quorum", err, n) ||
        router_add(rt, MSG_CLIENT_REQ, SVC_NONE, on_client_req, c, "quorum", err, n) ||
        router_add(rt, MSG_CLIENT_RESP, SVC_NONE, on_client_resp, c, "quorum", err, n))
        return -EINVAL;
    return 0;
}

void coord_fini(coord *c)
{
    for (size_t i = 0; i < c->nops; i += OP_SLAB)
        mem_free(c->byid[i]);
    mem_free(c->byid);
    versions_fini(&c->vers);
    memset(c, 0, sizeof *c);
}

/* ---- the quorum module ---- */

static void resolve_level(cfg *c, const char *key, int64_t *v, int64_t n)
{
    if (*v == QL_QUORUM)
        *v = n / 2 + 1;
    else if (*v == QL_ALL)
        *v = n;
    else if (*v > n)
        cfg_error_key(c, "quorum", key, "must be <= replicas (%lld)", (long long)n);
}

static void check(cfg *c, const scenario *sc, void *mcfg)
{
    quorum_cfg *q = mcfg;
    int64_t n = SC_CFG(sc, MOD_CLUSTER, cluster_cfg)->replicas;
    if (q->r == QL_ANY)
        cfg_error_key(c, "quorum", "r", "ANY is a write level (a hint answers no read)");
    resolve_level(c, "r", &q->r, n);
    resolve_level(c, "w", &q->w, n);
}

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    const cluster_cfg *cc = SC_CFG(w->sc, MOD_CLUSTER, cluster_cfg);
    uint32_t nkeys = w->sc->nkeys;
    *state = &w->coord;
    int rc = coord_init(&w->coord, &w->s, &w->pool, &w->net, w->ring, &w->nodes, &w->rt, mcfg, cc->coordinator,
                        (int)cc->nodes, nkeys, w->seed, res, err, n);
    return rc == -EINVAL ? -EINVAL : rc ? -ENOMEM : 0;
}

static void destroy(void *state) { coord_fini(state); }

#define REQ_METRIC(e, nm)                                                                               \
    {"requests." #nm, "requests_" #nm, NULL, MT_COUNT, "messages", "requests operations sent to nodes, cause " #nm, \
     metric_u64, MFIELD(MOD_QUORUM, coord_res, requests) + (int)((e) * sizeof(uint64_t)), NULL},

static const metric quorum_metrics[] = {
    OP_CAUSES(REQ_METRIC)
    {"messages.late_replies", "late_replies", NULL, MT_COUNT, "messages",
     "replies and client messages that arrived after their quorum or their operation", metric_u64,
     MFIELD(MOD_QUORUM, coord_res, late_replies), NULL},
    {"peak_inflight_ops", "peak_inflight_ops", NULL, MT_COUNT, "operations",
     "most operations alive at once (answered ones still listening included)", metric_u64,
     MFIELD(MOD_QUORUM, coord_res, peak_ops), NULL},
};

const module quorum_module = {
    .name = "quorum",
    .keys = &quorum_table,
    .cfg_size = sizeof(quorum_cfg),
    .check = check,
    .res_size = sizeof(coord_res),
    .create = create,
    .destroy = destroy,
    .metrics = quorum_metrics,
    .nmetrics = sizeof quorum_metrics / sizeof quorum_metrics[0],
};
