/* Explanations (docs/design.md sections 4 and 5): a story's timeline in the terminal, its
 * faults at their times among the scripted operations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/testutil.h"

#define HAS(text, want)                                                                   \
    do {                                                                                  \
        if (!strstr((text), (want)))                                                      \
            fail_msg("missing fragment\n  want: %s\n  got:\n%s", (want), (text));         \
    } while (0)

/* Runs qsim on a scenario with extra arguments (ending with NULL) into a fresh output
 * directory; returns stdout. */
static char *story(const char *path, const char *const *extra)
{
    char dir[64];
    tu_make_dir(dir, sizeof dir);
    const char *args[32] = {"--out", dir};
    size_t n = 2;
    for (size_t i = 0; extra && extra[i] && n < 30; i++)
        args[n++] = extra[i];
    args[n++] = path;
    args[n] = NULL;
    int status;
    char *out = tu_qsim_stdout(args, &status);
    EQ(status, 0);
    tu_rm_tree(dir);
    return out;
}

/* overlap.ini: n2's crash at 25 ms shows between w2 (20 ms) and r2 (30 ms), with its storage. */
static void timeline_shows_the_crash_of_overlap(void **state)
{
    (void)state;
    char *out = story("scenarios/overlap.ini", NULL);
    HAS(out, "\ntimeline:\n"
             "  w1             0ns write k1    v1   acknowledged");
    HAS(out, "  w2            20ms write k1    v2   acknowledged");
    HAS(out, " [1.74ms]\n"
             "  crash         25ms fault crash n2 durable\n"
             "  r2            30ms read  k1    -> v2 (latest v2) fresh  [2.17ms]\n");
    free(out);
}

/* sloppy.ini: every fault at its time, the end of the slow window included; a fault at the
 * same instant as an operation comes first, as it ran. */
static void timeline_shows_every_fault_of_sloppy(void **state)
{
    (void)state;
    char *out = story("scenarios/sloppy.ini", NULL);
    HAS(out, "  down           5ms fault crash n1 durable\n"
             "  disk           9ms fault slow n3 30 on service until 15ms\n"
             "  w2            10ms write k1    v2   acknowledged");
    HAS(out, "  disk          15ms fault slow n3 ends\n"
             "  up            20ms fault recover n1\n"
             "  r1            30ms read  k1    -> v1 (latest v2) STALE, 1 behind  [2.00ms]\n");
    free(out);
    const char *same[] = {"--set", "faults.up=30ms recover n1", NULL};
    out = story("scenarios/sloppy.ini", same);
    HAS(out, "  up            30ms fault recover n1\n"
             "  r1            30ms read  k1 ");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timeline_shows_the_crash_of_overlap),
        cmocka_unit_test(timeline_shows_every_fault_of_sloppy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
