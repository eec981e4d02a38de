/* series: intervals by answer time and phases by start time; see series.h. */
#include "models/series.h"
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "models/run.h"
#include "models/scenario.h"
#include "models/world.h"
#include "sim/alloc.h"
#include "sim/units.h"

const double series_quantile[3] = {0.5, 0.99, 0.999};

static int parse_interval(const char *text, void *dst, char *err, size_t n)
{
    int64_t v = 0;
    if (strcmp(text, "auto") != 0) {
        char e[128];
        if (units_parse_duration(text, &v, e, sizeof e) || v <= 0) {
            snprintf(err, n, "must be auto or a duration above zero (e.g. 1s)");
            return -1;
        }
    }
    memcpy(dst, &v, sizeof v);
    return 0;
}

static const cfg_key series_keys[] = {
    {"series", "interval", CFG_CUSTOM, "auto", 1, 0, "auto|DURATION", offsetof(series_cfg, interval), parse_interval,
     "width of intervals.csv's intervals (operations by answer time); auto: 1, 2, 10, 20, 100, ... us, the smallest "
     "that keeps the run within 200 intervals"},
};
const cfg_table series_table = {series_keys, sizeof series_keys / sizeof series_keys[0], 0};

/* One interval or phase while the run lasts. */
typedef struct bin {
    uint64_t n[2], failed[2], stale;
    chist lat[2];
} bin;

typedef struct series {
    sim *s;
    uint64_t warmup;
    int64_t width;      /* ns, current */
    int widen_by_5;     /* the next widening multiplies by 5 (else by 2) */
    size_t cap;         /* intervals at most */
    int explicit_width;
    int widened;
    bin *bins;          /* [0, nbins) cover [0, end) */
    size_t nbins, bins_cap;
    int64_t end;        /* nbins * width */
    int64_t *cuts;      /* phases' starts */
    size_t ncuts;
    bin *ph;            /* [ncuts] */
    uint64_t ops, reads_ok, stale, unpublished;
    series_live live;
    series_res *res;
} series;

/* Counts o into b. 0, or -1 when a histogram bucket is full (2^32 - 1 values). */
static int count(bin *b, const op *o)
{
    int k = o->kind;
    b->n[k]++;
    if (!o->ok) {
        b->failed[k]++;
        return 0;
    }
    if (k == OP_READ && (o->v.cls == RC_STALE || o->v.cls == RC_LOST))
        b->stale++;
    return chist_record(&b->lat[k], o->answered - o->start);
}

static void row_of(const bin *b, series_row *r)
{
    memcpy(r->n, b->n, sizeof r->n);
    memcpy(r->failed, b->failed, sizeof r->failed);
    r->stale = b->stale;
    for (int k = 0; k < 2; k++)
        for (int q = 0; q < 3; q++)
            r->q[k][q] = chist_quantile(&b->lat[k], series_quantile[q]);
}

/* d += s. 0, or -1 when a histogram bucket is full. */
static int merge(bin *d, const bin *s)
{
    for (int k = 0; k < 2; k++) {
        d->n[k] += s->n[k];
        d->failed[k] += s->failed[k];
        if (chist_merge(&d->lat[k], &s->lat[k]))
            return -1;
    }
    d->stale += s->stale;
    return 0;
}

/* Empties b, touching only the buckets its histograms used. */
static void clear(bin *b)
{
    memset(b, 0, offsetof(bin, lat));
    chist_clear(&b->lat[0]);
    chist_clear(&b->lat[1]);
}

/* Interval width times 2, then 5, then 2, ...: adjacent intervals merged, 2 or 5 into one. */
static int widen(series *st)
{
    size_t f = st->widen_by_5 ? 5 : 2, nb = (st->nbins + f - 1) / f;
    for (size_t j = 0; j < nb; j++) {
        bin *d = &st->bins[j]; /* empty, for j > 0: merged into an earlier one */
        for (size_t i = j ? j * f : 1; i < (j + 1) * f && i < st->nbins; i++) {
            bin *s = &st->bins[i];
            if (merge(d, s))
                return -1;
            clear(s);
        }
    }
    st->nbins = nb;
    st->width *= (int64_t)f;
    st->widen_by_5 = !st->widen_by_5;
    st->widened |= st->explicit_width;
    st->end = (int64_t)st->nbins * st->width;
    return 0;
}

static void publish(series *st)
{
    atomic_store_explicit(&st->live.now, st->s->now, memory_order_relaxed);
    atomic_store_explicit(&st->live.ops, st->ops, memory_order_relaxed);
    atomic_store_explicit(&st->live.reads_ok, st->reads_ok, memory_order_relaxed);
    atomic_store_explicit(&st->live.stale, st->stale, memory_order_relaxed);
    st->unpublished = 0;
}

/* Room for nc intervals (nc <= cap), the new ones empty. 0, or -1 when out of memory. */
static int reserve(series *st, size_t nc)
{
    if (nc <= st->bins_cap)
        return 0;
    bin *nb = mem_realloc(st->bins, nc * sizeof *nb);
    if (!nb)
        return -1;
    for (size_t i = st->bins_cap; i < nc; i++) {
        memset(&nb[i], 0, offsetof(bin, lat));
        chist_init(&nb[i].lat[0]);
        chist_init(&nb[i].lat[1]);
    }
    st->bins = nb;
    st->bins_cap = nc;
    return 0;
}

/* Opens intervals up to the one holding t (ns, >= end). 0, or -1 when out of memory or a
 * histogram bucket is full. */
static int advance(series *st, int64_t t)
{
    while (t / st->width >= (int64_t)st->cap)
        if (widen(st))
            return -1;
    size_t need = (size_t)(t / st->width) + 1;
    if (need > st->bins_cap) {
        size_t nc = st->bins_cap * 2;
        if (nc < need)
            nc = need;
        if (reserve(st, nc > st->cap ? st->cap : nc))
            return -1;
    }
    if (st->nbins) { /* the last interval is complete: its p99 for progress lines */
        atomic_store_explicit(&st->live.read_p99, chist_quantile(&st->bins[st->nbins - 1].lat[OP_READ], 0.99),
                              memory_order_relaxed);
        atomic_store_explicit(&st->live.width, st->width, memory_order_relaxed);
        publish(st);
    }
    st->nbins = need;
    st->end = (int64_t)need * st->width;
    return 0;
}

static void on_answer(void *ctx, op *o)
{
    series *st = ctx;
    if (o->index < st->warmup)
        return;
    int64_t t = o->answered;
    if (t >= st->end && advance(st, t)) {
        sim_fail(st->s);
        return;
    }
    assert(t >= st->end - st->width); /* answers come in time order: t is in the last interval */
    bin *b = &st->bins[st->nbins - 1];
    /* a single phase is the whole run: finish adds it up from the intervals */
    if (count(b, o) || (st->ncuts > 1 && count(&st->ph[series_phase_of(st->cuts, st->ncuts, o->start)], o)))
        sim_fail(st->s);
    st->ops++;
    if (o->ok && o->kind == OP_READ) {
        st->reads_ok++;
        st->stale += o->v.cls == RC_STALE || o->v.cls == RC_LOST;
    }
    if (++st->unpublished == 1024)
        publish(st);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

long series_cuts(const series_window *w, size_t nwin, int64_t **cuts)
{
    int64_t *c = mem_alloc((2 * nwin + 1) * sizeof *c);
    if (!c)
        return -1;
    size_t n = 0;
    c[n++] = 0;
    for (size_t i = 0; w && i < nwin; i++) {
        c[n++] = w[i].from;
        if (w[i].to >= 0)
            c[n++] = w[i].to;
    }
    qsort(c, n, sizeof *c, cmp_i64);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (c[i] != c[k - 1])
            c[k++] = c[i];
    *cuts = c;
    return (long)k;
}

size_t series_phase_of(const int64_t *cuts, size_t n, int64_t t)
{
    size_t lo = 0, hi = n; /* cuts[lo] <= t < cuts[hi] (hi = n: none above) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (cuts[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void series_res_init(series_res *r) { memset(r, 0, sizeof *r); }

void series_res_free(series_res *r)
{
    for (size_t i = 0; r->win && i < r->nwin; i++) {
        mem_free(r->win[i].name);
        mem_free(r->win[i].end);
    }
    mem_free(r->rows);
    mem_free(r->phases);
    mem_free(r->win);
    mem_free(r->in_force);
    series_res_init(r);
}

const series_live *series_live_of(const world *w)
{
    const series *st = w->state[MOD_SERIES];
    return st ? &st->live : NULL;
}

/* ---- the series module ---- */

static void res_init(void *res) { series_res_init(res); }
static void res_free(void *res) { series_res_free(res); }

static int create(world *w, const void *mcfg, void *res, void **state, char *err, size_t n)
{
    (void)err;
    (void)n;
    const series_cfg *scfg = mcfg;
    series_res *r = res;
    series *st = mem_calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    *state = st;
    st->s = &w->s;
    st->res = r;
    st->warmup = (uint64_t)SC_CFG(w->sc, MOD_RUN, run_cfg)->warmup;
    st->explicit_width = scfg->interval > 0;
    st->width = st->explicit_width ? scfg->interval : SERIES_AUTO_BASE;
    /* and one more for the answers after the last full interval (a run of exactly 200 widths) */
    st->cap = (st->explicit_width ? SERIES_MAX_INTERVALS : SERIES_AUTO_INTERVALS) + 1;
    atomic_init(&st->live.now, 0);
    atomic_init(&st->live.ops, 0);
    atomic_init(&st->live.reads_ok, 0);
    atomic_init(&st->live.stale, 0);
    atomic_init(&st->live.read_p99, -1);
    atomic_init(&st->live.width, 0);
    r->configured = scfg->interval;
    fault_window *fw;
    long nw = faults_windows(SC_CFG(w->sc, MOD_FAULTS, faults_cfg), &fw);
    if (nw < 0)
        return -ENOMEM;
    r->win = nw ? mem_calloc((size_t)nw, sizeof *r->win) : NULL;
    for (long i = 0; r->win && i < nw; i++) {
        r->win[i] = (series_window){mem_strdup(fw[i].f->name), fw[i].end ? mem_strdup(fw[i].end->name) : NULL,
                                    fw[i].from, fw[i].to};
        r->nwin = (size_t)i + 1;
        if (!r->win[i].name || (fw[i].end && !r->win[i].end))
            break;
    }
    mem_free(fw);
    if (r->nwin != (size_t)nw)
        return -ENOMEM;
    long nc = series_cuts(r->win, r->nwin, &st->cuts);
    if (nc < 0)
        return -ENOMEM;
    st->ncuts = (size_t)nc;
    st->ph = mem_alloc(st->ncuts * sizeof *st->ph);
    if (!st->ph)
        return -ENOMEM;
    for (size_t k = 0; k < st->ncuts; k++) {
        memset(&st->ph[k], 0, offsetof(bin, lat));
        chist_init(&st->ph[k].lat[0]);
        chist_init(&st->ph[k].lat[1]);
    }
    /* every interval the run is expected to reach, so that none is allocated while it runs:
     * auto's whole cap; a configured width's intervals up to run.duration (and a few more
     * for the answers after it) */
    int64_t d = SC_CFG(w->sc, MOD_RUN, run_cfg)->duration;
    size_t want = st->explicit_width ? (d > 0 ? (size_t)(d / st->width) + 4 : 64) : st->cap;
    if (reserve(st, want > st->cap ? st->cap : want))
        return -ENOMEM;
    op_observer ob = {.name = "series", .ctx = st, .answer = on_answer};
    return coord_observe(&w->coord, &ob) ? -ENOMEM : 0;
}

/* The figures of every interval and phase into the results; the histograms are freed. */
static void finish(void *state, void *res)
{
    series *st = state;
    series_res *r = res;
    publish(st);
    r->width = st->width;
    r->widened = st->widened;
    r->rows = mem_calloc(st->nbins ? st->nbins : 1, sizeof *r->rows);
    r->phases = mem_calloc(st->ncuts, sizeof *r->phases);
    size_t nin = 0;
    for (size_t k = 0; k < st->ncuts; k++)
        for (size_t i = 0; i < r->nwin; i++)
            nin += r->win[i].from <= st->cuts[k] && (r->win[i].to < 0 || r->win[i].to > st->cuts[k]);
    r->in_force = mem_calloc(nin ? nin : 1, sizeof *r->in_force);
    if (!r->rows || !r->phases || !r->in_force) {
        sim_fail(st->s);
        return;
    }
    r->nrows = st->nbins;
    for (size_t i = 0; i < st->nbins; i++) {
        row_of(&st->bins[i], &r->rows[i]);
        if (st->ncuts == 1 && merge(&st->ph[0], &st->bins[i])) {
            sim_fail(st->s);
            return;
        }
    }
    r->nphases = st->ncuts;
    size_t at = 0;
    for (size_t k = 0; k < st->ncuts; k++) {
        series_phase *p = &r->phases[k];
        p->lo = st->cuts[k];
        p->hi = k + 1 < st->ncuts ? st->cuts[k + 1] : -1;
        p->first = at;
        for (size_t i = 0; i < r->nwin; i++)
            if (r->win[i].from <= p->lo && (r->win[i].to < 0 || r->win[i].to > p->lo))
                r->in_force[at++] = i;
        p->count = at - p->first;
        row_of(&st->ph[k], &p->row);
    }
}

static void destroy(void *state)
{
    series *st = state;
    mem_free(st->bins);
    mem_free(st->ph);
    mem_free(st->cuts);
    mem_free(st);
}

/* A width the run is known to pass SERIES_MAX_INTERVALS with is an error. */
static void check(cfg *c, const scenario *sc, void *mcfg)
{
    const series_cfg *scfg = mcfg;
    int64_t d = SC_CFG(sc, MOD_RUN, run_cfg)->duration;
    if (scfg->interval > 0 && d > 0 && d / scfg->interval > SERIES_MAX_INTERVALS) {
        char a[32], b[32];
        units_format_duration(scfg->interval, a, sizeof a);
        units_format_duration(d, b, sizeof b);
        cfg_error_key(c, "series", "interval", "%s intervals over run.duration = %s make %lld intervals; at most %d",
                      a, b, (long long)(d / scfg->interval), SERIES_MAX_INTERVALS);
    }
}

/* ---- metrics ---- */

#define RES(v) RV_RES(v, MOD_SERIES, series_res)

static metric_val get_count(const run_view *v, int arg)
{
    (void)arg;
    return mv_int((int64_t)RES(v)->nrows);
}

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static void json_kind(jw *j, const char *key, const series_row *r, int k)
{
    static const char *const qname[3] = {"p50_ns", "p99_ns", "p999_ns"};
    jw_obj(j, key);
    jw_int(j, "count", (int64_t)r->n[k]);
    jw_int(j, "ok", (int64_t)(r->n[k] - r->failed[k]));
    jw_int(j, "unavailable", (int64_t)r->failed[k]);
    for (int q = 0; q < 3; q++) {
        if (r->q[k][q] >= 0)
            jw_int(j, qname[q], r->q[k][q]);
        else
            jw_null(j, qname[q]);
    }
    jw_obj_end(j);
}

/* Every phase: its span, the windows in force, and what operations started in it saw. */
static void json_phases(jw *j, const char *key, const run_view *v)
{
    const series_res *r = RES(v);
    jw_arr(j, key);
    for (size_t k = 0; k < r->nphases; k++) {
        const series_phase *p = &r->phases[k];
        const series_row *row = &p->row;
        jw_obj(j, NULL);
        jw_int(j, "t_lo_ns", p->lo);
        if (p->hi >= 0)
            jw_int(j, "t_hi_ns", p->hi);
        else
            jw_null(j, "t_hi_ns");
        jw_arr(j, "in_force");
        for (size_t i = 0; i < p->count; i++)
            jw_str(j, NULL, r->win[r->in_force[p->first + i]].name);
        jw_arr_end(j);
        uint64_t ops = row->n[0] + row->n[1], failed = row->failed[0] + row->failed[1];
        uint64_t reads_ok = row->n[OP_READ] - row->failed[OP_READ];
        jw_int(j, "ops", (int64_t)ops);
        json_kind(j, "reads", row, OP_READ);
        json_kind(j, "writes", row, OP_WRITE);
        jw_int(j, "stale", (int64_t)row->stale);
        jw_num(j, "stale_pct", pct(row->stale, reads_ok));
        jw_num(j, "unavailable_pct", pct(failed, ops));
        jw_obj_end(j);
    }
    jw_arr_end(j);
}

static const metric series_metrics[] = {
    {"intervals.width_ns", "interval_ns", NULL, MT_NS, "ns",
     "width of intervals.csv's intervals ([series] interval, or auto; widened past 10000 intervals)", metric_i64,
     MFIELD(MOD_SERIES, series_res, width), NULL},
    {"intervals.count", "intervals", NULL, MT_COUNT, "intervals",
     "rows of intervals.csv for this run: from 0 to the interval of the last answer", get_count, 0, NULL},
    {"intervals.widened", "intervals_widened", NULL, MT_BOOL, "",
     "the configured [series] interval would have passed 10000 intervals and was widened (2x, 5x, 2x, ...)",
     metric_int, MFIELD(MOD_SERIES, series_res, widened), NULL},
    {"phases", NULL, NULL, MT_JSON, "",
     "per fault phase (cut at every fault window's start and end; operations by start time): span, windows in "
     "force, operations, reads and writes with unavailable and p50/p99/p99.9 of successful ones, stale and "
     "unavailable %",
     NULL, 0, json_phases},
};

const module series_module = {
    .name = "series",
    .keys = &series_table,
    .cfg_size = sizeof(series_cfg),
    .check = check,
    .res_size = sizeof(series_res),
    .res_init = res_init,
    .res_free = res_free,
    .create = create,
    .finish = finish,
    .destroy = destroy,
    .metrics = series_metrics,
    .nmetrics = sizeof series_metrics / sizeof series_metrics[0],
};
