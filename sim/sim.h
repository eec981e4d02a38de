/* sim: the discrete-event loop (DESIGN.md section 2). Knows nothing of quorums.
 * Time is int64_t ns. Events are embedded in the structs that own them; the handler
 * recovers its owner with SIM_CONTAINER_OF. Equal-time events run in the order they were
 * scheduled. Cancelling removes the event from the queue (sim_cancel): that is the one
 * way to cancel. The loop asserts time never runs backwards, and counts
 * scheduled = dispatched + cancelled + pending at all times. */
#ifndef QSIM_SIM_H
#define QSIM_SIM_H
#include <stddef.h>
#include <stdint.h>
#include "sim/heap.h"

#define SIM_CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

struct sim;
struct sim_event;
typedef void (*sim_handler)(struct sim *s, struct sim_event *ev);

typedef struct sim_event {
    heap_node hn;   /* hn.index != HEAP_NONE while pending */
    sim_handler fn;
} sim_event;

typedef struct sim {
    heap q;
    int64_t now;         /* ns */
    uint64_t seq;
    uint64_t scheduled;  /* every successful sim_schedule */
    uint64_t dispatched; /* handlers run */
    uint64_t cancelled;  /* removed by sim_cancel */
    int stop;
} sim;

/* The latest time the loop ever reaches (about 146 years): delays that would go past it
 * are clamped, so time never overflows. */
#define SIM_TIME_MAX (INT64_C(1) << 62)
/* now + delay, saturated at SIM_TIME_MAX (delay >= 0). */
static inline int64_t sim_after(const sim *s, int64_t delay)
{
    return delay >= SIM_TIME_MAX - s->now ? SIM_TIME_MAX : s->now + delay;
}

void sim_init(sim *s);
void sim_fini(sim *s);
/* Prepares an embedded event (not pending). */
void sim_event_init(sim_event *ev, sim_handler fn);
static inline int sim_event_pending(const sim_event *ev) { return ev->hn.index != HEAP_NONE; }
/* Schedules ev at absolute time at (ns, >= s->now, asserted). ev must not be pending.
 * Returns 0 or -1 if the queue could not grow. */
int sim_schedule(sim *s, sim_event *ev, int64_t at);
/* Removes a pending event; a no-op for an event that is not pending. */
void sim_cancel(sim *s, sim_event *ev);
/* Runs events in (time, seq) order while the queue is not empty, the next event's time is
 * <= until, and sim_stop was not called. Returns the number of events dispatched. */
uint64_t sim_run(sim *s, int64_t until);
void sim_stop(sim *s);
static inline size_t sim_pending(const sim *s) { return s->q.n; }
/* scheduled == dispatched + cancelled + pending: returns 1 if balanced. */
int sim_balanced(const sim *s);
#endif
