/* test_sim: the discrete-event loop (docs/design.md section 2): time order, FIFO ties,
 * cancellation, self-rescheduling handlers, run-until, and scheduled = dispatched +
 * cancelled + pending; lanes (FIFO timers) in one order with the heap. */
#include "tests/testutil.h"
#include "sim/alloc.h"
#include "sim/sim.h"

static uint64_t rng_state;

static uint64_t xrand(void) { return tu_xorshift(&rng_state); }

typedef struct item {
    sim_event ev;
    int id;
    int runs;
    int64_t ran_at;
} item;

enum { LOG_MAX = 20000 };
static int log_ids[LOG_MAX];
static int64_t log_times[LOG_MAX];
static size_t log_n;

static void log_handler(sim *s, sim_event *ev)
{
    item *it = SIM_CONTAINER_OF(ev, item, ev);
    it->runs++;
    it->ran_at = s->now;
    assert_true(log_n < LOG_MAX);
    log_ids[log_n] = it->id;
    log_times[log_n] = s->now;
    log_n++;
}

static void sim_events_run_in_time_order(void **state)
{
    (void)state;
    long live = mem_live();
    enum { N = 10000 }; /* over 4096 dispatches: exercises the debug heap check */
    item *items = mem_alloc(N * sizeof *items);
    assert_non_null(items);
    sim s;
    sim_init(&s);
    rng_state = 99;
    log_n = 0;
    for (int i = 0; i < N; i++) {
        items[i].id = i;
        items[i].runs = 0;
        sim_event_init(&items[i].ev, log_handler);
        EQ(sim_event_pending(&items[i].ev), 0);
        EQ(sim_schedule(&s, &items[i].ev, (int64_t)(xrand() % 1000000)), 0);
        EQ(sim_event_pending(&items[i].ev), 1);
    }
    EQ(sim_pending(&s), N);
    EQ(sim_run(&s, INT64_MAX), N);
    EQ(log_n, N);
    for (size_t k = 1; k < log_n; k++)
        assert_true(log_times[k] >= log_times[k - 1]);
    for (int i = 0; i < N; i++) {
        EQ(items[i].runs, 1);
        EQ(items[i].ran_at, items[i].ev.hn.time);
        EQ(sim_event_pending(&items[i].ev), 0);
    }
    EQ(s.now, log_times[N - 1]);
    EQ(sim_pending(&s), 0);
    assert_true(sim_balanced(&s));
    sim_fini(&s);
    mem_free(items);
    EQ(mem_live(), live);
}

static void sim_equal_time_in_schedule_order(void **state)
{
    (void)state;
    enum { N = 300 };
    static item items[N];
    sim s;
    sim_init(&s);
    log_n = 0;
    /* Three times, interleaved: within each time, ids must come out in scheduling order. */
    for (int i = 0; i < N; i++) {
        items[i].id = i;
        items[i].runs = 0;
        sim_event_init(&items[i].ev, log_handler);
        EQ(sim_schedule(&s, &items[i].ev, 100 * (2 - i % 3)), 0);
    }
    EQ(sim_run(&s, INT64_MAX), N);
    size_t k = 0;
    for (int t = 0; t < 3; t++)
        for (int i = 2 - t; i < N; i += 3, k++) {
            EQ(log_ids[k], i);
            EQ(log_times[k], 100 * t);
        }
    EQ(k, N);
    sim_fini(&s);
}

static void sim_cancel_removes_event_and_balances(void **state)
{
    (void)state;
    enum { N = 10 };
    item items[N];
    sim s;
    sim_init(&s);
    log_n = 0;
    for (int i = 0; i < N; i++) {
        items[i].id = i;
        items[i].runs = 0;
        sim_event_init(&items[i].ev, log_handler);
        EQ(sim_schedule(&s, &items[i].ev, 10 * i), 0);
    }
    sim_cancel(&s, &items[0].ev); /* the root */
    sim_cancel(&s, &items[9].ev); /* the latest */
    sim_cancel(&s, &items[4].ev); /* a middle one */
    sim_cancel(&s, &items[4].ev); /* not pending any more: no-op */
    EQ(sim_event_pending(&items[4].ev), 0);
    EQ(s.cancelled, 3);
    EQ(sim_pending(&s), 7);
    assert_true(sim_balanced(&s));
    EQ(sim_run(&s, INT64_MAX), 7);
    EQ(items[0].runs, 0);
    EQ(items[4].runs, 0);
    EQ(items[9].runs, 0);
    static const int want[] = {1, 2, 3, 5, 6, 7, 8};
    EQ(log_n, 7);
    for (size_t k = 0; k < 7; k++)
        EQ(log_ids[k], want[k]);
    sim_cancel(&s, &items[1].ev); /* already dispatched: no-op */
    EQ(s.scheduled, 10);
    EQ(s.dispatched, 7);
    EQ(s.cancelled, 3);
    assert_true(sim_balanced(&s));
    /* A cancelled event can be scheduled again. */
    EQ(sim_schedule(&s, &items[0].ev, s.now + 1), 0);
    EQ(sim_run(&s, INT64_MAX), 1);
    EQ(items[0].runs, 1);
    assert_true(sim_balanced(&s));
    sim_fini(&s);
}

static void tick(sim *s, sim_event *ev)
{
    item *it = SIM_CONTAINER_OF(ev, item, ev);
    it->runs++;
    it->ran_at = s->now;
    assert_false(sim_event_pending(ev));
    if (it->runs < it->id)
        assert_int_equal(sim_schedule(s, ev, s->now + 10), 0);
}

static void sim_handler_may_reschedule_itself(void **state)
{
    (void)state;
    item t = {.id = 100};
    sim s;
    sim_init(&s);
    sim_event_init(&t.ev, tick);
    EQ(sim_schedule(&s, &t.ev, 5), 0);
    EQ(sim_run(&s, INT64_MAX), 100);
    EQ(t.runs, 100);
    EQ(t.ran_at, 5 + 99 * 10);
    EQ(s.now, 995);
    EQ(s.scheduled, 100);
    assert_true(sim_balanced(&s));
    sim_fini(&s);
}

static void stopper(sim *s, sim_event *ev)
{
    log_handler(s, ev);
    sim_stop(s);
}

static void sim_run_until_stops_at_time(void **state)
{
    (void)state;
    item items[4];
    sim s;
    sim_init(&s);
    log_n = 0;
    for (int i = 0; i < 3; i++) {
        items[i].id = i;
        items[i].runs = 0;
        sim_event_init(&items[i].ev, log_handler);
        EQ(sim_schedule(&s, &items[i].ev, 10 * (i + 1)), 0);
    }
    EQ(sim_run(&s, 20), 2); /* an event exactly at until runs */
    EQ(s.now, 20);
    EQ(sim_pending(&s), 1);
    EQ(sim_run(&s, 29), 0);
    EQ(s.now, 20);
    EQ(sim_run(&s, 30), 1);
    EQ(s.now, 30);
    EQ(sim_run(&s, 1000), 0); /* empty queue */
    /* sim_stop from a handler ends the run after that handler. */
    items[3].id = 3;
    items[3].runs = 0;
    sim_event_init(&items[3].ev, stopper);
    EQ(sim_schedule(&s, &items[3].ev, 40), 0);
    EQ(sim_schedule(&s, &items[0].ev, 40), 0);
    EQ(sim_run(&s, INT64_MAX), 1);
    EQ(items[3].runs, 1);
    EQ(items[0].runs, 1);
    EQ(sim_run(&s, INT64_MAX), 1); /* the stop flag is cleared on entry */
    EQ(items[0].runs, 2);
    assert_true(sim_balanced(&s));
    sim_fini(&s);
}

/* A churn of handlers that schedule and cancel other events, checked at every step. */
enum { CHURN = 200 };
static item churn[CHURN];

static void churn_handler(sim *s, sim_event *ev)
{
    item *it = SIM_CONTAINER_OF(ev, item, ev);
    it->runs++;
    for (int k = 0; k < 2; k++) {
        item *o = &churn[xrand() % CHURN];
        if (xrand() % 3 == 0)
            sim_cancel(s, &o->ev);
        else if (!sim_event_pending(&o->ev))
            assert_int_equal(sim_schedule(s, &o->ev, s->now + (int64_t)(xrand() % 50)), 0);
    }
    assert_true(sim_balanced(s));
}

static void sim_accounting_balanced(void **state)
{
    (void)state;
    long live = mem_live();
    sim s;
    sim_init(&s);
    EQ(sim_balanced(&s), 1);
    rng_state = 4242;
    for (int i = 0; i < CHURN; i++) {
        churn[i].id = i;
        churn[i].runs = 0;
        sim_event_init(&churn[i].ev, churn_handler);
        EQ(sim_schedule(&s, &churn[i].ev, (int64_t)(xrand() % 100)), 0);
    }
    uint64_t total = 0;
    for (int64_t until = 100; until <= 20000; until += 100) {
        total += sim_run(&s, until);
        assert_true(sim_balanced(&s));
        EQ(s.dispatched, total);
        EQ(s.scheduled, s.dispatched + s.cancelled + sim_pending(&s));
    }
    uint64_t runs = 0;
    for (int i = 0; i < CHURN; i++)
        runs += (uint64_t)churn[i].runs;
    EQ(runs, s.dispatched);
    assert_true(s.dispatched > 1000);
    assert_true(s.cancelled > 100);
    while (sim_pending(&s) > 0)
        sim_cancel(&s, SIM_CONTAINER_OF(heap_peek(&s.q), sim_event, hn));
    EQ(s.scheduled, s.dispatched + s.cancelled);
    assert_true(sim_balanced(&s));
    sim_fini(&s);
    EQ(mem_live(), live);
}

/* Lanes: timers of fixed durations mixed with heap events, cancelled at random, with equal
 * times across queues. Every dispatch must follow (time, seq) order, whichever queue held
 * the event, and the rings must wrap and grow. */
enum { LN = 3000 };
static item lane_items[LN];
static sim_lane lanes[3];
static int64_t last_time;
static uint64_t last_seq;
static uint64_t lane_dispatched;

static void lane_handler(sim *s, sim_event *ev)
{
    item *it = SIM_CONTAINER_OF(ev, item, ev);
    it->runs++;
    /* strictly after the previous event in (time, seq) */
    assert_true(ev->hn.time > last_time || (ev->hn.time == last_time && ev->hn.seq > last_seq));
    last_time = ev->hn.time;
    last_seq = ev->hn.seq;
    lane_dispatched++;
    for (int k = 0; k < 3; k++) {
        item *o = &lane_items[xrand() % LN];
        uint64_t r = xrand() % 10;
        if (r < 3) {
            sim_cancel(s, &o->ev);
        } else if (!sim_event_pending(&o->ev)) {
            int q = (int)(xrand() % 4); /* 0..2: a lane of fixed duration, 3: the heap */
            if (q < 3)
                assert_int_equal(sim_schedule_lane(s, &lanes[q], &o->ev, s->now + 10 * (q + 1)), 0);
            else
                assert_int_equal(sim_schedule(s, &o->ev, s->now + (int64_t)(xrand() % 40)), 0);
        }
    }
    assert_true(sim_balanced(s));
}

static void sim_lanes_and_heap_run_in_one_order(void **state)
{
    (void)state;
    long live = mem_live();
    sim s;
    sim_init(&s);
    for (int q = 0; q < 3; q++)
        EQ(sim_lane_init(&s, &lanes[q]), 0);
    rng_state = 777;
    last_time = -1;
    last_seq = 0;
    lane_dispatched = 0;
    for (int i = 0; i < LN; i++) {
        lane_items[i].id = i;
        lane_items[i].runs = 0;
        sim_event_init(&lane_items[i].ev, lane_handler);
        if (i % 2)
            EQ(sim_schedule_lane(&s, &lanes[i % 3], &lane_items[i].ev, 5), 0);
        else
            EQ(sim_schedule(&s, &lane_items[i].ev, (int64_t)(xrand() % 10)), 0);
    }
    uint64_t total = 0;
    for (int64_t until = 10; until <= 40000; until += 10) {
        total += sim_run(&s, until);
        assert_true(sim_balanced(&s));
    }
    EQ(total, lane_dispatched);
    assert_true(lane_dispatched > 50000);
    assert_true(s.cancelled > 10000);
    assert_true(lanes[0].cap > 256); /* the rings grew while wrapping */
    /* an event earlier than its lane's latest goes to the heap and still runs in order */
    item early = {.id = -1};
    sim_event_init(&early.ev, log_handler);
    log_n = 0;
    for (int i = 0; i < LN; i++) /* quiet the churn: only the early event is left */
        sim_cancel(&s, &lane_items[i].ev);
    assert_true(lanes[0].last > s.now);
    EQ(sim_schedule_lane(&s, &lanes[0], &early.ev, s.now), 0);
    EQ(sim_pending(&s), 1);
    EQ(s.q.n, 1); /* in the heap */
    sim_run(&s, s.now);
    EQ(early.runs, 1);
    EQ(sim_pending(&s), 0);
    EQ(s.scheduled, s.dispatched + s.cancelled);
    sim_fini(&s);
    EQ(mem_live(), live);
}

static void sim_lane_cancel_head_middle_tail(void **state)
{
    (void)state;
    item items[6];
    sim_lane l;
    sim s;
    sim_init(&s);
    EQ(sim_lane_init(&s, &l), 0);
    log_n = 0;
    for (int i = 0; i < 6; i++) {
        items[i].id = i;
        items[i].runs = 0;
        sim_event_init(&items[i].ev, log_handler);
        EQ(sim_schedule_lane(&s, &l, &items[i].ev, 100 + 10 * (i / 2)), 0);
        EQ(sim_event_pending(&items[i].ev), 1);
    }
    sim_cancel(&s, &items[0].ev);
    sim_cancel(&s, &items[3].ev);
    sim_cancel(&s, &items[5].ev);
    sim_cancel(&s, &items[5].ev); /* no-op */
    EQ(sim_event_pending(&items[3].ev), 0);
    EQ(sim_pending(&s), 3);
    EQ(s.cancelled, 3);
    /* a heap event at the same time as a lane event but scheduled later runs after it */
    item h = {.id = 9};
    sim_event_init(&h.ev, log_handler);
    EQ(sim_schedule(&s, &h.ev, 110), 0);
    EQ(sim_run(&s, INT64_MAX), 4);
    static const int want[] = {1, 2, 9, 4};
    EQ(log_n, 4);
    for (size_t k = 0; k < 4; k++)
        EQ(log_ids[k], want[k]);
    assert_true(sim_balanced(&s));
    /* a cancelled lane event can be scheduled again */
    EQ(sim_schedule_lane(&s, &l, &items[0].ev, s.now + 1), 0);
    EQ(sim_run(&s, INT64_MAX), 1);
    EQ(items[0].runs, 1);
    assert_true(sim_balanced(&s));
    sim_fini(&s);
}

/* A handler that reschedules itself at the same instant forever: with a stall limit the
 * loop stops after that many events and says so. */
static void again_now(sim *s, sim_event *ev)
{
    EQ(sim_schedule(s, ev, s->now), 0);
}

static void nothing(sim *s, sim_event *ev)
{
    (void)s;
    (void)ev;
}

static void sim_stall_limit_stops_a_standing_clock(void **state)
{
    (void)state;
    sim s;
    sim_event ev;
    sim_init(&s);
    s.stall_limit = 1000;
    sim_event_init(&ev, again_now);
    EQ(sim_schedule(&s, &ev, 7), 0);
    /* the first event at 7 advances the clock; 1000 more at 7 are allowed, the next is not */
    EQ(sim_run(&s, INT64_MAX), 1001);
    EQ(s.stalled, 1);
    EQ(s.now, 7);
    EQ(sim_pending(&s), 1);
    assert_true(sim_balanced(&s));
    EQ(s.saturated, 0);
    sim_cancel(&s, &ev);
    /* a delay clamped at the limit saturates the clock when its event runs */
    sim_event_init(&ev, nothing);
    EQ(sim_schedule(&s, &ev, sim_after(&s, INT64_MAX)), 0);
    EQ(s.saturated, 0);
    EQ(sim_run(&s, INT64_MAX), 1);
    EQ(s.now, SIM_TIME_MAX);
    EQ(s.saturated, 1);
    sim_fini(&s);
}

static void sim_lane_limit(void **state)
{
    (void)state;
    sim s;
    sim_lane l[SIM_MAX_LANES + 1];
    sim_init(&s);
    for (int i = 0; i < SIM_MAX_LANES; i++)
        EQ(sim_lane_init(&s, &l[i]), 0);
    EQ(sim_lane_init(&s, &l[SIM_MAX_LANES]), -1);
    sim_fini(&s);
}

/* mem_grow: appends move the array O(log n) times, contents kept; a failed move leaves the
 * array whole and owned by the caller; sizes that overflow are refused, never wrapped. */
static void mem_grow_doubles_and_fails_cleanly(void **state)
{
    (void)state;
    long live = mem_live();
    uint32_t *a = NULL;
    size_t cap = 0, grew = 0;
    for (uint32_t n = 0; n < 100000; n++) {
        size_t had = cap;
        uint32_t *b = mem_grow(a, &cap, (size_t)n + 1, sizeof *a);
        assert_non_null(b);
        grew += cap != had;
        a = b;
        assert_true(cap > n);
        a[n] = n * 7u;
    }
    EQ(grew, 15); /* 8, 16, ..., 131072 */
    for (uint32_t n = 0; n < 100000; n++)
        EQ(a[n], n * 7u);
    size_t before = cap;
    assert_ptr_equal(mem_grow(a, &cap, cap, sizeof *a), a); /* room: no move */
    mem_fail_at(1);
    assert_null(mem_grow(a, &cap, cap + 1, sizeof *a));
    mem_fail_at(0);
    EQ(cap, before);
    EQ(a[99999], 99999u * 7u);
    assert_null(mem_grow(a, &cap, (size_t)-1 / 2, sizeof *a)); /* bytes overflow */
    assert_null(mem_grow(a, &cap, (size_t)-1, 1));              /* count overflows */
    EQ(cap, before);
    mem_free(a);
    EQ(mem_live(), live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sim_events_run_in_time_order),
        cmocka_unit_test(sim_equal_time_in_schedule_order),
        cmocka_unit_test(sim_cancel_removes_event_and_balances),
        cmocka_unit_test(sim_handler_may_reschedule_itself),
        cmocka_unit_test(sim_run_until_stops_at_time),
        cmocka_unit_test(sim_accounting_balanced),
        cmocka_unit_test(sim_lanes_and_heap_run_in_one_order),
        cmocka_unit_test(sim_lane_cancel_head_middle_tail),
        cmocka_unit_test(sim_lane_limit),
        cmocka_unit_test(sim_stall_limit_stops_a_standing_clock),
        cmocka_unit_test(mem_grow_doubles_and_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
