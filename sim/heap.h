/* heap: intrusive 4-ary min-heap ordered by (time, seq), the engine's event queue
 * (docs/design.md section 2, docs/hacking.md "The event loop"). Nodes are embedded in their
 * owners; the heap's array holds each node's time beside its pointer, so sifting compares
 * times without touching the nodes, and four children sit side by side. Pushing allocates
 * only when the array doubles (amortised, never per event). Each node knows its index:
 * removal is O(log n). */
#ifndef QSIM_HEAP_H
#define QSIM_HEAP_H
#include <stddef.h>
#include <stdint.h>

typedef struct heap_node {
    int64_t time;  /* ns, absolute */
    uint64_t seq;  /* insertion sequence: ties in time run in insertion order */
    size_t index;  /* position in the heap array; HEAP_NONE when not in a heap */
} heap_node;

#define HEAP_NONE ((size_t)-1)

/* One array slot, 16 bytes (four siblings in 64): a copy of the node's time,
 * and the node. Sifting compares times in the array; only equal times (rare: events are
 * mostly at random nanoseconds) read the nodes' seqs. */
typedef struct heap_ent {
    int64_t time;
    heap_node *node;
} heap_ent;

typedef struct heap {
    heap_ent *a;
    size_t n, cap;
} heap;

void heap_init(heap *h);             /* empty, no allocation */
void heap_fini(heap *h);             /* frees the array, not the nodes */
/* Inserts node (time and seq already set; they must not change while it is in the heap).
 * Returns 0 or -1 if growing the array failed. */
int heap_push(heap *h, heap_node *node);
static inline heap_node *heap_peek(const heap *h) { return h->n ? h->a[0].node : NULL; } /* NULL when empty */
heap_node *heap_pop(heap *h);        /* NULL when empty; popped node gets index HEAP_NONE */
/* Removes a node that is in h (index != HEAP_NONE). O(log n). */
void heap_remove(heap *h, heap_node *node);
/* Checks the heap order, every stored key and every stored index; returns 1 if valid. O(n). */
int heap_check(const heap *h);
#endif
