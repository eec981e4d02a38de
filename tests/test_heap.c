/* test_heap: the event queue's heap checked on its own against qsort and a reference set
 * (docs/hacking.md "The event loop": libuv shipped two heap-removal bugs because it did not). */
#include "tests/testutil.h"
#include "sim/alloc.h"
#include "sim/heap.h"
#include <stdlib.h>

static uint64_t rng_state;

static uint64_t xrand(void) { return tu_xorshift(&rng_state); }

static int cmp_node(const void *pa, const void *pb)
{
    const heap_node *a = *(heap_node *const *)pa, *b = *(heap_node *const *)pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void heap_agrees_with_qsort(void **state)
{
    (void)state;
    long live = mem_live();
    static const size_t sizes[] = {1, 2, 3, 63, 64, 65, 1000, 5000};
    static const int64_t spans[] = {1, 5, 100, 1000000};
    rng_state = 0x9E3779B97F4A7C15ULL;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        for (size_t ti = 0; ti < sizeof spans / sizeof *spans; ti++) {
            size_t n = sizes[si];
            heap_node *nodes = mem_alloc(n * sizeof *nodes);
            heap_node **want = mem_alloc(n * sizeof *want);
            assert_non_null(nodes);
            assert_non_null(want);
            heap h;
            heap_init(&h);
            for (size_t i = 0; i < n; i++) {
                nodes[i].time = (int64_t)(xrand() % (uint64_t)spans[ti]);
                nodes[i].seq = i;
                nodes[i].index = HEAP_NONE;
                want[i] = &nodes[i];
                EQ(heap_push(&h, &nodes[i]), 0);
            }
            assert_true(heap_check(&h));
            EQ(h.n, n);
            qsort(want, n, sizeof *want, cmp_node);
            for (size_t i = 0; i < n; i++) {
                heap_node *got = heap_pop(&h);
                assert_ptr_equal(got, want[i]);
                EQ(got->index, HEAP_NONE);
            }
            assert_null(heap_pop(&h));
            assert_null(heap_peek(&h));
            heap_fini(&h);
            mem_free(want);
            mem_free(nodes);
        }
    }
    EQ(mem_live(), live);
}

static void heap_equal_times_run_fifo(void **state)
{
    (void)state;
    long live = mem_live();
    enum { N = 1000 };
    static heap_node nodes[N];
    heap h;
    heap_init(&h);
    for (int i = 0; i < N; i++) {
        nodes[i].time = 42;
        nodes[i].seq = (uint64_t)i;
        EQ(heap_push(&h, &nodes[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        heap_node *got = heap_pop(&h);
        assert_non_null(got);
        EQ(got->seq, i);
        assert_true(heap_check(&h));
    }
    heap_fini(&h);
    EQ(mem_live(), live);
}

/* Reference: a flag per node; the expected minimum is a linear scan over flagged nodes. */
static heap_node *ref_min(heap_node *nodes, const int *in, size_t n)
{
    heap_node *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (in[i] && (!best || cmp_node(&(heap_node *){&nodes[i]}, &best) < 0))
            best = &nodes[i];
    return best;
}

static void heap_remove_random_keeps_order(void **state)
{
    (void)state;
    long live = mem_live();
    enum { POOL = 400, OPS = 40000 };
    static heap_node nodes[POOL];
    static int in[POOL];
    rng_state = 12345;
    heap h;
    heap_init(&h);
    uint64_t seq = 0;
    size_t count = 0;
    for (size_t i = 0; i < POOL; i++) {
        nodes[i].index = HEAP_NONE;
        in[i] = 0;
    }
    for (int step = 0; step < OPS; step++) {
        unsigned r = (unsigned)(xrand() % 10);
        if (r < 5) { /* push a random free node */
            size_t i = (size_t)(xrand() % POOL);
            if (in[i])
                continue;
            nodes[i].time = (int64_t)(xrand() % 50);
            nodes[i].seq = seq++;
            EQ(heap_push(&h, &nodes[i]), 0);
            in[i] = 1;
            count++;
        } else if (r < 7) { /* pop */
            heap_node *want = ref_min(nodes, in, POOL);
            heap_node *got = heap_pop(&h);
            assert_ptr_equal(got, want);
            if (got) {
                in[got - nodes] = 0;
                count--;
            }
        } else if (count > 0) { /* remove: the root, the last slot, or any node */
            heap_node *victim;
            if (r == 7)
                victim = h.a[0].node;
            else if (r == 8)
                victim = h.a[h.n - 1].node;
            else
                victim = h.a[xrand() % h.n].node;
            heap_remove(&h, victim);
            EQ(victim->index, HEAP_NONE);
            in[victim - nodes] = 0;
            count--;
        }
        assert_true(heap_check(&h));
        EQ(h.n, count);
        assert_ptr_equal(heap_peek(&h), ref_min(nodes, in, POOL));
    }
    while (count > 0) {
        heap_node *want = ref_min(nodes, in, POOL);
        assert_ptr_equal(heap_pop(&h), want);
        in[want - nodes] = 0;
        count--;
        assert_true(heap_check(&h));
    }
    heap_fini(&h);
    EQ(mem_live(), live);
}

/* The three removal cases libuv got wrong, built by hand for a 4-ary heap: the root's
 * children are 1..4, node 1's are 5..8, node 2's are 9..12. */
static void heap_remove_last_root_and_middle_up(void **state)
{
    (void)state;
    static const int64_t times[] = {0, 10, 1, 11, 12, 20, 21, 22, 23, 2, 3};
    enum { N = sizeof times / sizeof *times };
    heap_node nodes[N];
    heap h;
    heap_init(&h);
    for (int i = 0; i < N; i++) {
        nodes[i].time = times[i];
        nodes[i].seq = (uint64_t)i;
        EQ(heap_push(&h, &nodes[i]), 0);
        EQ(nodes[i].index, i); /* pushed in heap order: nothing moved */
    }
    /* Middle node (20, under 10) whose replacement (the last, time 3) must move up past 10. */
    heap_remove(&h, &nodes[5]);
    assert_true(heap_check(&h));
    EQ(nodes[10].index, 1);
    EQ(nodes[1].index, 5);
    /* The last element. */
    heap_remove(&h, h.a[h.n - 1].node);
    assert_true(heap_check(&h));
    /* The root. */
    heap_remove(&h, &nodes[0]);
    assert_true(heap_check(&h));
    EQ(heap_peek(&h)->time, 1);
    int64_t prev = -1;
    size_t left = h.n;
    for (size_t i = 0; i < left; i++) {
        heap_node *x = heap_pop(&h);
        assert_true(x->time >= prev);
        prev = x->time;
    }
    EQ(h.n, 0);
    /* Removing the only element. */
    EQ(heap_push(&h, &nodes[0]), 0);
    heap_remove(&h, &nodes[0]);
    EQ(h.n, 0);
    assert_true(heap_check(&h));
    heap_fini(&h);
}

static void heap_push_failure_leaves_heap_intact(void **state)
{
    (void)state;
    long live = mem_live();
    enum { N = 65 };
    heap_node nodes[N];
    heap h;
    heap_init(&h);
    mem_fail_at(1);
    nodes[0].time = 0;
    nodes[0].seq = 0;
    nodes[0].index = HEAP_NONE;
    EQ(heap_push(&h, &nodes[0]), -1);
    EQ(h.n, 0);
    EQ(nodes[0].index, HEAP_NONE);
    for (int i = 0; i < N - 1; i++) {
        nodes[i].time = N - i;
        nodes[i].seq = (uint64_t)i;
        EQ(heap_push(&h, &nodes[i]), 0);
    }
    mem_fail_at(1); /* the 65th push must grow the array */
    nodes[N - 1].time = 0;
    nodes[N - 1].seq = N - 1;
    nodes[N - 1].index = HEAP_NONE;
    EQ(heap_push(&h, &nodes[N - 1]), -1);
    mem_fail_at(0);
    EQ(h.n, N - 1);
    EQ(nodes[N - 1].index, HEAP_NONE);
    assert_true(heap_check(&h));
    EQ(heap_push(&h, &nodes[N - 1]), 0);
    assert_ptr_equal(heap_peek(&h), &nodes[N - 1]);
    heap_fini(&h);
    heap_fini(&h); /* fini twice is harmless */
    EQ(mem_live(), live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heap_agrees_with_qsort),
        cmocka_unit_test(heap_equal_times_run_fifo),
        cmocka_unit_test(heap_remove_random_keeps_order),
        cmocka_unit_test(heap_remove_last_root_and_middle_up),
        cmocka_unit_test(heap_push_failure_leaves_heap_intact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
