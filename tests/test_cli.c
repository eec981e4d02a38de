/* The qsim command line as a user runs it (docs/design.md sections 5, 6 and 7): options and
 * their value forms, exit statuses (--fail-on's too), errors with file and line, nothing
 * written on bad input, the report set (the five files and latency/), output directories
 * never overwritten without --force, the sweep language and skipped configurations, and
 * byte-identical output for the same arguments. Runs QSIM_BIN as a child process in a fresh
 * temporary directory, so nothing lands in the source tree's out/. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "models/ring.h"
#include "models/module.h"
#include "models/scenario.h"
#include "tests/testutil.h"

typedef struct result {
    int status; /* exit status, or -1 if the child did not exit normally */
    char *out, *err;
} result;

#define HAS(text, want)                                                                   \
    do {                                                                                  \
        if (!strstr((text), (want)))                                                      \
            fail_msg("missing fragment\n  want: %s\n  got:\n%s", (want), (text));         \
    } while (0)

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (!buf)
        fail_msg("out of memory reading %s", path);
    buf[len] = '\0';
    return buf;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* RLIMIT_FSIZE of the next children (0: none): a write past it fails as on a full disk. */
static rlim_t child_fsize;

/* Runs qsim with argv (argv[0] is set here) in directory cwd; stdout and stderr are kept. */
static void run(result *r, const char *cwd, const char *const *args)
{
    char out[] = "/tmp/qsim-cli-out-XXXXXX", err[] = "/tmp/qsim-cli-err-XXXXXX";
    int fo = mkstemp(out), fe = mkstemp(err);
    if (fo < 0 || fe < 0)
        fail_msg("mkstemp failed");
    const char *argv[64] = {QSIM_BIN};
    size_t n = 1;
    while (args[n - 1] && n < 63) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork failed");
    if (pid == 0) {
        if ((cwd && chdir(cwd) != 0) || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
            _exit(127);
        if (child_fsize) {
            struct rlimit rl = {child_fsize, child_fsize};
            signal(SIGXFSZ, SIG_IGN); /* write fails with EFBIG instead */
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
                _exit(127);
        }
        tu_exec_qsim(argv, 1);
        _exit(127);
    }
    int ws;
    if (waitpid(pid, &ws, 0) != pid)
        fail_msg("waitpid failed");
    close(fo);
    close(fe);
    r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
    r->out = slurp(out);
    r->err = slurp(err);
    unlink(out);
    unlink(err);
}

#define RUN(r, cwd, ...) run((r), (cwd), (const char *const[]){__VA_ARGS__, NULL})

static void done(result *r)
{
    free(r->out);
    free(r->err);
}

static char *path_in(const char *dir, const char *name)
{
    static char buf[4][4096];
    static int i;
    char *p = buf[i++ % 4];
    snprintf(p, 4096, "%s/%s", dir, name);
    return p;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Lines of s that start with prefix. */
static size_t count_prefixed(const char *s, const char *prefix)
{
    size_t n = 0, pl = strlen(prefix);
    for (const char *line = s; *line;) {
        n += strncmp(line, prefix, pl) == 0;
        const char *nl = strchr(line, '\n');
        if (!nl)
            break;
        line = nl + 1;
    }
    return n;
}

static void expect_status(const result *r, int want)
{
    if (r->status != want)
        fail_msg("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r->status, want, r->out, r->err);
}

static void expect_same_file(const char *a, const char *b)
{
    char *x = slurp(a), *y = slurp(b);
    if (!x || !y)
        fail_msg("missing %s or %s", a, b);
    if (strcmp(x, y) != 0)
        fail_msg("%s and %s differ", a, b);
    free(x);
    free(y);
}

/* Removes summary.json's command_line member from text, in place: what is left depends on
 * the scenario, the seed and the overrides only. */
static void strip_command_line(char *text)
{
    char *b = strstr(text, "\n  \"command_line\": [");
    char *e = b ? strstr(b, "\n  ],") : NULL;
    if (!e) {
        fail_msg("summary.json has no command_line:\n%.300s", text);
        return;
    }
    memmove(b, e + 5, strlen(e + 5) + 1);
}

/* Two summary.json files that differ at most in the command line qsim was given. */
static void expect_same_but_command_line(const char *a, const char *b)
{
    char *x = slurp(a), *y = slurp(b);
    if (!x || !y)
        fail_msg("missing %s or %s", a, b);
    strip_command_line(x);
    strip_command_line(y);
    if (strcmp(x, y) != 0)
        fail_msg("%s and %s differ beyond the command line", a, b);
    free(x);
    free(y);
}

static void expect_absent(const char *path)
{
    if (exists(path))
        fail_msg("%s exists: nothing should have been written", path);
}

/* Two errors, at lines 5 and 7. */
static const char bad_ini[] = "[run]\nops = 10\n\n[quorum]\nr = 4\n[network]\nloss = 1.5\n";

static void cli_bad_scenario_exits_2_and_writes_nothing(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "bad.ini", bad_ini);
    result r;
    RUN(&r, dir, "bad.ini"); /* default output directory out/bad, in dir */
    expect_status(&r, 2);
    EQ(strlen(r.out), 0);
    expect_absent(path_in(dir, "out"));
    done(&r);
    RUN(&r, dir, "--out", path_in(dir, "o"), "bad.ini");
    expect_status(&r, 2);
    expect_absent(path_in(dir, "o"));
    done(&r);
    /* a --set error is bad input too */
    RUN(&r, dir, "--out", path_in(dir, "o"), "--set", "quorum.w=9", tu_src("scenarios/drift.ini"));
    expect_status(&r, 2);
    HAS(r.err, "--set");
    HAS(r.err, "quorum.w=9: must be <= replicas (3)");
    expect_absent(path_in(dir, "o"));
    done(&r);
    tu_rm_tree(dir);
}

static void cli_errors_name_file_and_line(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "bad.ini", bad_ini);
    result r;
    RUN(&r, dir, "--out", path_in(dir, "o"), "bad.ini");
    expect_status(&r, 2);
    HAS(r.err, "bad.ini:5: quorum.r = 4: must be <= replicas (3)\n");
    HAS(r.err, "bad.ini:7: network.loss = 1.5: out of range: must be between 0 and 1\n");
    EQ(count_lines(r.err), 2);
    EQ(count_prefixed(r.err, "bad.ini:"), 2);
    done(&r);
    /* the path as the user gave it */
    RUN(&r, NULL, "--out", path_in(dir, "o"), path_in(dir, "bad.ini"));
    expect_status(&r, 2);
    char want[256];
    snprintf(want, sizeof want, "%s/bad.ini:5: quorum.r = 4", dir);
    HAS(r.err, want);
    done(&r);
    /* a scenario that does not open: one line, no cascade of missing-key errors */
    RUN(&r, dir, "--out", path_in(dir, "o"), "nope.ini");
    expect_status(&r, 2);
    if (strcmp(r.err, "nope.ini: cannot open: No such file or directory\n") != 0)
        fail_msg("stderr: %s", r.err);
    expect_absent(path_in(dir, "o"));
    done(&r);
    tu_rm_tree(dir);
}

/* A malformed line used to stop the listing: the scenario's own errors were never shown. */
static void cli_lists_line_errors_with_scenario_errors(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "m.ini", "[run]\nops = 10\nfoo\n[quorum]\nr = 9\nzz = 1\n");
    result r;
    RUN(&r, dir, "--check", "m.ini");
    expect_status(&r, 2);
    HAS(r.err, "m.ini:3: expected 'key = value' or '[section]', got 'foo'\n");
    HAS(r.err, "m.ini:5: quorum.r = 9: must be <= replicas (3)\n");
    HAS(r.err, "m.ini:6: quorum.zz = 1: unknown key (did you mean quorum.r?)\n");
    EQ(count_lines(r.err), 3);
    done(&r);
    tu_rm_tree(dir);
}

static void cli_unknown_option_exits_2(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *drift = tu_src("scenarios/drift.ini");
    result r;
    RUN(&r, dir, "--frobnicate", drift);
    expect_status(&r, 2);
    HAS(r.err, "unknown option --frobnicate");
    done(&r);
    /* last on the line: still an unknown option, not "needs a value" */
    RUN(&r, dir, drift, "--frobnicate");
    expect_status(&r, 2);
    HAS(r.err, "unknown option --frobnicate");
    done(&r);
    RUN(&r, dir, drift, "--out");
    expect_status(&r, 2);
    HAS(r.err, "--out needs a value");
    done(&r);
    RUN(&r, dir, "--jobs", "0", drift);
    expect_status(&r, 2);
    HAS(r.err, "--jobs 0: must be 1..64");
    done(&r);
    RUN(&r, dir, "--format", "xml", drift);
    expect_status(&r, 2);
    HAS(r.err, "--format xml: must be table, csv or json");
    done(&r);
    RUN(&r, dir, "--sweep", "quorum.r=", drift);
    expect_status(&r, 2);
    HAS(r.err, "--sweep quorum.r=: expected section.key=v1,v2,...");
    done(&r);
    RUN(&r, dir, drift, drift);
    expect_status(&r, 2);
    HAS(r.err, "one scenario at a time");
    done(&r);
    RUN(&r, dir, "--seed", "1");
    expect_status(&r, 2);
    HAS(r.err, "usage: qsim");
    done(&r);
    expect_absent(path_in(dir, "out"));
    tu_rm_tree(dir);
}

/* Every option that takes a value takes it as the next argument or after '=' (--seed=5),
 * and --jobs also as -j 2 or -j2; both spellings give the same reports. A flag given a
 * value, an '=' with nothing after it, and -j last on the line are errors (exit status 2). */
static void cli_option_values_apart_or_after_equals(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *drift = tu_src("scenarios/drift.ini");
    result r;
    RUN(&r, dir, "--out", "a", "--seed", "7", "--jobs", "2", "--set", "quorum.r=2", "--sweep", "quorum.w=1,2",
        "--reps", "2", "--format", "csv", drift);
    expect_status(&r, 0);
    char *csv_apart = strdup(r.out);
    done(&r);
    RUN(&r, dir, "--out=b", "--seed=7", "-j2", "--set=quorum.r=2", "--sweep=quorum.w=1,2", "--reps=2",
        "--format=csv", drift);
    expect_status(&r, 0);
    if (strcmp(r.out, csv_apart) != 0)
        fail_msg("--opt=value gave other results:\n%s\nwant:\n%s", r.out, csv_apart);
    HAS(r.out, "config,rep,quorum.w,seed,");
    HAS(r.out, "\n1,1,2,8,");
    done(&r);
    expect_same_file(path_in(dir, "a/runs.csv"), path_in(dir, "b/runs.csv"));
    RUN(&r, dir, "--check", "-j", "3", "--jobs=1", drift);
    expect_status(&r, 0);
    done(&r);
    static const struct {
        const char *arg, *err;
    } bad[] = {
        {"--check=yes", "qsim: --check takes no value (got --check=yes)\n"},
        {"--predict=", "qsim: --predict takes no value (got --predict=)\n"},
        {"--jobs=", "qsim: --jobs : must be 1..64\n"},
        {"-j0", "qsim: --jobs 0: must be 1..64\n"},
        {"--reps=", "qsim: --reps : must be 1..1000\n"},
        {"--out=", "qsim: --out: the path is empty\n"},
        {"--format=", "qsim: --format : must be table, csv or json\n"},
        {"--frobnicate=1", "qsim: unknown option --frobnicate (see qsim --help)\n"},
        {"-x", "qsim: unknown option -x (see qsim --help)\n"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        RUN(&r, dir, "--check", bad[i].arg, drift);
        expect_status(&r, 2);
        if (strcmp(r.err, bad[i].err) != 0)
            fail_msg("%s: stderr '%s', want '%s'", bad[i].arg, r.err, bad[i].err);
        done(&r);
    }
    RUN(&r, dir, drift, "-j");
    expect_status(&r, 2);
    HAS(r.err, "qsim: --jobs needs a value\n");
    done(&r);
    free(csv_apart);
    tu_rm_tree(dir);
}

static void cli_check_validates_only(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *drift = tu_src("scenarios/drift.ini");
    result r;
    RUN(&r, dir, "--check", "--out", path_in(dir, "o"), drift);
    expect_status(&r, 0);
    char want[4200];
    snprintf(want, sizeof want, "%s: ok (1 configuration)\n", drift);
    if (strcmp(r.out, want) != 0)
        fail_msg("stdout '%s', want '%s'", r.out, want);
    EQ(strlen(r.err), 0);
    expect_absent(path_in(dir, "o"));
    done(&r);
    RUN(&r, dir, "--check", "--sweep", "quorum.r=1,2,3", "--sweep", "quorum.w=1,2,3", drift);
    expect_status(&r, 0);
    HAS(r.out, ": ok (9 configurations)\n");
    expect_absent(path_in(dir, "out"));
    done(&r);
    /* a configuration of the sweep that is bad is named */
    RUN(&r, dir, "--check", "--sweep", "quorum.r=1,4", drift);
    expect_status(&r, 2);
    HAS(r.err, "--sweep quorum.r=4: with quorum.r=4: must be <= replicas (3)");
    done(&r);
    tu_rm_tree(dir);
}

static void cli_version_and_help(void **state)
{
    (void)state;
    result r;
    RUN(&r, NULL, "--version");
    expect_status(&r, 0);
    if (strcmp(r.out, "qsim " QSIM_VERSION "\n") != 0)
        fail_msg("--version printed '%s'", r.out);
    done(&r);
    RUN(&r, NULL, "--help");
    expect_status(&r, 0);
    HAS(r.out, "usage: qsim [options] SCENARIO.ini");
    HAS(r.out, "--sweep");
    HAS(r.out, "--check");
    HAS(r.out, "exit status: 0 done, 1 the run failed, 2 bad input (nothing written)");
    EQ(strlen(r.err), 0);
    done(&r);
}

static void cli_keys_lists_every_section(void **state)
{
    (void)state;
    result r;
    RUN(&r, NULL, "--keys");
    expect_status(&r, 0);
    size_t nt;
    const cfg_table *const *t = scenario_tables(&nt);
    for (size_t i = 0; i < nt; i++) {
        char want[128];
        snprintf(want, sizeof want, "[%s]", t[i]->keys[0].section);
        HAS(r.out, want);
        for (size_t k = 0; k < t[i]->n; k++) {
            const cfg_key *key = &t[i]->keys[k];
            if (key->type == CFG_LIST)
                snprintf(want, sizeof want, "\n  NAME = ...");
            else
                snprintf(want, sizeof want, "\n  %s ", key->name);
            HAS(r.out, want);
            HAS(r.out, key->doc);
        }
    }
    HAS(r.out, "[node]  (and [node.NAME]: the same keys for one entity)");
    HAS(r.out, "default '1s'");
    done(&r);
}

static void cli_metrics_lists_every_metric(void **state)
{
    (void)state;
    result r;
    RUN(&r, NULL, "--metrics");
    expect_status(&r, 0);
    for (int md = 0; md < MOD_COUNT; md++) {
        for (size_t i = 0; i < module_list[md]->nmetrics; i++) {
            const metric *m = &module_list[md]->metrics[i];
            char want[256];
            snprintf(want, sizeof want, "\n%s ", m->path);
            HAS(r.out, want);
            HAS(r.out, m->doc);
        }
    }
    HAS(r.out, "\nverdict ");
    done(&r);
}

/* Names in a directory, sorted, joined by ' '. */
static void list_dir(const char *dir, char *buf, size_t n)
{
    struct dirent **ents;
    int k = scandir(dir, &ents, NULL, alphasort);
    buf[0] = '\0';
    if (k < 0)
        fail_msg("cannot list %s", dir);
    for (int i = 0; i < k; i++) {
        if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
            size_t l = strlen(buf);
            snprintf(buf + l, n - l, "%s%s", l ? " " : "", ents[i]->d_name);
        }
        free(ents[i]);
    }
    free(ents);
}

static void cli_writes_summary_csv_trace(void **state)
{
    (void)state;
    char dir[64], names[1024];
    tu_make_dir(dir, sizeof dir);
    result r;
    RUN(&r, dir, "--out", path_in(dir, "o"), tu_src("scenarios/drift.ini"));
    expect_status(&r, 0);
    done(&r);
    list_dir(path_in(dir, "o"), names, sizeof names);
    if (strcmp(names, "intervals.csv latency runs.csv summary.json trace.jsonl visibility.csv") != 0)
        fail_msg("output directory holds '%s'", names); /* no temporary files left */
    char *sum = slurp(path_in(dir, "o/summary.json"));
    HAS(sum, "\"qsim_version\": \"" QSIM_VERSION "\"");
    HAS(sum, "\"seed\": 5");
    HAS(sum, "\"effective\"");
    HAS(sum, "\"quorum.timeout\": \"500ms\""); /* from the file */
    HAS(sum, "\"workload.read_ratio\": \"0.9\""); /* a default */
    free(sum);
    char *csv = slurp(path_in(dir, "o/runs.csv"));
    EQ(count_lines(csv), 2);
    if (strncmp(csv, "config,", 7) != 0)
        fail_msg("runs.csv header: %.80s", csv);
    HAS(csv, ",r_plus_w_gt_n,");
    HAS(csv, "\n0,");
    free(csv);
    char *tr = slurp(path_in(dir, "o/trace.jsonl"));
    size_t lines = count_lines(tr);
    if (lines < 10)
        fail_msg("trace.jsonl has %zu lines", lines);
    EQ(count_prefixed(tr, "{\"run\":0,"), lines);
    HAS(tr, "\"ev\":\"write\"");
    free(tr);
    /* v2 is acknowledged at 11.29ms: r1 (stale) has t = 8.71ms, r2 (fresh) t = 188.71ms */
    char *vis = slurp(path_in(dir, "o/visibility.csv"));
    const char *want = "config,t_lo_ns,t_hi_ns,reads,fresh,p_fresh,ci_lo,ci_hi\n"
                       "0,8000000,10000000,1,0,0.000000,0.000000,0.793451\n"
                       "0,160000000,200000000,1,1,1.000000,0.206549,1.000000\n";
    if (strcmp(vis, want) != 0)
        fail_msg("visibility.csv:\n%s\nwant:\n%s", vis, want);
    free(vis);
    /* without --out: out/<scenario name>/0001 under the working directory, and latest */
    RUN(&r, dir, tu_src("scenarios/drift.ini"));
    expect_status(&r, 0);
    HAS(r.out, "reports: out/drift/0001/summary.json, out/drift/0001/runs.csv, out/drift/0001/trace.jsonl");
    HAS(r.out, "\nlatest run: out/drift/latest -> 0001\n");
    done(&r);
    list_dir(path_in(dir, "out/drift/0001"), names, sizeof names);
    if (strcmp(names, "intervals.csv latency runs.csv summary.json trace.jsonl visibility.csv") != 0)
        fail_msg("out/drift/0001 holds '%s'", names);
    expect_same_but_command_line(path_in(dir, "o/summary.json"), path_in(dir, "out/drift/latest/summary.json"));
    tu_rm_tree(dir);
}

/* summary.json records the arguments as given (without the program's name) and the
 * overrides among them; nothing else of the invocation: no working directory, no absolute
 * path that was not on the command line, no time. */
static void cli_summary_records_command_line_and_overrides(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "s.ini", "[run]\nops = 50\n[sweep]\nnetwork.loss = 0, 0.01\n");
    result r;
    RUN(&r, dir, "-j2", "--out=o", "--seed", "7", "--set", "quorum.r=2", "--sweep", "quorum.w=1..2", "--set",
        "workload.keys=9", "s.ini");
    expect_status(&r, 0);
    done(&r);
    char *js = slurp(path_in(dir, "o/summary.json"));
    HAS(js, "\n  \"seed\": 7,\n  \"command_line\": [\n    \"-j2\",\n    \"--out=o\",\n    \"--seed\",\n    \"7\",\n"
            "    \"--set\",\n    \"quorum.r=2\",\n    \"--sweep\",\n    \"quorum.w=1..2\",\n    \"--set\",\n"
            "    \"workload.keys=9\",\n    \"s.ini\"\n  ],\n"
            "  \"overrides\": {\n    \"seed\": \"7\",\n    \"set\": [\n      \"quorum.r=2\",\n      \"workload.keys=9\"\n"
            "    ],\n    \"sweep\": [\n      \"quorum.w=1..2\"\n    ]\n  },\n  \"sweeps\": [\n    {\n      \"key\": "
            "\"network.loss\",");
    if (strstr(js, dir))
        fail_msg("summary.json names the working directory %s", dir);
    free(js);
    tu_rm_tree(dir);
}

/* intervals.csv: drift's four operations by answer time in 50ms intervals (w1 answered at
 * 1.65ms, w2 at 11.29ms, r1 stale at 21.31ms, r2 at 201.98ms), empty intervals included,
 * quantiles of single values exact (clamped to the interval's min and max); and the phase
 * table around its lag window. */
static void cli_intervals_csv_by_answer_time(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    result r;
    RUN(&r, dir, "--out", path_in(dir, "o"), "--set", "series.interval=50ms", tu_src("scenarios/drift.ini"));
    expect_status(&r, 0);
    HAS(r.out, "\nphases (operations by start time, cut where a fault window opens or closes):\n"
               "phase from   to in force ops read-p50 read-p99 read-p999 write-p99 stale% unavail%\n"
               "    0  0ns  9ms -          1        -        -         -    1.65ms      -    0.000\n"
               "    1  9ms 11ms lag        1        -        -         -    1.29ms      -    0.000\n"
               "    2 11ms  end -          2   1.34ms   1.98ms    1.98ms         - 50.000    0.000\n");
    done(&r);
    char *csv = slurp(path_in(dir, "o/intervals.csv"));
    const char *want =
        "config,rep,t_lo_ns,t_hi_ns,ops,ops_per_s,reads,read_p50_ns,read_p99_ns,read_p999_ns,writes,write_p50_ns,"
        "write_p99_ns,write_p999_ns,stale,stale_pct,unavailable,unavailable_pct\n"
        "0,0,0,50000000,3,60.000,1,1311268,1311268,1311268,2,1289464,1650354,1650354,1,100.000000,0,0.000000\n"
        "0,0,50000000,100000000,0,0.000,0,,,,0,,,,0,,0,\n"
        "0,0,100000000,150000000,0,0.000,0,,,,0,,,,0,,0,\n"
        "0,0,150000000,200000000,0,0.000,0,,,,0,,,,0,,0,\n"
        "0,0,200000000,250000000,1,20.000,1,1976643,1976643,1976643,0,,,,0,0.000000,0,0.000000\n";
    if (strcmp(csv, want) != 0)
        fail_msg("intervals.csv:\n%s\nwant:\n%s", csv, want);
    free(csv);
    char *sum = slurp(path_in(dir, "o/summary.json"));
    HAS(sum, "\"intervals\": {\n        \"width_ns\": 50000000,\n        \"count\": 5,\n        \"widened\": false\n");
    free(sum);
    /* a scenario without faults has no phase table */
    RUN(&r, dir, "--out", path_in(dir, "p"), "--set", "run.ops=100", tu_src("scenarios/bench.ini"));
    expect_status(&r, 0);
    if (strstr(r.out, "phases ("))
        fail_msg("a phase table without faults:\n%s", r.out);
    done(&r);
    tu_rm_tree(dir);
}

static void cli_sweep_runs_cross_product(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    result r;
    RUN(&r, dir, "--out", path_in(dir, "o"), "--sweep", "quorum.r=1,2,3", "--sweep", "quorum.w=1,2,3",
        tu_src("scenarios/drift.ini"));
    expect_status(&r, 0);
    char *csv = slurp(path_in(dir, "o/runs.csv"));
    EQ(count_lines(csv), 10);
    if (strncmp(csv, "config,quorum.r,quorum.w,", 25) != 0)
        fail_msg("runs.csv header: %.80s", csv);
    for (int i = 0; i < 9; i++) {
        char row[64];
        snprintf(row, sizeof row, "\n%d,%d,%d,", i, i / 3 + 1, i % 3 + 1); /* the last sweep varies fastest */
        HAS(csv, row);
    }
    free(csv);
    HAS(r.out, " R+W ");
    char *phases = strstr(r.out, "\nphases ("); /* drift's lag window: a phase table follows, with labels too */
    assert_non_null(phases);
    *phases = '\0';
    EQ(count_prefixed(r.out, "quorum.r="), 9);
    int row = 0;
    for (const char *line = r.out; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "quorum.r=", 9) != 0)
            continue;
        int lr, lw, n, rr, ww, rw;
        char gt[8];
        if (sscanf(line, "quorum.r=%d quorum.w=%d %d %d %d %d %7s", &lr, &lw, &n, &rr, &ww, &rw, gt) != 7)
            fail_msg("table row: %.120s", line);
        EQ(lr, row / 3 + 1);
        EQ(lw, row % 3 + 1);
        EQ(n, 3);
        EQ(rr, lr);
        EQ(ww, lw);
        EQ(rw, rr + ww);
        if (strcmp(gt, rw > n ? "yes" : "no") != 0)
            fail_msg("R+W=%d, N=%d: '>N?' says %s", rw, n, gt);
        row++;
    }
    EQ(row, 9);
    done(&r);
    tu_rm_tree(dir);
}

static void expect_listing(const char *dir, const char *want);

/* The index of column name in a CSV header line, or -1. */
static int csv_column(const char *csv, const char *name)
{
    int col = 0;
    size_t l = strlen(name);
    for (const char *p = csv; *p && *p != '\n'; col++) {
        if (strncmp(p, name, l) == 0 && (p[l] == ',' || p[l] == '\n'))
            return col;
        p = strpbrk(p, ",\n");
        if (!p || *p == '\n')
            break;
        p++;
    }
    return -1;
}

/* Field col of the CSV line that starts at line, as a number (a quoted field may hold commas). */
static double csv_number(const char *line, int col)
{
    int quoted = 0;
    for (int c = 0; c < col; line++) {
        if (*line == '"')
            quoted = !quoted;
        else if (*line == ',' && !quoted)
            c++;
    }
    return atof(line);
}

/* The report set holds latency/<config>.read.hgrm and .write.hgrm for every configuration
 * that ran (skipped ones have none), its replications merged: the total count is the sum of
 * their successful operations and the maximum the largest of theirs. With --force, the
 * previous set's spectra go with it; a file qsim did not write in latency/ is refused. */
static void cli_latency_spectra_in_the_report_set(void **state)
{
    (void)state;
    char dir[64], names[1024];
    tu_make_dir(dir, sizeof dir);
    const char *bench = tu_src("scenarios/bench.ini");
    result r;
    RUN(&r, dir, "--out", "o", "--reps", "2", "--set", "run.ops=3000", "--sweep", "quorum.r=1..3", "--sweep",
        "cluster.replicas=2,3", bench);
    expect_status(&r, 0);
    HAS(r.err, "qsim: note: skipped quorum.r=3 cluster.replicas=2: ");
    done(&r);
    list_dir(path_in(dir, "o/latency"), names, sizeof names);
    assert_string_equal(names, "0.read.hgrm 0.write.hgrm 1.read.hgrm 1.write.hgrm 2.read.hgrm 2.write.hgrm "
                               "3.read.hgrm 3.write.hgrm 5.read.hgrm 5.write.hgrm");
    char *csv = slurp(path_in(dir, "o/runs.csv"));
    static const char *const kinds[] = {"read", "write"};
    for (int k = 0; k < 2; k++) {
        char okcol[32], maxcol[32];
        snprintf(okcol, sizeof okcol, "%ss_ok", kinds[k]);
        snprintf(maxcol, sizeof maxcol, "%s_max_ns", kinds[k]);
        int cok = csv_column(csv, okcol), cmax = csv_column(csv, maxcol);
        assert_true(cok > 0 && cmax > 0);
        static const int configs[] = {0, 1, 2, 3, 5};
        for (size_t i = 0; i < 5; i++) {
            double ok = 0, mx = 0;
            int reps = 0;
            for (const char *line = strchr(csv, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
                if (atoi(line) == configs[i]) {
                    ok += csv_number(line, cok);
                    mx = fmax(mx, csv_number(line, cmax));
                    reps++;
                }
            }
            EQ(reps, 2);
            char name[64];
            snprintf(name, sizeof name, "o/latency/%d.%s.hgrm", configs[i], kinds[k]);
            char *h = slurp(path_in(dir, name));
            if (strncmp(h, "       Value     Percentile TotalCount 1/(1-Percentile)\n\n", 57) != 0)
                fail_msg("%s: %.80s", name, h);
            char want[160];
            snprintf(want, sizeof want, "\n#[Max     = %12.3f, Total count    = %12.0f]\n", mx / 1e6, ok);
            HAS(h, want);
            snprintf(want, sizeof want, "\n%12.3f 1.000000000000 %10.0f\n#[Mean    = ", mx / 1e6, ok);
            HAS(h, want);
            free(h);
        }
    }
    free(csv);
    /* replaced with one configuration: the others' spectra go */
    RUN(&r, dir, "--out", "o", "--force", "--set", "run.ops=300", bench);
    expect_status(&r, 0);
    done(&r);
    list_dir(path_in(dir, "o/latency"), names, sizeof names);
    assert_string_equal(names, "0.read.hgrm 0.write.hgrm");
    expect_listing(dir, "o"); /* the previous set, its latency/ too, is gone */
    tu_put(dir, "o/latency/notes.txt", "mine\n");
    RUN(&r, dir, "--out", "o", "--force", "--set", "run.ops=300", bench);
    expect_status(&r, 2);
    HAS(r.err, "qsim: cannot write the reports to 'o': it holds 'latency/notes.txt', which qsim did not write");
    done(&r);
    expect_listing(path_in(dir, "o/latency"), "0.read.hgrm 0.write.hgrm notes.txt");
    tu_rm_tree(dir);
}

/* --fail-on stale|lost|unavailable (a comma list): the reports are written as always, and
 * when an outcome asked for was observed the exit status says which: 3 stale (a read older
 * than latest(r), lost reads included), 4 lost (a lost read or a lost acknowledged write),
 * 5 unavailable; of several, 4 before 3 before 5. A configuration counts once however many
 * of its replications saw it. A word that is not an outcome is exit status 2. */
static void cli_fail_on_sets_a_distinct_exit_status(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    char drift[4096], lost[4096]; /* tu_src has one buffer */
    snprintf(drift, sizeof drift, "%s", tu_src("scenarios/drift.ini"));
    snprintf(lost, sizeof lost, "%s", tu_src("scenarios/w1-lost-write.ini"));
    tu_put(dir, "u.ini", "[quorum]\nr = 3\nw = 1\ntimeout = 100ms\n[network]\nlatency = const(1ms)\n"
                         "[workload]\nmode = script\nkeys = 1\n[script]\nw1 = 1ms write k1\nr1 = 5ms read k1\n"
                         "[faults]\nc = 0ms crash n3\n");
    static const struct {
        const char *outcomes;
        int scenario; /* 0 drift (a stale read), 1 w1-lost-write (lost reads, a lost write), 2 u.ini */
        int status;
        const char *err;
    } cases[] = {
        {"stale", 0, 3, "qsim: --fail-on stale: stale or lost reads: 2, in 1 of 1 configuration (exit status 3)\n"},
        {"lost", 0, 0, ""},
        {"unavailable", 0, 0, ""},
        {"lost", 1, 4, "qsim: --fail-on lost: lost reads and lost acknowledged writes: 3, in 1 of 2 "
                       "configurations (exit status 4)\n"},
        {"stale,lost", 1, 4, "qsim: --fail-on lost: lost reads and lost acknowledged writes: 3, in 1 of 2 "
                             "configurations (exit status 4)\nqsim: --fail-on stale: stale or lost reads: 2, in 1 of "
                             "2 configurations (exit status 3)\n"},
        {"unavailable,stale", 2, 5, "qsim: --fail-on unavailable: operations not answered in time: 2, in 1 of "
                                    "1 configuration (exit status 5)\n"},
        {"stale,stale", 2, 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];
        snprintf(out, sizeof out, "o%zu", i);
        const char *scen = cases[i].scenario == 0 ? drift : cases[i].scenario == 1 ? lost : "u.ini";
        /* w1-lost-write: W=2 loses nothing; the others: both replications see it */
        result r;
        if (cases[i].scenario == 1)
            RUN(&r, dir, "--out", out, "--fail-on", cases[i].outcomes, "--sweep", "quorum.w=1,2", scen);
        else
            RUN(&r, dir, "--out", out, "--fail-on", cases[i].outcomes, "--reps", "2", scen);
        expect_status(&r, cases[i].status);
        if (strcmp(r.err, cases[i].err) != 0)
            fail_msg("--fail-on %s: stderr '%s', want '%s'", cases[i].outcomes, r.err, cases[i].err);
        done(&r);
        char sum[64];
        snprintf(sum, sizeof sum, "%s/summary.json", out);
        assert_true(exists(path_in(dir, sum))); /* the reports are written whatever the status */
    }
    static const char *const bad[] = {"stale,foo", "", "stale,", "Stale"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        result r;
        RUN(&r, dir, "--out", "bad", "--fail-on", bad[i], drift);
        expect_status(&r, 2);
        HAS(r.err, "is not an outcome: a comma list of stale, lost, unavailable\n");
        done(&r);
    }
    expect_absent(path_in(dir, "bad"));
    tu_rm_tree(dir);
}

/* The terminal table puts each percent's count beside it (stale and lost reads, operations
 * unavailable) and shows p99.9 of reads and writes. */
static void cli_table_counts_beside_percents_and_p999(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    static const char header[] = "N R W R+W >N? verdict        stale stale% lost-wr unavail unavail% read-p50 "
                                 "read-p99 read-p999 write-p50 write-p99 write-p999 note\n";
    result r;
    RUN(&r, dir, "--out", "d", tu_src("scenarios/drift.ini"));
    expect_status(&r, 0);
    HAS(r.out, header);
    HAS(r.out, "\n3 1 1   2 no  possibly-stale     1 50.000       0       0    0.000   1.31ms   1.98ms    1.98ms    "
               "1.29ms    1.65ms     1.65ms\n");
    done(&r);
    /* n3 is down, so the read at R=3 cannot gather its quorum: 1 operation of 2 */
    tu_put(dir, "u.ini", "[quorum]\nr = 3\nw = 1\ntimeout = 100ms\n[network]\nlatency = const(1ms)\n"
                         "[workload]\nmode = script\nkeys = 1\n[script]\nw1 = 1ms write k1\nr1 = 5ms read k1\n"
                         "[faults]\nc = 0ms crash n3\n");
    RUN(&r, dir, "--out", "u", "u.ini");
    expect_status(&r, 0);
    HAS(r.out, "\n3 3 1   4 yes no-reads     0  0.000       0       1   50.000      0ns      0ns       0ns    2.00ms    "
               "2.00ms     2.00ms\n");
    done(&r);
    char *js = slurp(path_in(dir, "u/summary.json"));
    HAS(js, "\"stale_or_lost\": 0,");
    HAS(js, "\"unavailable\": 1,\n      \"unavailable_pct\": 50,");
    free(js);
    tu_rm_tree(dir);
}

static const char *const files[] = {"summary.json",        "runs.csv",           "trace.jsonl", "visibility.csv",
                                     "intervals.csv",       "latency/0.read.hgrm", "latency/0.write.hgrm"};
#define NFILES (sizeof files / sizeof files[0])

/* The report files of directories a and b are byte-identical (but for summary.json's
 * command_line when the runs were given different arguments: loose). */
static void expect_same_outputs(const char *a, const char *b, int loose)
{
    for (size_t i = 0; i < NFILES; i++) {
        char pa[4096], pb[4096];
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        if (loose && strcmp(files[i], "summary.json") == 0)
            expect_same_but_command_line(pa, pb);
        else
            expect_same_file(pa, pb);
    }
}

/* The same arguments (from two working directories) give byte-identical files. */
static void cli_same_seed_byte_identical(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    EQ(mkdir(path_in(dir, "x"), 0700), 0);
    EQ(mkdir(path_in(dir, "y"), 0700), 0);
    const char *bench = tu_src("scenarios/bench.ini");
    result r;
    RUN(&r, path_in(dir, "x"), "--out", "a", "--set", "run.ops=2000", bench);
    expect_status(&r, 0);
    done(&r);
    RUN(&r, path_in(dir, "y"), "--out", "a", "--set", "run.ops=2000", bench);
    expect_status(&r, 0);
    done(&r);
    expect_same_outputs(path_in(dir, "x/a"), path_in(dir, "y/a"), 0);
    /* and a story with faults */
    const char *lost = tu_src("scenarios/w1-lost-write.ini");
    RUN(&r, path_in(dir, "x"), "--out", "c", lost);
    expect_status(&r, 0);
    done(&r);
    RUN(&r, path_in(dir, "y"), "--out", "c", lost);
    expect_status(&r, 0);
    done(&r);
    expect_same_outputs(path_in(dir, "x/c"), path_in(dir, "y/c"), 0);
    tu_rm_tree(dir);
}

/* --progress: lines on stderr only (a closing line per run, two jobs, whole lines), stdout
 * and every report byte-identical to a run without it (but summary.json's command line);
 * without it (stderr is not a terminal here) stderr stays empty. */
static void cli_progress_goes_to_stderr_only(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *bench = tu_src("scenarios/bench.ini");
    result a, b;
    RUN(&a, dir, "--progress", "--jobs", "2", "--out", path_in(dir, "a"), "--set", "run.ops=3000", "--sweep",
        "quorum.r=1,2", "--sweep", "quorum.w=1,2", bench);
    expect_status(&a, 0);
    RUN(&b, dir, "--jobs", "2", "--out", path_in(dir, "b"), "--set", "run.ops=3000", "--sweep", "quorum.r=1,2",
        "--sweep", "quorum.w=1,2", bench);
    expect_status(&b, 0);
    if (strcmp(b.err, "") != 0)
        fail_msg("stderr without --progress:\n%s", b.err);
    /* one closing line per configuration; a run slow enough (a loaded machine, valgrind)
     * also prints its once-a-second lines, all of the same form */
    size_t closing = 0;
    for (const char *p = a.err; (p = strstr(p, ": done at ")); p++)
        closing++;
    EQ(closing, 4);
    EQ(count_prefixed(a.err, "qsim: ["), count_lines(a.err));
    for (int i = 0; i < 4; i++) {
        char want[128];
        snprintf(want, sizeof want, "] config %d quorum.r=%d quorum.w=%d: done at ", i, i / 2 + 1, i % 2 + 1);
        HAS(a.err, want);
    }
    HAS(a.err, " of 3000 ops, read p99 ");
    HAS(a.err, "qsim: [4/4 done] ");
    /* stdout differs only in the report paths */
    char *pa = strstr(a.out, "\nreports: "), *pb = strstr(b.out, "\nreports: ");
    assert_non_null(pa);
    assert_non_null(pb);
    *pa = *pb = '\0';
    if (strcmp(a.out, b.out) != 0)
        fail_msg("stdout differs with --progress:\n%s\n---\n%s", a.out, b.out);
    done(&a);
    done(&b);
    expect_same_outputs(path_in(dir, "a"), path_in(dir, "b"), 1); /* but the command line */
    tu_rm_tree(dir);
}

static void cli_jobs_do_not_change_results(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *bench = tu_src("scenarios/bench.ini");
    result r;
    RUN(&r, dir, "--jobs", "1", "--out", path_in(dir, "j1"), "--set", "run.ops=1000", "--sweep", "quorum.r=1,2,3",
        "--sweep", "quorum.w=1,3", bench);
    expect_status(&r, 0);
    done(&r);
    RUN(&r, dir, "--jobs", "4", "--out", path_in(dir, "j4"), "--set", "run.ops=1000", "--sweep", "quorum.r=1,2,3",
        "--sweep", "quorum.w=1,3", bench);
    expect_status(&r, 0);
    done(&r);
    expect_same_outputs(path_in(dir, "j1"), path_in(dir, "j4"), 1);
    char *js = slurp(path_in(dir, "j4/summary.json"));
    HAS(js, "\"command_line\": [\n    \"--jobs\",\n    \"4\",\n");
    free(js);
    char *csv = slurp(path_in(dir, "j1/runs.csv"));
    EQ(count_lines(csv), 7);
    free(csv);
    tu_rm_tree(dir);
}

static void cli_seed_changes_results(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *bench = tu_src("scenarios/bench.ini");
    result r;
    RUN(&r, dir, "--out", path_in(dir, "s1"), "--seed", "1", "--set", "run.ops=2000", bench);
    expect_status(&r, 0);
    done(&r);
    RUN(&r, dir, "--out", path_in(dir, "s2"), "--seed", "2", "--set", "run.ops=2000", bench);
    expect_status(&r, 0);
    done(&r);
    char *a = slurp(path_in(dir, "s1/summary.json")), *b = slurp(path_in(dir, "s2/summary.json"));
    HAS(a, "\"seed\": 1,");
    HAS(b, "\"seed\": 2,");
    HAS(b, "\"run.seed\": \"2\"");
    /* more than the seed differs: remove the seed lines and compare what is left */
    char *p;
    while ((p = strstr(a, "\"seed\": 1")))
        p[8] = '2';
    while ((p = strstr(a, "\"run.seed\": \"1\"")))
        p[13] = '2';
    if (strcmp(a, b) == 0)
        fail_msg("seeds 1 and 2 gave the same results");
    free(a);
    free(b);
    char *c1 = slurp(path_in(dir, "s1/runs.csv")), *c2 = slurp(path_in(dir, "s2/runs.csv"));
    if (strcmp(c1, c2) == 0)
        fail_msg("seeds 1 and 2 gave the same runs.csv");
    free(c1);
    free(c2);
    tu_rm_tree(dir);
}

static void cli_format_csv_and_json_to_stdout(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *drift = tu_src("scenarios/drift.ini");
    result r;
    RUN(&r, dir, "--format", "csv", "--out", path_in(dir, "c"), "--sweep", "quorum.r=1,2", drift);
    expect_status(&r, 0);
    char *csv = slurp(path_in(dir, "c/runs.csv"));
    if (strcmp(r.out, csv) != 0)
        fail_msg("--format csv stdout differs from runs.csv:\n%s\n---\n%s", r.out, csv);
    EQ(count_lines(r.out), 3);
    free(csv);
    done(&r);
    RUN(&r, dir, "--format", "json", "--out", path_in(dir, "j"), drift);
    expect_status(&r, 0);
    char *json = slurp(path_in(dir, "j/summary.json"));
    if (strcmp(r.out, json) != 0)
        fail_msg("--format json stdout differs from summary.json");
    if (r.out[0] != '{')
        fail_msg("--format json stdout: %.40s", r.out);
    free(json);
    done(&r);
    tu_rm_tree(dir);
}

/* Time: a run whose clock stops advancing (a closed loop with no latency and no think time
 * stopped by duration) ends with a clear error and exit 2, not a hang; a delay clamped at
 * the clock's limit is said on stderr and flagged in summary.json. */
static void cli_time_that_stands_still_or_saturates(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "stall.ini", "[run]\nduration = 1s\n[network]\nlatency = const(0)\n[workload]\nmode = closed\nclients = 2\n");
    tu_put(dir, "sat.ini", "[network]\nlatency = const(1ms)\n[links]\nclient>n1 = const(5000000000s)\n"
                           "[workload]\nmode = script\nkeys = 1\n[script]\nw1 = 0ms write k1\n");
    result r;
    RUN(&r, dir, "--out", path_in(dir, "o"), "stall.ini");
    expect_status(&r, 2);
    HAS(r.err, "the run made no progress in simulated time: 10000000 events at 0ns without the clock advancing");
    expect_absent(path_in(dir, "o"));
    done(&r);
    RUN(&r, dir, "--out", path_in(dir, "s"), "sat.ini");
    expect_status(&r, 0);
    HAS(r.err, "warning: configuration 0: a delay would have passed the clock's limit");
    char *js = slurp(path_in(dir, "s/summary.json"));
    HAS(js, "\"clock_saturated\": true");
    free(js);
    done(&r);
    tu_rm_tree(dir);
}

/* Sweeps written in the scenario: [sweep] runs the cross product; --sweep of the same key
 * replaces the file's; --set of it pins one value; a malformed entry is an error at its line. */
static void cli_sweeps_in_the_scenario_file(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "s.ini", "[run]\nops = 200\n[sweep]\nquorum.r = 1,2\nquorum.w = 1,2,3\n");
    tu_put(dir, "bad.ini", "[run]\nops = 200\n[sweep]\nquorum.r = 1,,2\nnot_a_key = 1,2\n");
    result r;
    RUN(&r, dir, "--out", path_in(dir, "o1"), "--format", "csv", "s.ini");
    expect_status(&r, 0);
    EQ(count_lines(r.out), 7);
    HAS(r.out, "config,quorum.r,quorum.w,");
    done(&r);
    RUN(&r, dir, "--out", path_in(dir, "o2"), "--format", "csv", "--sweep", "quorum.w=2", "s.ini");
    expect_status(&r, 0);
    EQ(count_lines(r.out), 3); /* r = 1, 2 with w = 2 */
    done(&r);
    RUN(&r, dir, "--out", path_in(dir, "o3"), "--format", "csv", "--set", "quorum.r=3", "s.ini");
    expect_status(&r, 0);
    EQ(count_lines(r.out), 4); /* r pinned to 3, w = 1, 2, 3 */
    HAS(r.out, "config,quorum.w,");
    done(&r);
    RUN(&r, dir, "--out", path_in(dir, "o4"), "bad.ini");
    expect_status(&r, 2);
    HAS(r.err, "bad.ini:4: sweep.quorum.r = 1,,2: expected section.key = v1,v2,...: value 2 of 3 is empty");
    HAS(r.err, "bad.ini:5: sweep.not_a_key = 1,2: expected section.key = v1,v2,...");
    done(&r);
    tu_rm_tree(dir);
}

/* The sweep language on the command line and in [sweep]: commas inside parentheses do not
 * split a value, quotes hold any value whole, integer ranges with a step; labels and
 * runs.csv carry each value as the scenario takes it. */
static void cli_sweep_values_with_commas_quotes_and_ranges(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *drift = tu_src("scenarios/drift.ini");
    result r;
    RUN(&r, dir, "--out", "o", "--format", "csv", "--sweep",
        "network.latency=mix(0.9 exp(1ms), 0.1 exp(50ms)), \"uniform(1ms, 2ms)\", const(1ms)", "--sweep",
        "quorum.w=1..3..2", drift);
    expect_status(&r, 0);
    EQ(count_lines(r.out), 7);
    HAS(r.out, "config,network.latency,quorum.w,");
    HAS(r.out, "\n0,\"mix(0.9 exp(1ms), 0.1 exp(50ms))\",1,");
    HAS(r.out, "\n1,\"mix(0.9 exp(1ms), 0.1 exp(50ms))\",3,");
    HAS(r.out, "\n3,\"uniform(1ms, 2ms)\",3,");
    HAS(r.out, "\n5,const(1ms),3,");
    done(&r);
    char *js = slurp(path_in(dir, "o/summary.json"));
    HAS(js, "\"label\": \"network.latency=mix(0.9 exp(1ms), 0.1 exp(50ms)) quorum.w=3\"");
    HAS(js, "\"network.latency\": \"uniform(1ms, 2ms)\"");
    free(js);
    tu_put(dir, "s.ini", "[run]\nops = 100\n[sweep]\nnetwork.latency = uniform(1ms,2ms), exp(1ms)\n"
                         "quorum.r = 3..1\n");
    RUN(&r, dir, "--out", "f", "--format", "csv", "s.ini");
    expect_status(&r, 0);
    EQ(count_lines(r.out), 7);
    HAS(r.out, "\n0,\"uniform(1ms,2ms)\",3,");
    HAS(r.out, "\n5,exp(1ms),1,");
    done(&r);
    tu_rm_tree(dir);
}

/* A configuration whose values conflict (R > N in a cross product) is skipped with a note on
 * stderr and in summary.json, the others run; a value that runs in no configuration, and so
 * a sweep none of whose configurations runs, is an error; so is an unknown key in the
 * scenario, though each configuration meets it. */
static void cli_sweep_skips_conflicting_configurations(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *drift = tu_src("scenarios/drift.ini");
    static const char notes[] =
        "qsim: note: skipped quorum.r=2 cluster.replicas=1: --sweep quorum.r=2: must be <= replicas (1)\n"
        "qsim: note: skipped quorum.r=3 cluster.replicas=1: --sweep quorum.r=3: must be <= replicas (1)\n"
        "qsim: note: skipped quorum.r=3 cluster.replicas=2: --sweep quorum.r=3: must be <= replicas (2)\n";
    result r;
    RUN(&r, dir, "--out", "o", "--reps", "2", "--sweep", "quorum.r=1..3", "--sweep", "cluster.replicas=1..3", drift);
    expect_status(&r, 0);
    if (strcmp(r.err, notes) != 0)
        fail_msg("stderr:\n%s\nwant:\n%s", r.err, notes);
    HAS(r.out, "\nquorum.r=3 cluster.replicas=3 ");
    if (strstr(r.out, "quorum.r=2 cluster.replicas=1"))
        fail_msg("a skipped configuration is in the table:\n%s", r.out);
    done(&r);
    char *csv = slurp(path_in(dir, "o/runs.csv"));
    EQ(count_lines(csv), 13); /* 6 configurations, 2 replications each */
    static const char *const rows[] = {"0,0,1,1,", "0,1,1,1,", "1,0,1,2,", "2,0,1,3,", "4,0,2,2,", "5,1,2,3,",
                                       "8,0,3,3,", "8,1,3,3,"};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "\n%s", rows[i]);
        HAS(csv, want);
    }
    if (strstr(csv, "\n3,") || strstr(csv, "\n6,") || strstr(csv, "\n7,"))
        fail_msg("a skipped configuration has a row:\n%s", csv);
    free(csv);
    char *js = slurp(path_in(dir, "o/summary.json"));
    HAS(js, "  \"skipped\": [\n    {\n      \"config\": 3,\n      \"label\": \"quorum.r=2 cluster.replicas=1\",\n"
            "      \"why\": \"--sweep quorum.r=2: must be <= replicas (1)\"\n    },\n    {\n      \"config\": 6,");
    HAS(js, "\"config\": 7,\n      \"label\": \"quorum.r=3 cluster.replicas=2\",");
    free(js);
    RUN(&r, dir, "--check", "--sweep", "quorum.r=1..3", "--sweep", "cluster.replicas=1..3", drift);
    expect_status(&r, 0);
    HAS(r.out, ": ok (6 configurations; 3 skipped: their values conflict)\n");
    if (strcmp(r.err, notes) != 0)
        fail_msg("--check stderr:\n%s", r.err);
    done(&r);
    /* quorum.r=4 runs with no N of the sweep: an error, and only its configurations' errors */
    RUN(&r, dir, "--out", "o2", "--sweep", "quorum.r=1..4", "--sweep", "cluster.replicas=1..3", drift);
    expect_status(&r, 2);
    if (strcmp(r.err, "--sweep quorum.r=4: with quorum.r=4 cluster.replicas=1: must be <= replicas (1)\n"
                      "--sweep quorum.r=4: with quorum.r=4 cluster.replicas=2: must be <= replicas (2)\n"
                      "--sweep quorum.r=4: with quorum.r=4 cluster.replicas=3: must be <= replicas (3)\n") != 0)
        fail_msg("stderr:\n%s", r.err);
    EQ(strlen(r.out), 0);
    done(&r);
    /* nothing runs */
    RUN(&r, dir, "--out", "o2", "--sweep", "quorum.r=3,4", "--sweep", "cluster.replicas=1,2", drift);
    expect_status(&r, 2);
    HAS(r.err, "--sweep quorum.r=3: with quorum.r=3 cluster.replicas=1: must be <= replicas (1)\n");
    HAS(r.err, "--sweep quorum.r=4: with quorum.r=4 cluster.replicas=2: must be <= replicas (2)\n");
    EQ(count_lines(r.err), 4);
    done(&r);
    /* an unknown key of the file fails every configuration, though it is listed once */
    tu_put(dir, "u.ini", "[run]\nops = 10\nfoo = 1\n");
    RUN(&r, dir, "--out", "o2", "--sweep", "quorum.r=1,2", "--sweep", "quorum.w=1,2", "u.ini");
    expect_status(&r, 2);
    HAS(r.err, "u.ini:3: ");
    HAS(r.err, "run.foo = 1: unknown key");
    if (strstr(r.err, "note"))
        fail_msg("stderr: %s", r.err);
    done(&r);
    expect_absent(path_in(dir, "o2"));
    tu_rm_tree(dir);
}

/* Replications: --reps K runs each configuration K times with seeds seed .. seed+K-1; the
 * CSV has a rep column, summary.json a replications section with means and intervals and
 * each configuration's difference from the first. */
static void cli_replications(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "s.ini", "[run]\nops = 2000\nseed = 10\n[sweep]\nquorum.r = 1,2\n");
    result r;
    RUN(&r, dir, "--out", path_in(dir, "o"), "--reps", "3", "s.ini");
    expect_status(&r, 0);
    HAS(r.out, "replications: mean and 95% interval");
    HAS(r.out, "\nquorum.r=1    3 ");
    done(&r);
    char *csv = slurp(path_in(dir, "o/runs.csv"));
    EQ(count_lines(csv), 7);
    HAS(csv, "config,rep,quorum.r,seed,");
    HAS(csv, "\n0,0,1,10,");
    HAS(csv, "\n0,2,1,12,");
    HAS(csv, "\n1,1,2,11,");
    free(csv);
    char *js = slurp(path_in(dir, "o/summary.json"));
    HAS(js, "\"replications\": [");
    HAS(js, "\"difference_from_first\": {");
    HAS(js, "\"reads.latency_ok.p99_ns\": {");
    free(js);
    RUN(&r, dir, "--out", path_in(dir, "o2"), "--reps", "0", "s.ini");
    expect_status(&r, 2);
    HAS(r.err, "--reps 0: must be 1..1000");
    done(&r);
    tu_rm_tree(dir);
}

static void cli_prefer_non_owner_exits_2(void **state)
{
    (void)state;
    /* the owners of k1 in a 5-node ring with N=3 and 16 tokens per node */
    ring *rg;
    EQ(ring_create(5, 16, 3, 1, &rg), 0);
    int other = 0, owner = ring_owners(rg, 0)[0];
    for (int nd = 1; nd <= 5 && !other; nd++)
        if (ring_owner_rank(rg, 0, nd) < 0)
            other = nd;
    ring_destroy(rg);
    if (!other)
        fail_msg("every node owns k1");
    char dir[64], text[512];
    tu_make_dir(dir, sizeof dir);
#define PREFER_INI                                                                                 \
    "[cluster]\nnodes = 5\nreplicas = 3\nvnodes = 16\n[quorum]\nread_fanout = r\n"                     \
    "[workload]\nmode = script\nkeys = 1\n"                                                              \
    "[script]\nw1 = 0ms write k1\nr1 = 1ms read k1 prefer n%d\n"
    snprintf(text, sizeof text, PREFER_INI, other);
    tu_put(dir, "p.ini", text);
    snprintf(text, sizeof text, PREFER_INI, owner);
    tu_put(dir, "ok.ini", text);
    char want[128];
    snprintf(want, sizeof want, "p.ini:12: script.r1 = 1ms read k1 prefer n%d: prefer n%d: not an owner of k1", other, other);
    result r;
    RUN(&r, dir, "--out", path_in(dir, "o"), "p.ini");
    expect_status(&r, 2);
    HAS(r.err, want);
    EQ(strlen(r.out), 0);
    expect_absent(path_in(dir, "o"));
    done(&r);
    /* --check finds it too */
    RUN(&r, dir, "--check", "p.ini");
    expect_status(&r, 2);
    HAS(r.err, want);
    done(&r);
    RUN(&r, dir, "--out", path_in(dir, "o"), "ok.ini");
    expect_status(&r, 0);
    done(&r);
    tu_rm_tree(dir);
}

/* The scenario named on the command line is a directory, a FIFO (which used to block
 * forever) or a device (/dev/zero, read until memory ran out): exit status 2, a clear
 * error, nothing written. */
static void cli_scenario_not_a_regular_file_exits_2(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    EQ(mkdir(path_in(dir, "d.ini"), 0700), 0);
    EQ(mkfifo(path_in(dir, "f.ini"), 0600), 0);
    alarm(60);
    static const char *const names[] = {"d.ini", "f.ini", "/dev/zero"};
    static const char *const want[] = {"d.ini: is a directory, not a regular file\n",
                                       "f.ini: is a FIFO (named pipe), not a regular file\n",
                                       "/dev/zero: is a character device, not a regular file\n"};
    for (int i = 0; i < 3; i++) {
        result r;
        RUN(&r, dir, names[i]);
        expect_status(&r, 2);
        if (strcmp(r.err, want[i]) != 0)
            fail_msg("stderr '%s', want '%s'", r.err, want[i]);
        EQ(strlen(r.out), 0);
        done(&r);
    }
    alarm(0);
    expect_absent(path_in(dir, "out"));
    tu_rm_tree(dir);
}

/* A long --seed, --set or --sweep value is read whole or refused with exit status 2: it used
 * to be cut at a fixed buffer (a --seed of 300 characters lost its end). */
static void cli_long_values_are_errors_not_cut(void **state)
{
    (void)state;
    char dir[64], seed[700], set[700], sweep[1400];
    tu_make_dir(dir, sizeof dir);
    const char *drift = tu_src("scenarios/drift.ini");
    result r;
    /* 300 characters: the last is what makes it bad */
    snprintf(seed, sizeof seed, "%299sx", "5");
    RUN(&r, dir, "--check", "--seed", seed, drift);
    expect_status(&r, 2);
    HAS(r.err, ": not an integer");
    done(&r);
    snprintf(seed, sizeof seed, "%600s", "5");
    RUN(&r, dir, "--check", "--seed", seed, drift);
    expect_status(&r, 2);
    HAS(r.err, "--seed run.seed: the value is 600 characters long; at most 500 are read");
    done(&r);
    snprintf(set, sizeof set, "network.latency=const(1ms)%500s", "");
    RUN(&r, dir, "--check", "--set", set, drift);
    expect_status(&r, 2);
    HAS(r.err, "--set network.latency: the value is 510 characters long; at most 500 are read");
    done(&r);
    /* a sweep's labels and error contexts have no size limit of their own: a value of 465
     * characters (a mixture of 33 parts, its commas inside the parentheses) */
    char mix[600] = "mix(";
    for (int i = 0; i < 33; i++)
        strcat(mix, i ? ", 1 const(2ms)" : "1 const(2ms)");
    strcat(mix, ")");
    EQ(strlen(mix), 465);
    snprintf(sweep, sizeof sweep, "network.latency=const(1ms),%s", mix);
    RUN(&r, dir, "--out", path_in(dir, "o"), "--sweep", sweep, "--sweep", "quorum.r=1,2", drift);
    expect_status(&r, 0);
    done(&r);
    char *csv = slurp(path_in(dir, "o/runs.csv"));
    char want[700];
    snprintf(want, sizeof want, "\n3,\"%s\",2,", mix);
    HAS(csv, want);
    free(csv);
    tu_rm_tree(dir);
}

/* Every malformed --sweep is exit status 2 with the reason; with valgrind installed (and a
 * build without sanitizers), each is also checked to touch no uninitialised memory (it used
 * to free pointers parse_sweep had never set). */
static void cli_malformed_sweeps_exit_2(void **state)
{
    (void)state;
    const char *drift = tu_src("scenarios/drift.ini");
    static const struct {
        const char *arg, *why;
    } bad[] = {
        {"quorum.r", "no '='"},
        {"=1,2", "no key before '='"},
        {"quorum=1,2", "the key 'quorum' is not section.key"},
        {".r=1", "the key '.r' is not section.key"},
        {"quorum.r=", "no values after '='"},
        {"quorum.r=1,,2", "value 2 of 3 is empty"},
        {"quorum.r=1,2,", "value 3 of 3 is empty"},
        {"quorum.r=,1", "value 1 of 2 is empty"},
        {"quorum.r=,", "value 1 of 2 is empty"},
        {"network.latency=exp(1ms),uniform(1ms,2ms", "value 2: a '(' is not closed"},
        {"network.latency=\"exp(1ms)", "value 1: the quote is not closed"},
        {"run.seed=1..9..0", "value 1 '1..9..0': a range is INTEGER..INTEGER or INTEGER..INTEGER..STEP with STEP > 0 "
                             "(quote a value that holds '..' and is not a range)"},
        {"run.seed=1..5000", "value 1 '1..5000': the range has more than 4096 values; at most 4096 configurations "
                             "are run"},
    };
    int vg = 0;
#if !defined(TU_ASAN)
    /* not when the whole test already runs under a wrapper (valgrind in CI) */
    vg = access("/usr/bin/valgrind", X_OK) == 0 && !getenv("QSIM_TEST_WRAP");
#endif
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        result r;
        char want[256];
        snprintf(want, sizeof want, "qsim: --sweep %s: expected section.key=v1,v2,...: %s\n", bad[i].arg, bad[i].why);
        RUN(&r, NULL, "--check", "--sweep", "quorum.w=1,2", "--sweep", bad[i].arg, drift);
        expect_status(&r, 2);
        if (strcmp(r.err, want) != 0)
            fail_msg("stderr '%s', want '%s'", r.err, want);
        done(&r);
        if (vg) {
            char cmd[8192];
            snprintf(cmd, sizeof cmd,
                     "/usr/bin/valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "
                     "'%s' --check --sweep quorum.w=1,2 --sweep '%s' '%s' >/dev/null 2>&1",
                     QSIM_BIN, bad[i].arg, drift);
            int st = system(cmd);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 2)
                fail_msg("valgrind on --sweep %s: status %d", bad[i].arg, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        }
    }
    /* one sweep too many */
    result r;
    RUN(&r, NULL, "--check", "--sweep", "run.seed=1", "--sweep", "quorum.r=1", "--sweep", "quorum.w=1", "--sweep",
        "network.loss=0", "--sweep", "run.ops=10", "--sweep", "node.slow=1", "--sweep", "cluster.vnodes=8", "--sweep",
        "quorum.timeout=1s", "--sweep", "workload.keys=4", drift);
    expect_status(&r, 2);
    HAS(r.err, "qsim: --sweep workload.keys=4: at most 8 sweeps\n");
    done(&r);
    if (vg) {
        char cmd[8192];
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite '%s' "
                 "--check --sweep run.seed=1 --sweep quorum.r=1 --sweep quorum.w=1 --sweep network.loss=0 --sweep "
                 "run.ops=10 --sweep node.slow=1 --sweep cluster.vnodes=8 --sweep quorum.timeout=1s --sweep "
                 "workload.keys=4 '%s' >/dev/null 2>&1",
                 QSIM_BIN, drift);
        int st = system(cmd);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 2)
            fail_msg("valgrind on nine sweeps: status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
}

/* A cross product past the limit used to wrap around to zero configurations and exit 0
 * with empty reports. */
static void cli_sweep_cross_product_over_limit_exits_2(void **state)
{
    (void)state;
    char dir[64], vals[1200];
    tu_make_dir(dir, sizeof dir);
    const char *drift = tu_src("scenarios/drift.ini");
    size_t l = (size_t)snprintf(vals, sizeof vals, "run.seed=1");
    for (int i = 2; i <= 256; i++)
        l += (size_t)snprintf(vals + l, sizeof vals - l, ",%d", i);
    char k[8][1300];
    const char *argv[24] = {"--out", path_in(dir, "o")};
    int na = 2;
    for (int s = 0; s < 8; s++) { /* 256^8 = 2^64: a size_t product is 0 */
        snprintf(k[s], sizeof k[s], "run.x%d=%s", s, vals + strlen("run.seed="));
        argv[na++] = "--sweep";
        argv[na++] = k[s];
    }
    argv[na++] = drift;
    argv[na] = NULL;
    result r;
    run(&r, dir, argv);
    expect_status(&r, 2);
    HAS(r.err, "qsim: --sweep: the cross product (256 x 256 x 256 x 256 x 256 x 256 x 256 x 256 values) has more "
               "than 4096 configurations\n");
    EQ(strlen(r.out), 0);
    done(&r);
    /* just past the limit, and one value too many in a single sweep */
    RUN(&r, dir, "--out", path_in(dir, "o"), "--sweep", vals, "--sweep", "run.warmup=0..16",
        drift);
    expect_status(&r, 2);
    HAS(r.err, "(256 x 17 values) has more than 4096 configurations");
    done(&r);
    expect_absent(path_in(dir, "o"));
    tu_rm_tree(dir);
}

/* A key swept twice, or swept and also --set (or --seed), would have one silently override
 * the other: exit status 2. */
static void cli_sweep_key_given_twice_exits_2(void **state)
{
    (void)state;
    const char *drift = tu_src("scenarios/drift.ini");
    result r;
    RUN(&r, NULL, "--check", "--sweep", "quorum.r=1,2", "--sweep", "quorum.r=3", drift);
    expect_status(&r, 2);
    HAS(r.err, "qsim: --sweep quorum.r is given twice: put every value in one --sweep\n");
    done(&r);
    RUN(&r, NULL, "--check", "--set", "quorum.r=1", "--sweep", "quorum.r=2,3", drift);
    expect_status(&r, 2);
    HAS(r.err, "qsim: quorum.r is given by both --set and --sweep: the sweep would override the --set\n");
    done(&r);
    RUN(&r, NULL, "--check", "--seed", "4", "--sweep", "run.seed=2,3", drift);
    expect_status(&r, 2);
    HAS(r.err, "qsim: run.seed is given by both --seed and --sweep");
    done(&r);
    /* written apart: blanks around the key do not make it another key */
    RUN(&r, NULL, "--check", "--sweep", "quorum.r=1..2", "--sweep", " quorum.r = 3", drift);
    expect_status(&r, 2);
    HAS(r.err, "qsim: --sweep quorum.r is given twice: put every value in one --sweep\n");
    done(&r);
    /* twice in [sweep] */
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "twice.ini", "[run]\nops = 10\n[sweep]\nquorum.r = 1,2\nquorum.w = 1\nquorum.r = 3\n");
    RUN(&r, dir, "--check", "twice.ini");
    expect_status(&r, 2);
    HAS(r.err, "twice.ini:6: sweep.quorum.r is set twice in this file (first at line 4)\n");
    done(&r);
    tu_rm_tree(dir);
}

/* An independent check of well-formed UTF-8 (RFC 3629): returns the offset of the first bad
 * byte, or -1. Written here, not taken from sim/, so that it checks the writer. */
static long bad_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n)
            return (long)i;
        unsigned long cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return (long)i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        static const unsigned long least[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return (long)i;
        i += len;
    }
    return -1;
}

/* A strict JSON checker (RFC 8259) for the files qsim writes. */
typedef struct jp {
    const unsigned char *p;
    const char *why;
} jp;

static int jp_fail(jp *j, const char *why)
{
    if (!j->why)
        j->why = why;
    return -1;
}

static void jp_ws(jp *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
        j->p++;
}

static int jp_string(jp *j)
{
    if (*j->p++ != '"')
        return jp_fail(j, "expected a string");
    for (;;) {
        unsigned c = *j->p;
        if (c == '"') {
            j->p++;
            return 0;
        }
        if (c < 0x20)
            return jp_fail(j, c ? "raw control character in a string" : "unterminated string");
        if (c == '\\') {
            c = *++j->p;
            if (c == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (!strchr("0123456789abcdefABCDEF", j->p[k]) || !j->p[k])
                        return jp_fail(j, "bad \\u escape");
                j->p += 5;
            } else if (c && strchr("\"\\/bfnrt", (int)c)) {
                j->p++;
            } else {
                return jp_fail(j, "bad escape");
            }
            continue;
        }
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        size_t avail = strnlen((const char *)j->p, len);
        if (avail < len || bad_utf8(j->p, len) >= 0)
            return jp_fail(j, "a string is not UTF-8");
        j->p += len;
    }
}

static int jp_value(jp *j, int depth);

static int jp_number(jp *j)
{
    const unsigned char *p = j->p;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return jp_fail(j, "bad value");
    if (*p == '.') {
        if (!(*++p >= '0' && *p <= '9'))
            return jp_fail(j, "bad fraction");
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return jp_fail(j, "bad exponent");
        while (*p >= '0' && *p <= '9')
            p++;
    }
    j->p = p;
    return 0;
}

static int jp_value(jp *j, int depth)
{
    if (depth > 64)
        return jp_fail(j, "nested too deeply");
    jp_ws(j);
    unsigned c = *j->p;
    if (c == '"')
        return jp_string(j);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        jp_ws(j);
        if (*j->p == close) {
            j->p++;
            return 0;
        }
        for (;;) {
            jp_ws(j);
            if (c == '{') {
                if (jp_string(j))
                    return -1;
                jp_ws(j);
                if (*j->p++ != ':')
                    return jp_fail(j, "expected ':'");
            }
            if (jp_value(j, depth + 1))
                return -1;
            jp_ws(j);
            if (*j->p == ',') {
                j->p++;
                continue;
            }
            if (*j->p++ != close)
                return jp_fail(j, "expected ',' or the end of an object or array");
            return 0;
        }
    }
    static const char *const lit[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        if (strncmp((const char *)j->p, lit[i], strlen(lit[i])) == 0) {
            j->p += strlen(lit[i]);
            return 0;
        }
    }
    return jp_number(j);
}

/* Fails unless text (len bytes) is exactly one JSON value (plus white space). */
static void expect_json(const char *what, const char *text, size_t len)
{
    if (strlen(text) != len)
        fail_msg("%s holds a NUL byte", what);
    jp j = {(const unsigned char *)text, NULL};
    if (jp_value(&j, 0) == 0) {
        jp_ws(&j);
        if (*j.p)
            jp_fail(&j, "text after the value");
    }
    if (j.why)
        fail_msg("%s is not valid JSON at offset %ld: %s", what, (long)(j.p - (const unsigned char *)text), j.why);
}

/* Names that are not UTF-8 (a Latin-1 file name) used to go into summary.json as they were,
 * which JSON parsers reject; a fault's text with many tabs was cut in trace.jsonl. Every
 * byte that is not UTF-8 is now written as \ufffd, and every file is checked by a strict
 * parser: summary.json, each line of trace.jsonl, and runs.csv as UTF-8. */
static void cli_reports_are_valid_json_and_utf8_for_any_name(void **state)
{
    (void)state;
    char dir[64], tabs[160], text[1024];
    tu_make_dir(dir, sizeof dir);
    memset(tabs, '\t', 150);
    tabs[150] = '\0';
    snprintf(text, sizeof text,
             "[workload]\nmode = script\nkeys = 2\n[script]\nw\xc3\xbc = 0ms write k1\nr\xe2\x9c\x93 = 5ms read k1\n"
             "[faults]\nfr\xc3\xbc" "h = 1ms\tpartition\tn1%s|\tn2,client\nh = 2ms heal\n",
             tabs);
    const char *name = "caf\xe9 \xff.ini"; /* Latin-1, and a byte that is never UTF-8 */
    tu_put(dir, name, text);
    result r;
    RUN(&r, dir, "--out", path_in(dir, "o"), name);
    expect_status(&r, 0);
    done(&r);
    char *sum = slurp(path_in(dir, "o/summary.json"));
    expect_json("summary.json", sum, strlen(sum));
    HAS(sum, "\"scenario\": \"caf\\ufffd \\ufffd.ini\"");
    HAS(sum, "\"name\": \"caf\\ufffd \\ufffd\"");
    HAS(sum, "\"name\": \"w\xc3\xbc\""); /* well-formed UTF-8 is kept as it is */
    free(sum);
    char *tr = slurp(path_in(dir, "o/trace.jsonl"));
    size_t lines = 0;
    for (char *line = tr; *line; lines++) {
        char *nl = strchr(line, '\n');
        if (!nl)
            fail_msg("trace.jsonl: last line without a line end");
        *nl = '\0';
        expect_json("a trace.jsonl line", line, strlen(line));
        line = nl + 1;
    }
    if (lines < 5)
        fail_msg("trace.jsonl has %zu lines", lines);
    free(tr);
    tr = slurp(path_in(dir, "o/trace.jsonl"));
    char want[1200] = "\"spec\":\"1ms\\tpartition\\tn1";
    for (int i = 0; i < 150; i++)
        strcat(want, "\\t");
    strcat(want, "|\\tn2,client\"");
    HAS(tr, want); /* whole: 150 tabs, each escaped */
    free(tr);
    char *csv = slurp(path_in(dir, "o/runs.csv"));
    EQ(bad_utf8((const unsigned char *)csv, strlen(csv)), -1);
    free(csv);
    tu_rm_tree(dir);
}

/* Copies of the report files of dir (those of configuration 0). */
typedef struct reports {
    char *f[NFILES];
} reports;

static void keep_reports(const char *dir, reports *k)
{
    for (size_t i = 0; i < NFILES; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        k->f[i] = slurp(p);
        if (!k->f[i])
            fail_msg("missing %s", p);
    }
}

/* Fails unless dir holds exactly the reports kept in k, byte for byte (but for summary.json's
 * command_line, when loose). */
static void expect_reports(const char *dir, reports *k, int loose)
{
    char names[1024];
    list_dir(dir, names, sizeof names);
    if (strcmp(names, "intervals.csv latency runs.csv summary.json trace.jsonl visibility.csv") != 0)
        fail_msg("%s holds '%s'", dir, names);
    for (size_t i = 0; i < NFILES; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        char *now = slurp(p), *want = strdup(k->f[i]);
        if (now && loose && strcmp(files[i], "summary.json") == 0) {
            strip_command_line(now);
            strip_command_line(want);
        }
        if (!now || strcmp(now, want) != 0)
            fail_msg("%s changed", p);
        free(now);
        free(want);
    }
}

static void free_reports(reports *k)
{
    for (size_t i = 0; i < NFILES; i++)
        free(k->f[i]);
}

/* Fails unless dir lists exactly want (names sorted, joined by ' '): no temporary left. */
static void expect_listing(const char *dir, const char *want)
{
    char names[2048];
    list_dir(dir, names, sizeof names);
    if (strcmp(names, want) != 0)
        fail_msg("%s holds '%s', want '%s'", dir, names, want);
}

/* --out that cannot be used: a clear error naming the path and the reason, exit status 2
 * when the argument itself is wrong, 1 when the file system refuses, and nothing changed. */
static void cli_out_path_errors_are_clear(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *drift = tu_src("scenarios/drift.ini");
    tu_put(dir, "file", "mine\n");
    EQ(mkdir(path_in(dir, "user"), 0700), 0);
    tu_put(dir, "user/notes.txt", "mine too\n");
    EQ(mkdir(path_in(dir, "empty"), 0700), 0);
    static const struct {
        const char *out;
        int status;
        const char *err;
    } cases[] = {
        {"", 2, "qsim: --out: the path is empty\n"},
        {".", 2, "qsim: cannot write the reports to '.': name the report directory itself (its last part cannot "
                 "be '.', '..' or '/')\n"},
        {"/", 2, "qsim: cannot write the reports to '/': name the report directory itself"},
        {"user/..", 2, "qsim: cannot write the reports to 'user/..': name the report directory itself"},
        {"file", 2, "qsim: cannot write the reports to 'file': it exists and is not a directory (qsim writes a "
                    "directory of reports)\n"},
        {"file/", 2, "qsim: cannot write the reports to 'file/': it exists and is not a directory"},
        {"file/o", 2, "qsim: cannot write the reports to 'file/o': cannot use the directory 'file': Not a "
                      "directory\n"},
        {"user", 2, "qsim: cannot write the reports to 'user': it holds 'notes.txt', which qsim did not write; "
                    "qsim replaces the output directory as a whole, so name a new or empty directory, or one that "
                    "holds only qsim's reports\n"},
        {"/proc/qsim-no-such-dir/o", 1, "qsim: cannot write the reports to '/proc/qsim-no-such-dir/o': cannot "
                                        "create the directory '/proc/qsim-no-such-dir': No such file or directory\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        result r;
        RUN(&r, dir, "--out", cases[i].out, drift);
        expect_status(&r, cases[i].status);
        HAS(r.err, cases[i].err);
        EQ(strlen(r.out), 0);
        done(&r);
    }
    /* the current directory, by its full name */
    result r;
    RUN(&r, path_in(dir, "empty"), "--out", path_in(dir, "empty"), drift);
    expect_status(&r, 2);
    HAS(r.err, "': it is the current directory; qsim replaces the output directory as a whole");
    done(&r);
    if (geteuid() != 0) { /* permissions bind only when not root */
        EQ(chmod(path_in(dir, "empty"), 0500), 0);
        RUN(&r, dir, "--out", "empty/o", drift);
        expect_status(&r, 1);
        HAS(r.err, "qsim: cannot write the reports to 'empty/o': cannot create a temporary directory in 'empty': "
                   "Permission denied\n");
        done(&r);
        EQ(chmod(path_in(dir, "empty"), 0700), 0);
    }
    /* nothing changed, no temporary left anywhere */
    expect_listing(dir, "empty file user");
    expect_listing(path_in(dir, "user"), "notes.txt");
    expect_listing(path_in(dir, "empty"), "");
    char *f = slurp(path_in(dir, "file"));
    assert_string_equal(f, "mine\n");
    free(f);
    tu_rm_tree(dir);
}

/* A second run replaces the first run's reports as a whole (with renameat2's exchange, and
 * with the fallback that moves the previous directory aside): no temporary left, the
 * temporary names older versions left behind are cleared, a --out that is a symbolic link
 * writes into the directory it names. */
static void cli_reports_replace_the_previous_set_whole(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *drift = tu_src("scenarios/drift.ini");
    for (int fallback = 0; fallback < 2; fallback++) {
        if (fallback)
            setenv("QSIM_TEST_NO_EXCHANGE", "1", 1);
        result r;
        EQ(mkdir(path_in(dir, "ref"), 0700), 0); /* the same arguments, from another directory */
        RUN(&r, path_in(dir, "ref"), "--out", "o", "--force", "--seed", "9", drift);
        expect_status(&r, 0);
        done(&r);
        reports want;
        keep_reports(path_in(dir, "ref/o"), &want);
        RUN(&r, dir, "--out", "o", "--seed", "8", drift);
        expect_status(&r, 0);
        done(&r);
        tu_put(dir, "o/.trace.12.tmp", "left by a killed run of an older qsim\n");
        tu_put(dir, "o/.summary.json.tmp", "{");
        RUN(&r, dir, "--out", "o", "--force", "--seed", "9", drift);
        expect_status(&r, 0);
        EQ(strlen(r.err), 0);
        done(&r);
        expect_reports(path_in(dir, "o"), &want, 0);
        expect_listing(dir, "o ref");
        /* through a link: the link stays, the directory it names gets the reports */
        EQ(symlink("o", path_in(dir, "latest")), 0);
        RUN(&r, dir, "--out", "latest/", "--force", "--seed", "9", drift);
        expect_status(&r, 0);
        done(&r);
        struct stat sb;
        EQ(lstat(path_in(dir, "latest"), &sb), 0);
        assert_true(S_ISLNK(sb.st_mode));
        expect_reports(path_in(dir, "o"), &want, 1);
        expect_listing(dir, "latest o ref");
        free_reports(&want);
        tu_rm_tree(path_in(dir, "o"));
        tu_rm_tree(path_in(dir, "ref"));
        unlink(path_in(dir, "latest"));
        unsetenv("QSIM_TEST_NO_EXCHANGE");
    }
    tu_rm_tree(dir);
}

/* No run overwrites another's reports unless told to. Without --out every run writes a new
 * numbered directory, out/<scenario>/0001, 0002, ... (one past the largest number there),
 * and out/<scenario>/latest links to the newest; a --out directory that holds an earlier
 * run's reports is refused (exit status 2, nothing changed) unless --force replaces them;
 * --force without --out is an error. */
static void cli_runs_never_overwrite_earlier_reports(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    char drift[4096], lost[4096]; /* tu_src has one buffer */
    snprintf(drift, sizeof drift, "%s", tu_src("scenarios/drift.ini"));
    snprintf(lost, sizeof lost, "%s", tu_src("scenarios/w1-lost-write.ini"));
    result r;
    RUN(&r, dir, "--seed", "1", drift);
    expect_status(&r, 0);
    HAS(r.out, "\nreports: out/drift/0001/summary.json, ");
    done(&r);
    reports first;
    keep_reports(path_in(dir, "out/drift/0001"), &first);
    RUN(&r, dir, "--seed", "2", drift);
    expect_status(&r, 0);
    HAS(r.out, "\nreports: out/drift/0002/summary.json, out/drift/0002/runs.csv, out/drift/0002/trace.jsonl, "
               "out/drift/0002/visibility.csv, out/drift/0002/intervals.csv, out/drift/0002/latency/\n"
               "latest run: out/drift/latest -> 0002\n");
    done(&r);
    expect_reports(path_in(dir, "out/drift/0001"), &first, 0);
    expect_listing(path_in(dir, "out/drift"), "0001 0002 latest");
    char target[64] = "";
    EQ(readlink(path_in(dir, "out/drift/latest"), target, sizeof target - 1), 4);
    assert_string_equal(target, "0002");
    char *js = slurp(path_in(dir, "out/drift/latest/summary.json"));
    HAS(js, "\"seed\": 2,");
    free(js);
    /* one past the largest number, whatever else is there; the user's files stay */
    EQ(mkdir(path_in(dir, "out/drift/0041"), 0700), 0);
    tu_put(dir, "out/drift/notes.txt", "mine\n");
    RUN(&r, dir, "--seed", "1", drift);
    expect_status(&r, 0);
    HAS(r.out, "\nlatest run: out/drift/latest -> 0042\n");
    done(&r);
    expect_reports(path_in(dir, "out/drift/0042"), &first, 0);
    expect_listing(path_in(dir, "out/drift"), "0001 0002 0041 0042 latest notes.txt");
    /* a latest that is not qsim's link is left alone, and the run refused */
    EQ(mkdir(path_in(dir, "out/w1-lost-write"), 0700), 0);
    EQ(mkdir(path_in(dir, "out/w1-lost-write/latest"), 0700), 0);
    RUN(&r, dir, lost);
    expect_status(&r, 2);
    HAS(r.err, "qsim: cannot write the reports to 'out/w1-lost-write/latest': it is not a symbolic link; qsim keeps "
               "there a link to the latest run: move it away, or name another directory with --out\n");
    done(&r);
    expect_listing(path_in(dir, "out/w1-lost-write"), "latest");
    /* --out: a new or empty directory; one with reports only with --force */
    EQ(mkdir(path_in(dir, "empty"), 0700), 0);
    RUN(&r, dir, "--out", "empty", "--seed", "1", drift);
    expect_status(&r, 0);
    done(&r);
    RUN(&r, dir, "--out", "empty", "--seed", "2", drift);
    expect_status(&r, 2);
    HAS(r.err, "qsim: cannot write the reports to 'empty': it holds the reports of an earlier run ('");
    HAS(r.err, "'); qsim does not replace them unless told to: add --force, or name a new directory\n");
    EQ(strlen(r.out), 0);
    done(&r);
    expect_reports(path_in(dir, "empty"), &first, 1);
    RUN(&r, dir, "--out", "empty", "--force", "--seed", "2", drift);
    expect_status(&r, 0);
    done(&r);
    expect_same_but_command_line(path_in(dir, "empty/summary.json"), path_in(dir, "out/drift/0002/summary.json"));
    RUN(&r, dir, "--force", drift);
    expect_status(&r, 2);
    HAS(r.err, "qsim: --force replaces the reports in a --out directory; without --out every run writes a new "
               "directory, so there is nothing to force\n");
    done(&r);
    expect_listing(dir, "empty out");
    expect_listing(path_in(dir, "out"), "drift w1-lost-write");
    free_reports(&first);
    tu_rm_tree(dir);
}

/* Writing the reports fails part way (a file size limit, as a full disk would): exit status
 * 1, the previous set byte-identical, no temporary file or directory, and a new output
 * directory (with the parents made for it) not created at all. */
static void cli_write_failure_leaves_previous_set(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *bench = tu_src("scenarios/bench.ini");
    for (int fallback = 0; fallback < 2; fallback++) {
        if (fallback)
            setenv("QSIM_TEST_NO_EXCHANGE", "1", 1);
        result r;
        RUN(&r, dir, "--out", "o", "--set", "run.ops=200", bench);
        expect_status(&r, 0);
        done(&r);
        reports before;
        keep_reports(path_in(dir, "o"), &before);
        child_fsize = 20000; /* the small run fits; 20000 operations do not */
        RUN(&r, dir, "--out", "o", "--force", "--set", "run.ops=20000", bench);
        expect_status(&r, 1);
        HAS(r.err, "File too large");
        done(&r);
        RUN(&r, dir, "--out", "new/deeper/o", "--set", "run.ops=20000", bench);
        expect_status(&r, 1);
        done(&r);
        child_fsize = 0;
        expect_reports(path_in(dir, "o"), &before, 0);
        expect_listing(dir, "o");
        free_reports(&before);
        tu_rm_tree(path_in(dir, "o"));
        unsetenv("QSIM_TEST_NO_EXCHANGE");
    }
    tu_rm_tree(dir);
}

/* Starts qsim with args in cwd (output discarded); returns its pid. */
static pid_t spawn(const char *cwd, const char *const *args)
{
    const char *argv[64] = {QSIM_BIN};
    size_t n = 1;
    while (args[n - 1] && n < 63) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork failed");
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (chdir(cwd) != 0 || null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
            _exit(127);
        tu_exec_qsim(argv, 0); /* signal timing: never under a wrapper */
        _exit(127);
    }
    return pid;
}

/* Waits (up to 60 s) until dir holds an entry whose name contains part. */
static void wait_for_entry(const char *dir, const char *part)
{
    struct timespec ts = {0, 5000000};
    for (int i = 0; i < 12000; i++) {
        char names[4096];
        list_dir(dir, names, sizeof names);
        if (strstr(names, part))
            return;
        nanosleep(&ts, NULL);
    }
    fail_msg("no '%s' appeared in %s", part, dir);
}

/* A run killed with SIGTERM or SIGINT while it computes (two configurations in parallel,
 * each writing its trace into the temporary directory) leaves the previous reports
 * byte-identical and no temporary file or directory; a killed first run into a new
 * directory leaves nothing at all, not even the parent directories it made. */
static void cli_kill_leaves_previous_set_and_no_temporaries(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *bench = tu_src("scenarios/bench.ini");
    child_fsize = 0;
    result r;
    RUN(&r, dir, "--out", "o", "--set", "run.ops=300", bench);
    expect_status(&r, 0);
    done(&r);
    reports before;
    keep_reports(path_in(dir, "o"), &before);
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (int i = 0; i < 3; i++) {
        /* millions of operations: seconds of work, killed after a few milliseconds */
        pid_t pid = spawn(dir, (const char *const[]){"--out", "o", "--force", "--jobs", "2", "--set",
                                                     "run.ops=3000000", "--sweep", "quorum.r=1,2", bench, NULL});
        wait_for_entry(dir, ".o.qsim-");
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
        EQ(kill(pid, sigs[i]), 0);
        int ws;
        EQ(waitpid(pid, &ws, 0), pid);
        if (!WIFSIGNALED(ws) || WTERMSIG(ws) != sigs[i])
            fail_msg("signal %d: qsim was not killed by it (status 0x%x): finished too soon?", sigs[i], ws);
        expect_reports(path_in(dir, "o"), &before, 0);
        expect_listing(dir, "o");
    }
    /* a first run, into new parent directories */
    pid_t pid = spawn(dir, (const char *const[]){"--out", "a/b/o", "--set", "run.ops=3000000", bench, NULL});
    EQ(mkdir(path_in(dir, "watch"), 0700), 0); /* a/b appears with the temporary in it */
    for (int i = 0; i < 12000; i++) {
        struct stat sb;
        if (stat(path_in(dir, "a/b"), &sb) == 0) {
            wait_for_entry(path_in(dir, "a/b"), ".o.qsim-");
            break;
        }
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    EQ(kill(pid, SIGTERM), 0);
    int ws;
    EQ(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGTERM);
    expect_listing(dir, "o watch");
    /* a first run without --out: out/bench, where its numbered directory would go, goes too */
    EQ(mkdir(path_in(dir, "n"), 0700), 0);
    pid = spawn(path_in(dir, "n"), (const char *const[]){"--set", "run.ops=3000000", bench, NULL});
    for (int i = 0; i < 12000; i++) {
        struct stat sb;
        if (stat(path_in(dir, "n/out/bench"), &sb) == 0) {
            wait_for_entry(path_in(dir, "n/out/bench"), ".run.qsim-");
            break;
        }
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    EQ(kill(pid, SIGINT), 0);
    EQ(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGINT);
    expect_listing(path_in(dir, "n"), "");
    free_reports(&before);
    tu_rm_tree(dir);
}

/* --predict: per configuration, its label, N, R, W and the replications pooled; P(consistent)
 * at 1ms, 10ms, 100ms and 1s read from the pooled bins, the same numbers as the rows of
 * visibility.csv; t-visibility, k-staleness and p99.9. Probes read 1 to 1.25ms or 10 to
 * 12.5ms after the acknowledgement, so the 100ms and 1s bins are empty; with W = 3 every read
 * is fresh. --predict with --format csv|json is refused before anything runs. */
static void cli_predict_prints_the_pooled_curve_of_each_configuration(void **state)
{
    (void)state;
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    tu_put(dir, "p.ini",
           "[run]\nseed = 4\nops = 2000\n[quorum]\nr = 1\n[network]\nlatency = exp(1ms)\n"
           "[workload]\nmode = probe\nclients = 4\nkeys = 100\n"
           "read_after = mix(0.5 uniform(1ms, 1.25ms), 0.5 uniform(10ms, 12.5ms))\n");
    result r;
    RUN(&r, dir, "--predict", "--reps", "2", "--sweep", "quorum.w=1,3", "--out", "o", "p.ini");
    expect_status(&r, 0);
    HAS(r.out, "p.ini, seed 4: consistency prediction (PBS)\n");
    HAS(r.out, "\nquorum.w=1: N=3 R=1 W=1 (2 replications pooled)\n"
               "          t     reads  P(consistent)  95% interval\n");
    HAS(r.out, "\nquorum.w=3: N=3 R=1 W=3 (2 replications pooled)\n");
    char *csv = slurp(path_in(dir, "o/visibility.csv"));
    for (int c = 0; c < 2; c++) {
        static const char *const tname[] = {"1ms", "10ms"};
        static const char *const tlo[] = {"1000000", "10000000"};
        for (int k = 0; k < 2; k++) {
            char row[64], line[256];
            snprintf(row, sizeof row, "\n%d,%s,", c, tlo[k]);
            const char *p = strstr(csv, row);
            if (!p)
                fail_msg("visibility.csv has no row %s:\n%s", row + 1, csv);
            char hi[32], reads[32], fresh[32], pf[32], lo[32], up[32];
            if (sscanf(p + strlen(row), "%31[^,],%31[^,],%31[^,],%31[^,],%31[^,],%31[^\n]", hi, reads, fresh, pf, lo,
                       up) != 6)
                fail_msg("visibility.csv row %s", row + 1);
            snprintf(line, sizeof line, "\n  %9s %9s  %13s  [%s, %s]\n", tname[k], reads, pf, lo, up);
            HAS(r.out, line);
            if (c == 1 && strcmp(pf, "1.000000") != 0)
                fail_msg("W=3: P(consistent) at %s is %s", tname[k], pf);
        }
    }
    free(csv);
    HAS(r.out, "\n      100ms         0              -\n         1s         0              -\n");
    HAS(r.out, "k=1 1.000000, k=2 1.000000 (of 2000 reads)\n");
    HAS(r.out, "t-visibility: P(consistent) >= 0.99 from 1ms on, >= 0.999 from 1ms on\n");
    HAS(r.out, "  latency p99.9: read ");
    HAS(r.out, "reports: o/summary.json, o/runs.csv, o/trace.jsonl, o/visibility.csv, o/intervals.csv, o/latency/\n");
    done(&r);
    RUN(&r, dir, "--predict", "--format", "json", "--out", "j", "p.ini");
    expect_status(&r, 2);
    HAS(r.err, "qsim: --predict replaces the table on stdout: it cannot go with --format json\n");
    EQ(exists(path_in(dir, "j")), 0);
    done(&r);
    tu_rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cli_bad_scenario_exits_2_and_writes_nothing),
        cmocka_unit_test(cli_errors_name_file_and_line),
        cmocka_unit_test(cli_lists_line_errors_with_scenario_errors),
        cmocka_unit_test(cli_unknown_option_exits_2),
        cmocka_unit_test(cli_option_values_apart_or_after_equals),
        cmocka_unit_test(cli_check_validates_only),
        cmocka_unit_test(cli_version_and_help),
        cmocka_unit_test(cli_keys_lists_every_section),
        cmocka_unit_test(cli_metrics_lists_every_metric),
        cmocka_unit_test(cli_writes_summary_csv_trace),
        cmocka_unit_test(cli_summary_records_command_line_and_overrides),
        cmocka_unit_test(cli_sweep_runs_cross_product),
        cmocka_unit_test(cli_table_counts_beside_percents_and_p999),
        cmocka_unit_test(cli_latency_spectra_in_the_report_set),
        cmocka_unit_test(cli_fail_on_sets_a_distinct_exit_status),
        cmocka_unit_test(cli_intervals_csv_by_answer_time),
        cmocka_unit_test(cli_same_seed_byte_identical),
        cmocka_unit_test(cli_progress_goes_to_stderr_only),
        cmocka_unit_test(cli_jobs_do_not_change_results),
        cmocka_unit_test(cli_seed_changes_results),
        cmocka_unit_test(cli_format_csv_and_json_to_stdout),
        cmocka_unit_test(cli_prefer_non_owner_exits_2),
        cmocka_unit_test(cli_time_that_stands_still_or_saturates),
        cmocka_unit_test(cli_sweeps_in_the_scenario_file),
        cmocka_unit_test(cli_sweep_values_with_commas_quotes_and_ranges),
        cmocka_unit_test(cli_sweep_skips_conflicting_configurations),
        cmocka_unit_test(cli_replications),
        cmocka_unit_test(cli_scenario_not_a_regular_file_exits_2),
        cmocka_unit_test(cli_long_values_are_errors_not_cut),
        cmocka_unit_test(cli_malformed_sweeps_exit_2),
        cmocka_unit_test(cli_sweep_cross_product_over_limit_exits_2),
        cmocka_unit_test(cli_sweep_key_given_twice_exits_2),
        cmocka_unit_test(cli_reports_are_valid_json_and_utf8_for_any_name),
        cmocka_unit_test(cli_out_path_errors_are_clear),
        cmocka_unit_test(cli_reports_replace_the_previous_set_whole),
        cmocka_unit_test(cli_runs_never_overwrite_earlier_reports),
        cmocka_unit_test(cli_write_failure_leaves_previous_set),
        cmocka_unit_test(cli_kill_leaves_previous_set_and_no_temporaries),
        cmocka_unit_test(cli_predict_prints_the_pooled_curve_of_each_configuration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
