/* metric: what a run measured, each metric described once (docs/design.md section 5): its
 * path in summary.json, its runs.csv column, its unit and its one-line meaning, and how to
 * read its value from the run's results. Modules list their metrics in their descriptor;
 * the report writers (terminal table, runs.csv, summary.json) and `qsim --metrics` walk
 * those lists and nothing else, so a module's new metric shows up everywhere at once. */
#ifndef QSIM_METRIC_H
#define QSIM_METRIC_H
#include <stdint.h>
#include "sim/json.h"

struct scenario;
struct run_result;

typedef enum metric_type {
    MT_COUNT, /* int64: a count or an integer setting */
    MT_NS,    /* int64 ns: a duration or a time */
    MT_PCT,   /* double, percent */
    MT_NUM,   /* double */
    MT_BOOL,  /* 0 or 1 */
    MT_STR,   /* text */
    MT_JSON,  /* structured: written by json() into summary.json only */
} metric_type;

/* What a run produced, as a report needs it. */
typedef struct run_view {
    const struct scenario *sc;
    const struct run_result *rr;
} run_view;

typedef struct metric_val {
    int null;      /* no value (e.g. a time that was never reached): JSON null, empty CSV field */
    int64_t i;     /* MT_COUNT, MT_NS, MT_BOOL */
    double d;      /* MT_PCT, MT_NUM */
    const char *s; /* MT_STR */
} metric_val;

typedef struct metric {
    const char *path;   /* in a configuration of summary.json, dotted: "reads.latency_ok.p99_ns" */
    const char *column; /* runs.csv column (NULL: not in runs.csv) */
    const char *label;  /* short header for the terminal table (NULL: path) */
    metric_type type;
    const char *unit;   /* "ns", "%", "operations", ... ("" for text and flags) */
    const char *doc;    /* one line: what it means */
    metric_val (*get)(const run_view *v, int arg);
    int arg;            /* passed to get (which kind, which quantile, ...) */
    void (*json)(jw *j, const char *key, const run_view *v); /* MT_JSON */
} metric;

static inline metric_val mv_int(int64_t i) { return (metric_val){0, i, 0, NULL}; }
static inline metric_val mv_num(double d) { return (metric_val){0, 0, d, NULL}; }
static inline metric_val mv_str(const char *s) { return (metric_val){0, 0, 0, s}; }
static inline metric_val mv_null(void) { return (metric_val){1, 0, 0, NULL}; }
#endif
