/* heap: intrusive binary min-heap ordered by (time, seq), the engine's event queue
 * (DESIGN.md section 2, STYLE.md "The event loop"). Nodes are embedded in their owners;
 * the heap holds pointers in a growable array, so pushing allocates only when the array
 * doubles (amortised, never per event). Each node knows its index: removal is O(log n). */
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

typedef struct heap {
    heap_node **a;
    size_t n, cap;
} heap;

void heap_init(heap *h);             /* empty, no allocation */
void heap_fini(heap *h);             /* frees the array, not the nodes */
/* Inserts node (time and seq already set). Returns 0 or -1 if growing the array failed. */
int heap_push(heap *h, heap_node *node);
heap_node *heap_peek(const heap *h); /* NULL when empty */
heap_node *heap_pop(heap *h);        /* NULL when empty; popped node gets index HEAP_NONE */
/* Removes a node that is in h (index != HEAP_NONE). O(log n). */
void heap_remove(heap *h, heap_node *node);
/* Checks the heap order and every stored index; returns 1 if valid. O(n). */
int heap_check(const heap *h);
#endif
