/* sim: the discrete-event loop; see sim.h.
 * The engine's core (DESIGN.md section 2): pops events in (time, seq) order from the heap,
 * advances the clock, runs handlers, and keeps the scheduled/dispatched/cancelled counts. */
#include "sim/sim.h"
#include <assert.h>

#if defined(QSIM_DEBUG) && QSIM_DEBUG
#define SIM_CHECK_EVERY 4096
#endif

void sim_init(sim *s)
{
    heap_init(&s->q);
    s->now = 0;
    s->seq = 0;
    s->scheduled = s->dispatched = s->cancelled = 0;
    s->stop = 0;
}

void sim_fini(sim *s)
{
    heap_fini(&s->q);
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

void sim_cancel(sim *s, sim_event *ev)
{
    if (!sim_event_pending(ev))
        return;
    heap_remove(&s->q, &ev->hn);
    s->cancelled++;
}

uint64_t sim_run(sim *s, int64_t until)
{
    uint64_t n = 0;
    s->stop = 0;
    while (!s->stop) {
        heap_node *top = heap_peek(&s->q);
        if (!top || top->time > until)
            break;
        heap_pop(&s->q);
        assert(top->time >= s->now);
        s->now = top->time;
        s->dispatched++;
        n++;
        sim_event *ev = SIM_CONTAINER_OF(top, sim_event, hn);
        ev->fn(s, ev);
#ifdef SIM_CHECK_EVERY
        if (n % SIM_CHECK_EVERY == 0)
            assert(heap_check(&s->q));
#endif
    }
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
    return s->scheduled == s->dispatched + s->cancelled + s->q.n;
}
