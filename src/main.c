/* main: the qsim command line (DESIGN.md sections 5 and 6). Reads a scenario, applies
 * --set and --sweep, runs every configuration, prints the table (or CSV/JSON) and writes
 * out/<scenario>/summary.json, runs.csv and trace.jsonl atomically. Exit status: 0 done,
 * 2 bad input (nothing written), 1 the run itself failed (nothing written). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "models/scenario.h"
#include "sim/alloc.h"
#include "sim/cfg.h"
#include "src/report.h"
#include "src/runner.h"

static void usage(FILE *f)
{
    fputs("usage: qsim [options] SCENARIO.ini\n"
          "  --seed N                  run seed (same as --set run.seed=N)\n"
          "  --set section.key=value   override any key (repeatable)\n"
          "  --sweep section.key=a,b,c run every value; several --sweep run the cross product\n"
          "                            (at most 8 sweeps, 4096 configurations)\n"
          "  --out DIR                 where reports go (default out/<scenario name>)\n"
          "  --format table|csv|json   what goes to stdout (default table)\n"
          "  --jobs N                  configurations run in parallel (default: cores); results do not depend on it\n"
          "  --timing                  wall-clock seconds and events/s per configuration, on stderr\n"
          "  --check                   validate the scenario and stop\n"
          "  --keys                    the scenario language: every section and key\n"
          "  --version, --help\n"
          "exit status: 0 done, 1 the run failed, 2 bad input (nothing written)\n",
          f);
}

static int write_file(const char *dir, const char *name, const report_meta *m, const run_item *items, size_t n,
                      void (*fn)(FILE *, const report_meta *, const run_item *, size_t))
{
    char tmp[4096], path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fn(f, m, items, n);
    if (ferror(f) | fclose(f)) {
        unlink(tmp);
        return -1;
    }
    return rename(tmp, path);
}

static int write_trace(const char *dir, const run_item *items, size_t n)
{
    char tmp[4096], path[4096];
    snprintf(path, sizeof path, "%s/trace.jsonl", dir);
    snprintf(tmp, sizeof tmp, "%s/.trace.jsonl.tmp", dir);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    char buf[65536];
    for (size_t i = 0; i < n; i++) {
        FILE *in = fopen(items[i].trace_path, "r");
        if (!in)
            continue;
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, got, f);
        fclose(in);
    }
    if (ferror(f) | fclose(f)) {
        unlink(tmp);
        return -1;
    }
    return rename(tmp, path);
}

static int mkdirs(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
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

static int takes_value(const char *a)
{
    static const char *const opts[] = {"--seed", "--set", "--sweep", "--out", "--format", "--jobs"};
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
    int check = 0, timing = 0, rc = 0, made_dir = 0;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    sweep sw[RUNNER_MAX_SWEEPS];
    size_t nsw = 0;
    cfg *c = NULL;
    run_item *items = NULL;
    size_t n = 0;
    char outdir[4096];

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
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
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
        } else if (strcmp(a, "--check") == 0) {
            check = 1;
        } else if (strcmp(a, "--timing") == 0) {
            timing = 1;
        } else if (takes_value(a) && !val) {
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
        } else if (strcmp(a, "--format") == 0) {
            format = val;
            i++;
            if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")) {
                fprintf(stderr, "qsim: --format %s: must be table, csv or json\n", format);
                rc = 2;
                goto done;
            }
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
    char why[256];
    size_t total;
    if (sweep_conflict(sw, nsw, sets, nsets, seed, why, sizeof why)) {
        fprintf(stderr, "qsim: %s\n", why);
        rc = 2;
        goto done;
    }
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
    /* every error is listed: a file that opened is built even if some of its lines were bad */
    int opened = cfg_load(c, path) == 0;
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
        n = runner_build(c, sw, nsw, &items);
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
    char name[256];
    snprintf(name, sizeof name, "%s", base);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    if (out)
        snprintf(outdir, sizeof outdir, "%s", out);
    else
        snprintf(outdir, sizeof outdir, "out/%s", name);
    struct stat sb;
    made_dir = stat(outdir, &sb) != 0;
    if (mkdirs(outdir)) {
        fprintf(stderr, "qsim: cannot create %s: %s\n", outdir, strerror(errno));
        rc = 1;
        goto done;
    }
    size_t failed = runner_run(items, n, (int)jobs, outdir, isatty(2) && n > 1);
    if (failed) {
        int bad = 0;
        for (size_t i = 0; i < n; i++) {
            if (!items[i].ok) {
                fprintf(stderr, "%s\n", items[i].err);
                bad |= items[i].bad_input;
            }
        }
        rc = bad ? 2 : 1;
        goto done;
    }
    report_meta m = {path, name, sw, nsw};
    if (write_file(outdir, "summary.json", &m, items, n, report_json) ||
        write_file(outdir, "runs.csv", &m, items, n, report_csv) || write_trace(outdir, items, n)) {
        fprintf(stderr, "qsim: cannot write the reports in %s: %s\n", outdir, strerror(errno));
        rc = 1;
        goto done;
    }
    if (strcmp(format, "csv") == 0)
        report_csv(stdout, &m, items, n);
    else if (strcmp(format, "json") == 0)
        report_json(stdout, &m, items, n);
    else {
        report_table(stdout, &m, items, n);
        printf("\nreports: %s/summary.json, %s/runs.csv, %s/trace.jsonl\n", outdir, outdir, outdir);
    }
    if (timing) {
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "config %zu: %.3f s wall, %.0f events/s, %.0f ops/s\n", i, items[i].wall_s,
                    (double)items[i].st.events / items[i].wall_s, (double)items[i].st.issued / items[i].wall_s);
    }
done:
    mem_free(sets);
    runner_free(items, n); /* removes the per-configuration trace files */
    if (rc && made_dir)
        rmdir(outdir); /* a failed run leaves no directory it made (only if it is empty) */
    free_sweeps(sw, nsw);
    cfg_destroy(c);
    if (fflush(stdout) && rc == 0)
        rc = 1;
    return rc;
}
