/* store: replica storage as an open-addressing hash map; see store.h. */
#include "models/store.h"
#include <string.h>
#include "sim/alloc.h"

void store_init(store *s) { memset(s, 0, sizeof *s); }

void store_fini(store *s)
{
    mem_free(s->slot_key);
    mem_free(s->slot_ver);
    memset(s, 0, sizeof *s);
}

static inline size_t hash32(uint32_t k)
{
    uint64_t x = (uint64_t)k * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(x >> 29);
}

const version *store_get(const store *s, uint32_t key)
{
    if (!s->cap)
        return NULL;
    size_t mask = s->cap - 1;
    for (size_t i = hash32(key) & mask;; i = (i + 1) & mask) {
        uint32_t k = s->slot_key[i];
        if (k == key + 1)
            return &s->slot_ver[i];
        if (k == 0)
            return NULL;
    }
}

static int rehash(store *s, size_t ncap)
{
    uint32_t *nk = mem_calloc(ncap, sizeof *nk);
    version *nv = mem_alloc(ncap * sizeof *nv);
    if (!nk || !nv) {
        mem_free(nk);
        mem_free(nv);
        return -1;
    }
    size_t mask = ncap - 1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slot_key[i])
            continue;
        size_t j = hash32(s->slot_key[i] - 1) & mask;
        while (nk[j])
            j = (j + 1) & mask;
        nk[j] = s->slot_key[i];
        nv[j] = s->slot_ver[i];
    }
    mem_free(s->slot_key);
    mem_free(s->slot_ver);
    s->slot_key = nk;
    s->slot_ver = nv;
    s->cap = ncap;
    return 0;
}

int store_reserve(store *s, size_t n)
{
    size_t cap = 64;
    while (cap * 3 < (n + 1) * 4)
        cap *= 2;
    return cap > s->cap ? rehash(s, cap) : 0;
}

int store_put(store *s, uint32_t key, const version *v, version *was)
{
    if (was)
        *was = (version){0, 0, 0};
    if ((s->n + 1) * 4 > s->cap * 3 && rehash(s, s->cap ? s->cap * 2 : 64))
        return -1;
    size_t mask = s->cap - 1;
    for (size_t i = hash32(key) & mask;; i = (i + 1) & mask) {
        uint32_t k = s->slot_key[i];
        if (k == key + 1) {
            if (was)
                *was = s->slot_ver[i];
            if (version_cmp(v, &s->slot_ver[i]) <= 0)
                return 0;
            s->slot_ver[i] = *v;
            return 1;
        }
        if (k == 0) {
            s->slot_key[i] = key + 1;
            s->slot_ver[i] = *v;
            s->n++;
            return 1;
        }
    }
}

void store_clear(store *s)
{
    if (s->cap)
        memset(s->slot_key, 0, s->cap * sizeof *s->slot_key);
    s->n = 0;
}
