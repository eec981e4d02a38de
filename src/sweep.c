/* sweep: the sweep language; see sweep.h. Three passes over the text after '=': the first
 * splits it into pieces and checks their quotes and parentheses, the second checks each
 * piece (empty, range) and counts the values, the third allocates and fills them, so that
 * nothing is allocated for a sweep that is refused. */
#include "src/sweep.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/alloc.h"

/* One value as written: [b, e), blanks trimmed, quotes removed. */
typedef struct piece {
    const char *b, *e;
    int quoted;
} piece;

static int blank(char c) { return c == ' ' || c == '\t'; }

/* Scans the piece that starts at *p (value number idx, from 1) up to the comma that ends it
 * or the end of the text; advances *p past that comma and sets *last when the text ended.
 * Returns 0, or -1 with the reason in why. */
static int scan_piece(const char **p, size_t idx, piece *out, int *last, char *why, size_t n)
{
    const char *s = *p;
    while (blank(*s))
        s++;
    if (*s == '"') {
        const char *q = strchr(s + 1, '"');
        if (!q) {
            snprintf(why, n, "value %zu: the quote is not closed", idx);
            return -1;
        }
        out->b = s + 1;
        out->e = q;
        out->quoted = 1;
        for (s = q + 1; blank(*s); s++)
            ;
        if (*s && *s != ',') {
            snprintf(why, n, "value %zu: text after the closing quote (the quotes hold the whole value)", idx);
            return -1;
        }
    } else {
        int depth = 0;
        const char *b = s;
        for (; *s; s++) {
            if (*s == '(') {
                depth++;
            } else if (*s == ')') {
                if (!depth) {
                    snprintf(why, n, "value %zu: a ')' without its '('", idx);
                    return -1;
                }
                depth--;
            } else if (*s == '"') {
                snprintf(why, n, "value %zu: a '\"' inside a value (put the whole value in quotes)", idx);
                return -1;
            } else if (*s == ',' && !depth) {
                break;
            }
        }
        if (depth) {
            snprintf(why, n, "value %zu: a '(' is not closed", idx);
            return -1;
        }
        const char *e = s;
        while (e > b && blank(e[-1]))
            e--;
        out->b = b;
        out->e = e;
        out->quoted = 0;
    }
    *last = !*s;
    *p = *s ? s + 1 : s;
    return 0;
}

/* Where ".." first occurs in [b, e) outside parentheses, or NULL. */
static const char *range_dots(const char *b, const char *e)
{
    int depth = 0;
    for (const char *s = b; s + 1 < e; s++) {
        if (*s == '(')
            depth++;
        else if (*s == ')')
            depth--;
        else if (!depth && s[0] == '.' && s[1] == '.')
            return s;
    }
    return NULL;
}

/* An integer written in [b, e): an optional sign and digits, blanks around. 0 or -1. */
static int parse_int(const char *b, const char *e, int64_t *v)
{
    char buf[32];
    while (b < e && blank(*b))
        b++;
    while (e > b && blank(e[-1]))
        e--;
    size_t l = (size_t)(e - b);
    if (l == 0 || l >= sizeof buf)
        return -1;
    memcpy(buf, b, l);
    buf[l] = '\0';
    const char *d = buf + (buf[0] == '-' || buf[0] == '+');
    if (!*d)
        return -1;
    for (const char *c = d; *c; c++)
        if (*c < '0' || *c > '9')
            return -1;
    errno = 0;
    long long x = strtoll(buf, NULL, 10);
    if (errno)
        return -1;
    *v = (int64_t)x;
    return 0;
}

/* A range A..B or A..B..S in [b, e) (dots: its first ".."): first value, step (negative
 * when descending) and count. 0, or -1 with why. */
static int parse_range(const piece *pc, const char *dots, size_t idx, int64_t *first, int64_t *step, size_t *count,
                       char *why, size_t n)
{
    const char *b = pc->b, *e = pc->e;
    const char *bs = dots + 2, *be = e, *ss = NULL;
    const char *d2 = range_dots(bs, e);
    if (d2) {
        be = d2;
        ss = d2 + 2;
    }
    int64_t a, z, s = 1;
    int len = (int)(e - b > 60 ? 60 : e - b);
    if (parse_int(b, dots, &a) || parse_int(bs, be, &z) || (ss && (parse_int(ss, e, &s) || s <= 0))) {
        snprintf(why, n,
                 "value %zu '%.*s': a range is INTEGER..INTEGER or INTEGER..INTEGER..STEP with STEP > 0 (quote a "
                 "value that holds '..' and is not a range)",
                 idx, len, b);
        return -1;
    }
    uint64_t dist = z >= a ? (uint64_t)z - (uint64_t)a : (uint64_t)a - (uint64_t)z;
    if (dist / (uint64_t)s >= RUNNER_MAX_CONFIGS) {
        snprintf(why, n, "value %zu '%.*s': the range has more than %d values; at most %d configurations are run",
                 idx, len, b, RUNNER_MAX_CONFIGS, RUNNER_MAX_CONFIGS);
        return -1;
    }
    *first = a;
    *step = z >= a ? s : -s;
    *count = (size_t)(dist / (uint64_t)s) + 1;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

int sweep_parse(const char *arg, sweep *s, char *why, size_t n)
{
    s->key = NULL;
    s->values = NULL;
    s->n = 0;
    const char *eq = strchr(arg, '=');
    if (!eq) {
        snprintf(why, n, "no '='");
        return -1;
    }
    const char *kb = arg, *ke = eq;
    while (kb < ke && blank(*kb))
        kb++;
    while (ke > kb && blank(ke[-1]))
        ke--;
    if (ke == kb) {
        snprintf(why, n, "no key before '='");
        return -1;
    }
    const char *dot = memchr(kb, '.', (size_t)(ke - kb));
    if (!dot || dot == kb || ke[-1] == '.') {
        snprintf(why, n, "the key '%.*s' is not section.key", (int)(ke - kb > 60 ? 60 : ke - kb), kb);
        return -1;
    }
    const char *v = eq + 1;
    while (blank(*v))
        v++;
    if (!*v) {
        snprintf(why, n, "no values after '='");
        return -1;
    }
    /* pass 1: the pieces and their structure */
    size_t np = 0;
    for (const char *p = eq + 1;;) {
        piece pc = {0};
        int last;
        if (scan_piece(&p, np + 1, &pc, &last, why, n))
            return -1;
        np++;
        if (last)
            break;
    }
    /* pass 2: each piece, and how many values in all */
    size_t nv = 0, i = 0;
    for (const char *p = eq + 1; i < np; i++) {
        piece pc = {0};
        int last;
        scan_piece(&p, i + 1, &pc, &last, why, n);
        const char *dots = pc.quoted ? NULL : range_dots(pc.b, pc.e);
        size_t k = 1;
        int64_t first, step;
        if (!pc.quoted && pc.b == pc.e) {
            snprintf(why, n, "value %zu of %zu is empty", i + 1, np);
            return -1;
        }
        if (dots && parse_range(&pc, dots, i + 1, &first, &step, &k, why, n))
            return -1;
        nv += k;
        if (nv > RUNNER_MAX_CONFIGS) {
            snprintf(why, n, "more than %d values; at most %d configurations are run", RUNNER_MAX_CONFIGS,
                     RUNNER_MAX_CONFIGS);
            return -1;
        }
    }
    /* pass 3: the key and the values */
    s->key = mem_alloc((size_t)(ke - kb) + 1);
    s->values = mem_calloc(nv, sizeof *s->values);
    if (!s->key || !s->values)
        goto oom;
    memcpy(s->key, kb, (size_t)(ke - kb));
    s->key[ke - kb] = '\0';
    i = 0;
    for (const char *p = eq + 1; i < np; i++) {
        piece pc = {0};
        int last;
        scan_piece(&p, i + 1, &pc, &last, why, n);
        const char *dots = pc.quoted ? NULL : range_dots(pc.b, pc.e);
        if (dots) {
            int64_t first = 0, step = 1;
            size_t k = 0;
            parse_range(&pc, dots, i + 1, &first, &step, &k, why, n);
            for (size_t j = 0; j < k; j++) {
                char num[32];
                /* in [first, last]: exact, though j * step alone may not fit in int64_t */
                uint64_t x = (uint64_t)first + (uint64_t)j * (uint64_t)step;
                snprintf(num, sizeof num, "%" PRId64, (int64_t)x);
                if (!(s->values[s->n] = mem_strdup(num)))
                    goto oom;
                s->n++;
            }
        } else {
            size_t l = (size_t)(pc.e - pc.b);
            if (!(s->values[s->n] = mem_alloc(l + 1)))
                goto oom;
            if (l)
                memcpy(s->values[s->n], pc.b, l);
            s->values[s->n][l] = '\0';
            s->n++;
        }
    }
    /* a value given twice would run the same configuration twice under one label */
    const char **sorted = mem_alloc(s->n * sizeof *sorted);
    if (!sorted)
        goto oom;
    for (size_t k = 0; k < s->n; k++)
        sorted[k] = s->values[k];
    qsort(sorted, s->n, sizeof *sorted, cmp_str);
    for (size_t k = 1; k < s->n; k++) {
        if (strcmp(sorted[k - 1], sorted[k]) == 0) {
            snprintf(why, n, "the value '%.60s' is given twice (a range may include it): each value runs once",
                     sorted[k]);
            mem_free(sorted);
            sweep_free(s, 1);
            return -1;
        }
    }
    mem_free(sorted);
    return 0;
oom:
    sweep_free(s, 1);
    snprintf(why, n, "out of memory");
    return -1;
}

void sweep_free(sweep *sw, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t v = 0; v < sw[i].n; v++)
            mem_free(sw[i].values[v]);
        mem_free(sw[i].values);
        mem_free(sw[i].key);
        sw[i].key = NULL;
        sw[i].values = NULL;
        sw[i].n = 0;
    }
}
