/* json: streaming JSON writer; see json.h. */
#include "sim/json.h"
#include <assert.h>
#include <inttypes.h>
#include <math.h>

void jw_init(jw *w, FILE *f, int pretty)
{
    w->f = f;
    w->pretty = pretty;
    w->depth = 0;
    w->count[0] = 0;
}

void jw_escape(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
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
