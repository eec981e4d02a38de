/* main: the qsim command line (docs/design.md sections 5 and 6). Reads a scenario, applies
 * --set and --sweep, runs every configuration, prints the table (or CSV/JSON, or the
 * --predict blocks) and writes out/<scenario>/summary.json, runs.csv, trace.jsonl,
 * visibility.csv and intervals.csv as one set (src/outdir.h: written
 * into a temporary directory, swapped into place whole). Exit status: 0 done, 2 bad input
 * (nothing written), 1 the run or the writing failed (nothing in the output directory
 * changed). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "models/coord.h"
#include "models/run.h"
#include "models/scenario.h"
#include "sim/alloc.h"
#include "sim/cfg.h"
#include "src/intervals.h"
#include "src/outdir.h"
#include "src/pbs.h"
#include "src/progress.h"
#include "src/report.h"
#include "src/runner.h"

static void usage(FILE *f)
{
    fputs("usage: qsim [options] SCENARIO.ini\n"
          "  --seed N                  run seed (same as --set run.seed=N)\n"
          "  --set section.key=value   override any key (repeatable)\n"
          "  --sweep section.key=a,b,c run every value; several --sweep run the cross product\n"
          "                            (at most 8 sweeps, 4096 configurations)\n"
          "  --out DIR                 where reports go (default out/<scenario name>); DIR is replaced as a\n"
          "                            whole when the run ends, so it must be new, empty, or hold only qsim's\n"
          "                            reports (summary.json, runs.csv, trace.jsonl, visibility.csv,\n"
          "                            intervals.csv); a link to a directory writes into that directory\n"

          "  --format table|csv|json   what goes to stdout (default table)\n"
          "  --predict                 instead of the table, per configuration: P(consistent read) at 1ms, 10ms,\n"
          "                            100ms and 1s after a write, P(within 1 and 2 versions), read and write\n"
          "                            p99.9 (PBS; best with workload.mode = probe)\n"
          "  --reps K                  run every configuration K times, seeds seed .. seed+K-1: means and 95% intervals\n"
          "  --jobs N                  configurations run in parallel (default: cores); results do not depend on it\n"
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
          "  2: the scenario or the command line is wrong (also a --out that is empty or ends in '.', '..'\n"
          "     or '/'): nothing is written\n"
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

/* Parses "section.key=v1,v2,..." into s. On failure returns -1 with the reason in why and
 * leaves s empty (nothing allocated), so that free_sweeps never sees a half-made sweep. */
static int parse_sweep(const char *arg, sweep *s, char *why, size_t n)
{
    s->key = NULL;
    s->values = NULL;
    s->n = 0;
    const char *eq = strchr(arg, '=');
    if (!eq) {
        snprintf(why, n, "no '='");
        return -1;
    }
    if (eq == arg) {
        snprintf(why, n, "no key before '='");
        return -1;
    }
    const char *dot = memchr(arg, '.', (size_t)(eq - arg));
    if (!dot || dot == arg || eq[-1] == '.') {
        snprintf(why, n, "the key '%.*s' is not section.key", (int)(eq - arg > 60 ? 60 : eq - arg), arg);
        return -1;
    }
    if (!eq[1]) {
        snprintf(why, n, "no values after '='");
        return -1;
    }
    size_t nv = 1;
    for (const char *p = eq + 1; *p; p++)
        nv += *p == ',';
    if (nv > RUNNER_MAX_CONFIGS) {
        snprintf(why, n, "%zu values; at most %d configurations are run", nv, RUNNER_MAX_CONFIGS);
        return -1;
    }
    size_t i = 0;
    for (const char *p = eq + 1;; i++) {
        const char *c = strchr(p, ',');
        if ((c ? (size_t)(c - p) : strlen(p)) == 0) {
            snprintf(why, n, "value %zu of %zu is empty", i + 1, nv);
            return -1;
        }
        if (!c)
            break;
        p = c + 1;
    }
    s->key = mem_alloc((size_t)(eq - arg) + 1);
    s->values = mem_calloc(nv, sizeof *s->values);
    if (!s->key || !s->values)
        goto oom;
    memcpy(s->key, arg, (size_t)(eq - arg));
    s->key[eq - arg] = '\0';
    const char *p = eq + 1;
    for (i = 0; i < nv; i++) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        s->values[i] = mem_alloc(l + 1);
        if (!s->values[i])
            goto oom;
        memcpy(s->values[i], p, l);
        s->values[i][l] = '\0';
        s->n = i + 1;
        p = c ? c + 1 : p + l;
    }
    return 0;
oom:
    for (i = 0; i < s->n; i++)
        mem_free(s->values[i]);
    mem_free(s->values);
    mem_free(s->key);
    s->key = NULL;
    s->values = NULL;
    s->n = 0;
    snprintf(why, n, "out of memory");
    return -1;
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
    char why[160];
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
    if (parse_sweep(arg, &fs->sw[fs->n], why, sizeof why))
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

static int takes_value(const char *a)
{
    static const char *const opts[] = {"--seed", "--set", "--sweep", "--out", "--format", "--jobs", "--reps"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(a, opts[i]) == 0)
            return 1;
    return 0;
}

static void free_sweeps(sweep *sw, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t v = 0; v < sw[i].n; v++)
            mem_free(sw[i].values[v]);
        mem_free(sw[i].values);
        mem_free(sw[i].key);
    }
}

int main(int argc, char **argv)
{
    const char *path = NULL, *out = NULL, *format = "table", *seed = NULL;
    int check = 0, timing = 0, predict = 0, progress = 0, rc = 0;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    sweep sw[2 * RUNNER_MAX_SWEEPS], fsw[RUNNER_MAX_SWEEPS];
    size_t nsw = 0, nfsw = 0;
    long reps = 0;
    cfg *c = NULL;
    run_item *items = NULL;
    size_t n = 0;
    char *name = NULL, *outpath = NULL;
    outdir *od = NULL;

    if (cfg_create(&c)) {
        fprintf(stderr, "qsim: out of memory\n");
        return 1;
    }
    /* command-line overrides are applied after the file: keep them aside */
    const char **sets = mem_calloc((size_t)argc, sizeof *sets);
    size_t nsets = 0;
    if (!sets) {
        fprintf(stderr, "qsim: out of memory\n");
        cfg_destroy(c);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        const char *val = has_val ? argv[i + 1] : ""; /* never NULL: an option's value */
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            goto done;
        } else if (strcmp(a, "--version") == 0) {
            printf("qsim %s\n", QSIM_VERSION);
            goto done;
        } else if (strcmp(a, "--keys") == 0) {
            size_t nt;
            const cfg_table *const *t = scenario_tables(&nt);
            cfg_print_keys(stdout, t, nt);
            goto done;
        } else if (strcmp(a, "--metrics") == 0) {
            report_print_metrics(stdout);
            goto done;
        } else if (strcmp(a, "--check") == 0) {
            check = 1;
        } else if (strcmp(a, "--timing") == 0) {
            timing = 1;
        } else if (strcmp(a, "--predict") == 0) {
            predict = 1;
        } else if (strcmp(a, "--progress") == 0) {
            progress = 1;
        } else if (takes_value(a) && !has_val) {
            fprintf(stderr, "qsim: %s needs a value\n", a);
            rc = 2;
            goto done;
        } else if (strcmp(a, "--seed") == 0) {
            seed = val;
            i++;
        } else if (strcmp(a, "--set") == 0) {
            sets[nsets++] = val;
            i++;
        } else if (strcmp(a, "--sweep") == 0) {
            char why[128];
            if (nsw == RUNNER_MAX_SWEEPS) {
                fprintf(stderr, "qsim: --sweep %.60s%s: at most %d sweeps\n", val, strlen(val) > 60 ? "..." : "",
                        RUNNER_MAX_SWEEPS);
                rc = 2;
                goto done;
            }
            if (parse_sweep(val, &sw[nsw], why, sizeof why)) {
                int cut = strlen(val) > 100; /* the reason says what is wrong; the echo is a reminder */
                fprintf(stderr, "qsim: --sweep %.*s%s: expected section.key=v1,v2,...: %s\n", cut ? 60 : 100, val,
                        cut ? "..." : "", why);
                rc = 2;
                goto done;
            }
            nsw++;
            i++;
        } else if (strcmp(a, "--out") == 0) {
            out = val;
            i++;
            if (!out[0]) {
                fprintf(stderr, "qsim: --out: the path is empty\n");
                rc = 2;
                goto done;
            }
        } else if (strcmp(a, "--format") == 0) {
            format = val;
            i++;
            if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")) {
                fprintf(stderr, "qsim: --format %s: must be table, csv or json\n", format);
                rc = 2;
                goto done;
            }
        } else if (strcmp(a, "--reps") == 0) {
            char *end;
            reps = strtol(val, &end, 10);
            if (*end || reps < 1 || reps > 1000) {
                fprintf(stderr, "qsim: --reps %s: must be 1..1000\n", val);
                rc = 2;
                goto done;
            }
            i++;
        } else if (strcmp(a, "--jobs") == 0) {
            char *end;
            jobs = strtol(val, &end, 10);
            if (*end || jobs < 1 || jobs > 64) {
                fprintf(stderr, "qsim: --jobs %s: must be 1..64\n", val);
                rc = 2;
                goto done;
            }
            i++;
        } else if (a[0] == '-') {
            fprintf(stderr, "qsim: unknown option %s (see qsim --help)\n", a);
            rc = 2;
            goto done;
        } else if (path) {
            fprintf(stderr, "qsim: one scenario at a time (got %s and %s)\n", path, a);
            rc = 2;
            goto done;
        } else {
            path = a;
        }
    }
    if (!path) {
        usage(stderr);
        rc = 2;
        goto done;
    }
    if (predict && strcmp(format, "table") != 0) {
        fprintf(stderr, "qsim: --predict replaces the table on stdout: it cannot go with --format %s\n", format);
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
        n = runner_build(c, sw, nsw, reps, &items);
    if (cfg_nerrors(c)) {
        cfg_print_errors(c, stderr);
        rc = 2;
        goto done;
    }
    if (check) {
        printf("%s: ok (%zu configuration%s)\n", path, n, n == 1 ? "" : "s");
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
    int oe = outdir_open(outpath, &od, why, sizeof why);
    if (oe) {
        fprintf(stderr, "qsim: cannot write the reports to %s\n", why);
        rc = oe == -EINVAL ? 2 : 1;
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
    report_meta m = {path, name, sw, nsw};
    int we = write_file(outdir_tmp(od), "summary.json", &m, items, n, report_json);
    if (!we)
        we = write_file(outdir_tmp(od), "runs.csv", &m, items, n, report_csv);
    if (!we)
        we = write_trace(outdir_tmp(od), items, n);
    if (!we)
        we = write_file(outdir_tmp(od), "visibility.csv", &m, items, n, report_visibility_csv);
    if (!we)
        we = write_file(outdir_tmp(od), "intervals.csv", &m, items, n, report_intervals_csv);
    if (we) {
        fprintf(stderr, "qsim: cannot write the reports to '%s': %s (nothing in it changed)\n", outpath,
                strerror(we));
        rc = 1;
        goto done;
    }
    int ce = outdir_commit(od, why, sizeof why);
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
        else {
            report_table(stdout, &m, items, n);
            report_phases(stdout, &m, items, n);
        }
        printf("\nreports: %s/summary.json, %s/runs.csv, %s/trace.jsonl, %s/visibility.csv, %s/intervals.csv\n",
               outpath, outpath, outpath, outpath, outpath);
    }
    for (size_t i = 0; i < n; i++)
        if (((const run_res *)items[i].rr.res[MOD_RUN])->saturated)
            fprintf(stderr,
                    "qsim: warning: configuration %zu: a delay would have passed the clock's limit (about 146 years "
                    "of simulated time) and was clamped there; summary.json says clock_saturated\n",
                    i);
    if (timing) {
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "config %zu: %.3f s wall, %.0f events/s, %.0f ops/s\n", i, items[i].wall_s,
                    (double)((const run_res *)items[i].rr.res[MOD_RUN])->events / items[i].wall_s,
                    (double)((const coord_res *)items[i].rr.res[MOD_QUORUM])->issued / items[i].wall_s);
    }
done:
    mem_free(sets);
    runner_free(items, n); /* removes the per-configuration trace files */
    outdir_abort(od); /* a failed run changes nothing in the output directory */
    mem_free(name);
    mem_free(outpath);
    free_sweeps(sw, nsw);
    free_sweeps(fsw, nfsw);
    cfg_destroy(c);
    if (fflush(stdout) && rc == 0)
        rc = 1;
    return rc;
}
