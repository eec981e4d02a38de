/* heap: intrusive binary min-heap keyed by (time, seq); see heap.h.
 * The engine's event queue (DESIGN.md section 2). Sifting moves a hole rather than
 * swapping, and writes each moved node's index as it goes. */
#include "sim/heap.h"
#include "sim/alloc.h"
#include <assert.h>

#define HEAP_INITIAL_CAP 64

static inline int less(const heap_node *a, const heap_node *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Places x at hole i, moving it toward the root while it beats its parent. */
static void sift_up(heap_node **a, size_t i, heap_node *x)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!less(x, a[p]))
            break;
        a[i] = a[p];
        a[i]->index = i;
        i = p;
    }
    a[i] = x;
    x->index = i;
}

/* Places x at hole i of a heap of n nodes, moving it toward the leaves. */
static void sift_down(heap_node **a, size_t n, size_t i, heap_node *x)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && less(a[c + 1], a[c]))
            c++;
        if (!less(a[c], x))
            break;
        a[i] = a[c];
        a[i]->index = i;
        i = c;
    }
    a[i] = x;
    x->index = i;
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
        heap_node **a = mem_realloc(h->a, cap * sizeof *a);
        if (!a)
            return -1;
        h->a = a;
        h->cap = cap;
    }
    sift_up(h->a, h->n++, node);
    return 0;
}

heap_node *heap_peek(const heap *h)
{
    return h->n ? h->a[0] : NULL;
}

heap_node *heap_pop(heap *h)
{
    if (h->n == 0)
        return NULL;
    heap_node *top = h->a[0];
    if (--h->n > 0)
        sift_down(h->a, h->n, 0, h->a[h->n]);
    top->index = HEAP_NONE;
    return top;
}

void heap_remove(heap *h, heap_node *node)
{
    size_t i = node->index;
    assert(i < h->n && h->a[i] == node);
    size_t last = --h->n;
    if (i != last) {
        heap_node *x = h->a[last];
        if (i > 0 && less(x, h->a[(i - 1) / 2]))
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
        if (!h->a[i] || h->a[i]->index != i)
            return 0;
        if (i > 0 && less(h->a[i], h->a[(i - 1) / 2]))
            return 0;
    }
    return 1;
}
