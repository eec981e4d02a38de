/* rng: PCG32 (64-bit state, 32-bit output, XSH-RR), written here (docs/design.md section 2).
 * Seeded like the reference generator (seed 42, stream 54 gives 0xa15c02b7,
 * 0x7b47f409, 0xba1d3330, ...). Each entity that draws owns its own stream, derived
 * from (run seed, entity id), so turning one mechanism on never shifts another's draws. */
#ifndef QSIM_RNG_H
#define QSIM_RNG_H
#include <stdint.h>

typedef struct rng {
    uint64_t state;
    uint64_t inc; /* always odd: selects the stream */
} rng;

/* Reference seeding: initstate is the seed, initseq selects one of 2^63 streams. */
void rng_seed(rng *r, uint64_t initstate, uint64_t initseq);
/* Stream for an entity: mixes (run_seed, entity_id) so that nearby ids give unrelated streams. */
void rng_derive(rng *r, uint64_t run_seed, uint64_t entity_id);
/* Entity id from a stable name ("link client>n3", "node n2 service", "workload"): FNV-1a 64. */
uint64_t rng_entity_id(const char *name);

uint32_t rng_next(rng *r);
/* Uniform double in [0, 1) with 53 random bits (two draws). */
double rng_uniform(rng *r);
/* Uniform double in (0, 1): never 0, for logs. */
double rng_uniform_pos(rng *r);
/* Uniform integer in [0, bound), bound >= 1, without modulo bias. */
uint32_t rng_bounded(rng *r, uint32_t bound);
/* Standard normal N(0,1) (polar Box-Muller without caching, so a draw count is fixed per call pair). */
double rng_normal(rng *r);
#endif
