/* testutil: see testutil.h. */
#include "tests/testutil.h"
#include <math.h>
#include <stdio.h>

void tu_eq_i64(int64_t got, int64_t want, const char *what, const char *file, int line)
{
    if (got != want) {
        print_error("%s:%d: %s = %lld, want %lld\n", file, line, what, (long long)got, (long long)want);
        _fail(file, line);
    }
}

void tu_near(double got, double want, double tol, const char *what, const char *file, int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s:%d: %s = %.9g, want %.9g +- %.3g\n", file, line, what, got, want, tol);
        _fail(file, line);
    }
}

const char *tu_src(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", QSIM_SOURCE_DIR, rel);
    return buf;
}

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "models/world.h"
#include "sim/cfg.h"

static void write_temp(const char *text, char *path, size_t n)
{
    snprintf(path, n, "/tmp/qsim-test-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        fail_msg("cannot create a temporary scenario");
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len)
        fail_msg("cannot write a temporary scenario");
    close(fd);
}

/* Loads path with the overrides and builds its scenario; the caller checks cfg_nerrors. */
static cfg *load(const char *path, const char *const *sets, size_t nsets, scenario *sc)
{
    cfg *c;
    assert_int_equal(cfg_create(&c), 0);
    cfg_load(c, path);
    for (size_t i = 0; i < nsets; i++)
        cfg_add_arg(c, "--set", sets[i]);
    scenario_build(c, sc);
    return c;
}

static void run_file(const char *path, const char *const *sets, size_t nsets, tu_setup_fn setup, tu_setup_fn check,
                     void *ctx, FILE *trace, run_stats *st)
{
    scenario sc;
    cfg *c = load(path, sets, nsets, &sc);
    if (cfg_nerrors(c)) {
        cfg_print_errors(c, stderr);
        fail_msg("%s: scenario errors", path);
    }
    assert_int_equal(run_result_init(&st->rr), 0);
    world *w = NULL;
    char err[512] = "";
    if (world_create(&sc, 0, trace, &st->rr, &w, err, sizeof err))
        fail_msg("%s: %s", path, err);
    if (setup)
        setup(w, ctx);
    if (world_run(w, err, sizeof err))
        fail_msg("%s: %s", path, err);
    if (check)
        check(w, ctx);
    world_destroy(w);
    scenario_free(&sc);
    cfg_destroy(c);
    st->run = st->rr.res[MOD_RUN];
    st->net = st->rr.res[MOD_NETWORK];
    st->nodes = st->rr.res[MOD_NODE];
    st->coord = st->rr.res[MOD_QUORUM];
    st->wl = st->rr.res[MOD_WORKLOAD];
    st->oracle = st->rr.res[MOD_ORACLE];
    st->stats = st->rr.res[MOD_STATS];
}

void tu_run_file_check(const char *path, const char *const *sets, size_t nsets, tu_setup_fn setup, tu_setup_fn check,
                       void *ctx, run_stats *st)
{
    run_file(path, sets, nsets, setup, check, ctx, NULL, st);
}

void tu_run_file_setup(const char *path, const char *const *sets, size_t nsets, tu_setup_fn setup, void *ctx,
                       run_stats *st)
{
    run_file(path, sets, nsets, setup, NULL, ctx, NULL, st);
}

char *tu_run_file_trace(const char *path, const char *const *sets, size_t nsets, run_stats *st)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        fail_msg("open_memstream failed");
    run_file(path, sets, nsets, NULL, NULL, NULL, f, st);
    fclose(f);
    return buf;
}

void tu_run_file(const char *path, const char *const *sets, size_t nsets, run_stats *st)
{
    tu_run_file_setup(path, sets, nsets, NULL, NULL, st);
}

void tu_run_text_setup(const char *text, const char *const *sets, size_t nsets, tu_setup_fn setup, void *ctx,
                       run_stats *st)
{
    char path[64];
    write_temp(text, path, sizeof path);
    tu_run_file_setup(path, sets, nsets, setup, ctx, st);
    unlink(path);
}

void tu_run_text_check(const char *text, const char *const *sets, size_t nsets, tu_setup_fn setup, tu_setup_fn check,
                       void *ctx, run_stats *st)
{
    char path[64];
    write_temp(text, path, sizeof path);
    tu_run_file_check(path, sets, nsets, setup, check, ctx, st);
    unlink(path);
}

void tu_run_text(const char *text, const char *const *sets, size_t nsets, run_stats *st)
{
    tu_run_text_setup(text, sets, nsets, NULL, NULL, st);
}

void tu_run_free(run_stats *st) { run_result_free(&st->rr); }

size_t tu_check_text(const char *text, const char *const *sets, size_t nsets, char *errs, size_t n)
{
    char path[64];
    write_temp(text, path, sizeof path);
    scenario sc;
    cfg *c = load(path, sets, nsets, &sc);
    size_t ne = cfg_nerrors(c);
    FILE *f = fmemopen(errs, n, "w");
    if (f) {
        cfg_print_errors(c, f);
        fclose(f);
    }
    scenario_free(&sc);
    cfg_destroy(c);
    unlink(path);
    return ne;
}

void tu_make_dir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/qsim-test-XXXXXX");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp failed");
}

void tu_put(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

void tu_rm_tree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        print_error("could not remove %s\n", dir);
}

uint64_t tu_xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

void tu_exec_qsim(const char *const *argv, int wrap)
{
    /* execv takes char *const[] for historical reasons and writes nothing through it */
    union {
        const char *const *c;
        char *const *m;
    } a = {argv};
    const char *w = wrap ? getenv("QSIM_TEST_WRAP") : NULL;
    if (!w || !*w) {
        execv(QSIM_BIN, a.m);
        return;
    }
    static char words[4096];
    static const char *all[128];
    size_t n = 0;
    snprintf(words, sizeof words, "%s", w);
    for (char *save = NULL, *t = strtok_r(words, " \t", &save); t && n < 64; t = strtok_r(NULL, " \t", &save))
        all[n++] = t;
    all[n++] = QSIM_BIN;
    for (size_t i = 1; argv[i] && n < 127; i++)
        all[n++] = argv[i];
    all[n] = NULL;
    a.c = all;
    execvp(all[0], a.m);
}

#include <sys/wait.h>

char *tu_qsim_stdout(const char *const *args, int *status)
{
    char out[] = "/tmp/qsim-test-out-XXXXXX";
    int fd = mkstemp(out);
    if (fd < 0)
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
    if (pid == 0) {
        if (dup2(fd, 1) < 0 || !freopen("/dev/null", "w", stderr) || chdir(QSIM_SOURCE_DIR))
            _exit(127);
        tu_exec_qsim(argv, 1);
        _exit(127);
    }
    int ws = 0;
    waitpid(pid, &ws, 0);
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
    FILE *f = fdopen(fd, "rb");
    if (!f)
        fail_msg("fdopen failed");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (!buf)
        fail_msg("out of memory");
    size_t got = fread(buf, 1, (size_t)len, f);
    buf[got] = '\0';
    fclose(f);
    unlink(out);
    return buf;
}
