/* dist: a recursive-descent parser for the distribution language, sampling in ns and the
 * closed-form mean and CDF of every law; see dist.h. Service and link latencies of the
 * engine (docs/design.md section 2). A parsed distribution is an immutable tree. */
#include "sim/dist.h"
#include "sim/alloc.h"
#include "sim/file.h"
#include "sim/units.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIST_KINDS(X)                                                                      \
    X(CONST, "const")                                                                      \
    X(UNIFORM, "uniform")                                                                  \
    X(EXP, "exp")                                                                          \
    X(NORMAL, "normal")                                                                    \
    X(LOGNORMAL, "lognormal")                                                              \
    X(PARETO, "pareto")                                                                    \
    X(MIX, "mix")                                                                          \
    X(EMPIRICAL, "empirical")                                                              \
    X(SHIFT, "shift")

typedef enum dist_kind {
#define X(k, s) DIST_##k,
    DIST_KINDS(X)
#undef X
    DIST_NKINDS
} dist_kind;

static const char *const kind_names[] = {
#define X(k, s) s,
    DIST_KINDS(X)
#undef X
};

#define MAX_NS 4611686018427387904.0 /* 2^62: samples are clamped here, far from overflow */
#define MAX_DEPTH 32
#define ARG_MAX 64
#define LINE_MAX_LEN 1024
#define CDF_TOL 1e-9
#define SQRT1_2 0.70710678118654752440
#define INV_SQRT_2PI 0.39894228040143267794

struct dist {
    dist_kind kind;
    int64_t k;      /* const: the value; shift: the offset (ns) */
    double a, b;    /* uniform a,b; exp mean; normal mean,sd; lognormal median,sigma;
                       pareto xm,alpha (ns or plain numbers) */
    size_t n;       /* mix: components; empirical: points */
    dist **parts;   /* mix components */
    double *w;      /* mix: normalised weights */
    double *cum;    /* mix: running sums of w, the last exactly 1 */
    double *x;      /* empirical: values in ns, non-decreasing */
    double *p;      /* empirical: cdf at each x, or NULL for a list of samples */
    dist *inner;    /* shift */
};

typedef struct parser {
    const char *p;
    const char *base_dir;
    char *err;
    size_t errlen;
    int failed;
} parser;

static dist *parse_dist(parser *ps, int depth);

/* Records the first error only: later ones are consequences. */
static void perr(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(parser *ps, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = 1;
    if (ps->err && ps->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err, ps->errlen, fmt, ap);
        va_end(ap);
    }
}

static void skip_ws(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

/* "at 'xyz'" or "at end of text", for messages about an unexpected token. */
static void where(const parser *ps, char *buf, size_t n)
{
    if (*ps->p)
        snprintf(buf, n, "at '%.16s'", ps->p);
    else
        snprintf(buf, n, "at end of text");
}

static int expect(parser *ps, char c, const char *ctx)
{
    skip_ws(ps);
    if (*ps->p == c) {
        ps->p++;
        return 0;
    }
    char at[40];
    where(ps, at, sizeof at);
    perr(ps, "%s: expected '%c' %s", ctx, c, at);
    return -1;
}

/* Copies the text up to the next ',' ')' or '(' (trimmed) into buf. */
static int take_arg(parser *ps, const char *ctx, const char *pname, char *buf, size_t n)
{
    skip_ws(ps);
    const char *start = ps->p;
    while (*ps->p && *ps->p != ',' && *ps->p != ')' && *ps->p != '(')
        ps->p++;
    const char *end = ps->p;
    while (end > start && isspace((unsigned char)end[-1]))
        end--;
    size_t len = (size_t)(end - start);
    if (len == 0) {
        perr(ps, "%s: missing %s", ctx, pname);
        return -1;
    }
    if (len >= n) {
        perr(ps, "%s: %s '%.16s...' is too long", ctx, pname, start);
        return -1;
    }
    memcpy(buf, start, len);
    buf[len] = '\0';
    return 0;
}

static int duration_arg(parser *ps, const char *ctx, const char *pname, int64_t *out)
{
    char buf[ARG_MAX], why[64];
    if (take_arg(ps, ctx, pname, buf, sizeof buf) < 0)
        return -1;
    if (units_parse_duration(buf, out, why, sizeof why) < 0) {
        perr(ps, "%s: %s '%s': %s", ctx, pname, buf, why);
        return -1;
    }
    if (*out < 0) {
        perr(ps, "%s: %s must be >= 0", ctx, pname);
        return -1;
    }
    return 0;
}

/* A plain number that must be > 0 (sigma, alpha). */
static int positive_arg(parser *ps, const char *ctx, const char *pname, double *out)
{
    char buf[ARG_MAX];
    if (take_arg(ps, ctx, pname, buf, sizeof buf) < 0)
        return -1;
    if (units_parse_double(buf, out) < 0) {
        perr(ps, "%s: %s '%s' is not a number", ctx, pname, buf);
        return -1;
    }
    if (!(*out > 0.0)) {
        perr(ps, "%s: %s must be > 0", ctx, pname);
        return -1;
    }
    return 0;
}

/* A mix weight: a number token directly followed by a distribution. */
static int weight_arg(parser *ps, double *out)
{
    char buf[ARG_MAX];
    skip_ws(ps);
    const char *s = ps->p, *q = s;
    int digits = 0;
    if (*q == '+' || *q == '-')
        q++;
    for (; isdigit((unsigned char)*q) || *q == '.'; q++)
        digits += *q != '.';
    if (digits && (*q == 'e' || *q == 'E')) {
        const char *e = q + 1;
        if (*e == '+' || *e == '-')
            e++;
        if (isdigit((unsigned char)*e)) {
            while (isdigit((unsigned char)*e))
                e++;
            q = e;
        }
    }
    size_t len = (size_t)(q - s);
    if (!digits || len >= sizeof buf) {
        char at[40];
        where(ps, at, sizeof at);
        perr(ps, "mix: expected a weight before each component %s", at);
        return -1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (units_parse_double(buf, out) < 0) {
        perr(ps, "mix: weight '%s' is not a number", buf);
        return -1;
    }
    if (!(*out > 0.0)) {
        perr(ps, "mix: weight must be > 0");
        return -1;
    }
    ps->p = q;
    return 0;
}

static int parse_mix(parser *ps, dist *d, int depth)
{
    size_t cap = 0;
    for (;;) {
        double w;
        if (weight_arg(ps, &w) < 0)
            return -1;
        if (d->n == cap) {
            size_t ncap = cap ? 2 * cap : 4;
            dist **parts = mem_realloc(d->parts, ncap * sizeof *parts);
            if (!parts)
                goto oom;
            d->parts = parts;
            double *ws = mem_realloc(d->w, ncap * sizeof *ws);
            if (!ws)
                goto oom;
            d->w = ws;
            cap = ncap;
        }
        dist *part = parse_dist(ps, depth + 1);
        if (!part)
            return -1;
        d->parts[d->n] = part;
        d->w[d->n] = w;
        d->n++;
        skip_ws(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == ')')
            break;
        char at[40];
        where(ps, at, sizeof at);
        perr(ps, "mix: expected ',' or ')' %s", at);
        return -1;
    }
    d->cum = mem_alloc(d->n * sizeof *d->cum);
    if (!d->cum)
        goto oom;
    double total = 0.0;
    for (size_t i = 0; i < d->n; i++)
        total += d->w[i];
    if (!isfinite(total)) {
        perr(ps, "mix: weights are too large");
        return -1;
    }
    double run = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        d->w[i] /= total;
        run += d->w[i];
        d->cum[i] = run;
    }
    d->cum[d->n - 1] = 1.0;
    return 0;
oom:
    perr(ps, "out of memory");
    return -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        end--;
    *end = '\0';
    return s;
}

/* A value column: a duration with a unit, or a bare number of ns. */
static int parse_value(const char *tok, double *ns)
{
    int64_t v;
    if (units_parse_double(tok, ns) == 0)
        return 0;
    if (units_parse_duration(tok, &v, NULL, 0) < 0)
        return -1;
    *ns = (double)v;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reads path into d->x (and d->p for two columns). Errors name path:line. The file must be
 * a regular file of at most FILE_CSV_MAX bytes; lines end with LF or CRLF; a UTF-8
 * byte-order mark at the start is skipped; a NUL byte or a lone CR is an error (either would
 * hide part of the data). */
static int load_empirical(parser *ps, dist *d, const char *path)
{
    long lineno = 0, last_line = 0;
    int cols = 0;
    size_t cap = 0, len, pos = 0;
    char *buf, why[160];
    int rc = file_read(path, FILE_CSV_MAX, "empirical files", &buf, &len, NULL, why, sizeof why);
    if (rc == -ENOMEM) {
        perr(ps, "out of memory");
        return -1;
    }
    if (rc) {
        if (strncmp(why, "cannot open: ", 13) == 0)
            perr(ps, "empirical: cannot open '%s': %s", path, why + 13);
        else
            perr(ps, "empirical: '%s' %s", path, why);
        return -1;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        lineno++;
        if (ll && line[ll - 1] == '\r')
            ll--;
        line[ll] = '\0';
        if (strlen(line) != ll) {
            perr(ps, "empirical: %s:%ld: line holds a NUL byte: is this a text file?", path, lineno);
            goto fail;
        }
        if (strchr(line, '\r')) {
            perr(ps, "empirical: %s:%ld: carriage return not followed by a line feed: lines end with LF or CRLF",
                 path, lineno);
            goto fail;
        }
        if (ll >= LINE_MAX_LEN) {
            perr(ps, "empirical: %s:%ld: line too long", path, lineno);
            goto fail;
        }
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *comma = strchr(s, ',');
        if (comma && strchr(comma + 1, ',')) {
            perr(ps, "empirical: %s:%ld: expected 'value' or 'value,cdf'", path, lineno);
            goto fail;
        }
        int ncols = comma ? 2 : 1;
        if (cols && ncols != cols) {
            perr(ps, "empirical: %s:%ld: expected %d column%s like the first line", path, lineno, cols,
                 cols == 1 ? "" : "s");
            goto fail;
        }
        cols = ncols;
        if (comma)
            *comma = '\0';
        char *vtok = trim(s);
        double v, c = 0.0;
        if (parse_value(vtok, &v) < 0) {
            perr(ps, "empirical: %s:%ld: '%.24s' is not a duration (use '#' for comment or header lines)",
                 path, lineno, vtok);
            goto fail;
        }
        if (v < 0.0) {
            perr(ps, "empirical: %s:%ld: negative value", path, lineno);
            goto fail;
        }
        if (comma) {
            char *ctok = trim(comma + 1);
            if (units_parse_double(ctok, &c) < 0) {
                perr(ps, "empirical: %s:%ld: cdf '%.24s' is not a number", path, lineno, ctok);
                goto fail;
            }
            if (c < 0.0 || c > 1.0 + CDF_TOL) {
                perr(ps, "empirical: %s:%ld: cdf must be within [0, 1]", path, lineno);
                goto fail;
            }
            if (d->n > 0 && c < d->p[d->n - 1]) {
                perr(ps, "empirical: %s:%ld: cdf must be non-decreasing", path, lineno);
                goto fail;
            }
            if (d->n > 0 && v < d->x[d->n - 1]) {
                perr(ps, "empirical: %s:%ld: values must be non-decreasing in a cdf file", path, lineno);
                goto fail;
            }
        }
        if (d->n == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            double *x = mem_realloc(d->x, ncap * sizeof *x);
            if (!x)
                goto oom;
            d->x = x;
            if (comma) {
                double *p = mem_realloc(d->p, ncap * sizeof *p);
                if (!p)
                    goto oom;
                d->p = p;
            }
            cap = ncap;
        }
        d->x[d->n] = v;
        if (comma)
            d->p[d->n] = fmin(c, 1.0);
        d->n++;
        last_line = lineno;
    }
    if (d->n == 0) {
        perr(ps, "empirical: %s: no data", path);
        goto fail;
    }
    if (d->n > UINT32_MAX) {
        perr(ps, "empirical: %s: too many lines", path);
        goto fail;
    }
    if (cols == 2) {
        if (fabs(d->p[d->n - 1] - 1.0) > CDF_TOL) {
            perr(ps, "empirical: %s:%ld: cdf must end at 1 (last is %.9g)", path, last_line, d->p[d->n - 1]);
            goto fail;
        }
        d->p[d->n - 1] = 1.0;
    } else {
        qsort(d->x, d->n, sizeof *d->x, cmp_double);
    }
    mem_free(buf);
    return 0;
oom:
    perr(ps, "out of memory");
fail:
    mem_free(buf);
    return -1;
}

static int parse_empirical(parser *ps, dist *d)
{
    skip_ws(ps);
    const char *start = ps->p;
    while (*ps->p && *ps->p != ')')
        ps->p++;
    if (!*ps->p) {
        perr(ps, "empirical: expected ')' at end of text");
        return -1;
    }
    const char *end = ps->p;
    while (end > start && isspace((unsigned char)end[-1]))
        end--;
    size_t len = (size_t)(end - start);
    if (len == 0) {
        perr(ps, "empirical: missing file name");
        return -1;
    }
    const char *base = ps->base_dir ? ps->base_dir : ".";
    size_t blen = start[0] == '/' ? 0 : strlen(base) + 1;
    char *path = mem_alloc(blen + len + 1);
    if (!path) {
        perr(ps, "out of memory");
        return -1;
    }
    if (blen) {
        memcpy(path, base, blen - 1);
        path[blen - 1] = '/';
    }
    memcpy(path + blen, start, len);
    path[blen + len] = '\0';
    int rc = load_empirical(ps, d, path);
    mem_free(path);
    return rc;
}

static void unknown_name(parser *ps, const char *name, size_t len)
{
    char list[128] = "";
    size_t used = 0;
    for (int i = 0; i < DIST_NKINDS; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", kind_names[i]);
    perr(ps, "unknown distribution '%.*s' (%s)", (int)(len > 24 ? 24 : len), name, list);
}

static dist *parse_dist(parser *ps, int depth)
{
    skip_ws(ps);
    if (depth > MAX_DEPTH) {
        perr(ps, "distribution nested too deeply");
        return NULL;
    }
    const char *name = ps->p;
    while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
        ps->p++;
    size_t len = (size_t)(ps->p - name);
    if (len == 0) {
        char at[40];
        where(ps, at, sizeof at);
        perr(ps, "expected a distribution name %s", at);
        return NULL;
    }
    int kind = -1;
    for (int i = 0; i < DIST_NKINDS; i++)
        if (strlen(kind_names[i]) == len && strncmp(name, kind_names[i], len) == 0)
            kind = i;
    if (kind < 0) {
        unknown_name(ps, name, len);
        return NULL;
    }
    const char *ctx = kind_names[kind];
    if (expect(ps, '(', ctx) < 0)
        return NULL;
    dist *d = mem_calloc(1, sizeof *d);
    if (!d) {
        perr(ps, "out of memory");
        return NULL;
    }
    d->kind = (dist_kind)kind;
    int64_t v1, v2;
    switch (d->kind) {
    case DIST_CONST:
        if (duration_arg(ps, ctx, "value", &d->k) < 0)
            goto fail;
        break;
    case DIST_UNIFORM:
        if (duration_arg(ps, ctx, "a", &v1) < 0 || expect(ps, ',', ctx) < 0 ||
            duration_arg(ps, ctx, "b", &v2) < 0)
            goto fail;
        if (v1 > v2) {
            perr(ps, "uniform: a must be <= b");
            goto fail;
        }
        d->a = (double)v1;
        d->b = (double)v2;
        break;
    case DIST_EXP:
        if (duration_arg(ps, ctx, "mean", &v1) < 0)
            goto fail;
        d->a = (double)v1;
        break;
    case DIST_NORMAL:
        if (duration_arg(ps, ctx, "mean", &v1) < 0 || expect(ps, ',', ctx) < 0 ||
            duration_arg(ps, ctx, "sd", &v2) < 0)
            goto fail;
        d->a = (double)v1;
        d->b = (double)v2;
        break;
    case DIST_LOGNORMAL:
        if (duration_arg(ps, ctx, "median", &v1) < 0 || expect(ps, ',', ctx) < 0 ||
            positive_arg(ps, ctx, "sigma", &d->b) < 0)
            goto fail;
        d->a = (double)v1;
        break;
    case DIST_PARETO:
        if (duration_arg(ps, ctx, "xm", &v1) < 0 || expect(ps, ',', ctx) < 0 ||
            positive_arg(ps, ctx, "alpha", &d->b) < 0)
            goto fail;
        if (v1 == 0) {
            perr(ps, "pareto: xm must be > 0");
            goto fail;
        }
        d->a = (double)v1;
        break;
    case DIST_MIX:
        if (parse_mix(ps, d, depth) < 0)
            goto fail;
        break;
    case DIST_EMPIRICAL:
        if (parse_empirical(ps, d) < 0)
            goto fail;
        break;
    case DIST_SHIFT:
        if (duration_arg(ps, ctx, "d", &d->k) < 0 || expect(ps, ',', ctx) < 0)
            goto fail;
        d->inner = parse_dist(ps, depth + 1);
        if (!d->inner)
            goto fail;
        break;
    case DIST_NKINDS:
        break;
    }
    if (expect(ps, ')', ctx) < 0)
        goto fail;
    return d;
fail:
    dist_destroy(d);
    return NULL;
}

int dist_parse(const char *text, const char *base_dir, dist **out, char *err, size_t errlen)
{
    parser ps = {text ? text : "", base_dir, err, errlen, 0};
    dist *d = parse_dist(&ps, 0);
    if (!d)
        return -1;
    skip_ws(&ps);
    if (*ps.p) {
        perr(&ps, "unexpected '%.16s' after the distribution", ps.p);
        dist_destroy(d);
        return -1;
    }
    *out = d;
    return 0;
}

void dist_destroy(dist *d)
{
    if (!d)
        return;
    for (size_t i = 0; d->kind == DIST_MIX && i < d->n; i++)
        dist_destroy(d->parts[i]);
    mem_free(d->parts);
    mem_free(d->w);
    mem_free(d->cum);
    mem_free(d->x);
    mem_free(d->p);
    dist_destroy(d->inner);
    mem_free(d);
}

static int64_t round_ns(double v)
{
    if (!(v > 0.0))
        return 0;
    if (v >= MAX_NS)
        return (int64_t)MAX_NS;
    return (int64_t)(v + 0.5);
}

/* First index i with a[i] > v (n if none); a non-decreasing. O(log n). */
static size_t upper_bound(const double *a, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] > v)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Inverse of the piecewise-linear CDF through (x[i], p[i]); p[0] is a mass at x[0]. */
static double empirical_quantile(const dist *d, double u)
{
    if (u < d->p[0])
        return d->x[0];
    size_t i = upper_bound(d->p, d->n, u); /* p[i-1] <= u < p[i] = ... <= 1 */
    double span = d->p[i] - d->p[i - 1];
    return d->x[i - 1] + (u - d->p[i - 1]) / span * (d->x[i] - d->x[i - 1]);
}

int64_t dist_sample(const dist *d, rng *r)
{
    double v;
    switch (d->kind) {
    case DIST_CONST:
        return d->k > (int64_t)MAX_NS ? (int64_t)MAX_NS : d->k;
    case DIST_UNIFORM:
        return round_ns(d->a + (d->b - d->a) * rng_uniform(r));
    case DIST_EXP:
        return round_ns(-d->a * log(rng_uniform_pos(r)));
    case DIST_NORMAL:
        if (d->b == 0.0)
            return round_ns(d->a);
        do
            v = d->a + d->b * rng_normal(r);
        while (v < 0.0);
        return round_ns(v);
    case DIST_LOGNORMAL:
        return round_ns(d->a * exp(d->b * rng_normal(r)));
    case DIST_PARETO:
        return round_ns(d->a * pow(1.0 - rng_uniform(r), -1.0 / d->b));
    case DIST_MIX: {
        double u = rng_uniform(r);
        size_t i = 0;
        while (i + 1 < d->n && u >= d->cum[i])
            i++;
        return dist_sample(d->parts[i], r);
    }
    case DIST_EMPIRICAL:
        if (!d->p)
            return round_ns(d->x[rng_bounded(r, (uint32_t)d->n)]);
        return round_ns(empirical_quantile(d, rng_uniform(r)));
    case DIST_SHIFT: {
        int64_t s = dist_sample(d->inner, r);
        return s > (int64_t)MAX_NS - d->k ? (int64_t)MAX_NS : d->k + s;
    }
    case DIST_NKINDS:
        break;
    }
    return 0;
}

/* P(Z > z) for a standard normal, accurate far into the tail. */
static double normal_sf(double z)
{
    return 0.5 * erfc(z * SQRT1_2);
}

double dist_mean(const dist *d)
{
    double m = 0.0;
    switch (d->kind) {
    case DIST_CONST:
        return (double)d->k;
    case DIST_UNIFORM:
        return 0.5 * (d->a + d->b);
    case DIST_EXP:
        return d->a;
    case DIST_NORMAL: {
        if (d->b == 0.0)
            return d->a;
        double lo = -d->a / d->b; /* truncation point in standard units */
        return d->a + d->b * INV_SQRT_2PI * exp(-0.5 * lo * lo) / normal_sf(lo);
    }
    case DIST_LOGNORMAL:
        if (d->a == 0.0)
            return 0.0; /* every draw is 0 (0 * exp(huge) would be NaN) */
        return d->a * exp(0.5 * d->b * d->b);
    case DIST_PARETO:
        return d->b > 1.0 ? d->b * d->a / (d->b - 1.0) : (double)INFINITY;
    case DIST_MIX:
        for (size_t i = 0; i < d->n; i++)
            m += d->w[i] * dist_mean(d->parts[i]);
        return m;
    case DIST_EMPIRICAL:
        if (!d->p) {
            for (size_t i = 0; i < d->n; i++)
                m += d->x[i];
            return m / (double)d->n;
        }
        m = d->p[0] * d->x[0];
        for (size_t i = 1; i < d->n; i++)
            m += (d->p[i] - d->p[i - 1]) * 0.5 * (d->x[i - 1] + d->x[i]);
        return m;
    case DIST_SHIFT:
        return (double)d->k + dist_mean(d->inner);
    case DIST_NKINDS:
        break;
    }
    return 0.0;
}

double dist_cdf(const dist *d, double x)
{
    double c = 0.0;
    switch (d->kind) {
    case DIST_CONST:
        return x >= (double)d->k ? 1.0 : 0.0;
    case DIST_UNIFORM:
        if (x >= d->b)
            return 1.0;
        if (x < d->a)
            return 0.0;
        return (x - d->a) / (d->b - d->a);
    case DIST_EXP:
        if (x < 0.0)
            return 0.0;
        return d->a == 0.0 ? 1.0 : -expm1(-x / d->a);
    case DIST_NORMAL:
        if (x < 0.0)
            return 0.0;
        if (d->b == 0.0)
            return x >= d->a ? 1.0 : 0.0;
        /* (Phi(z) - Phi(lo)) / (1 - Phi(lo)) written with survival functions. */
        return 1.0 - normal_sf((x - d->a) / d->b) / normal_sf(-d->a / d->b);
    case DIST_LOGNORMAL:
        if (x < 0.0)
            return 0.0;
        if (d->a == 0.0)
            return 1.0;
        if (x == 0.0)
            return 0.0;
        return 1.0 - normal_sf(log(x / d->a) / d->b);
    case DIST_PARETO:
        if (x < d->a)
            return 0.0;
        return 1.0 - pow(d->a / x, d->b);
    case DIST_MIX:
        for (size_t i = 0; i < d->n; i++)
            c += d->w[i] * dist_cdf(d->parts[i], x);
        return c;
    case DIST_EMPIRICAL: {
        size_t i = upper_bound(d->x, d->n, x); /* points with x[j] <= x */
        if (!d->p)
            return (double)i / (double)d->n;
        if (i == 0)
            return 0.0;
        if (i == d->n)
            return 1.0;
        return d->p[i - 1] + (x - d->x[i - 1]) / (d->x[i] - d->x[i - 1]) * (d->p[i] - d->p[i - 1]);
    }
    case DIST_SHIFT:
        return dist_cdf(d->inner, x - (double)d->k);
    case DIST_NKINDS:
        break;
    }
    return 0.0;
}

int dist_is_const(const dist *d)
{
    return d->kind == DIST_CONST || (d->kind == DIST_SHIFT && dist_is_const(d->inner));
}
