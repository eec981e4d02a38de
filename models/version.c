/* version: per-key version counters; see version.h. */
#include "models/version.h"
#include "sim/alloc.h"

int versions_init(versions *vs, uint32_t nkeys)
{
    vs->nkeys = nkeys;
    vs->next = mem_calloc(nkeys ? nkeys : 1, sizeof *vs->next);
    return vs->next ? 0 : -1;
}

void versions_fini(versions *vs)
{
    mem_free(vs->next);
    vs->next = NULL;
    vs->nkeys = 0;
}
