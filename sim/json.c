/* json: streaming JSON writer; see json.h. */
#include "sim/json.h"
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sim/utf8.h"

void jw_init(jw *w, FILE *f, int pretty)
{
    w->f = f;
    w->pretty = pretty;
    w->depth = 0;
    w->count[0] = 0;
}

/* The escaped form of the bytes at p (at most 6 characters and a NUL into out); returns how
 * many input bytes it stands for. Well-formed UTF-8 is copied; each byte that is not part
 * of a well-formed sequence becomes \ufffd (U+FFFD, the replacement character). */
static size_t escape_one(const unsigned char *p, char out[8])
{
    switch (*p) {
    case '"': strcpy(out, "\\\""); return 1;
    case '\\': strcpy(out, "\\\\"); return 1;
    case '\n': strcpy(out, "\\n"); return 1;
    case '\r': strcpy(out, "\\r"); return 1;
    case '\t': strcpy(out, "\\t"); return 1;
    default:
        break;
    }
    if (*p < 0x20) {
        snprintf(out, 8, "\\u%04x", *p);
        return 1;
    }
    size_t l = utf8_seq_len((const char *)p, 4);
    if (l == 0) {
        strcpy(out, "\\ufffd");
        return 1;
    }
    memcpy(out, p, l);
    out[l] = '\0';
    return l;
}

void jw_escape(FILE *f, const char *s)
{
    fputc('"', f);
    char e[8];
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        p += escape_one(p, e);
        fputs(e, f);
    }
    fputc('"', f);
}

size_t jw_escape_to(char *out, size_t n, const char *s)
{
    size_t need = 0;
    char e[8];
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        p += escape_one(p, e);
        size_t l = strlen(e);
        if (need + l < n)
            memcpy(out + need, e, l);
        else if (need < n)
            n = need + 1; /* never write part of an escape */
        need += l;
    }
    if (n)
        out[need < n ? need : n - 1] = '\0';
    return need;
}

static void member(jw *w, const char *key)
{
    if (w->count[w->depth]++ > 0)
        fputc(',', w->f);
    if (w->pretty && w->depth > 0) {
        fputc('\n', w->f);
        for (int i = 0; i < w->depth; i++)
            fputs("  ", w->f);
    }
    if (key) {
        jw_escape(w->f, key);
        fputs(w->pretty ? ": " : ":", w->f);
    }
}

static void open_(jw *w, const char *key, char c)
{
    member(w, key);
    fputc(c, w->f);
    assert(w->depth + 1 < JW_MAX_DEPTH);
    w->count[++w->depth] = 0;
}

static void close_(jw *w, char c)
{
    int had = w->count[w->depth] > 0;
    w->depth--;
    if (w->pretty && had) {
        fputc('\n', w->f);
        for (int i = 0; i < w->depth; i++)
            fputs("  ", w->f);
    }
    fputc(c, w->f);
    if (w->depth == 0 && w->pretty)
        fputc('\n', w->f);
}

void jw_obj(jw *w, const char *key) { open_(w, key, '{'); }
void jw_obj_end(jw *w) { close_(w, '}'); }
void jw_arr(jw *w, const char *key) { open_(w, key, '['); }
void jw_arr_end(jw *w) { close_(w, ']'); }

void jw_str(jw *w, const char *key, const char *v)
{
    member(w, key);
    if (v)
        jw_escape(w->f, v);
    else
        fputs("null", w->f);
}

void jw_int(jw *w, const char *key, int64_t v)
{
    member(w, key);
    fprintf(w->f, "%" PRId64, v);
}

void jw_num(jw *w, const char *key, double v)
{
    member(w, key);
    if (isfinite(v))
        fprintf(w->f, "%.10g", v);
    else
        fputs("null", w->f);
}

void jw_bool(jw *w, const char *key, int v)
{
    member(w, key);
    fputs(v ? "true" : "false", w->f);
}

void jw_null(jw *w, const char *key)
{
    member(w, key);
    fputs("null", w->f);
}
