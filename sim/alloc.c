/* alloc: counting allocation wrapper; see alloc.h. */
#include "sim/alloc.h"
#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long live;
static atomic_long fail_countdown;

static int injected_failure(void)
{
    long c = atomic_load(&fail_countdown);
    while (c > 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &c, c - 1))
            return c == 1;
    }
    return 0;
}

void *mem_alloc(size_t n)
{
    if (injected_failure())
        return NULL;
    void *p = malloc(n ? n : 1);
    if (p)
        atomic_fetch_add(&live, 1);
    return p;
}

void *mem_calloc(size_t count, size_t size)
{
    if (injected_failure())
        return NULL;
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p)
        atomic_fetch_add(&live, 1);
    return p;
}

void *mem_realloc(void *p, size_t n)
{
    assert(n > 0);
    if (!p)
        return mem_alloc(n);
    if (injected_failure())
        return NULL;
    return realloc(p, n);
}

void mem_free(void *p)
{
    if (!p)
        return;
    atomic_fetch_sub(&live, 1);
    free(p);
}

char *mem_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mem_alloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void *mem_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    assert(elem > 0);
    if (need <= *cap)
        return p;
    size_t c = *cap;
    do {
        if (c > (size_t)-1 / 2)
            return NULL;
        c = c < 4 ? 8 : c * 2;
    } while (c < need);
    if (c > (size_t)-1 / elem)
        return NULL;
    void *q = mem_realloc(p, c * elem);
    if (q)
        *cap = c;
    return q;
}

long mem_live(void) { return atomic_load(&live); }
void mem_fail_at(long n) { atomic_store(&fail_countdown, n > 0 ? n : 0); }
