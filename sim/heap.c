/* heap: intrusive 4-ary min-heap keyed by (time, seq); see heap.h.
 * The engine's event queue (docs/design.md section 2). Sifting moves a hole rather than
 * swapping, and writes each moved node's index as it goes. */
#include "sim/heap.h"
#include "sim/alloc.h"
#include <assert.h>

#define HEAP_INITIAL_CAP 64
#define ARITY 4

/* (time, seq) order; the seqs are read only on a tie in time. */
static inline int less(const heap_ent *a, const heap_ent *b)
{
    int lt = a->time < b->time;
    if (__builtin_expect(a->time == b->time, 0))
        lt = a->node->seq < b->node->seq;
    return lt;
}

static inline size_t parent(size_t i) { return (i - 1) / ARITY; }

/* Places x at hole i, moving it toward the root while it beats its parent. */
static void sift_up(heap_ent *a, size_t i, heap_ent x)
{
    while (i > 0) {
        size_t p = parent(i);
        if (!less(&x, &a[p]))
            break;
        a[i] = a[p];
        a[i].node->index = i;
        i = p;
    }
    a[i] = x;
    x.node->index = i;
}

/* Places x at hole i of a heap of n nodes, moving it toward the leaves. */
static void sift_down(heap_ent *a, size_t n, size_t i, heap_ent x)
{
    for (;;) {
        size_t c = ARITY * i + 1;
        if (c >= n)
            break;
        size_t best = c;
        if (c + ARITY <= n) {
            /* a full family: the smallest of four without branches */
            size_t b1 = less(&a[c + 1], &a[c]) ? c + 1 : c;
            size_t b2 = less(&a[c + 3], &a[c + 2]) ? c + 3 : c + 2;
            best = less(&a[b2], &a[b1]) ? b2 : b1;
        } else {
            for (size_t k = c + 1; k < n; k++)
                if (less(&a[k], &a[best]))
                    best = k;
        }
        if (!less(&a[best], &x))
            break;
        a[i] = a[best];
        a[i].node->index = i;
        i = best;
    }
    a[i] = x;
    x.node->index = i;
}

void heap_init(heap *h)
{
    h->a = NULL;
    h->n = h->cap = 0;
}

void heap_fini(heap *h)
{
    mem_free(h->a);
    heap_init(h);
}

int heap_push(heap *h, heap_node *node)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : HEAP_INITIAL_CAP;
        if (cap < h->cap || cap > (size_t)-1 / sizeof *h->a)
            return -1;
        heap_ent *a = mem_realloc(h->a, cap * sizeof *a);
        if (!a)
            return -1;
        h->a = a;
        h->cap = cap;
    }
    assert(node->time >= 0);
    sift_up(h->a, h->n++, (heap_ent){node->time, node});
    return 0;
}

heap_node *heap_pop(heap *h)
{
    if (h->n == 0)
        return NULL;
    heap_node *top = h->a[0].node;
    if (--h->n > 0)
        sift_down(h->a, h->n, 0, h->a[h->n]);
    top->index = HEAP_NONE;
    return top;
}

void heap_remove(heap *h, heap_node *node)
{
    size_t i = node->index;
    assert(i < h->n && h->a[i].node == node);
    size_t last = --h->n;
    if (i != last) {
        heap_ent x = h->a[last];
        if (i > 0 && less(&x, &h->a[parent(i)]))
            sift_up(h->a, i, x);
        else
            sift_down(h->a, h->n, i, x);
    }
    node->index = HEAP_NONE;
}

int heap_check(const heap *h)
{
    if (h->n > h->cap || (h->n > 0 && !h->a))
        return 0;
    for (size_t i = 0; i < h->n; i++) {
        const heap_ent *e = &h->a[i];
        if (!e->node || e->node->index != i || e->node->time != e->time)
            return 0;
        if (i > 0 && less(e, &h->a[parent(i)]))
            return 0;
    }
    return 1;
}
