/* Hedged reads (docs/design.md section 3b): against an independent Monte Carlo of
 * min(X1, d + X2) with no queueing; tied requests cancelling a queued twin, with exact times;
 * the budget; the percentile policy's history; and the honest price under load: hedging
 * cuts the tail at light load and lengthens it near saturation, every hedge being one more
 * request served. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/hedge.h"
#include "tests/testutil.h"

#define MS 1e6

static double erlang2_cdf(double x, double m) { return x <= 0 ? 0 : 1 - exp(-x / m) * (1 + x / m); }
static double erlang2_pdf(double x, double m) { return x <= 0 ? 0 : x / (m * m) * exp(-x / m); }

/* latency = min(X1, d + X2), X1, X2 IID Erlang-2 with phase mean m: its density. */
static double hedged_pdf(double t, double d, double m)
{
    if (t < d)
        return erlang2_pdf(t, m);
    return erlang2_pdf(t, m) * (1 - erlang2_cdf(t - d, m)) + (1 - erlang2_cdf(t, m)) * erlang2_pdf(t - d, m);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Two replicas, R=1 with reads to one owner, exp(1ms) one-way latency, no service, nothing
 * queues; a read not answered after d = 2 ms asks the other owner, and the first reply wins:
 * latency = min(X1, d + X2). The Monte Carlo draws its own Erlang-2 round trips from a
 * xorshift generator, independent of qsim's. n = 200000 reads in qsim and 400000 samples in
 * the Monte Carlo: a quantile's sd is sqrt(p(1-p)/n) / h(x_p) for each, the difference is
 * allowed 5 sd of the difference plus the histogram's relative error; the hedged fraction
 * P(X1 > d) is binomial, allowed 5 sd of the difference. */
static void hedge_fixed_matches_monte_carlo(void **state)
{
    (void)state;
    static const char *sc = "[run]\nseed = 5\nops = 200000\n[cluster]\nnodes = 2\nreplicas = 2\n"
                            "[quorum]\nr = 1\nw = 1\nread_fanout = r\ntimeout = 10s\n[network]\nlatency = exp(1ms)\n"
                            "[hedge]\npolicy = fixed\ndelay = 2ms\n[workload]\nrate = 1000/s\nread_ratio = 1\nkeys = 100\n";
    run_stats st;
    tu_run_text(sc, NULL, 0, &st);
    const hedge_res *hr = st.rr.res[MOD_HEDGE];
    const hist *h = &st.stats->lat[OP_READ][OUT_OK];
    double n = (double)h->count;
    EQ(h->count, 200000);
    EQ(hr->firsts, 200000);
    EQ(st.coord->requests[CAUSE_HEDGE], hr->hedges);
    enum { M = 400000 };
    static double mc[M];
    uint64_t rs = 0x2545F4914F6CDD1DULL;
    size_t hedged = 0;
    const double d = 2 * MS, m = 1 * MS;
    for (int i = 0; i < M; i++) {
        double u[4];
        for (int k = 0; k < 4; k++)
            u[k] = ((double)(tu_xorshift(&rs) >> 11) + 0.5) / 9007199254740992.0;
        double x1 = -m * (log(u[0]) + log(u[1])), x2 = -m * (log(u[2]) + log(u[3]));
        hedged += x1 > d;
        mc[i] = x1 < d + x2 ? x1 : d + x2;
    }
    qsort(mc, M, sizeof mc[0], cmp_double);
    const double ps[] = {0.5, 0.9, 0.99};
    for (size_t i = 0; i < 3; i++) {
        double p = ps[i], x = mc[(size_t)(p * M)];
        double sd = sqrt(p * (1 - p) * (1 / n + 1.0 / M)) / hedged_pdf(x, d, m);
        double got = (double)hist_quantile(h, p);
        print_message("hedged p%g: qsim %.1f us, Monte Carlo %.1f us +- %.1f\n", p * 100, got / 1e3, x / 1e3,
                      (5 * sd + HIST_REL_ERROR * x) / 1e3);
        NEAR(got, x, 5 * sd + HIST_REL_ERROR * x);
    }
    double pq = (double)hr->hedges / (double)hr->firsts, pm = (double)hedged / M;
    double sdp = sqrt(pm * (1 - pm) * (1 / n + 1.0 / M));
    print_message("hedged fraction: qsim %.4f, Monte Carlo %.4f +- %.4f, closed form %.4f\n", pq, pm, 5 * sdp,
                  1 - erlang2_cdf(d, m));
    NEAR(pq, pm, 5 * sdp);
    NEAR(pm, 1 - erlang2_cdf(d, m), 5 * sqrt(pm * (1 - pm) / M));
    tu_run_free(&st);
}

/* Tied requests, exact times. Two replicas with one server each, 0.1 ms links; n1 serves a
 * read in 10 ms, n2 in 1 ms; reads go to n1 first and hedge after 1 ms. a starts at n1 at
 * 0.1 ms; its hedge starts at n2 at 1.1 ms and cancels a's original, too late (in service).
 * b waits in n1's queue behind a; its hedge starts at n2 at 2.1 ms (after a's), and the
 * cancel removes b's original from n1's queue at 2.2 ms. b is answered at 3.2 ms. */
static void tied_request_cancels_its_queued_twin(void **state)
{
    (void)state;
    static const char *sc =
        "[cluster]\nnodes = 2\nreplicas = 2\n[quorum]\nr = 1\nw = 1\nread_fanout = r\n[network]\nlatency = const(0.1ms)\n"
        "[node]\nconcurrency = 1\nread_service = const(1ms)\n[node.n1]\nread_service = const(10ms)\n"
        "[hedge]\npolicy = fixed\ndelay = 1ms\ntied = on\n[workload]\nmode = script\nkeys = 1\n"
        "[script]\na = 0ms read k1 prefer n1\nb = 0.5ms read k1 prefer n1\n";
    static const char *owners = "k1's owners must be n1 and n2";
    (void)owners;
    run_stats st;
    tu_run_text(sc, NULL, 0, &st);
    const hedge_res *hr = st.rr.res[MOD_HEDGE];
    EQ(hr->hedges, 2);
    EQ(hr->cancels, 2);
    EQ(hr->cancelled, 1);
    EQ(st.nodes->per[1].served, 1); /* b's original never ran */
    EQ(st.nodes->per[2].served, 2);
    EQ(st.wl->script[0].end - st.wl->script[0].start, 2200000);
    EQ(st.wl->script[1].end - st.wl->script[1].start, 2700000);
    tu_run_free(&st);
    const char *untied[] = {"hedge.tied=off"};
    tu_run_text(sc, untied, 1, &st);
    hr = st.rr.res[MOD_HEDGE];
    EQ(hr->cancels, 0);
    EQ(st.nodes->per[1].served, 2); /* b's original ran for 10 ms after a, for nothing */
    EQ(st.run->end_time, 20200000); /* its reply reaches the client at 20.2 ms */
    tu_run_free(&st);
}

static const char *load_sc =
    "[run]\nseed = 41\nops = 60000\n[cluster]\nnodes = 3\nreplicas = 3\n"
    "[quorum]\nr = 1\nw = 1\nread_fanout = r\ntimeout = 2s\n[network]\nlatency = exp(0.5ms)\n"
    "[node]\nread_service = exp(1ms)\nwrite_service = exp(1ms)\nconcurrency = 1\n[node.n1]\nslow = 10\nslow_on = network\n"
    "[hedge]\ndelay = 3ms\n[workload]\nread_ratio = 1\nkeys = 1000\n";

/* The budget: at most max_extra percent of first requests are hedged. */
static void hedge_budget_caps_extra_requests(void **state)
{
    (void)state;
    const char *sets[] = {"hedge.policy=always", "hedge.max_extra=10", "workload.rate=100/s", "run.ops=20000"};
    run_stats st;
    tu_run_text(load_sc, sets, 4, &st);
    const hedge_res *hr = st.rr.res[MOD_HEDGE];
    assert_true(hr->hedges * 100 <= 10 * hr->firsts);
    assert_true(hr->hedges * 100 + 100 > 10 * hr->firsts); /* the budget is used */
    EQ(hr->hedges + hr->over_budget, hr->firsts);           /* always: every read wanted one */
    tu_run_free(&st);
}

/* The percentile policy hedges only once its coordinator has history. Then, hedging at the
 * latency L's p-th percentile t: a read is hedged iff its first reply is later than t, and
 * since a hedge only shortens a read that is already later than t, P(L > t) = P(hedged): at
 * the fixed point the hedged fraction is 1 - p. With 20000 reads it is within 5 sd
 * (binomial, 1%) of 10% at p = 90, less the share of reads before the history was enough
 * (under 1%) and the lag of a threshold recomputed every 64 reads over a history that halves
 * every second, with buckets 1/32 wide (about 1% either way here). */
static void hedge_percentile_waits_for_history(void **state)
{
    (void)state;
    const char *sets[] = {"hedge.policy=percentile", "hedge.history=5000", "workload.rate=100/s", "run.ops=4000"};
    run_stats st;
    tu_run_text(load_sc, sets, 4, &st);
    EQ(((const hedge_res *)st.rr.res[MOD_HEDGE])->hedges, 0);
    tu_run_free(&st);
    const char *more[] = {"hedge.policy=percentile", "hedge.history=100", "hedge.percentile=90", "workload.rate=100/s",
                          "run.ops=20000"};
    tu_run_text(load_sc, more, 5, &st);
    const hedge_res *hr = st.rr.res[MOD_HEDGE];
    double frac = (double)hr->hedges / (double)hr->firsts;
    print_message("percentile 90: hedged fraction %.4f\n", frac);
    NEAR(frac, 0.10, 0.01 + 0.01 + 0.01);
    tu_run_free(&st);
}

/* The honest price. One server per node, exponential 1 ms service; n1's messages are ten
 * times slow (its servers are not); reads to one owner at random, hedged after 3 ms. Each
 * node serves 1000 reads/s and gets a third of them: at 20% utilisation hedging cuts the
 * p99 (it routes around n1's slow network); at 85% the hedges' extra requests (a third of
 * the reads and more) push the servers past saturation and the tail grows. Every hedge is a
 * request served: per node, busy time / served requests is the mean service time (1 ms)
 * within sampling error, with hedging on and off, and the requests served plus dropped are
 * exactly the first requests plus the hedges. */
static void hedging_under_load_helps_then_hurts(void **state)
{
    (void)state;
    static const char *rates[] = {"workload.rate=600/s", "workload.rate=2550/s"};
    int64_t p99[2][2];
    for (int li = 0; li < 2; li++) {
        for (int on = 0; on < 2; on++) {
            const char *sets[] = {rates[li], on ? "hedge.policy=fixed" : "hedge.policy=none"};
            run_stats st;
            tu_run_text(load_sc, sets, 2, &st);
            p99[li][on] = hist_quantile(&st.stats->lat[OP_READ][OUT_OK], 0.99);
            const hedge_res *hr = st.rr.res[MOD_HEDGE];
            uint64_t served = 0;
            for (int nd = 1; nd <= 3; nd++) {
                const node_stats *ns = &st.nodes->per[nd];
                double mean = 1 * MS, per = ns->busy_area / (double)ns->served;
                /* exponential service: sd = mean, so the mean of k services has sd mean/sqrt(k) */
                NEAR(per, mean, 5 * mean / sqrt((double)ns->served));
                served += ns->served + ns->dropped;
            }
            EQ(served, st.coord->requests[CAUSE_FIRST] + st.coord->requests[CAUSE_HEDGE] - st.nodes->to_down);
            if (on)
                EQ(st.coord->requests[CAUSE_HEDGE], hr->hedges);
            print_message("load %s, hedging %s: read p99 %.2f ms, extra %.1f%%\n", rates[li], on ? "on" : "off",
                          (double)p99[li][on] / 1e6, hr->firsts ? 100.0 * (double)hr->hedges / (double)hr->firsts : 0);
            tu_run_free(&st);
        }
    }
    assert_true(p99[0][1] < p99[0][0]); /* light load: the hedge cuts the tail */
    assert_true(p99[1][1] > p99[1][0]); /* near saturation: it lengthens it */
}

/* At LOCAL_ONE, a hedge goes to the other owner in the client's datacenter, never to one
 * whose reply could not count; with one local owner there is no one left to hedge to. */
static void hedge_stays_in_the_local_datacenter(void **state)
{
    (void)state;
    static const char *sc =
        "[run]\nops = 2000\n[cluster]\ndatacenters = dc1:3 dc2:3\nreplicas = dc1:2 dc2:2\n"
        "[quorum]\nr = LOCAL_ONE\nw = LOCAL_ONE\nread_fanout = r\ntimeout = 1s\n"
        "[network]\nlatency = exp(1ms)\ndc_latency = const(40ms)\n"
        "[hedge]\npolicy = always\n[workload]\nread_ratio = 1\nrate = 1000/s\nkeys = 100\nclient_dc = dc1\n";
    run_stats st;
    tu_run_text(sc, NULL, 0, &st);
    const hedge_res *hr = st.rr.res[MOD_HEDGE];
    EQ(hr->firsts, 2000);
    EQ(hr->hedges, 2000);
    EQ(hr->no_owner_left, 0);
    EQ(st.net->cross_dc, 0);
    tu_run_free(&st);
    const char *one[] = {"cluster.replicas=dc1:1 dc2:2"};
    tu_run_text(sc, one, 1, &st);
    hr = st.rr.res[MOD_HEDGE];
    EQ(hr->hedges, 0);
    EQ(hr->no_owner_left, 2000);
    EQ(st.net->cross_dc, 0);
    tu_run_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hedge_stays_in_the_local_datacenter),
        cmocka_unit_test(hedge_fixed_matches_monte_carlo),
        cmocka_unit_test(tied_request_cancels_its_queued_twin),
        cmocka_unit_test(hedge_budget_caps_extra_requests),
        cmocka_unit_test(hedge_percentile_waits_for_history),
        cmocka_unit_test(hedging_under_load_helps_then_hurts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
