/* holders: where copies of a version can live, for the oracle (docs/design.md section 4,
 * "Holders"). Each holder source (the replica stores; later the hint stores) lists the
 * copies of a key it holds right now, so the oracle can tell whether a version still
 * exists anywhere without knowing where mechanisms keep their copies. */
#ifndef QSIM_HOLDERS_H
#define QSIM_HOLDERS_H
#include <stdint.h>
#include "models/version.h"

/* One copy: at node nd, for its own replica (owner 0) or held for owner (a hint). */
typedef void (*holder_fn)(void *arg, int nd, int owner, const version *v);

typedef struct holder_src {
    const char *name; /* "replica", "hint", ... */
    const void *ctx;
    /* Calls fn(arg, nd, owner, v) for every copy of key this source holds right now, by node. */
    void (*each)(const void *ctx, uint32_t key, holder_fn fn, void *arg);
} holder_src;

#define HOLDERS_MAX 8

typedef struct holders {
    holder_src src[HOLDERS_MAX];
    int n;
} holders;

/* 0, or -1 when the registry is full. */
static inline int holders_add(holders *h, holder_src s)
{
    if (h->n == HOLDERS_MAX)
        return -1;
    h->src[h->n++] = s;
    return 0;
}

/* Every copy of key in every source, sources in registration order. */
static inline void holders_each(const holders *h, uint32_t key, holder_fn fn, void *arg)
{
    for (int i = 0; i < h->n; i++)
        h->src[i].each(h->src[i].ctx, key, fn, arg);
}
#endif
