/* trace: the bounded JSON-lines trace writer; see trace.h. */
#include "sim/trace.h"
#include <inttypes.h>

void tracer_init(tracer *t, FILE *f, const sim *s, int run, int64_t max_lines)
{
    t->f = f;
    t->s = s;
    t->run = run;
    t->max_lines = max_lines;
    t->lines = 0;
    t->truncated = 0;
    t->keys = NULL;
}

int tracer_begin(tracer *t, jw *j, const char *ev)
{
    if (!t->f || t->truncated)
        return 0;
    if (t->max_lines > 0 && (int64_t)t->lines >= t->max_lines) {
        t->truncated = 1;
        fprintf(t->f, "{\"run\":%d,\"ev\":\"truncated\",\"t\":%" PRId64 ",\"max_lines\":%" PRId64 "}\n", t->run,
                t->s->now, t->max_lines);
        return 0;
    }
    t->lines++;
    jw_init(j, t->f, 0);
    jw_obj(j, NULL);
    jw_int(j, "run", t->run);
    jw_int(j, "t", t->s->now);
    jw_str(j, "ev", ev);
    return 1;
}

void tracer_end(jw *j)
{
    jw_obj_end(j);
    fputc('\n', j->f);
}
