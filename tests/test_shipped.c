/* test_shipped: every scenario the project ships (each .ini in scenarios/ and bench/, and
 * the configs/ they include) loads and builds: `qsim --check FILE` exits 0 for each. A scenario
 * that a key's rename or a new rule broke fails here, not in a user's hands. */
#include "tests/testutil.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* qsim --check path: its exit status (-1 when it did not exit). Output goes to /dev/null. */
static int check(const char *path)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork failed");
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        const char *argv[] = {QSIM_BIN, "--check", path, NULL};
        tu_exec_qsim(argv, 1);
        _exit(127);
    }
    int ws;
    if (waitpid(pid, &ws, 0) != pid)
        fail_msg("waitpid failed");
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* Checks every *.ini in dir (relative to the source tree); returns how many. */
static int check_dir(const char *dir)
{
    const char *abs = tu_src(dir);
    char path[4096];
    snprintf(path, sizeof path, "%s", abs);
    DIR *d = opendir(path);
    if (!d)
        fail_msg("cannot open %s", path);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".ini") != 0)
            continue;
        char file[8192];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        int st = check(file);
        if (st != 0)
            fail_msg("qsim --check %s: exit status %d", file, st);
        n++;
    }
    closedir(d);
    return n;
}

static void every_shipped_scenario_loads(void **state)
{
    (void)state;
    assert_true(check_dir("scenarios") >= 10);
    assert_true(check_dir("bench") >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_shipped_scenario_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
