/* stats: see stats.h. */
#include "models/stats.h"
#include <string.h>
#include "sim/alloc.h"

const char *const read_class_name[] = {
#define X(e, n) #n,
    READ_CLASSES(X)
#undef X
};

const int64_t vis_band_edge[VIS_NBANDS] = {
    0, 100000, 200000, 500000, 1000000, 2000000, 5000000, 10000000, 20000000, 50000000,
    100000000, 200000000, 500000000, 1000000000, 2000000000, 5000000000, 10000000000,
};

int stats_vis_band(int64_t t)
{
    int b = 0;
    while (b + 1 < VIS_NBANDS && t >= vis_band_edge[b + 1])
        b++;
    return b;
}

void stats_init(run_stats *s)
{
    memset(s, 0, sizeof *s);
    for (int k = 0; k < 2; k++)
        for (int o = 0; o < 2; o++)
            hist_init(&s->lat[k][o]);
    hist_init(&s->vis_all);
    hist_init(&s->vis_stale);
}

void stats_fini(run_stats *s)
{
    mem_free(s->script);
    s->script = NULL;
    s->nscript = 0;
}
