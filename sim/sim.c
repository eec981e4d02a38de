/* sim: the discrete-event loop; see sim.h.
 * The engine's core (docs/design.md section 2): takes events in (time, seq) order from the
 * heap and the lanes, advances the clock, runs handlers, and keeps the
 * scheduled/dispatched/cancelled counts. */
#include "sim/sim.h"
#include <assert.h>
#include "sim/alloc.h"

#if defined(QSIM_DEBUG) && QSIM_DEBUG
#define SIM_CHECK_EVERY 4096
#endif

/* A pending event in a lane keeps, in hn.index, this bit, its lane's id (bits 56..58) and
 * its absolute position in the lane (bits 0..55). HEAP_NONE (all ones) is never such a
 * value: lane ids stay below SIM_MAX_LANES. */
#define SIM_IN_LANE ((size_t)1 << 63)
#define LANE_SHIFT 56
#define LANE_POS_MASK (((size_t)1 << LANE_SHIFT) - 1)

static inline int in_lane(size_t index) { return index != HEAP_NONE && (index & SIM_IN_LANE); }

static inline int before(const heap_node *a, const heap_node *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

void sim_init(sim *s)
{
    heap_init(&s->q);
    s->nlanes = 0;
    s->lane_live = 0;
    s->now = 0;
    s->seq = 0;
    s->scheduled = s->dispatched = s->cancelled = 0;
    s->stop = 0;
    s->failed = 0;
    s->stall_limit = 0;
    s->stalled = 0;
    s->saturated = 0;
}

void sim_fini(sim *s)
{
    heap_fini(&s->q);
    for (int i = 0; i < s->nlanes; i++) {
        sim_lane *l = s->lanes[i];
        mem_free(l->slot);
        l->slot = NULL;
        l->cap = 0;
        l->head = l->tail = 0;
        l->live = 0;
    }
    s->nlanes = 0;
    s->lane_live = 0;
}

int sim_lane_init(sim *s, sim_lane *l)
{
    if (s->nlanes == SIM_MAX_LANES)
        return -1;
    l->slot = NULL;
    l->head = l->tail = 0;
    l->cap = 0;
    l->live = 0;
    l->last = INT64_MIN;
    l->id = (uint8_t)s->nlanes;
    s->lanes[s->nlanes++] = l;
    return 0;
}

void sim_event_init(sim_event *ev, sim_handler fn)
{
    ev->hn.time = 0;
    ev->hn.seq = 0;
    ev->hn.index = HEAP_NONE;
    ev->fn = fn;
}

int sim_schedule(sim *s, sim_event *ev, int64_t at)
{
    assert(at >= s->now);
    assert(!sim_event_pending(ev));
    ev->hn.time = at;
    ev->hn.seq = s->seq++;
    if (heap_push(&s->q, &ev->hn) != 0)
        return -1;
    s->scheduled++;
    return 0;
}

/* Doubles a full lane's ring, keeping every position's slot at position & (cap - 1). */
static int lane_grow(sim_lane *l)
{
    size_t cap = l->cap ? l->cap * 2 : 256;
    if (cap > ((size_t)-1 / sizeof *l->slot))
        return -1;
    sim_event **ns = mem_alloc(cap * sizeof *ns);
    if (!ns)
        return -1;
    for (uint64_t p = l->head; p < l->tail; p++)
        ns[p & (cap - 1)] = l->slot[p & (l->cap - 1)];
    mem_free(l->slot);
    l->slot = ns;
    l->cap = cap;
    return 0;
}

int sim_schedule_lane(sim *s, sim_lane *l, sim_event *ev, int64_t at)
{
    if (at < l->last)
        return sim_schedule(s, ev, at);
    assert(at >= s->now);
    assert(!sim_event_pending(ev));
    if (l->tail - l->head == l->cap && lane_grow(l))
        return -1;
    ev->hn.time = at;
    ev->hn.seq = s->seq++;
    uint64_t pos = l->tail++;
    l->slot[pos & (l->cap - 1)] = ev;
    ev->hn.index = SIM_IN_LANE | ((size_t)l->id << LANE_SHIFT) | ((size_t)pos & LANE_POS_MASK);
    l->last = at;
    l->live++;
    s->lane_live++;
    s->scheduled++;
    return 0;
}

void sim_cancel(sim *s, sim_event *ev)
{
    if (!sim_event_pending(ev))
        return;
    size_t ix = ev->hn.index;
    if (in_lane(ix)) {
        sim_lane *l = s->lanes[(ix & ~SIM_IN_LANE) >> LANE_SHIFT];
        uint64_t pos = ix & LANE_POS_MASK;
        assert(pos >= l->head && pos < l->tail && l->slot[pos & (l->cap - 1)] == ev);
        l->slot[pos & (l->cap - 1)] = NULL;
        l->live--;
        s->lane_live--;
        ev->hn.index = HEAP_NONE;
    } else {
        heap_remove(&s->q, &ev->hn);
    }
    s->cancelled++;
}

/* The lane's first pending event, skipping the empty slots of cancelled ones; NULL if none. */
static inline sim_event *lane_peek(sim_lane *l)
{
    if (!l->live) {
        l->head = l->tail;
        return NULL;
    }
    for (;;) {
        sim_event *ev = l->slot[l->head & (l->cap - 1)];
        if (ev)
            return ev;
        l->head++;
    }
}

/* The next event in (time, seq) order, or NULL when none is pending; *from is its lane,
 * or NULL when it is the heap's top. */
static sim_event *peek_next(sim *s, sim_lane **from)
{
    heap_node *top = heap_peek(&s->q);
    sim_event *best = top ? SIM_CONTAINER_OF(top, sim_event, hn) : NULL;
    *from = NULL;
    for (int i = 0; i < s->nlanes; i++) {
        sim_event *ev = lane_peek(s->lanes[i]);
        if (ev && (!best || before(&ev->hn, &best->hn))) {
            best = ev;
            *from = s->lanes[i];
        }
    }
    return best;
}

uint64_t sim_run(sim *s, int64_t until)
{
    uint64_t n = 0, same = 0;
    s->stop = 0;
    while (!s->stop) {
        sim_lane *l;
        sim_event *ev = peek_next(s, &l);
        if (!ev || ev->hn.time > until)
            break;
        same = ev->hn.time == s->now ? same + 1 : 0;
        if (s->stall_limit && same > s->stall_limit) {
            s->stalled = 1;
            break;
        }
        if (l) {
            l->slot[l->head & (l->cap - 1)] = NULL;
            l->head++;
            l->live--;
            s->lane_live--;
            ev->hn.index = HEAP_NONE;
        } else {
            heap_pop(&s->q);
        }
        assert(ev->hn.time >= s->now);
        s->now = ev->hn.time;
        s->dispatched++;
        n++;
        ev->fn(s, ev);
#ifdef SIM_CHECK_EVERY
        if (n % SIM_CHECK_EVERY == 0)
            assert(heap_check(&s->q));
#endif
    }
    /* checked once here, not at every schedule: only an event at the limit moves the clock there */
    s->saturated |= s->now >= SIM_TIME_MAX;
#ifdef SIM_CHECK_EVERY
    assert(sim_balanced(s));
#endif
    return n;
}

void sim_stop(sim *s)
{
    s->stop = 1;
}

int sim_balanced(const sim *s)
{
    return s->scheduled == s->dispatched + s->cancelled + sim_pending(s);
}
