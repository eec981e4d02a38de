/* map: open-addressing u64 -> u32 hash map with backward-shift deletion; see map.h. */
#include "sim/map.h"
#include <string.h>
#include "sim/alloc.h"

static inline size_t slot_of(uint64_t k, size_t mask)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    return (size_t)k & mask;
}

void map_init(map *m) { memset(m, 0, sizeof *m); }

void map_fini(map *m)
{
    mem_free(m->s);
    memset(m, 0, sizeof *m);
}

int64_t map_get(const map *m, uint64_t key)
{
    if (!m->cap)
        return -1;
    size_t mask = m->cap - 1;
    for (size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
        if (!m->s[i].used)
            return -1;
        if (m->s[i].key == key)
            return m->s[i].val;
    }
}

static int grow(map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    map_slot *ns = mem_calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->s[i].used)
            continue;
        size_t j = slot_of(m->s[i].key, ncap - 1);
        while (ns[j].used)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->s[i];
    }
    mem_free(m->s);
    m->s = ns;
    m->cap = ncap;
    return 0;
}

int map_put(map *m, uint64_t key, uint32_t val)
{
    if ((m->n + 1) * 4 > m->cap * 3 && grow(m))
        return -1;
    size_t mask = m->cap - 1;
    for (size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
        if (!m->s[i].used) {
            m->s[i] = (map_slot){key, val, 1};
            m->n++;
            return 0;
        }
        if (m->s[i].key == key) {
            m->s[i].val = val;
            return 0;
        }
    }
}

int map_del(map *m, uint64_t key)
{
    if (!m->cap)
        return 0;
    size_t mask = m->cap - 1, i = slot_of(key, mask);
    while (m->s[i].used && m->s[i].key != key)
        i = (i + 1) & mask;
    if (!m->s[i].used)
        return 0;
    /* backward shift: move later members of the run into the hole when their home allows */
    for (size_t j = (i + 1) & mask; m->s[j].used; j = (j + 1) & mask) {
        size_t home = slot_of(m->s[j].key, mask);
        /* j may move to i if home is not in (i, j] cyclically */
        int between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!between) {
            m->s[i] = m->s[j];
            i = j;
        }
    }
    m->s[i].used = 0;
    m->n--;
    return 1;
}

void map_clear(map *m)
{
    if (m->cap)
        memset(m->s, 0, m->cap * sizeof *m->s);
    m->n = 0;
}
