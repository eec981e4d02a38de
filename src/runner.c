/* runner: configurations, parallel runs; see runner.h. */
#include "src/runner.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "models/run.h"
#include "models/world.h"
#include "sim/alloc.h"
#include "src/progress.h"

/* "a b" joined with sep; a new string (mem_free it) or NULL when memory ran out. */
static char *concat3(const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    char *s = mem_alloc(la + ls + lb + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, sep, ls);
        memcpy(s + la + ls, b, lb + 1);
    }
    return s;
}

static int keep_effective(cfg *c, run_item *it)
{
    size_t n = cfg_effective_count(c);
    it->eff = mem_calloc(n ? n : 1, sizeof *it->eff);
    if (!it->eff)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *s, *k, *t;
        cfg_effective_get(c, i, &s, &k, &t);
        it->eff[i].key = concat3(s, ".", k);
        it->eff[i].value = mem_strdup(t);
        it->neff = i + 1;
        if (!it->eff[i].key || !it->eff[i].value)
            return -1;
    }
    return 0;
}

int runner_count(const sweep *sw, size_t nsw, size_t *total)
{
    size_t t = 1;
    for (size_t i = 0; i < nsw; i++) {
        if (sw[i].n == 0 || t > RUNNER_MAX_CONFIGS / sw[i].n) /* no overflow: t * n <= the limit */
            return -1;
        t *= sw[i].n;
    }
    *total = t;
    return 0;
}

/* Adds this configuration's sweep values to the cfg and to the item (its over and label). */
static int add_overrides(cfg *c, const sweep *sw, size_t nsw, const size_t *idx, run_item *it)
{
    for (size_t s = 0; s < nsw; s++) {
        char *arg = concat3(sw[s].key, "=", sw[s].values[idx[s]]);
        char *label = arg ? concat3(it->label, it->label[0] ? " " : "", arg) : NULL;
        it->over[s].key = mem_strdup(sw[s].key);
        it->over[s].value = mem_strdup(sw[s].values[idx[s]]);
        it->nover = s + 1;
        if (arg)
            cfg_add_arg(c, "--sweep", arg);
        mem_free(arg);
        if (!label || !it->over[s].key || !it->over[s].value) {
            mem_free(label);
            return -1;
        }
        mem_free(it->label);
        it->label = label;
    }
    return 0;
}

/* Builds one item: the sweep point idx, with seed (NULL: the scenario's). */
static void build_item(cfg *c, const sweep *sw, size_t nsw, const size_t *idx, const char *seed, run_item *it)
{
    size_t mark = cfg_mark(c);
    it->over = mem_calloc(nsw ? nsw : 1, sizeof *it->over);
    it->label = mem_strdup("");
    int oom = !it->over || !it->label || add_overrides(c, sw, nsw, idx, it);
    if (seed && !oom) {
        char *arg = concat3("run.seed", "=", seed);
        if (arg)
            cfg_add_arg(c, "--reps", arg);
        oom |= !arg;
        mem_free(arg);
    }
    char *ctx = nsw && !oom ? concat3("with ", it->label, ": ") : NULL;
    oom |= nsw && !ctx;
    cfg_set_context(c, ctx ? ctx : "");
    mem_free(ctx);
    scenario_build(c, &it->sc);
    it->built = 1;
    if (oom || keep_effective(c, it))
        cfg_error(c, NULL, "out of memory");
    cfg_set_context(c, "");
    cfg_truncate(c, mark);
    if (!it->label)
        it->label = mem_strdup(""); /* reports read it; NULL only if this fails too, an error already */
}

size_t runner_build(cfg *c, const sweep *sw, size_t nsw, long reps, run_item **out)
{
    size_t total, n = 0, cap = 0;
    run_item *items = NULL;
    *out = NULL;
    if (runner_count(sw, nsw, &total)) {
        cfg_error(c, NULL, "--sweep: the cross product has more than %d configurations", RUNNER_MAX_CONFIGS);
        return 0;
    }
    for (size_t ci = 0; ci < total; ci++) {
        size_t rem = ci, idx[RUNNER_MAX_SWEEPS];
        /* the last sweep varies fastest */
        for (size_t s = nsw; s-- > 0;) {
            idx[s] = rem % sw[s].n;
            rem /= sw[s].n;
        }
        size_t k = 1;
        for (size_t r = 0; r < k; r++) {
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : total;
                run_item *ni = n + 1 > RUNNER_MAX_CONFIGS ? NULL : mem_realloc(items, ncap * sizeof *ni);
                if (!ni) {
                    if (n + 1 > RUNNER_MAX_CONFIGS)
                        cfg_error(c, NULL, "the configurations and their replications are more than %d runs",
                                  RUNNER_MAX_CONFIGS);
                    else
                        cfg_error(c, NULL, "out of memory");
                    goto done;
                }
                memset(ni + cap, 0, (ncap - cap) * sizeof *ni);
                items = ni;
                cap = ncap;
            }
            run_item *it = &items[n++];
            it->config = ci;
            it->rep = r;
            char seed[32];
            if (r > 0) {
                const run_cfg *rc0 = SC_CFG(&items[n - 1 - r].sc, MOD_RUN, run_cfg);
                snprintf(seed, sizeof seed, "%lld", (long long)(rc0->seed + (int64_t)r));
            }
            build_item(c, sw, nsw, idx, r > 0 ? seed : NULL, it);
            if (r == 0) {
                const run_cfg *rc = it->sc.cfg[MOD_RUN] ? SC_CFG(&it->sc, MOD_RUN, run_cfg) : NULL;
                k = reps > 0 ? (size_t)reps : rc ? (size_t)rc->reps : 1;
            }
        }
        for (size_t r = 0; r < k; r++)
            items[n - 1 - r].reps = k;
    }
done:
    *out = items;
    return n;
}

typedef struct pool {
    run_item *items;
    size_t n;
    atomic_size_t next, done;
    const char *trace_dir;
    progress_lines *prog;
} pool;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_one(pool *p, size_t i)
{
    run_item *it = &p->items[i];
    FILE *tf = NULL;
    if (run_result_init(&it->rr)) {
        snprintf(it->err, sizeof it->err, "out of memory");
        return;
    }
    it->has_rr = 1;
    if (p->trace_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/.trace.%zu.tmp", p->trace_dir, i);
        it->trace_path = mem_strdup(path);
        tf = it->trace_path ? fopen(path, "w") : NULL;
        if (!tf) {
            snprintf(it->err, sizeof it->err, "cannot write %.900s", path);
            return;
        }
    }
    double t0 = now_s();
    world *w = NULL;
    int rc = world_create(&it->sc, (int)i, tf, &it->rr, &w, it->err, sizeof it->err);
    if (rc == -EINVAL)
        it->bad_input = 1;
    if (rc == 0) {
        char why[512] = "";
        progress_attach(p->prog, i, series_live_of(w));
        rc = world_run(w, why, sizeof why);
        progress_detach(p->prog, i);
        if (rc == 0)
            it->ok = 1;
        else
            snprintf(it->err, sizeof it->err, "configuration %zu: %s", i, why);
        it->bad_input = rc == -EINVAL;
        world_destroy(w);
    } else {
        progress_detach(p->prog, i); /* counted as done, without a line */
    }
    it->wall_s = now_s() - t0;
    if (tf) {
        int bad = ferror(tf), e = errno;
        if (fclose(tf) != 0) {
            bad = 1;
            e = errno;
        }
        if (bad && it->ok) {
            it->ok = 0;
            snprintf(it->err, sizeof it->err, "cannot write the trace of configuration %zu: %s", i,
                     strerror(e ? e : EIO));
        }
    }
    atomic_fetch_add(&p->done, 1);
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            return NULL;
        run_one(p, i);
    }
}

size_t runner_run(run_item *items, size_t n, int jobs, const char *trace_dir, int progress)
{
    pool p = {.items = items, .n = n, .trace_dir = trace_dir};
    p.prog = progress_start((progress_mode)progress, items, n, stderr);
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > n)
        jobs = (int)n;
    pthread_t th[64];
    int started = 0;
    for (int j = 1; j < jobs && j < 64; j++)
        if (pthread_create(&th[started], NULL, worker, &p) == 0)
            started++;
    worker(&p);
    for (int j = 0; j < started; j++)
        pthread_join(th[j], NULL);
    progress_stop(p.prog);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += !items[i].ok;
    return failed;
}

void runner_free(run_item *items, size_t n)
{
    if (!items)
        return;
    for (size_t i = 0; i < n; i++) {
        run_item *it = &items[i];
        if (it->built)
            scenario_free(&it->sc);
        for (size_t k = 0; k < it->nover; k++) {
            mem_free(it->over[k].key);
            mem_free(it->over[k].value);
        }
        mem_free(it->over);
        mem_free(it->label);
        for (size_t k = 0; k < it->neff; k++) {
            mem_free(it->eff[k].key);
            mem_free(it->eff[k].value);
        }
        mem_free(it->eff);
        if (it->has_rr)
            run_result_free(&it->rr);
        if (it->trace_path)
            unlink(it->trace_path);
        mem_free(it->trace_path);
    }
    mem_free(items);
}
