/* The report directory (src/outdir.h), in-process: a set with its latency/ subdirectory is
 * removed whole when the run is abandoned; numbered runs take the next number and move
 * latest; a new --out directory never receives a set over reports that appeared meanwhile.
 * tests/test_cli.c covers the same rules through the command line, kills included. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "src/outdir.h"
#include "tests/testutil.h"

/* Names in a directory, sorted, joined by ' '. */
static void listing(const char *dir, char *buf, size_t n)
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

static void expect_listing(const char *dir, const char *want)
{
    char got[2048];
    listing(dir, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s holds '%s', want '%s'", dir, got, want);
}

/* A report set in the temporary directory: summary.json and latency/0.read.hgrm. */
static void fill(const outdir *o, const char *summary)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/latency", outdir_tmp(o));
    EQ(mkdir(p, 0777), 0);
    tu_put(outdir_tmp(o), "summary.json", summary);
    tu_put(p, "0.read.hgrm", "x\n");
}

static void outdir_abort_removes_the_set_and_its_subdirectory(void **state)
{
    (void)state;
    char dir[64], out[128], why[512];
    tu_make_dir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/a/b/o", dir);
    outdir *o = NULL;
    EQ(outdir_open(out, OUTDIR_FRESH, &o, why, sizeof why), 0);
    fill(o, "{}\n");
    outdir_abort(o);
    expect_listing(dir, ""); /* the parents it made go too */
    tu_rm_tree(dir);
}

static void outdir_numbered_runs_take_the_next_number(void **state)
{
    (void)state;
    char dir[64], root[128], where[PATH_MAX], why[512], p[PATH_MAX];
    tu_make_dir(dir, sizeof dir);
    snprintf(root, sizeof root, "%s/out/s", dir);
    for (int run = 1; run <= 2; run++) {
        outdir *o = NULL;
        EQ(outdir_open(root, OUTDIR_NUMBERED, &o, why, sizeof why), 0);
        fill(o, run == 1 ? "first\n" : "second\n");
        EQ(outdir_commit(o, where, sizeof where, why, sizeof why), 0);
        snprintf(p, sizeof p, "%s/%04d", root, run);
        assert_string_equal(where, p);
    }
    expect_listing(root, "0001 0002 latest");
    snprintf(p, sizeof p, "%s/latest/latency", root);
    expect_listing(p, "0.read.hgrm");
    char target[16] = "";
    snprintf(p, sizeof p, "%s/latest", root);
    EQ(readlink(p, target, sizeof target - 1), 4);
    assert_string_equal(target, "0002");
    /* abandoned: neither a number nor a temporary is left */
    outdir *o = NULL;
    EQ(outdir_open(root, OUTDIR_NUMBERED, &o, why, sizeof why), 0);
    fill(o, "third\n");
    outdir_abort(o);
    expect_listing(root, "0001 0002 latest");
    tu_rm_tree(dir);
}

/* A new --out directory that received another run's reports while this one ran: the move
 * fails, nothing of the other run's changes, the temporary set is gone. */
static void outdir_fresh_never_moves_over_reports(void **state)
{
    (void)state;
    char dir[64], out[128], where[PATH_MAX], why[512];
    tu_make_dir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/o", dir);
    outdir *o = NULL;
    EQ(outdir_open(out, OUTDIR_FRESH, &o, why, sizeof why), 0);
    fill(o, "mine\n");
    EQ(mkdir(out, 0777), 0);
    tu_put(out, "summary.json", "theirs\n");
    int rc = outdir_commit(o, where, sizeof where, why, sizeof why);
    if (rc != -ENOTEMPTY && rc != -EEXIST)
        fail_msg("commit: %d (%s)", rc, why);
    expect_listing(dir, "o");
    expect_listing(out, "summary.json");
    /* and refused at the start when they are there already */
    rc = outdir_open(out, OUTDIR_FRESH, &o, why, sizeof why);
    EQ(rc, -ENOTEMPTY);
    tu_rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outdir_abort_removes_the_set_and_its_subdirectory),
        cmocka_unit_test(outdir_numbered_runs_take_the_next_number),
        cmocka_unit_test(outdir_fresh_never_moves_over_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
