/* trace: the writer of trace.jsonl, one JSON object per line (docs/design.md section 5).
 * Every line starts with the configuration index, the simulated time and the event name;
 * the caller adds its members. The writer stops after max_lines lines and says so in one
 * last line, so a long run's trace stays bounded. Knows nothing of quorums. */
#ifndef QSIM_TRACE_H
#define QSIM_TRACE_H
#include <stdint.h>
#include <stdio.h>
#include "sim/json.h"
#include "sim/sim.h"

typedef struct tracer {
    FILE *f;           /* NULL: tracing off */
    const sim *s;
    int run;           /* configuration index written on every line */
    int64_t max_lines; /* 0 = no limit */
    uint64_t lines;
    int truncated;
    const uint8_t *keys; /* bitset: the keys whose lines are written (NULL: none) */
} tracer;

void tracer_init(tracer *t, FILE *f, const sim *s, int run, int64_t max_lines);
/* Starts a line {"run":R,"t":NOW,"ev":EV ...; returns 0 (write nothing) when tracing is off
 * or the trace is full. */
int tracer_begin(tracer *t, jw *j, const char *ev);
/* Is key traced? Lines about one key are written only for the traced keys. */
static inline int tracer_key(const tracer *t, uint32_t key) { return t->keys && (t->keys[key / 8] >> (key % 8)) & 1; }
/* tracer_begin for a line about key: 0 when the key is not traced. */
static inline int tracer_begin_key(tracer *t, jw *j, const char *ev, uint32_t key)
{
    return tracer_key(t, key) && tracer_begin(t, j, ev);
}
/* Ends the line started by tracer_begin. */
void tracer_end(jw *j);
#endif
