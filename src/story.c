/* story: a script run's timeline in the terminal; see story.h. */
#include "src/story.h"
#include <inttypes.h>
#include <stdlib.h>
#include "models/fault.h"
#include "models/oracle.h"
#include "models/scenario.h"
#include "models/wl.h"
#include "sim/alloc.h"
#include "sim/units.h"

static char *lat(int64_t ns, char *buf, size_t n)
{
    if (ns < 1000)
        snprintf(buf, n, "%" PRId64 "ns", ns);
    else if (ns < 1000000)
        snprintf(buf, n, "%.1fus", (double)ns / 1e3);
    else if (ns < 1000000000)
        snprintf(buf, n, "%.2fms", (double)ns / 1e6);
    else
        snprintf(buf, n, "%.3fs", (double)ns / 1e9);
    return buf;
}

/* One line of the timeline: a scripted operation or a fault event. */
typedef struct entry {
    int64_t at;
    int fault; /* 1: a fault event (they ran first at an equal time) */
    size_t i;  /* script entry, or fault event, in their own order */
} entry;

static int entry_cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    if (x->fault != y->fault)
        return x->fault ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static void print_op(FILE *f, const script_result *r)
{
    char t0[32], t1[32];
    units_format_duration(r->start, t0, sizeof t0);
    fprintf(f, "  %-8s %9s %-5s k%-4u ", r->name, t0, r->kind == OP_READ ? "read" : "write", r->key + 1);
    if (r->kind == OP_WRITE)
        fprintf(f, "v%-3u %s", r->version, r->ok ? "acknowledged" : "FAILED (unavailable)");
    else if (!r->ok)
        fprintf(f, "FAILED (unavailable)");
    else if (r->cls == RC_FRESH)
        fprintf(f, "-> v%u (latest v%u) fresh", r->version, r->latest);
    else
        fprintf(f, "-> v%u (latest v%u) %s, %u behind", r->version, r->latest, r->cls == RC_LOST ? "LOST" : "STALE",
                r->k);
    fprintf(f, "  [%s]\n", lat(r->end - r->start, t1, sizeof t1));
}

static void print_fault(FILE *f, const fault *ft, const fault_event *ev)
{
    char t0[32], what[FAULT_TEXT_MAX + 16];
    units_format_duration(ev->at, t0, sizeof t0);
    fprintf(f, "  %-8s %9s fault %s\n", ft->name, t0, fault_describe(ft, ev->ending, what, sizeof what));
}

void story_print(FILE *f, const run_item *it)
{
    const wl_res *s = it->rr.res[MOD_WORKLOAD];
    const oracle_res *o = it->rr.res[MOD_ORACLE];
    const faults_res *fr = it->rr.res[MOD_FAULTS];
    const faults_cfg *fc = SC_CFG(&it->sc, MOD_FAULTS, faults_cfg);
    if (!s->nscript)
        return;
    size_t nf = fr ? fr->n : 0, n = s->nscript + nf;
    entry *e = mem_alloc(n * sizeof *e);
    if (!e)
        return;
    for (size_t k = 0; k < s->nscript; k++)
        e[k] = (entry){s->script[k].start, 0, k};
    for (size_t k = 0; k < nf; k++)
        e[s->nscript + k] = (entry){fr->ev[k].at, 1, k};
    qsort(e, n, sizeof *e, entry_cmp);
    fprintf(f, "\ntimeline%s%s:\n", it->label[0] ? " with " : "", it->label);
    for (size_t k = 0; k < n; k++) {
        if (e[k].fault)
            print_fault(f, &fc->f[fr->ev[e[k].i].fault], &fr->ev[e[k].i]);
        else
            print_op(f, &s->script[e[k].i]);
    }
    if (o->acked_writes)
        fprintf(f, "  acknowledged writes lost at the end: %" PRIu64 " of %" PRIu64 "\n", o->lost_writes,
                o->acked_writes);
    mem_free(e);
}
