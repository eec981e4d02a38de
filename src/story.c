/* story: a script run's timeline and every run's write-up in the terminal; see story.h. */
#include "src/story.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "models/explain.h"
#include "models/fault.h"
#include "models/msg.h"
#include "models/oracle.h"
#include "models/scenario.h"
#include "models/wl.h"
#include "sim/alloc.h"
#include "sim/units.h"

/* May a line break at the space at q (line starts at p)? Not inside arithmetic such as
 * "R + W = 2 <= N = 3": never next to an operator or after a lone capital. */
static int breakable(const char *p, const char *q)
{
    static const char ops[] = "+=<>";
    if (q[1] && strchr(ops, q[1]))
        return 0;
    if (q > p && strchr(ops, q[-1]))
        return 0;
    if (q > p && q[-1] >= 'A' && q[-1] <= 'Z' && (q - 1 == p || q[-2] == ' '))
        return 0;
    return 1;
}

void story_wrap(FILE *f, const char *lead, const char *text, int indent, int width)
{
    const char *p = text;
    int col = (int)strlen(lead);
    fputs(lead, f);
    while (*p) {
        while (*p == ' ')
            p++;
        int room = width - col;
        const char *end = p, *cut = NULL;
        while (*end && (int)(end - p) <= room) {
            if (*end == ' ' && breakable(p, end))
                cut = end;
            end++;
        }
        if (!*end || !cut)
            cut = end;
        if (cut == p) /* no room at all: the word whole, so the text always advances */
            cut = p + strcspn(p, " ");
        fprintf(f, "%.*s\n", (int)(cut - p), p);
        p = cut;
        while (*p == ' ')
            p++;
        if (*p) {
            fprintf(f, "%*s", indent, "");
            col = indent;
        }
    }
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

/* "n2, fallback n4 for n1" (a write at ANY: "coordinator n4 for n1") */
static void print_nodes(FILE *f, const why_list *l)
{
    char a[16], b[16];
    for (int i = 0; i < l->n; i++) {
        fprintf(f, "%s%s%s", i ? ", " : "",
                l->e[i].fallback == 2 ? "coordinator " : l->e[i].fallback ? "fallback " : "", ep_name(l->e[i].node, a));
        if (l->e[i].fallback && l->e[i].owner)
            fprintf(f, " for %s", ep_name(l->e[i].owner, b));
    }
    if (l->more)
        fprintf(f, " and %u more", l->more);
}

/* Under a stale or lost read: the read set, the holders of latest(r), who acknowledged it,
 * and why. */
static void print_why(FILE *f, const run_item *it, size_t i)
{
    const explain_res *x = it->rr.res[MOD_EXPLAIN];
    const wl_cfg *wc = SC_CFG(&it->sc, MOD_WORKLOAD, wl_cfg);
    const explain_op *e = &x->op[i];
    char a[16], b[16], why[1024];
    fprintf(f, "      read set: ");
    for (int k = 0; k < e->read_set.n; k++) {
        const why_node *m = &e->read_set.e[k];
        fprintf(f, "%s%s%s returned ", k ? ", " : "", m->fallback ? "fallback " : "", ep_name(m->node, a));
        if (m->v)
            fprintf(f, "v%u", m->v);
        else
            fprintf(f, "nothing");
    }
    fprintf(f, "\n      v%u held by: ", e->latest);
    int replicas = 0, hints = 0;
    for (int k = 0; k < e->holders.n; k++) {
        if (e->holders.e[k].owner)
            continue;
        fprintf(f, "%s%s", replicas++ ? ", " : "", ep_name(e->holders.e[k].node, a));
        if (e->holders.e[k].v != e->latest) /* a newer version */
            fprintf(f, " (v%u)", e->holders.e[k].v);
    }
    for (int k = 0; k < e->holders.n; k++) {
        if (!e->holders.e[k].owner)
            continue;
        fprintf(f, "%s%s for %s", hints++ ? ", " : replicas ? "; as a hint: " : "as a hint: ",
                ep_name(e->holders.e[k].node, a), ep_name(e->holders.e[k].owner, b));
        if (e->holders.e[k].v != e->latest)
            fprintf(f, " (v%u)", e->holders.e[k].v);
    }
    if (!replicas && !hints)
        fprintf(f, "no node");
    fprintf(f, "\n      v%u acknowledged by: ", e->latest);
    if (e->latest_write >= 0) {
        print_nodes(f, &e->acked);
        if (e->latest_lvl == 0)
            fprintf(f, " (%s, ANY)", wc->script[e->latest_write].name);
        else
            fprintf(f, " (%s, W=%d)", wc->script[e->latest_write].name, e->latest_w);
    } else {
        fprintf(f, "(not a scripted write)");
    }
    fputc('\n', f);
    story_wrap(f, "      why: ", explain_why(x, wc, i, why, sizeof why), 11, 100);
}

static void print_op(FILE *f, const run_item *it, size_t i)
{
    const script_result *r = &((const wl_res *)it->rr.res[MOD_WORKLOAD])->script[i];
    const explain_res *x = it->rr.res[MOD_EXPLAIN];
    const explain_op *e = x && i < x->n ? &x->op[i] : NULL;
    const wl_cfg *wc = SC_CFG(&it->sc, MOD_WORKLOAD, wl_cfg);
    char t0[32], t1[32], why[1024];
    units_format_duration(r->start, t0, sizeof t0);
    fprintf(f, "  %-8s %9s %-5s k%-4u ", r->name, t0, r->kind == OP_READ ? "read" : "write", r->key + 1);
    if (r->kind == OP_WRITE) {
        fprintf(f, "v%-3u %s", r->version, r->ok ? "acknowledged" : "FAILED (unavailable)");
        if (r->ok && e && e->acked.n) {
            fprintf(f, " by ");
            print_nodes(f, &e->acked);
        } else if (!r->ok && e && *explain_why(x, wc, i, why, sizeof why)) {
            fprintf(f, ": %s", why);
        }
    } else if (!r->ok) {
        fprintf(f, "FAILED (unavailable)");
        if (e && *explain_why(x, wc, i, why, sizeof why))
            fprintf(f, ": %s", why);
    } else if (r->cls == RC_FRESH) {
        fprintf(f, "-> v%u (latest v%u) fresh", r->version, r->latest);
    } else {
        fprintf(f, "-> v%u (latest v%u) %s, %u behind", r->version, r->latest, r->cls == RC_LOST ? "LOST" : "STALE",
                r->k);
    }
    fprintf(f, "  [%s]\n", units_format_latency(r->end - r->start, t1, sizeof t1));
    if (e && e->seen && r->kind == OP_READ && r->ok && (r->cls == RC_STALE || r->cls == RC_LOST))
        print_why(f, it, i);
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
        if (e[k].fault && fr)
            print_fault(f, &fc->f[fr->ev[e[k].i].fault], &fr->ev[e[k].i]);
        else
            print_op(f, it, e[k].i);
    }
    if (o->acked_writes)
        fprintf(f, "  acknowledged writes lost at the end: %" PRIu64 " of %" PRIu64 "\n", o->lost_writes,
                o->acked_writes);
    mem_free(e);
}

static void print_para(void *ctx, const char *cls, const char *title, const char *guarantee, const char *text)
{
    FILE *f = ctx;
    (void)cls;
    char head[512];
    snprintf(head, sizeof head, "%s. Forfeited: %s.", title, guarantee);
    story_wrap(f, "  ", head, 4, 100);
    story_wrap(f, "    ", text, 4, 100);
}

void story_writeup(FILE *f, const run_item *items, size_t n)
{
    if (n > STORY_WRITEUP_MAX) {
        fprintf(f, "\nwrite-up: in summary.json (explain.writeup) for each of the %zu configurations\n", n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        run_view v = {&items[i].sc, &items[i].rr};
        fprintf(f, "\nwrite-up%s%s:\n", items[i].label[0] ? " for " : "", items[i].label);
        if (!explain_writeup(&v, print_para, f))
            fprintf(f, "  no anomaly: no stale or lost read, no lost write, no downgraded or failed operation\n");
    }
}
