/* main: the qsim command line (docs/design.md sections 5 and 6). Reads a scenario, applies
 * --set and --sweep, runs every configuration, prints the table (or CSV/JSON, or the
 * --predict blocks) and writes summary.json, runs.csv, trace.jsonl, visibility.csv,
 * intervals.csv and latency/N.read.hgrm, N.write.hgrm as one set into a new
 * out/<scenario>/NNNN (out/<scenario>/latest links to it) or into --out DIR
 * (src/outdir.h: written into a temporary directory, moved into place whole; never over an
 * earlier run's reports without --force). Exit status: 0 done, 2 bad input (nothing
 * written), 1 the run or the writing failed (nothing in the output directory changed);
 * with --fail-on, 3, 4 or 5 for what the run observed. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "models/coord.h"
#include "models/oracle.h"
#include "models/stats.h"
#include "models/run.h"
#include "models/scenario.h"
#include "sim/alloc.h"
#include "sim/cfg.h"
#include "src/hgrm.h"
#include "src/intervals.h"
#include "src/levels.h"
#include "src/outdir.h"
#include "src/pbs.h"
#include "src/progress.h"
#include "src/report.h"
#include "src/runner.h"
#include "src/sweep.h"

static void usage(FILE *f)
{
    fputs("usage: qsim [options] SCENARIO.ini\n"
          "an option's value follows it (--seed 5) or an '=' (--seed=5); -j N and -jN are --jobs N\n"
          "  --seed N                  run seed (same as --set run.seed=N)\n"
          "  --set section.key=value   override any key (repeatable)\n"
          "  --sweep section.key=a,b,c run every value; several --sweep run the cross product\n"
          "                            (at most 8 sweeps, 4096 configurations); 1..3 and 1..9..2 are ranges of\n"
          "                            integers; a comma inside parentheses or \"quotes\" does not split a value\n"
          "  --out DIR                 where reports go; DIR must be new or empty (a link to a directory writes\n"
          "                            into that directory). Without --out, every run writes a new directory\n"
          "                            out/<scenario name>/0001, 0002, ... and out/<scenario name>/latest links to it\n"
          "  --force                   with --out: replace the reports DIR holds (as a whole, when the run ends);\n"
          "                            DIR must hold nothing but qsim's reports\n"

          "  --format table|csv|json   what goes to stdout (default table)\n"
          "  --predict                 instead of the table, per configuration: P(consistent read) at 1ms, 10ms,\n"
          "                            100ms and 1s after a write, P(within 1 and 2 versions), read and write\n"
          "                            p99.9 (PBS; best with workload.mode = probe)\n"
          "  --levels [SCENARIO]       without a scenario: qsim's N, R, W and knobs beside Cassandra's levels,\n"
          "                            DynamoDB's read consistency and Riak's r, w, pr, pw, dw; with one, instead\n"
          "                            of the table: its settings in each store, and which store defaults would\n"
          "                            hide the anomalies it showed\n"
          "  --fail-on OUTCOMES        a comma list of stale, lost, unavailable: when one of them was observed, the\n"
          "                            reports are written and the exit status says which (3, 4, 5 below)\n"
          "  --reps K                  run every configuration K times, seeds seed .. seed+K-1: means and 95% intervals\n"
          "  --jobs N, -j N            configurations run in parallel (default: cores); results do not depend on it\n"
          "  --timing                  wall-clock seconds and events/s per configuration, on stderr\n"
          "  --progress                once a second, per run in progress: simulated time, operations, read p99,\n"
          "                            stale%, on stderr, and a line as each run ends (without it: only when\n"
          "                            stderr is a terminal, for runs of a second or more); files do not change\n"
          "  --check                   validate the scenario and stop\n"
          "  --keys                    the scenario language: every section and key\n"
          "  --metrics                 every reported metric: summary.json path, runs.csv column, meaning\n"
          "  --version, --help\n"
          "exit status: 0 done, 1 the run failed, 2 bad input (nothing written)\n"
          "  1: the run, or writing the reports, failed: nothing in the output directory changed\n"
          "  2: the scenario or the command line is wrong (also a --out that is empty, is '/', ends in '.'\n"
          "     or '..', is a file or the current directory, holds files qsim did not write, or holds an\n"
          "     earlier run's reports without --force): nothing is written\n"
          "  3, 4, 5: with --fail-on, the run went through and observed stale reads (3: a read older than the\n"
          "     latest acknowledged write, lost ones included), lost data (4: a lost read or a lost acknowledged\n"
          "     write) or unavailability (5: an operation not answered in time); of several, 4 before 3 before 5\n"
          "  killed by SIGINT, SIGTERM, SIGHUP or SIGPIPE: the previous reports stay whole, nothing\n"
          "  temporary is left\n",
          f);
}

/* dir/name, a new string (mem_free it), or NULL when memory ran out. */
static char *join(const char *dir, const char *name)
{
    char *p = mem_alloc(strlen(dir) + strlen(name) + 2);
    if (p)
        sprintf(p, "%s/%s", dir, name);
    return p;
}

/* Flushes, syncs and closes f; 0 or an errno value (a write that failed before counts). */
static int close_synced(FILE *f)
{
    int e = 0;
    if (fflush(f) != 0 || ferror(f))
        e = errno ? errno : EIO;
    else if (fsync(fileno(f)) != 0)
        e = errno;
    if (fclose(f) != 0 && !e)
        e = errno;
    return e;
}

/* Writes dir/name with fn (dir is the temporary directory: the set becomes visible as a
 * whole, see src/outdir.h). Returns 0 or an errno value. */
static int write_file(const char *dir, const char *name, const report_meta *m, const run_item *items, size_t n,
                      void (*fn)(FILE *, const report_meta *, const run_item *, size_t))
{
    char *path = join(dir, name);
    FILE *f = path ? fopen(path, "w") : NULL;
    int e = path ? errno : ENOMEM;
    mem_free(path);
    if (!f)
        return e;
    errno = 0;
    fn(f, m, items, n);
    return close_synced(f);
}

/* Concatenates the configurations' traces into dir/trace.jsonl, in configuration order,
 * removing each once copied. Returns 0 or an errno value. */
static int write_trace(const char *dir, const run_item *items, size_t n)
{
    char *path = join(dir, "trace.jsonl");
    FILE *f = path ? fopen(path, "w") : NULL;
    int e = path ? errno : ENOMEM;
    mem_free(path);
    if (!f)
        return e;
    static char buf[65536];
    e = 0;
    for (size_t i = 0; i < n && !e; i++) {
        FILE *in = fopen(items[i].trace_path, "r");
        if (!in) {
            e = errno;
            break;
        }
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, in)) > 0)
            if (fwrite(buf, 1, got, f) != got) {
                e = errno ? errno : EIO;
                break;
            }
        if (!e && ferror(in))
            e = errno ? errno : EIO;
        fclose(in);
        unlink(items[i].trace_path);
    }
    errno = 0;
    int ce = close_synced(f);
    return e ? e : ce;
}

/* Why the sweeps cannot run as given, or NULL: a key swept twice, or also given by --set or
 * --seed, would have one value silently override the other. */
static const char *sweep_conflict(const sweep *sw, size_t nsw, const char *const *sets, size_t nsets, const char *seed,
                                  char *why, size_t n)
{
    for (size_t i = 0; i < nsw; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(sw[i].key, sw[j].key) == 0) {
                snprintf(why, n, "--sweep %s is given twice: put every value in one --sweep", sw[i].key);
                return why;
            }
        }
        size_t kl = strlen(sw[i].key);
        for (size_t k = 0; k < nsets; k++) {
            if (strncmp(sets[k], sw[i].key, kl) == 0 && sets[k][kl] == '=') {
                snprintf(why, n, "%s is given by both --set and --sweep: the sweep would override the --set",
                         sw[i].key);
                return why;
            }
        }
        if (seed && strcmp(sw[i].key, "run.seed") == 0) {
            snprintf(why, n, "run.seed is given by both --seed and --sweep: the sweep would override --seed");
            return why;
        }
    }
    return NULL;
}

/* The scenario's own sweeps ([sweep] entries), read into fsw. */
typedef struct file_sweeps {
    cfg *c;
    sweep *sw;
    size_t n;
} file_sweeps;

static void read_file_sweep(void *ctx, cfg_entry *e)
{
    file_sweeps *fs = ctx;
    char why[320];
    if (fs->n == RUNNER_MAX_SWEEPS) {
        cfg_error(fs->c, e, "at most %d sweeps", RUNNER_MAX_SWEEPS);
        return;
    }
    size_t lk = strlen(e->key), lv = strlen(e->value);
    char *arg = mem_alloc(lk + lv + 2);
    if (!arg) {
        cfg_error(fs->c, e, "out of memory");
        return;
    }
    memcpy(arg, e->key, lk);
    arg[lk] = '=';
    memcpy(arg + lk + 1, e->value, lv + 1);
    if (sweep_parse(arg, &fs->sw[fs->n], why, sizeof why))
        cfg_error(fs->c, e, "expected section.key = v1,v2,...: %s", why);
    else {
        for (size_t i = 0; i < fs->n; i++)
            if (strcmp(fs->sw[i].key, fs->sw[fs->n].key) == 0)
                cfg_error(fs->c, e, "%s is swept twice in [sweep]: put every value in one entry", e->key);
        fs->n++;
    }
    mem_free(arg);
}

/* Does a --set or --seed give key a value? */
static int pinned(const char *key, const char *const *sets, size_t nsets, const char *seed)
{
    size_t kl = strlen(key);
    for (size_t k = 0; k < nsets; k++)
        if (strncmp(sets[k], key, kl) == 0 && sets[k][kl] == '=')
            return 1;
    return seed && strcmp(key, "run.seed") == 0;
}

/* Writes dir/latency/<config>.read.hgrm and <config>.write.hgrm (src/hgrm.h): every
 * configuration's successful reads' and writes' latencies, its replications merged. Returns
 * 0 or an errno value. */
static int write_latency(const char *dir, const run_item *items, size_t n)
{
    char *sub = join(dir, "latency");
    hist *h = mem_alloc(sizeof *h);
    int e = !sub || !h ? ENOMEM : mkdir(sub, 0777) != 0 ? errno : 0;
    for (size_t a = 0; a < n && !e;) {
        size_t b = a + 1;
        while (b < n && items[b].config == items[a].config)
            b++;
        for (int kind = 0; kind < 2 && !e; kind++) {
            hist_init(h);
            for (size_t i = a; i < b; i++)
                hist_merge(h, &((const stats_res *)items[i].rr.res[MOD_STATS])->lat[kind][OUT_OK]);
            char name[64];
            snprintf(name, sizeof name, "%zu.%s.hgrm", items[a].config, kind == OP_READ ? "read" : "write");
            char *path = join(sub, name);
            FILE *f = path ? fopen(path, "w") : NULL;
            e = path ? (f ? 0 : errno) : ENOMEM;
            mem_free(path);
            if (f) {
                errno = 0;
                hgrm_write(f, h, HGRM_UNIT_NS, HGRM_TICKS);
                e = close_synced(f);
            }
        }
        a = b;
    }
    if (!e) { /* the entries, before the set becomes visible */
        int dfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) != 0)
            e = errno;
        if (dfd >= 0)
            close(dfd);
    }
    mem_free(sub);
    mem_free(h);
    return e;
}

/* --fail-on: the outcomes that make a distinct exit status when observed (FAIL_STATUS). */
#define FAIL_ON(X) X(FAIL_STALE, "stale", 3) X(FAIL_LOST, "lost", 4) X(FAIL_UNAVAILABLE, "unavailable", 5)
#define FAIL_ENUM(id, word, status) id,
enum { FAIL_ON(FAIL_ENUM) FAIL_N };
#define FAIL_WORD(id, word, status) word,
static const char *const fail_word[] = {FAIL_ON(FAIL_WORD)};
#define FAIL_STATUS(id, word, status) status,
static const int fail_status[] = {FAIL_ON(FAIL_STATUS)};
/* The order in which observed outcomes choose the exit status: lost, stale, unavailable. */
static const int fail_rank[] = {FAIL_LOST, FAIL_STALE, FAIL_UNAVAILABLE};

/* Parses --fail-on's comma list into a mask of (1 << FAIL_*). 0, or -1 with a message. */
static int parse_fail_on(const char *val, unsigned *mask)
{
    const char *p = val;
    do {
        size_t l = strcspn(p, ",");
        int found = -1;
        for (int k = 0; k < FAIL_N && found < 0; k++)
            if (l == strlen(fail_word[k]) && strncmp(p, fail_word[k], l) == 0)
                found = k;
        if (found < 0) {
            fprintf(stderr, "qsim: --fail-on %s: '%.*s' is not an outcome: a comma list of stale, lost, unavailable\n",
                    val, (int)(l > 40 ? 40 : l), p);
            return -1;
        }
        *mask |= 1u << found;
        p += l;
    } while (*p++ == ',');
    return 0;
}

/* What the runs observed, as (1 << FAIL_*) bits, with counts for the message: reads that
 * returned an older version than latest(r) (stale or lost), lost reads and acknowledged
 * writes lost, operations not answered in time; and in how many configurations. */
static unsigned observed_outcomes(const run_item *items, size_t n, uint64_t count[FAIL_N], size_t configs[FAIL_N])
{
    unsigned seen = 0, in_config = 0;
    for (int k = 0; k < FAIL_N; k++) {
        count[k] = 0;
        configs[k] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        const stats_res *s = items[i].rr.res[MOD_STATS];
        const oracle_res *o = items[i].rr.res[MOD_ORACLE];
        uint64_t c[FAIL_N];
        c[FAIL_STALE] = s->stale + s->lost_reads;
        c[FAIL_LOST] = s->lost_reads + o->lost_writes;
        c[FAIL_UNAVAILABLE] = s->unavailable[0] + s->unavailable[1];
        if (i == 0 || items[i - 1].config != items[i].config)
            in_config = 0; /* a configuration counts once, whichever replication saw it */
        for (int k = 0; k < FAIL_N; k++) {
            if (!c[k])
                continue;
            count[k] += c[k];
            configs[k] += !(in_config & 1u << k);
            in_config |= 1u << k;
            seen |= 1u << k;
        }
    }
    return seen;
}

/* The exit status --fail-on asks for (0: none of its outcomes was observed), each observed
 * outcome said on stderr. */
static int fail_on_status(unsigned mask, const run_item *items, size_t n)
{
    static const char *const what[] = {"stale or lost reads", "lost reads and lost acknowledged writes",
                                       "operations not answered in time"};
    uint64_t count[FAIL_N];
    size_t configs[FAIL_N];
    unsigned hit = mask & observed_outcomes(items, n, count, configs);
    size_t nconfig = 0;
    for (size_t i = 0; i < n; i++)
        nconfig += i == 0 || items[i - 1].config != items[i].config;
    int rc = 0;
    for (int r = 0; r < FAIL_N; r++) {
        int k = fail_rank[r];
        if (!(hit & 1u << k))
            continue;
        fprintf(stderr, "qsim: --fail-on %s: %s: %" PRIu64 ", in %zu of %zu configuration%s (exit status %d)\n",
                fail_word[k], what[k], count[k], configs[k], nconfig, nconfig == 1 ? "" : "s", fail_status[k]);
        if (!rc)
            rc = fail_status[k];
    }
    return rc;
}

/* Notes on stderr for the configurations skipped because their values conflict (the
 * first 20; summary.json has them all). */
static void print_skipped(const runner_skip *sk, size_t n)
{
    for (size_t i = 0; i < n && i < 20; i++)
        fprintf(stderr, "qsim: note: skipped %s: %s\n", sk[i].label, sk[i].why);
    if (n > 20)
        fprintf(stderr, "qsim: note: skipped %zu more configurations whose values conflict (summary.json lists "
                "them)\n", n - 20);
}

/* The options, and whether each takes a value. Every option that takes one accepts it as the
 * next argument (--seed 5) or after '=' (--seed=5); --jobs also as -j 2 or -j2. */
static const struct option {
    const char *name;
    int takes_value;
} options[] = {
    {"--seed", 1},   {"--set", 1},     {"--sweep", 1},   {"--out", 1},      {"--format", 1},
    {"--jobs", 1},   {"--reps", 1},    {"--check", 0},   {"--timing", 0},   {"--predict", 0},
    {"--force", 0},  {"--fail-on", 1}, {"--progress", 0}, {"--levels", 0},
    {"--help", 0},   {"--version", 0}, {"--keys", 0},    {"--metrics", 0},
};

/* Splits argv[*i] into an option name and its value, taking the value from the next argument
 * when the option needs one and was not written --name=value. Returns the option (NULL: not
 * an option, a scenario path) and sets *val (NULL for a flag); sets *bad, with a message on
 * stderr, when the argument is wrong. */
static const struct option *take_option(int argc, char **argv, int *i, const char **val, int *bad)
{
    const char *a = argv[*i];
    char name[32];
    const char *inline_val = NULL;
    *val = ""; /* never NULL: an option without its value is *bad */
    *bad = 0;
    if (a[0] != '-' || !a[1])
        return NULL;
    if (strcmp(a, "-h") == 0)
        a = "--help";
    if (strncmp(a, "-j", 2) == 0) { /* -j N, -jN */
        snprintf(name, sizeof name, "--jobs");
        if (a[2])
            inline_val = a + 2;
    } else {
        const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        size_t l = eq ? (size_t)(eq - a) : strlen(a);
        if (l >= sizeof name) {
            fprintf(stderr, "qsim: unknown option %.*s (see qsim --help)\n", l > 60 ? 60 : (int)l, a);
            *bad = 1;
            return NULL;
        }
        memcpy(name, a, l);
        name[l] = '\0';
        if (eq)
            inline_val = eq + 1;
    }
    const struct option *o = NULL;
    for (size_t k = 0; k < sizeof options / sizeof options[0] && !o; k++)
        if (strcmp(name, options[k].name) == 0)
            o = &options[k];
    if (!o) {
        fprintf(stderr, "qsim: unknown option %s (see qsim --help)\n", name);
        *bad = 1;
        return NULL;
    }
    if (!o->takes_value) {
        if (inline_val) {
            fprintf(stderr, "qsim: %s takes no value (got %s)\n", o->name, argv[*i]);
            *bad = 1;
        }
        return o;
    }
    if (inline_val) {
        *val = inline_val;
    } else if (*i + 1 < argc) {
        *val = argv[++*i];
    } else {
        fprintf(stderr, "qsim: %s needs a value\n", o->name);
        *bad = 1;
    }
    return o;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *out = NULL, *format = "table", *seed = NULL;
    int check = 0, timing = 0, predict = 0, progress = 0, levels = 0, force = 0, rc = 0;
    unsigned fail_on = 0;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    sweep sw[2 * RUNNER_MAX_SWEEPS], fsw[RUNNER_MAX_SWEEPS];
    size_t nsw = 0, nfsw = 0;
    long reps = 0;
    cfg *c = NULL;
    run_item *items = NULL;
    runner_skip *skipped = NULL;
    size_t nskipped = 0;
    size_t n = 0;
    char *name = NULL, *outpath = NULL;
    outdir *od = NULL;

    if (cfg_create(&c)) {
        fprintf(stderr, "qsim: out of memory\n");
        return 1;
    }
    /* command-line overrides are applied after the file: keep them aside */
    const char **sets = mem_calloc((size_t)argc, sizeof *sets);
    const char **sweep_args = mem_calloc((size_t)argc, sizeof *sweep_args); /* as given, for summary.json */
    size_t nsets = 0;
    if (!sets || !sweep_args) {
        fprintf(stderr, "qsim: out of memory\n");
        mem_free(sets);
        mem_free(sweep_args);
        cfg_destroy(c);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *val;
        int bad;
        const struct option *o = take_option(argc, argv, &i, &val, &bad);
        const char *on = o ? o->name : "";
        if (bad) {
            rc = 2;
            goto done;
        } else if (!o) {
            if (path) {
                fprintf(stderr, "qsim: one scenario at a time (got %s and %s)\n", path, argv[i]);
                rc = 2;
                goto done;
            }
            path = argv[i];
        } else if (strcmp(on, "--help") == 0) {
            usage(stdout);
            goto done;
        } else if (strcmp(on, "--version") == 0) {
            printf("qsim %s\n", QSIM_VERSION);
            goto done;
        } else if (strcmp(on, "--keys") == 0) {
            size_t nt;
            const cfg_table *const *t = scenario_tables(&nt);
            cfg_print_keys(stdout, t, nt);
            goto done;
        } else if (strcmp(on, "--metrics") == 0) {
            report_print_metrics(stdout);
            goto done;
        } else if (strcmp(on, "--check") == 0) {
            check = 1;
        } else if (strcmp(on, "--timing") == 0) {
            timing = 1;
        } else if (strcmp(on, "--predict") == 0) {
            predict = 1;
        } else if (strcmp(on, "--progress") == 0) {
            progress = 1;
        } else if (strcmp(on, "--levels") == 0) {
            levels = 1;
        } else if (strcmp(on, "--force") == 0) {
            force = 1;
        } else if (strcmp(on, "--seed") == 0) {
            seed = val;
        } else if (strcmp(on, "--fail-on") == 0) {
            if (parse_fail_on(val, &fail_on)) {
                rc = 2;
                goto done;
            }
        } else if (strcmp(on, "--set") == 0) {
            sets[nsets++] = val;
        } else if (strcmp(on, "--sweep") == 0) {
            char why[320];
            if (nsw == RUNNER_MAX_SWEEPS) {
                fprintf(stderr, "qsim: --sweep %.60s%s: at most %d sweeps\n", val, strlen(val) > 60 ? "..." : "",
                        RUNNER_MAX_SWEEPS);
                rc = 2;
                goto done;
            }
            if (sweep_parse(val, &sw[nsw], why, sizeof why)) {
                int cut = strlen(val) > 100; /* the reason says what is wrong; the echo is a reminder */
                fprintf(stderr, "qsim: --sweep %.*s%s: expected section.key=v1,v2,...: %s\n", cut ? 60 : 100, val,
                        cut ? "..." : "", why);
                rc = 2;
                goto done;
            }
            sweep_args[nsw++] = val;
        } else if (strcmp(on, "--out") == 0) {
            out = val;
            if (!out[0]) {
                fprintf(stderr, "qsim: --out: the path is empty\n");
                rc = 2;
                goto done;
            }
        } else if (strcmp(on, "--format") == 0) {
            format = val;
            if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")) {
                fprintf(stderr, "qsim: --format %s: must be table, csv or json\n", format);
                rc = 2;
                goto done;
            }
        } else if (strcmp(on, "--reps") == 0) {
            char *end;
            reps = strtol(val, &end, 10);
            if (!val[0] || *end || reps < 1 || reps > 1000) {
                fprintf(stderr, "qsim: --reps %s: must be 1..1000\n", val);
                rc = 2;
                goto done;
            }
        } else if (strcmp(on, "--jobs") == 0) {
            char *end;
            jobs = strtol(val, &end, 10);
            if (!val[0] || *end || jobs < 1 || jobs > 64) {
                fprintf(stderr, "qsim: --jobs %s: must be 1..64\n", val);
                rc = 2;
                goto done;
            }
        }
    }
    size_t nsweep_args = nsw;
    if (!path && levels) {
        if (argc > 2) { /* nothing runs: any other option would be silently ignored */
            fprintf(stderr, "qsim: --levels without a scenario prints the reference table and takes no other "
                            "option\n");
            rc = 2;
            goto done;
        }
        levels_print_reference(stdout);
        goto done;
    }
    if (!path) {
        usage(stderr);
        rc = 2;
        goto done;
    }
    if (force && !out) {
        fprintf(stderr, "qsim: --force replaces the reports in a --out directory; without --out every run writes a "
                "new directory, so there is nothing to force\n");
        rc = 2;
        goto done;
    }
    if ((predict || levels) && strcmp(format, "table") != 0) {
        fprintf(stderr, "qsim: %s replaces the table on stdout: it cannot go with --format %s\n",
                predict ? "--predict" : "--levels", format);
        rc = 2;
        goto done;
    }
    if (predict && levels) {
        fprintf(stderr, "qsim: --predict and --levels both replace the table: choose one\n");
        rc = 2;
        goto done;
    }
    char why[3 * PATH_MAX];
    size_t total;
    if (sweep_conflict(sw, nsw, sets, nsets, seed, why, sizeof why)) {
        fprintf(stderr, "qsim: %s\n", why);
        rc = 2;
        goto done;
    }
    /* every error is listed: a file that opened is built even if some of its lines were bad */
    int opened = cfg_load(c, path) == 0;
    /* the scenario's own sweeps come first; a --sweep of the same key replaces one, a --set
     * (or --seed) of it pins one value */
    file_sweeps fs = {c, fsw, 0};
    cfg_each(c, "sweep", read_file_sweep, &fs);
    nfsw = fs.n;
    size_t keep = 0;
    for (size_t i = 0; i < nfsw; i++) {
        int replaced = pinned(fsw[i].key, sets, nsets, seed);
        for (size_t j = 0; j < nsw && !replaced; j++)
            replaced = strcmp(fsw[i].key, sw[j].key) == 0;
        if (!replaced)
            keep++;
    }
    if (keep + nsw > RUNNER_MAX_SWEEPS) {
        fprintf(stderr, "qsim: %zu sweeps in [sweep] and on the command line: at most %d\n", keep + nsw,
                RUNNER_MAX_SWEEPS);
        rc = 2;
        goto done;
    }
    memmove(sw + keep, sw, nsw * sizeof *sw);
    for (size_t i = 0, k = 0; i < nfsw; i++) {
        int replaced = pinned(fsw[i].key, sets, nsets, seed);
        for (size_t j = keep; j < keep + nsw && !replaced; j++)
            replaced = strcmp(fsw[i].key, sw[j].key) == 0;
        if (!replaced) {
            sw[k++] = fsw[i];
            fsw[i] = (sweep){NULL, NULL, 0}; /* moved */
        }
    }
    nsw += keep;
    if (runner_count(sw, nsw, &total)) {
        char counts[128] = "";
        for (size_t i = 0; i < nsw; i++) {
            size_t l = strlen(counts);
            snprintf(counts + l, sizeof counts - l, "%s%zu", i ? " x " : "", sw[i].n);
        }
        fprintf(stderr, "qsim: --sweep: the cross product (%s values) has more than %d configurations\n", counts,
                RUNNER_MAX_CONFIGS);
        rc = 2;
        goto done;
    }
    for (size_t i = 0; i < nsets; i++)
        cfg_add_arg(c, "--set", sets[i]);
    if (seed) {
        char *arg = mem_alloc(strlen("run.seed=") + strlen(seed) + 1);
        if (!arg) {
            fprintf(stderr, "qsim: out of memory\n");
            rc = 1;
            goto done;
        }
        strcpy(arg, "run.seed=");
        strcat(arg, seed);
        cfg_add_arg(c, "--seed", arg);
        mem_free(arg);
    }
    if (opened)
        n = runner_build_skipping(c, sw, nsw, reps, &items, &skipped, &nskipped);
    if (cfg_nerrors(c)) {
        cfg_print_errors(c, stderr);
        rc = 2;
        goto done;
    }
    print_skipped(skipped, nskipped);
    if (check) {
        printf("%s: ok (%zu configuration%s", path, n, n == 1 ? "" : "s");
        if (nskipped)
            printf("; %zu skipped: their values conflict", nskipped);
        printf(")\n");
        goto done;
    }
    /* name = file stem */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    name = mem_strdup(base);
    if (!name) {
        fprintf(stderr, "qsim: out of memory\n");
        rc = 1;
        goto done;
    }
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        strcpy(name, base); /* "..ini": out/..ini, not out/. */
    outpath = out ? mem_strdup(out) : join("out", name);
    if (!outpath) {
        fprintf(stderr, "qsim: out of memory\n");
        rc = 1;
        goto done;
    }
    outdir_mode mode = !out ? OUTDIR_NUMBERED : force ? OUTDIR_REPLACE : OUTDIR_FRESH;
    int oe = outdir_open(outpath, mode, &od, why, sizeof why);
    if (oe) {
        fprintf(stderr, "qsim: cannot write the reports to %s\n", why);
        /* a --out that cannot be used as asked is bad input; a file system that fails is not */
        rc = oe == -EINVAL || oe == -ENOTEMPTY || oe == -ENOTDIR || oe == -EEXIST || oe == -EBUSY ? 2 : 1;
        goto done;
    }
    progress_mode pm = progress ? PROGRESS_ALWAYS : isatty(2) ? PROGRESS_AUTO : PROGRESS_OFF;
    size_t failed = runner_run(items, n, (int)jobs, outdir_tmp(od), (int)pm);
    if (failed) {
        int bad = 0;
        for (size_t i = 0; i < n; i++) {
            if (!items[i].ok) {
                fprintf(stderr, "%s\n", items[i].err);
                bad |= items[i].bad_input;
            }
        }
        rc = bad ? 2 : 1;
        if (rc == 1)
            fprintf(stderr, "qsim: the run failed; nothing in '%s' changed\n", outpath);
        goto done;
    }
    report_meta m = {.scenario = path, .name = name, .sw = sw, .nsw = nsw, .skipped = skipped, .nskipped = nskipped,
                     .argv = (const char *const *)argv + 1, .argc = (size_t)argc - 1, .seed = seed, .sets = sets,
                     .nsets = nsets, .sweep_args = sweep_args, .nsweep_args = nsweep_args};
    int we = write_file(outdir_tmp(od), "summary.json", &m, items, n, report_json);
    if (!we)
        we = write_file(outdir_tmp(od), "runs.csv", &m, items, n, report_csv);
    if (!we)
        we = write_trace(outdir_tmp(od), items, n);
    if (!we)
        we = write_file(outdir_tmp(od), "visibility.csv", &m, items, n, report_visibility_csv);
    if (!we)
        we = write_file(outdir_tmp(od), "intervals.csv", &m, items, n, report_intervals_csv);
    if (!we)
        we = write_latency(outdir_tmp(od), items, n);
    if (we) {
        fprintf(stderr, "qsim: cannot write the reports to '%s': %s (nothing in it changed)\n", outpath,
                strerror(we));
        rc = 1;
        goto done;
    }
    char where[PATH_MAX + 16];
    int ce = outdir_commit(od, where, sizeof where, why, sizeof why);
    od = NULL;
    if (ce < 0) {
        fprintf(stderr, "qsim: cannot write the reports to '%s': %s (nothing in it changed)\n", outpath, why);
        rc = 1;
        goto done;
    }
    if (ce > 0)
        fprintf(stderr, "qsim: warning: %s\n", why);
    if (strcmp(format, "csv") == 0)
        report_csv(stdout, &m, items, n);
    else if (strcmp(format, "json") == 0)
        report_json(stdout, &m, items, n);
    else {
        if (predict)
            report_predict(stdout, &m, items, n);
        else if (levels)
            report_levels(stdout, &m, items, n);
        else {
            report_table(stdout, &m, items, n);
            report_phases(stdout, &m, items, n);
        }
        printf("\nreports: %s/summary.json, %s/runs.csv, %s/trace.jsonl, %s/visibility.csv, %s/intervals.csv, "
               "%s/latency/\n",
               where, where, where, where, where, where);
        if (mode == OUTDIR_NUMBERED)
            printf("latest run: %s/latest -> %s\n", outpath, where + strlen(outpath) + 1);
    }
    for (size_t i = 0; i < n; i++)
        if (((const run_res *)items[i].rr.res[MOD_RUN])->saturated)
            fprintf(stderr,
                    "qsim: warning: configuration %zu: a delay would have passed the clock's limit (about 146 years "
                    "of simulated time) and was clamped there; summary.json says clock_saturated\n",
                    i);
    rc = fail_on_status(fail_on, items, n);
    if (timing) {
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "config %zu: %.3f s wall, %.0f events/s, %.0f ops/s\n", i, items[i].wall_s,
                    (double)((const run_res *)items[i].rr.res[MOD_RUN])->events / items[i].wall_s,
                    (double)((const coord_res *)items[i].rr.res[MOD_QUORUM])->issued / items[i].wall_s);
    }
done:
    mem_free(sets);
    mem_free(sweep_args);
    runner_free(items, n); /* removes the per-configuration trace files */
    runner_free_skipped(skipped, nskipped);
    outdir_abort(od); /* a failed run changes nothing in the output directory */
    mem_free(name);
    mem_free(outpath);
    sweep_free(sw, nsw);
    sweep_free(fsw, nfsw);
    cfg_destroy(c);
    if (fflush(stdout) && rc == 0)
        rc = 1;
    return rc;
}
