/* Replica selection for reads to R owners (docs/design.md section 3b): nearest by the
 * configured latencies, adaptive by the round trips seen, with exact counts where the
 * model makes them exact. */
#include <stdio.h>
#include <string.h>
#include "tests/testutil.h"

/* Reads only, R=2 of 3; n3 is 40 ms away each way, n1 and n2 1 ms: a read that asks n1 and
 * n2 takes exactly 2 ms, one that asks n3 80 ms. */
static const char *wan =
    "[run]\nseed = 3\nops = 3000\n[cluster]\nnodes = 3\nreplicas = 3\n[quorum]\nr = 2\nw = 2\nread_fanout = r\n"
    "adaptive_reset = 0\n[network]\nlatency = const(1ms)\n[links]\nclient-n3 = const(40ms)\n"
    "[workload]\nrate = 1000/s\nread_ratio = 1\nkeys = 100\n";

static void nearest_asks_the_nearest_owners(void **state)
{
    (void)state;
    const char *sets[] = {"quorum.read_targets=nearest"};
    run_stats st;
    tu_run_text(wan, sets, 1, &st);
    EQ(st.nodes->per[3].served, 0);
    EQ(st.nodes->per[1].served, 3000);
    EQ(hist_quantile(&st.stats->lat[OP_READ][OUT_OK], 1.0), 2000000);
    tu_run_free(&st);
    const char *rnd[] = {"quorum.read_targets=random"};
    tu_run_text(wan, rnd, 1, &st);
    /* at random, two reads in three ask n3: binomial, n = 3000, 5 sd = 129 */
    NEAR((double)st.nodes->per[3].served, 2000, 129);
    NEAR(hist_quantile(&st.stats->lat[OP_READ][OUT_OK], 0.5), 80000000, 80000000 * HIST_REL_ERROR);
    tu_run_free(&st);
}

/* adaptive: an owner never seen scores 0, so n3 is asked by every read until its first reply
 * comes back, 80 ms after the first read that asked it: about 80 reads at 1000/s (Poisson:
 * 5 sd = 45). Once its round trip is known it is never asked again (no reset). */
static void adaptive_learns_from_replies(void **state)
{
    (void)state;
    const char *sets[] = {"quorum.read_targets=adaptive"};
    run_stats st;
    tu_run_text(wan, sets, 1, &st);
    print_message("adaptive: n3 served %llu reads\n", (unsigned long long)st.nodes->per[3].served);
    NEAR((double)st.nodes->per[3].served, 80, 45);
    EQ(st.nodes->per[1].served + st.nodes->per[2].served + st.nodes->per[3].served, 6000);
    /* every read after the first 80 ms takes 2 ms: well over 99% of them */
    NEAR(hist_quantile(&st.stats->lat[OP_READ][OUT_OK], 0.95), 2000000, 2000000 * HIST_REL_ERROR);
    tu_run_free(&st);
    /* forgetting every 100 ms (30 times in the run) sends reads back to n3 after each reset */
    const char *reset[] = {"quorum.read_targets=adaptive", "quorum.adaptive_reset=100ms"};
    tu_run_text(wan, reset, 2, &st);
    print_message("adaptive, reset every 100 ms: n3 served %llu reads\n", (unsigned long long)st.nodes->per[3].served);
    assert_true(st.nodes->per[3].served > 500); /* each reset costs about 80 more */
    tu_run_free(&st);
}

static void read_targets_need_read_fanout_r(void **state)
{
    (void)state;
    char errs[1024];
    const char *sets[] = {"quorum.read_targets=nearest", "quorum.read_fanout=all"};
    EQ(tu_check_text("[run]\nops = 10\n", sets, 2, errs, sizeof errs), 1);
    assert_non_null(strstr(errs, "choosing read targets needs quorum.read_fanout = r"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nearest_asks_the_nearest_owners),
        cmocka_unit_test(adaptive_learns_from_replies),
        cmocka_unit_test(read_targets_need_read_fanout_r),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
