/* json: a small streaming JSON writer for reports and the trace (docs/design.md section 5).
 * Output depends only on the calls made (no hash order, no pointers): numbers are printed
 * with a fixed format, non-finite numbers as null. Output is always valid JSON in UTF-8:
 * strings are written as given when they are well-formed UTF-8; each byte that is not part
 * of a well-formed UTF-8 sequence (a file name in Latin-1, say: the loader refuses such
 * bytes in scenario text, so only paths can hold them) is written as \ufffd, the
 * replacement character. Control characters are escaped. */
#ifndef QSIM_JSON_H
#define QSIM_JSON_H
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 32

typedef struct jw {
    FILE *f;
    int pretty; /* 1: two-space indentation, one member per line; 0: one line */
    int depth;
    int count[JW_MAX_DEPTH]; /* members written at each level */
} jw;

void jw_init(jw *w, FILE *f, int pretty);
/* key is the member name inside an object, NULL inside an array or at top level. */
void jw_obj(jw *w, const char *key);
void jw_obj_end(jw *w);
void jw_arr(jw *w, const char *key);
void jw_arr_end(jw *w);
void jw_str(jw *w, const char *key, const char *v); /* v NULL writes null */
void jw_int(jw *w, const char *key, int64_t v);
void jw_num(jw *w, const char *key, double v); /* %.10g; NaN/inf -> null */
void jw_bool(jw *w, const char *key, int v);
void jw_null(jw *w, const char *key);
/* Writes s as a JSON string literal (with quotes) to f. */
void jw_escape(FILE *f, const char *s);
/* Writes the contents of s's JSON string literal (no quotes) into out, n bytes with the NUL,
 * never a partial escape. Returns the length the whole of it needs (without the NUL), as
 * snprintf does: a result >= n means out holds only a prefix. At most 6 * strlen(s). */
size_t jw_escape_to(char *out, size_t n, const char *s);
#endif
