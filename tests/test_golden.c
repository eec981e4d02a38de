/* Golden files (docs/hacking.md "Tests"): scenarios with fixed seeds whose reports are checked in
 * under tests/golden/ and compared byte for byte on every run. A deliberate model change
 * regenerates them in the same commit (the command is in each test) and says why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/testutil.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Runs qsim from the source directory with args into a fresh directory; returns it. */
static const char *run_qsim(const char *const *args, size_t nargs, char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/qsim-golden-XXXXXX");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp");
    pid_t pid = fork();
    if (pid == 0) {
        const char *argv[32];
        size_t k = 0;
        argv[k++] = QSIM_BIN;
        argv[k++] = "--out";
        argv[k++] = dir;
        for (size_t i = 0; i < nargs; i++)
            argv[k++] = args[i];
        argv[k] = NULL;
        if (!freopen("/dev/null", "w", stdout) || chdir(QSIM_SOURCE_DIR))
            _exit(127);
        tu_exec_qsim(argv, 1);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
    return dir;
}

static void same_as_golden(const char *dir, const char *file, const char *golden)
{
    char got_path[512];
    snprintf(got_path, sizeof got_path, "%s/%s", dir, file);
    size_t lg, lw;
    char *got = slurp(got_path, &lg), *want = slurp(tu_src(golden), &lw);
    assert_non_null(got);
    assert_non_null(want);
    if (lg != lw || memcmp(got, want, lg) != 0)
        fail_msg("%s differs from %s: diff %s %s", got_path, golden, tu_src(golden), got_path);
    free(got);
    free(want);
    unlink(got_path);
}

static void cleanup(const char *dir)
{
    static const char *const files[] = {"summary.json", "runs.csv", "trace.jsonl", "visibility.csv", "intervals.csv"};
    char p[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* regenerate: ./qsim --out /tmp/g scenarios/drift.ini && cp /tmp/g/summary.json tests/golden/drift.summary.json */
static void golden_drift_summary(void **state)
{
    (void)state;
    char dir[64];
    const char *args[] = {"scenarios/drift.ini"};
    run_qsim(args, 1, dir, sizeof dir);
    same_as_golden(dir, "summary.json", "tests/golden/drift.summary.json");
    cleanup(dir);
}

/* regenerate: ./qsim --out /tmp/g --sweep quorum.w=1,2 scenarios/w1-lost-write.ini, then copy
 * summary.json and trace.jsonl to tests/golden/w1-lost-write.sweep-w.{summary.json,trace.jsonl} */
static void golden_w1_lost_write_sweep(void **state)
{
    (void)state;
    char dir[64];
    const char *args[] = {"--sweep", "quorum.w=1,2", "scenarios/w1-lost-write.ini"};
    run_qsim(args, 3, dir, sizeof dir);
    same_as_golden(dir, "summary.json", "tests/golden/w1-lost-write.sweep-w.summary.json");
    same_as_golden(dir, "trace.jsonl", "tests/golden/w1-lost-write.sweep-w.trace.jsonl");
    cleanup(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_drift_summary),
        cmocka_unit_test(golden_w1_lost_write_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
