/* sim: the discrete-event loop (docs/design.md section 2). Knows nothing of quorums.
 * Time is int64_t ns. Events are embedded in the structs that own them; the handler
 * recovers its owner with SIM_CONTAINER_OF. Every event runs in (time, sequence) order:
 * equal-time events run in the order they were scheduled. Cancelling removes the event
 * from its queue (sim_cancel): that is the one way to cancel. The loop asserts time never
 * runs backwards, and counts scheduled = dispatched + cancelled + pending at all times.
 *
 * Two kinds of queue hold pending events, with one order between them: the heap, for any
 * time, and lanes, FIFO queues for timers whose times never decrease in the order they
 * are scheduled (timers of one fixed duration, such as every operation's deadline; the
 * idea is libev's for timeouts). A lane costs O(1) to schedule into and to cancel from,
 * and keeps the heap small. Which queue an event sits in never changes the order events
 * run in: the loop takes the smallest (time, sequence) among the heap's top and every
 * lane's head. */
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
    heap_node hn;   /* hn.index != HEAP_NONE while pending (in the heap, or SIM_IN_LANE: in a lane) */
    sim_handler fn;
} sim_event;

/* A lane: a ring of event pointers in scheduling order; a cancelled event leaves an empty
 * slot that the loop skips. Positions are absolute (they only grow); the slot of position
 * p is p & (cap - 1). */
typedef struct sim_lane {
    struct sim_event **slot;
    uint64_t head, tail; /* positions: [head, tail) are queued, some of them empty */
    size_t cap;          /* 0 or a power of two */
    size_t live;         /* pending events in the lane */
    int64_t last;        /* time of the latest event scheduled into the lane */
    uint8_t id;          /* index in the sim's lane list */
} sim_lane;

#define SIM_MAX_LANES 8

typedef struct sim {
    heap q;
    sim_lane *lanes[SIM_MAX_LANES];
    int nlanes;
    size_t lane_live; /* pending events in all lanes */
    int64_t now;         /* ns */
    uint64_t seq;
    uint64_t scheduled;  /* every successful sim_schedule */
    uint64_t dispatched; /* handlers run */
    uint64_t cancelled;  /* removed by sim_cancel */
    int stop;
    int failed;          /* a handler ran out of memory: the run's results are not valid */
    uint64_t stall_limit; /* events at one instant after which sim_run stops (0: no limit) */
    int stalled;         /* sim_run stopped: stall_limit events without the clock advancing */
    int saturated;       /* the clock reached SIM_TIME_MAX: a delay clamped there took effect */
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
/* Frees the heap's array and every lane's ring (not the events). */
void sim_fini(sim *s);
/* Registers a lane (owned by the caller, who keeps it alive until sim_fini). Returns 0, or
 * -1 when SIM_MAX_LANES lanes are registered already. */
int sim_lane_init(sim *s, sim_lane *l);
/* Prepares an embedded event (not pending). */
void sim_event_init(sim_event *ev, sim_handler fn);
static inline int sim_event_pending(const sim_event *ev) { return ev->hn.index != HEAP_NONE; }
/* Schedules ev at absolute time at (ns, >= s->now, asserted). ev must not be pending.
 * Returns 0 or -1 if the queue could not grow. */
int sim_schedule(sim *s, sim_event *ev, int64_t at);
/* Schedules ev at absolute time at into lane l: O(1) amortised (the ring doubles when full,
 * never an allocation per event). An event whose time is earlier than the lane's latest
 * goes to the heap instead, so the order of events is always (time, sequence). Returns 0
 * or -1 if a queue could not grow. */
int sim_schedule_lane(sim *s, sim_lane *l, sim_event *ev, int64_t at);
/* Removes a pending event from its heap or lane; a no-op for an event that is not pending. */
void sim_cancel(sim *s, sim_event *ev);
/* Runs events in (time, seq) order while the queue is not empty, the next event's time is
 * <= until, sim_stop was not called, and (with a stall_limit) the clock did not stand still
 * for stall_limit events in a row (then s->stalled is set). Returns the number of events
 * dispatched. */
uint64_t sim_run(sim *s, int64_t until);
void sim_stop(sim *s);
/* Marks the run failed (a handler could not allocate); the loop goes on, the caller of
 * sim_run checks s->failed. */
static inline void sim_fail(sim *s) { s->failed = 1; }
static inline size_t sim_pending(const sim *s) { return s->q.n + s->lane_live; }
/* scheduled == dispatched + cancelled + pending: returns 1 if balanced. */
int sim_balanced(const sim *s);
#endif
