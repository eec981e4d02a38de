/* alloc: the one allocation wrapper every module uses (docs/hacking.md "Errors and memory").
 * Counts live blocks so tests can detect leaks, and can fail the Nth allocation
 * so tests can exercise every `goto fail` path. Thread-safe (atomic counters). */
#ifndef QSIM_ALLOC_H
#define QSIM_ALLOC_H
#include <stddef.h>

/* malloc/calloc/realloc/free/strdup with counting; NULL on failure (or injected failure).
 * mem_free(NULL) is a no-op. mem_realloc(p, 0) is not allowed (assert). */
void *mem_alloc(size_t n);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);
char *mem_strdup(const char *s);
/* Room for need elements of elem bytes in the array p of capacity *cap (elements): p itself
 * when it has room, else p moved to a capacity of at least twice *cap (and at least 8), so
 * n appends cost O(n) in all. NULL when out of memory or the size overflows; p is then
 * untouched and still owned by the caller, *cap unchanged. */
void *mem_grow(void *p, size_t *cap, size_t need, size_t elem);

/* Number of blocks allocated and not yet freed, process-wide. */
long mem_live(void);
/* Make the n-th allocation from now on fail (n >= 1); 0 disables injection. */
void mem_fail_at(long n);
#endif
