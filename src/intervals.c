/* intervals: intervals.csv and the phase table; see intervals.h. */
#include "src/intervals.h"
#include <inttypes.h>
#include <string.h>
#include "models/op.h"
#include "models/series.h"
#include "sim/units.h"

static const series_res *series_of(const run_item *it) { return it->rr.res[MOD_SERIES]; }

/* A quantile field: empty for none. */
static void put_q(FILE *f, int64_t q)
{
    fputc(',', f);
    if (q >= 0)
        fprintf(f, "%" PRId64, q);
}

static void put_pct(FILE *f, uint64_t a, uint64_t b)
{
    fputc(',', f);
    if (b)
        fprintf(f, "%.6f", 100.0 * (double)a / (double)b);
}

void report_intervals_csv(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    (void)m;
    fputs("config,rep,t_lo_ns,t_hi_ns,ops,ops_per_s,reads,read_p50_ns,read_p99_ns,read_p999_ns,writes,write_p50_ns,"
          "write_p99_ns,write_p999_ns,stale,stale_pct,unavailable,unavailable_pct\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const series_res *r = series_of(&items[i]);
        for (size_t k = 0; k < r->nrows; k++) {
            const series_row *w = &r->rows[k];
            uint64_t ops = w->n[OP_READ] + w->n[OP_WRITE], failed = w->failed[OP_READ] + w->failed[OP_WRITE];
            fprintf(f, "%zu,%zu,%" PRId64 ",%" PRId64 ",%" PRIu64 ",%.3f,%" PRIu64, items[i].config, items[i].rep,
                    (int64_t)k * r->width, (int64_t)(k + 1) * r->width, ops, (double)ops * 1e9 / (double)r->width,
                    w->n[OP_READ]);
            for (int q = 0; q < 3; q++)
                put_q(f, w->q[OP_READ][q]);
            fprintf(f, ",%" PRIu64, w->n[OP_WRITE]);
            for (int q = 0; q < 3; q++)
                put_q(f, w->q[OP_WRITE][q]);
            fprintf(f, ",%" PRIu64, w->stale);
            put_pct(f, w->stale, w->n[OP_READ] - w->failed[OP_READ]);
            fprintf(f, ",%" PRIu64, failed);
            put_pct(f, failed, ops);
            fputc('\n', f);
        }
    }
}

/* ---- the phase table ---- */

/* A latency as the terminal shows it: 3 significant places; "-" for none. */
static void dur(int64_t ns, char *buf, size_t n)
{
    if (ns < 0)
        snprintf(buf, n, "-");
    else if (ns < 1000)
        snprintf(buf, n, "%" PRId64 "ns", ns);
    else if (ns < 1000000)
        snprintf(buf, n, "%.1fus", (double)ns / 1e3);
    else if (ns < 1000000000)
        snprintf(buf, n, "%.2fms", (double)ns / 1e6);
    else
        snprintf(buf, n, "%.3fs", (double)ns / 1e9);
}

enum { NCOLS = 11, CELL = 96 };
static const char *const head[NCOLS] = {"phase", "from", "to", "in force", "ops", "read-p50", "read-p99",
                                        "read-p999", "write-p99", "stale%", "unavail%"};

/* The cells of phase k of r. */
static void cells(const series_res *r, size_t k, char c[NCOLS][CELL])
{
    const series_phase *p = &r->phases[k];
    const series_row *w = &p->row;
    snprintf(c[0], CELL, "%zu", k);
    units_format_duration(p->lo, c[1], CELL);
    if (p->hi >= 0)
        units_format_duration(p->hi, c[2], CELL);
    else
        snprintf(c[2], CELL, "end");
    c[3][0] = '\0';
    for (size_t i = 0; i < p->count; i++) {
        size_t l = strlen(c[3]);
        snprintf(c[3] + l, CELL - l, "%s%s", i ? "+" : "", r->win[r->in_force[p->first + i]].name);
    }
    if (!p->count)
        snprintf(c[3], CELL, "-");
    uint64_t ops = w->n[OP_READ] + w->n[OP_WRITE], failed = w->failed[OP_READ] + w->failed[OP_WRITE];
    uint64_t reads_ok = w->n[OP_READ] - w->failed[OP_READ];
    snprintf(c[4], CELL, "%" PRIu64, ops);
    dur(w->q[OP_READ][0], c[5], CELL);
    dur(w->q[OP_READ][1], c[6], CELL);
    dur(w->q[OP_READ][2], c[7], CELL);
    dur(w->q[OP_WRITE][1], c[8], CELL);
    if (reads_ok)
        snprintf(c[9], CELL, "%.3f", 100.0 * (double)w->stale / (double)reads_ok);
    else
        snprintf(c[9], CELL, "-");
    if (ops)
        snprintf(c[10], CELL, "%.3f", 100.0 * (double)failed / (double)ops);
    else
        snprintf(c[10], CELL, "-");
}

void report_phases(FILE *f, const report_meta *m, const run_item *items, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n && !any; i++)
        any = series_of(&items[i])->nphases > 1;
    if (!any)
        return;
    int width[NCOLS], lw = 6;
    for (int c = 0; c < NCOLS; c++)
        width[c] = (int)strlen(head[c]);
    char cell[NCOLS][CELL];
    for (size_t i = 0; i < n; i++) {
        if (items[i].rep)
            continue;
        if ((int)strlen(items[i].label) > lw)
            lw = (int)strlen(items[i].label);
        const series_res *r = series_of(&items[i]);
        for (size_t k = 0; k < r->nphases; k++) {
            cells(r, k, cell);
            for (int c = 0; c < NCOLS; c++)
                if ((int)strlen(cell[c]) > width[c])
                    width[c] = (int)strlen(cell[c]);
        }
    }
    fprintf(f, "\nphases (operations by start time, cut where a fault window opens or closes):\n");
    if (m->nsw)
        fprintf(f, "%-*s  ", lw, "config");
    for (int c = 0; c < NCOLS; c++)
        fprintf(f, c == 3 ? "%s%-*s" : "%s%*s", c ? " " : "", width[c], head[c]);
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        if (items[i].rep)
            continue;
        const series_res *r = series_of(&items[i]);
        for (size_t k = 0; k < r->nphases; k++) {
            cells(r, k, cell);
            if (m->nsw)
                fprintf(f, "%-*s  ", lw, k ? "" : items[i].label);
            for (int c = 0; c < NCOLS; c++)
                fprintf(f, c == 3 ? "%s%-*s" : "%s%*s", c ? " " : "", width[c], cell[c]);
            fputc('\n', f);
        }
    }
}
