/* store: replica storage, a direct array or an open-addressing hash map; see store.h. */
#include "models/store.h"
#include <string.h>
#include "sim/alloc.h"

void store_init(store *s) { memset(s, 0, sizeof *s); }

void store_fini(store *s)
{
    mem_free(s->slot);
    mem_free(s->dir);
    memset(s, 0, sizeof *s);
}

const version *store_get(const store *s, uint32_t key)
{
    if (s->dir)
        return key < s->ndir && s->dir[key].seq ? &s->dir[key] : NULL;
    if (!s->cap)
        return NULL;
    size_t mask = s->cap - 1;
    for (size_t i = store_hash(key) & mask;; i = (i + 1) & mask) {
        const store_slot *sl = &s->slot[i];
        if (sl->key == key + 1)
            return &sl->v;
        if (sl->key == 0)
            return NULL;
    }
}

static int rehash(store *s, size_t ncap)
{
    store_slot *ns = mem_calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    size_t mask = ncap - 1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slot[i].key)
            continue;
        size_t j = store_hash(s->slot[i].key - 1) & mask;
        while (ns[j].key)
            j = (j + 1) & mask;
        ns[j] = s->slot[i];
    }
    mem_free(s->slot);
    s->slot = ns;
    s->cap = ncap;
    return 0;
}

int store_reserve(store *s, size_t n, uint32_t nkeys)
{
    size_t cap = 64;
    while (cap * 3 < (n + 1) * 4)
        cap *= 2;
    if (!s->n && !s->dir && (size_t)nkeys * sizeof(version) <= cap * sizeof(store_slot)) {
        s->dir = mem_calloc(nkeys ? nkeys : 1, sizeof *s->dir);
        if (!s->dir)
            return -1;
        s->ndir = nkeys;
        mem_free(s->slot);
        s->slot = NULL;
        s->cap = 0;
        return 0;
    }
    return !s->dir && cap > s->cap ? rehash(s, cap) : 0;
}

int store_put(store *s, uint32_t key, const version *v, version *was)
{
    if (s->dir && key < s->ndir) {
        version *d = &s->dir[key];
        if (was)
            *was = *d;
        if (d->seq && ver_cmp(v, d) <= 0)
            return 0;
        s->n += d->seq == 0;
        *d = *v;
        return 1;
    }
    if (was)
        *was = (version){0, 0, 0};
    if (s->dir)
        return -1; /* a key outside the space the store was sized for */
    if ((s->n + 1) * 4 > s->cap * 3 && rehash(s, s->cap ? s->cap * 2 : 64))
        return -1;
    size_t mask = s->cap - 1;
    for (size_t i = store_hash(key) & mask;; i = (i + 1) & mask) {
        store_slot *sl = &s->slot[i];
        if (sl->key == key + 1) {
            if (was)
                *was = sl->v;
            if (ver_cmp(v, &sl->v) <= 0)
                return 0;
            sl->v = *v;
            return 1;
        }
        if (sl->key == 0) {
            sl->key = key + 1;
            sl->v = *v;
            s->n++;
            return 1;
        }
    }
}

void store_clear(store *s)
{
    if (s->dir)
        memset(s->dir, 0, s->ndir * sizeof *s->dir);
    if (s->cap)
        memset(s->slot, 0, s->cap * sizeof *s->slot);
    s->n = 0;
}

void store_each(const store *s, void (*fn)(void *ctx, uint32_t key, const version *v), void *ctx)
{
    for (uint32_t k = 0; s->dir && k < s->ndir; k++)
        if (s->dir[k].seq)
            fn(ctx, k, &s->dir[k]);
    for (size_t i = 0; i < s->cap; i++)
        if (s->slot[i].key)
            fn(ctx, s->slot[i].key - 1, &s->slot[i].v);
}
