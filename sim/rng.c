/* rng: PCG32 (XSH-RR output over a 64-bit LCG) and the draws built on it; see rng.h.
 * The engine's source of randomness (docs/design.md section 2): one stream per entity,
 * derived from (run seed, entity id) so streams never share draws. */
#include "sim/rng.h"
#include <assert.h>
#include <math.h>

#define PCG_MULT UINT64_C(6364136223846793005)
#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)
#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)
#define TWO_POW_53 9007199254740992.0

/* splitmix64's finaliser: a bijection on 64 bits where every input bit affects every
 * output bit, so consecutive ids land far apart. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* 53 random bits: 27 from one draw, 26 from the next. */
static uint64_t bits53(rng *r)
{
    uint64_t hi = rng_next(r) >> 5;
    uint64_t lo = rng_next(r) >> 6;
    return (hi << 26) | lo;
}

void rng_seed(rng *r, uint64_t initstate, uint64_t initseq)
{
    r->state = 0;
    r->inc = (initseq << 1) | 1u;
    rng_next(r);
    r->state += initstate;
    rng_next(r);
}

void rng_derive(rng *r, uint64_t run_seed, uint64_t entity_id)
{
    uint64_t h = mix64(run_seed + GOLDEN);
    uint64_t e = mix64(entity_id ^ mix64(h));
    uint64_t initstate = mix64(h ^ e);
    uint64_t initseq = mix64(initstate + GOLDEN);
    rng_seed(r, initstate, initseq);
}

uint64_t rng_entity_id(const char *name)
{
    uint64_t h = FNV_OFFSET;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= FNV_PRIME;
    }
    return h;
}

uint32_t rng_next(rng *r)
{
    uint64_t old = r->state;
    r->state = old * PCG_MULT + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    uint32_t rot = (uint32_t)(old >> 59);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

double rng_uniform(rng *r)
{
    return (double)bits53(r) / TWO_POW_53;
}

double rng_uniform_pos(rng *r)
{
    /* Midpoints of the 2^53 cells: strictly inside (0, 1). */
    return ((double)bits53(r) + 0.5) / TWO_POW_53;
}

uint32_t rng_bounded(rng *r, uint32_t bound)
{
    /* Lemire: the high half of x * bound is uniform once the low half clears the
     * 2^32 mod bound values that would be over-represented. */
    assert(bound >= 1);
    uint64_t m = (uint64_t)rng_next(r) * bound;
    uint32_t low = (uint32_t)m;
    if (low < bound) {
        uint32_t threshold = (uint32_t)(0u - bound) % bound;
        while (low < threshold) {
            m = (uint64_t)rng_next(r) * bound;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double rng_normal(rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * rng_uniform(r) - 1.0;
        v = 2.0 * rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}
