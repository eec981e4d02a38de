/* module: the module list and each run's results blocks; see module.h and modules.h. */
#include "models/module.h"
#include <string.h>
#include "sim/alloc.h"

#define X(e, d) extern const module d;
MODULES(X)
#undef X

const module *const module_list[MOD_COUNT] = {
#define X(e, d) &(d),
    MODULES(X)
#undef X
};

int run_result_init(run_result *rr)
{
    for (int m = 0; m < MOD_COUNT; m++)
        rr->res[m] = NULL;
    for (int m = 0; m < MOD_COUNT; m++) {
        const module *md = module_list[m];
        if (!md->res_size)
            continue;
        rr->res[m] = mem_calloc(1, md->res_size);
        if (!rr->res[m]) {
            run_result_free(rr);
            return -1;
        }
        if (md->res_init)
            md->res_init(rr->res[m]);
    }
    return 0;
}

void run_result_free(run_result *rr)
{
    for (int m = 0; m < MOD_COUNT; m++) {
        if (!rr->res[m])
            continue;
        if (module_list[m]->res_free)
            module_list[m]->res_free(rr->res[m]);
        mem_free(rr->res[m]);
        rr->res[m] = NULL;
    }
}

static const void *field(const run_view *v, int arg)
{
    unsigned a = (unsigned)arg;
    return (const char *)v->rr->res[a >> 20] + (a & 0xfffff);
}

metric_val metric_u64(const run_view *v, int arg)
{
    uint64_t x;
    memcpy(&x, field(v, arg), sizeof x);
    return mv_int((int64_t)x);
}

metric_val metric_i64(const run_view *v, int arg)
{
    int64_t x;
    memcpy(&x, field(v, arg), sizeof x);
    return mv_int(x);
}

metric_val metric_int(const run_view *v, int arg)
{
    int x;
    memcpy(&x, field(v, arg), sizeof x);
    return mv_int(x);
}
