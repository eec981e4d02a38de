/* progress: once-a-second lines on stderr from a thread; see progress.h. */
#include "src/progress.h"
#include <inttypes.h>
#include <pthread.h>
#include <time.h>
#include "models/run.h"
#include "sim/alloc.h"
#include "sim/units.h"

typedef struct slot {
    const series_live *live; /* NULL: not running */
    double t0;               /* wall-clock start (monotonic s) */
    int shown;               /* a line was printed for it */
} slot;

struct progress_lines {
    progress_mode mode;
    const run_item *items;
    size_t n, done;
    slot *s;
    FILE *f;
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fmt_lat(int64_t ns, char *buf, size_t n)
{
    if (ns < 0)
        snprintf(buf, n, "-");
    else if (ns < 1000000)
        snprintf(buf, n, "%.1fus", (double)ns / 1e3);
    else if (ns < 1000000000)
        snprintf(buf, n, "%.2fms", (double)ns / 1e6);
    else
        snprintf(buf, n, "%.3fs", (double)ns / 1e9);
}

/* One line for item i; with the lock held. */
static void line(progress_lines *p, size_t i, const char *what)
{
    const series_live *l = p->s[i].live;
    const run_item *it = &p->items[i];
    const run_cfg *rc = SC_CFG(&it->sc, MOD_RUN, run_cfg);
    int64_t now = atomic_load_explicit(&l->now, memory_order_relaxed);
    uint64_t ops = atomic_load_explicit(&l->ops, memory_order_relaxed);
    uint64_t ok = atomic_load_explicit(&l->reads_ok, memory_order_relaxed);
    uint64_t stale = atomic_load_explicit(&l->stale, memory_order_relaxed);
    int64_t p99 = atomic_load_explicit(&l->read_p99, memory_order_relaxed);
    int64_t width = atomic_load_explicit(&l->width, memory_order_relaxed);
    char of_t[48] = "", of_ops[48] = "", lat[32], w[48];
    if (rc->duration > 0) {
        char d[32];
        units_format_duration(rc->duration, d, sizeof d);
        snprintf(of_t, sizeof of_t, " of %s", d);
    }
    if (rc->ops > 0)
        snprintf(of_ops, sizeof of_ops, " of %" PRId64, rc->ops);
    fmt_lat(p99, lat, sizeof lat);
    if (width > 0) {
        char d[32];
        units_format_duration(width, d, sizeof d);
        snprintf(w, sizeof w, " (last %s)", d);
    } else {
        w[0] = '\0';
    }
    char who[64];
    if (it->reps > 1)
        snprintf(who, sizeof who, "config %zu rep %zu", it->config, it->rep);
    else
        snprintf(who, sizeof who, "config %zu", it->config);
    fprintf(p->f, "qsim: [%zu/%zu done] %s%s%s: %s%.3fs%s simulated, %" PRIu64 "%s ops, read p99 %s%s, "
                  "stale %.3f%%\n",
            p->done, p->n, who, it->label[0] ? " " : "", it->label, what, (double)now / 1e9, of_t, ops, of_ops, lat,
            w, ok ? 100.0 * (double)stale / (double)ok : 0.0);
    fflush(p->f);
}

static void *loop(void *arg)
{
    progress_lines *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += 1;
        while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &ts) == 0)
            ;
        if (p->stop)
            break;
        double now = mono_s();
        for (size_t i = 0; i < p->n; i++) {
            if (!p->s[i].live || now - p->s[i].t0 < 1.0)
                continue;
            line(p, i, "");
            p->s[i].shown = 1;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

progress_lines *progress_start(progress_mode mode, const run_item *items, size_t n, FILE *f)
{
    if (mode == PROGRESS_OFF || !n)
        return NULL;
    progress_lines *p = mem_calloc(1, sizeof *p);
    slot *s = mem_calloc(n, sizeof *s);
    if (!p || !s) {
        mem_free(p);
        mem_free(s);
        return NULL;
    }
    p->mode = mode;
    p->items = items;
    p->n = n;
    p->s = s;
    p->f = f;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&p->th, NULL, loop, p) != 0) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        mem_free(s);
        mem_free(p);
        return NULL;
    }
    return p;
}

void progress_attach(progress_lines *p, size_t i, const series_live *live)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->s[i].live = live;
    p->s[i].t0 = mono_s();
    pthread_mutex_unlock(&p->mu);
}

void progress_detach(progress_lines *p, size_t i)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->done++;
    if (p->s[i].live && (p->mode == PROGRESS_ALWAYS || p->s[i].shown))
        line(p, i, "done at ");
    p->s[i].live = NULL;
    pthread_mutex_unlock(&p->mu);
}

void progress_stop(progress_lines *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->th, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    mem_free(p->s);
    mem_free(p);
}
