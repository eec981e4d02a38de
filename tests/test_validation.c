/* test_validation: the whole simulator against closed forms (docs/design.md section 8): the R-th
 * order statistic of IID replica round trips, M/M/1 and M/M/k (Erlang C) response times, and
 * the k-staleness formula C(N-W, R) / C(N, R) for reads that race a write. Fixed seeds; each
 * tolerance is derived from the sample size in the comment above its check. */
#include "tests/testutil.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MS 1e6 /* ns */

static double choose(int n, int k)
{
    if (k < 0 || k > n)
        return 0;
    double c = 1;
    for (int i = 1; i <= k; i++)
        c = c * (n - k + i) / i;
    return c;
}

static void run_with(const char *ini, const char *set1, const char *set2, run_stats *st)
{
    const char *sets[2] = {set1, set2};
    tu_run_text(ini, sets, set2 ? 2 : set1 ? 1 : 0, st);
}

/* ---- order statistics of IID round trips ---- */

/* A round trip is request + reply, two IID exp(m) one-way latencies: Erlang-2 with phase
 * mean m (ns). The R-th fastest of N IID round trips has CDF
 * G(x) = sum_{j=R}^{N} C(N,j) F^j (1-F)^{N-j} and density
 * g(x) = N C(N-1,R-1) F^{R-1} (1-F)^{N-R} f(x). */
typedef struct ostat {
    int n, r;
    double m; /* ns */
} ostat;

static double erlang2_cdf(double x, double m) { return x <= 0 ? 0 : 1 - exp(-x / m) * (1 + x / m); }
static double erlang2_pdf(double x, double m) { return x <= 0 ? 0 : x / (m * m) * exp(-x / m); }

static double os_cdf(const ostat *o, double x)
{
    double f = erlang2_cdf(x, o->m), g = 0;
    for (int j = o->r; j <= o->n; j++)
        g += choose(o->n, j) * pow(f, j) * pow(1 - f, o->n - j);
    return g;
}

static double os_pdf(const ostat *o, double x)
{
    double f = erlang2_cdf(x, o->m);
    return o->n * choose(o->n - 1, o->r - 1) * pow(f, o->r - 1) * pow(1 - f, o->n - o->r) *
           erlang2_pdf(x, o->m);
}

/* Solves G(x) = p by bisection (G is increasing). */
static double os_quantile(const ostat *o, double p)
{
    double lo = 0, hi = 100 * o->m;
    for (int i = 0; i < 200 && hi - lo > 1e-9 * o->m; i++) {
        double mid = (lo + hi) / 2;
        if (os_cdf(o, mid) < p)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/* Mean and variance of G by Simpson's rule on E[X] = int (1-G), E[X^2] = int 2x (1-G) over
 * [0, 60m]; the tail beyond is below N * 61 e^{-60}, about 1e-24 of m. */
static void os_moments(const ostat *o, double *mean, double *var)
{
    const int k = 60000; /* even */
    double h = 60 * o->m / k, s1 = 0, s2 = 0;
    for (int i = 0; i <= k; i++) {
        double x = i * h, tail = 1 - os_cdf(o, x);
        double wt = i == 0 || i == k ? 1 : i % 2 ? 4 : 2;
        s1 += wt * tail;
        s2 += wt * 2 * x * tail;
    }
    *mean = s1 * h / 3;
    *var = s2 * h / 3 - *mean * *mean;
}

/* Reads only (no key is ever written: a read still waits for R replies), N = 3 replicas on 3
 * nodes, exp(1ms) one-way latency for every message, zero service time and no queueing, so a
 * read's latency is exactly the R-th fastest of 3 IID Erlang-2 round trips. The open-loop rate
 * does not matter (nothing queues); the timeout cannot fire (P(round trip > 10s) ~ e^-10000). */
static const char order_ini[] = "[run]\nseed = 11\nops = 200000\n"
                                "[cluster]\nnodes = 3\nreplicas = 3\n"
                                "[quorum]\nw = 1\ntimeout = 10s\n"
                                "[network]\nlatency = exp(1ms)\n"
                                "[workload]\nmode = open\nrate = 1000/s\nread_ratio = 1\nkeys = 100\n";

/* n = 200000 reads per R. A quantile estimate at p has binomial SE sqrt(p(1-p)/n) in
 * probability, sd = sqrt(p(1-p)/n) / g(x_p) in time (2-4us at p50 and 10-25us at p99 for
 * these laws); allow 5 sd plus the histogram's stated relative error HIST_REL_ERROR * x_p.
 * The mean is exact (the histogram keeps the sum): allow 5 SE = 5 sd(G) / sqrt(n), 0.5-0.7%.
 * Neighbouring order statistics differ by 75% or more at p50, so answering at the (R-1)-th or
 * (R+1)-th reply fails by dozens of tolerances. */
static void read_latency_is_rth_order_statistic(void **state)
{
    (void)state;
    const double ps[] = {0.5, 0.99};
    for (int r = 1; r <= 3; r++) {
        char set[32];
        snprintf(set, sizeof set, "quorum.r=%d", r);
        run_stats st;
        run_with(order_ini, set, NULL, &st);
        const hist *h = &st.stats->lat[OP_READ][OUT_OK];
        double n = (double)h->count;
        EQ(h->count, 200000);
        EQ(st.stats->unavailable[OP_READ], 0);
        ostat o = {3, r, 1 * MS};
        for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
            double p = ps[i], x = os_quantile(&o, p);
            double sd = sqrt(p * (1 - p) / n) / os_pdf(&o, x);
            double got = (double)hist_quantile(h, p);
            print_message("R=%d p%g: %.1f us, closed form %.1f us +- %.1f\n", r, p * 100, got / 1e3, x / 1e3,
                          (5 * sd + HIST_REL_ERROR * x) / 1e3);
            NEAR(got, x, 5 * sd + HIST_REL_ERROR * x);
        }
        double mean, var;
        os_moments(&o, &mean, &var);
        print_message("R=%d mean: %.1f us, closed form %.1f us +- %.1f\n", r, hist_mean(h) / 1e3, mean / 1e3,
                      5 * sqrt(var / n) / 1e3);
        NEAR(hist_mean(h), mean, 5 * sqrt(var / n));
        tu_run_free(&st);
    }
}

/* ---- order statistics of non-identical round trips ---- */

/* Replica i's round trip is Erlang-2 with phase mean m[i]. The R-th fastest of n independent
 * round trips: G(x) = P(at least R of them are done by x), the Poisson-binomial tail of
 * p_i = F_i(x), computed by the usual recurrence; its density is
 * g(x) = sum_i f_i(x) P(exactly R-1 of the others are done by x). */
typedef struct ostat_mixed {
    int n, r;
    double m[8]; /* ns */
} ostat_mixed;

/* P(exactly k of the round trips other than skip (-1: none) are done by x), k = 0..n. */
static void done_counts(const ostat_mixed *o, double x, int skip, double *pk)
{
    for (int k = 0; k <= o->n; k++)
        pk[k] = k == 0;
    for (int i = 0; i < o->n; i++) {
        if (i == skip)
            continue;
        double p = erlang2_cdf(x, o->m[i]);
        for (int k = o->n; k >= 0; k--)
            pk[k] = pk[k] * (1 - p) + (k ? pk[k - 1] * p : 0);
    }
}

static double osm_cdf(const ostat_mixed *o, double x)
{
    double pk[9], g = 0;
    done_counts(o, x, -1, pk);
    for (int k = o->r; k <= o->n; k++)
        g += pk[k];
    return g;
}

static double osm_pdf(const ostat_mixed *o, double x)
{
    double g = 0, pk[9];
    for (int i = 0; i < o->n; i++) {
        done_counts(o, x, i, pk);
        g += erlang2_pdf(x, o->m[i]) * pk[o->r - 1];
    }
    return g;
}

static double osm_quantile(const ostat_mixed *o, double p)
{
    double lo = 0, hi = 1000 * MS;
    for (int i = 0; i < 200 && hi - lo > 1e-3; i++) {
        double mid = (lo + hi) / 2;
        if (osm_cdf(o, mid) < p)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/* scenarios/slow-replica.ini: n1's messages take 10x their exp(1ms) draw, so its round trip
 * is Erlang-2 with phase mean 10 ms, the other two 1 ms. Reads only, no service, nothing
 * queues. n = 200000 reads per R: at p50, p90 and p99 the quantile's sd is sqrt(p(1-p)/n) /
 * g(x_p); allow 5 sd plus the histogram's relative error. The mean: E = int (1 - G), by
 * Simpson's rule on [0, 600 ms] (the slow tail beyond is below 1e-24), 5 standard errors. */
static void read_latency_with_a_slow_replica_is_rth_order_statistic(void **state)
{
    (void)state;
    const double ps[] = {0.5, 0.9, 0.99};
    for (int r = 1; r <= 3; r++) {
        char set[32];
        snprintf(set, sizeof set, "quorum.r=%d", r);
        const char *sets[] = {set};
        run_stats st;
        tu_run_file(tu_src("scenarios/slow-replica.ini"), sets, 1, &st);
        const hist *h = &st.stats->lat[OP_READ][OUT_OK];
        double n = (double)h->count;
        EQ(h->count, 200000);
        ostat_mixed o = {3, r, {10 * MS, 1 * MS, 1 * MS}};
        for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
            double p = ps[i], x = osm_quantile(&o, p);
            double sd = sqrt(p * (1 - p) / n) / osm_pdf(&o, x);
            double got = (double)hist_quantile(h, p);
            print_message("slow replica, R=%d p%g: %.1f us, closed form %.1f us +- %.1f\n", r, p * 100, got / 1e3,
                          x / 1e3, (5 * sd + HIST_REL_ERROR * x) / 1e3);
            NEAR(got, x, 5 * sd + HIST_REL_ERROR * x);
        }
        const int k = 60000;
        double hs = 600 * MS / k, s1 = 0, s2 = 0;
        for (int i = 0; i <= k; i++) {
            double x = i * hs, tail = 1 - osm_cdf(&o, x), wt = i == 0 || i == k ? 1 : i % 2 ? 4 : 2;
            s1 += wt * tail;
            s2 += wt * 2 * x * tail;
        }
        double mean = s1 * hs / 3, var = s2 * hs / 3 - mean * mean;
        print_message("slow replica, R=%d mean: %.1f us, closed form %.1f us +- %.1f\n", r, hist_mean(h) / 1e3,
                      mean / 1e3, 5 * sqrt(var / n) / 1e3);
        NEAR(hist_mean(h), mean, 5 * sqrt(var / n));
        tu_run_free(&st);
    }
}

/* ---- queues ---- */

/* One replica, one node, reads only, zero network latency: each read is one customer of the
 * replica's FIFO queue with exp(1ms) service (mu = 1000/s) in front of `concurrency`
 * servers, and its latency is its sojourn time. Warm-up: the queue starts empty and relaxes
 * in about 1 / (mu (1 - sqrt(rho))^2), a few dozen customers at these loads; 2000 are
 * dropped. The timeout cannot fire (P(T > 100s) ~ e^-50000). */
static const char mm_ini[] = "[run]\nseed = 21\nops = 402000\nwarmup = 2000\n"
                             "[cluster]\nnodes = 1\nreplicas = 1\n"
                             "[quorum]\nr = 1\nw = 1\ntimeout = 100s\n"
                             "[network]\nlatency = const(0)\n"
                             "[node]\nread_service = exp(1ms)\nconcurrency = 1\n"
                             "[workload]\nmode = open\narrival = poisson\nrate = 500/s\nread_ratio = 1\nkeys = 1\n";

/* M/M/1, lambda = 500/s, mu = 1000/s, rho = 0.5, n = 400000 measured reads. T is
 * exponential with rate mu - lambda: mean 2ms, median ln 2 / (500/s), p99 ln 100 / (500/s).
 * Successive sojourn times are positively correlated, so the sample mean's variance is
 * sigma^2 / n with the asymptotic variance constant sigma^2, not Var(T) / n = 4 / (mu^2 n).
 * For the wait in queue, sigma^2 = rho (2 + 5 rho - 4 rho^2 + rho^3) / (mu^2 (1 - rho)^4)
 * (Daley 1968; Whitt, "Planning queueing simulations", Management Science 1989): 29 / mu^2
 * at rho = 0.5. The sojourn time adds the service time and its covariance with later waits;
 * a batch-means run of the Lindley recursion (4e8 customers, outside qsim) gives 29.2 for the
 * wait, confirming the formula, and 36.4 / mu^2 for the sojourn, and 40 qsim seeds at this n
 * give a relative SE of 0.50% (predicted 0.48%). Take sigma^2 <= 40 / mu^2: SE <= 10us
 * (0.5%), allow 5 SE = 50us. Without the queue (T = service time) the mean is 1ms; one more
 * server gives 1.07ms; a LIFO queue keeps the mean but moves the median (1.21ms).
 * Quantiles: the binomial sd sqrt(p(1-p)/n) / g(x_p) is inflated by the same correlation;
 * over 40 seeds the variance factor was 4.3 at p50 and 11.6 at p99. Use 16 (4 x the sd),
 * times 5, plus HIST_REL_ERROR * x_p. */
static void mm1_mean_response_time(void **state)
{
    (void)state;
    run_stats st;
    run_with(mm_ini, NULL, NULL, &st);
    const hist *h = &st.stats->lat[OP_READ][OUT_OK];
    double n = (double)h->count, lambda = 500, mu = 1000, rate = mu - lambda; /* per second */
    EQ(h->count, 400000);
    EQ(st.stats->unavailable[OP_READ], 0);
    double mean = 1e9 / rate;
    double se = sqrt(40 / (mu * mu) / n) * 1e9;
    print_message("M/M/1 mean: %.1f us, closed form %.1f us +- %.1f\n", hist_mean(h) / 1e3, mean / 1e3,
                  5 * se / 1e3);
    NEAR(hist_mean(h), mean, 5 * se);
    const double ps[] = {0.5, 0.99};
    for (size_t i = 0; i < 2; i++) {
        double p = ps[i], x = -log(1 - p) / rate * 1e9, g = rate * (1 - p) / 1e9; /* density per ns */
        double sd = sqrt(16 * p * (1 - p) / n) / g, got = (double)hist_quantile(h, p);
        print_message("M/M/1 p%g: %.1f us, closed form %.1f us +- %.1f\n", p * 100, got / 1e3, x / 1e3,
                      (5 * sd + HIST_REL_ERROR * x) / 1e3);
        NEAR(got, x, 5 * sd + HIST_REL_ERROR * x);
    }
    tu_run_free(&st);
}

/* Erlang C: probability that an arrival waits in an M/M/k queue with offered load a =
 * lambda / mu (a < k). */
static double erlang_c(int k, double a)
{
    double term = 1, sum = 0; /* term = a^i / i! */
    for (int i = 0; i < k; i++) {
        sum += term;
        term *= a / (i + 1);
    }
    double top = term * k / (k - a);
    return top / (sum + top);
}

/* M/M/3, mu = 1000/s, lambda = 1800/s, rho = 0.6, n = 400000 measured reads. Mean response =
 * 1/mu + C(3, 1.8) / (3 mu - lambda) = 1ms + 0.3547 / (1200/s) = 1.2956ms. We know no closed
 * form for the correlated sample mean's variance here; over 40 seeds at this n its relative
 * SE was 0.42%. Take SE <= 0.5% and allow 5 SE, 2.5% (32us). Two servers (C(2, 1.8) = 0.853)
 * give 5.3ms, four give 1.06ms, and a model that ignored queueing gives 1ms. */
static void mmk_mean_wait_erlang_c(void **state)
{
    (void)state;
    run_stats st;
    run_with(mm_ini, "node.concurrency=3", "workload.rate=1800/s", &st);
    const hist *h = &st.stats->lat[OP_READ][OUT_OK];
    EQ(h->count, 400000);
    EQ(st.stats->unavailable[OP_READ], 0);
    const int k = 3;
    double lambda = 1800, mu = 1000, c = erlang_c(k, lambda / mu);
    double mean = (1 / mu + c / (k * mu - lambda)) * 1e9;
    print_message("M/M/%d C = %.4f, mean: %.1f us, closed form %.1f us +- %.1f\n", k, c, hist_mean(h) / 1e3,
                  mean / 1e3, 5 * 0.005 * mean / 1e3);
    NEAR(hist_mean(h), mean, 5 * 0.005 * mean);
    tu_run_free(&st);
}

/* ---- k-staleness for reads that race a write ---- */

/* One key on N = 3 nodes, one closed-loop client with no think time, 70% reads. Write
 * requests take exp(1s) one way, acks const(0): a write is acknowledged at the instant its
 * W-th replica applies it, and the client's next operation starts at that very instant. The
 * other N - W replicas get their copy only after a further exp(1s) (memoryless). Reads take
 * exp(1us) each way on every link, IID, so the first R replies (read_fanout = all), like the
 * R owners drawn at random (read_fanout = r), are a uniformly random R-subset of the owners.
 * A run of reads after an ack lasts microseconds (a 30-read run, the first past 100us, has
 * probability 0.7^30 ~ 2e-5), so the reads with t-visibility below 100us see
 * exactly W holders of latest(r) and are stale iff all R replicas they hear from lack it:
 * p = C(N-W, R) / C(N, R). The timeout cannot fire (P(max of 3 exp(1s) > 100s) ~ 3e-43). */
static const char race_ini[] = "[run]\nseed = 31\nops = 100000\n"
                               "[cluster]\nnodes = 3\nreplicas = 3\n"
                               "[quorum]\ntimeout = 100s\n"
                               "[network]\nlatency = exp(1us)\nwrite_request = exp(1s)\nwrite_ack = const(0)\n"
                               "read_request = exp(1us)\nread_response = exp(1us)\n"
                               "[workload]\nmode = closed\nclients = 1\nthink = const(0)\nread_ratio = 0.7\n"
                               "keys = 1\n";

/* About 70000 reads with t < 100us per configuration (100000 operations, 70% reads). Tolerance
 * 5 sqrt(p(1-p)/n), at most 0.009 at p = 2/3, plus the bias bound: such a read starts
 * < 100us after the ack and its requests arrive < 200us after it (P(exp(1us) > 100us) =
 * e^-100), so a missing replica receives the write before the read asks it with probability
 * < 1 - e^{-200us/1s} = 2e-4 each, (N-W) * 2e-4 <= 4e-4 in all. R + W > N:
 * every R-subset meets the W holders, so no read is stale, exactly. Returning the first reply
 * instead of the newest of the first R gives 2/3 instead of 1/3 at (R,W) = (2,1) and 1/3
 * instead of 0 at (2,2). */
static void k_staleness_matches_formula(void **state)
{
    (void)state;
    static const int rw[][2] = {{1, 1}, {1, 2}, {2, 1}, {2, 2}, {1, 3}, {3, 1}};
    static const char *const fanout[] = {"quorum.read_fanout=all", "quorum.read_fanout=r"};
    const int n_rep = 3;
    for (size_t f = 0; f < 2; f++) {
        for (size_t i = 0; i < sizeof rw / sizeof rw[0]; i++) {
            int r = rw[i][0], w = rw[i][1];
            char sr[32], sw[32];
            snprintf(sr, sizeof sr, "quorum.r=%d", r);
            snprintf(sw, sizeof sw, "quorum.w=%d", w);
            const char *sets[3] = {sr, sw, fanout[f]};
            run_stats st;
            tu_run_text(race_ini, sets, 3, &st);
            EQ(st.stats->unavailable[OP_READ] + st.stats->unavailable[OP_WRITE], 0);
            EQ(st.stats->lost_reads, 0);
            /* the t-visibility bins below 100us (an edge) hold exactly the reads with t < 100us */
            uint64_t reads = 0, stale = 0, later = 0;
            for (int b = 0; b < VIS_NBINS; b++) {
                if (vis_bin_lo(b) < 100000) {
                    reads += st.stats->vis_reads[b];
                    stale += st.stats->vis_reads[b] - st.stats->vis_fresh[b];
                } else {
                    later += st.stats->vis_reads[b];
                }
            }
            double want = choose(n_rep - w, r) / choose(n_rep, r), got = (double)stale / (double)reads;
            double tol = 5 * sqrt(want * (1 - want) / (double)reads) + (n_rep - w) * 2e-4;
            print_message("%s R=%d W=%d: stale %.4f of %llu reads with t < 100us (%llu later), formula %.4f +- %.4f\n",
                          fanout[f] + 7, r, w, got, (unsigned long long)reads, (unsigned long long)later, want,
                          tol);
            assert_true(reads > 60000);
            if (r + w > n_rep) {
                EQ(stale, 0);
                EQ(st.stats->stale, 0);
            } else {
                NEAR(got, want, tol);
            }
            tu_run_free(&st);
        }
    }
}

/* ---- the t-visibility curve against PBS's WARS model ---- */

/* WARS (Bailis et al., "Probabilistically Bounded Staleness", VLDB 2012, section 4), as qsim
 * runs it here: the coordinator is the client; a write goes to all N replicas at once, replica
 * i gets it after W_i and its acknowledgement is back after a further A_i; the write is
 * acknowledged at the W-th smallest W_i + A_i. A read started t after that asks all N
 * (read_fanout = all): replica j gets the request after R_j and answers with what it holds
 * then, its answer back after a further S_j; the coordinator takes the first R answers, by
 * R_j + S_j. The read is stale iff each of those R replicas got the request before the write:
 * ack + t + R_j < W_j. Here every one-way delay is exp(1ms), all 4N independent (no service
 * time, so no queue couples them). The Monte Carlo below draws them with its own generator
 * (tu_xorshift), never qsim's code, and draws t uniformly within a bin, as the probe's
 * uniform read_after spreads its reads within each bin. */
#define WARS_N 3

static double xs_exp(uint64_t *rs, double mean)
{
    double u = ((double)(tu_xorshift(rs) >> 11) + 0.5) / 9007199254740992.0; /* (0, 1) */
    return -mean * log(u);
}

static int wars_stale(uint64_t *rs, int r, int w, double t)
{
    double W[WARS_N], A[WARS_N], R[WARS_N], S[WARS_N], acks[WARS_N];
    for (int i = 0; i < WARS_N; i++) {
        W[i] = xs_exp(rs, 1.0);
        A[i] = xs_exp(rs, 1.0);
        R[i] = xs_exp(rs, 1.0);
        S[i] = xs_exp(rs, 1.0);
        acks[i] = W[i] + A[i];
    }
    for (int i = 1; i < WARS_N; i++) /* insertion sort: acks ascending */
        for (int j = i; j > 0 && acks[j] < acks[j - 1]; j--) {
            double x = acks[j];
            acks[j] = acks[j - 1];
            acks[j - 1] = x;
        }
    double ack = acks[w - 1];
    int used[WARS_N] = {0};
    for (int k = 0; k < r; k++) { /* the k-th answer to arrive */
        int first = -1;
        for (int j = 0; j < WARS_N; j++)
            if (!used[j] && (first < 0 || R[j] + S[j] < R[first] + S[first]))
                first = j;
        used[first] = 1;
        if (W[first] <= ack + t + R[first])
            return 0; /* it had the write */
    }
    return 1;
}

/* N = 3, R = 1, exp(1ms) for every message kind, no service, reads to all N; probes with
 * read_after uniform(0, 10ms), 200000 of them (10 clients on 1000 keys, so a key is quiet for
 * 100 probes of its client). */
static const char wars_ini[] = "[run]\nseed = 41\nops = 400000\n"
                               "[cluster]\nnodes = 3\nreplicas = 3\n"
                               "[quorum]\nr = 1\ntimeout = 10s\nread_fanout = all\n"
                               "[network]\nlatency = exp(1ms)\n"
                               "[workload]\nmode = probe\nclients = 10\nkeys = 1000\n"
                               "read_after = uniform(0ms, 10ms)\n";

/* Compared per bin of t from 100us up (20 bins, 500 to 40000 reads each) and for the bins
 * below 100us pooled (about 2000 reads): the simulated stale fraction x1/n1 against the
 * Monte Carlo's x2/n2 (n2 = 100000 per bin, t uniform in the same range). Both are binomial,
 * so under the model their difference has variance p(1-p)(1/n1 + 1/n2), p estimated pooled,
 * (x1 + x2)/(n1 + n2) (the two-proportion z test); allow |z| <= 5 in every bin (42 bins: a
 * false alarm has probability about 42 * 6e-7). At t < 100us the model gives about 0.24
 * stale for W = 1 and 0.08 for W = 2, so answering the W = 1 curve for W = 2 (or taking
 * the write as acknowledged at its first ack) fails by 20 standard errors or more. */
static void probe_curve_matches_wars_monte_carlo(void **state)
{
    (void)state;
    static const int ws[] = {1, 2};
    const int lo_bin = vis_bin(100000), m = 100000;
    for (size_t wi = 0; wi < 2; wi++) {
        int w = ws[wi];
        char set[32];
        snprintf(set, sizeof set, "quorum.w=%d", w);
        run_stats st;
        run_with(wars_ini, set, NULL, &st);
        EQ(st.stats->unavailable[OP_READ] + st.stats->unavailable[OP_WRITE], 0);
        EQ(st.stats->measured[OP_READ], 200000);
        uint64_t rs = UINT64_C(0x9e3779b97f4a7c15) + (uint64_t)w;
        int compared = 0;
        for (int b = lo_bin - 1; b < VIS_NBINS && vis_bin_lo(b) < 10 * (int64_t)MS; b++) {
            /* b = lo_bin - 1 stands for every bin below 100us, pooled */
            int64_t t0 = b < lo_bin ? 0 : vis_bin_lo(b), t1 = b < lo_bin ? 100000 : vis_bin_hi(b);
            uint64_t n1 = 0, x1 = 0;
            for (int k = b < lo_bin ? 0 : b; k <= b; k++) {
                n1 += st.stats->vis_reads[k];
                x1 += st.stats->vis_reads[k] - st.stats->vis_fresh[k];
            }
            uint64_t x2 = 0;
            for (int i = 0; i < m; i++) {
                double t = ((double)t0 + (double)(t1 - t0) * ((double)(tu_xorshift(&rs) >> 11) / 9007199254740992.0)) / (double)MS;
                x2 += (uint64_t)wars_stale(&rs, 1, w, t);
            }
            double p1 = (double)x1 / (double)n1, p2 = (double)x2 / m, pp = (double)(x1 + x2) / (double)(n1 + (uint64_t)m);
            double sd = sqrt(pp * (1 - pp) * (1.0 / (double)n1 + 1.0 / m));
            double tol = 5 * sd;
            int64_t ms = (int64_t)MS;
            if (b == lo_bin - 1 || b == vis_bin(ms) || b == vis_bin(2 * ms) || b == vis_bin(4 * ms) ||
                b == vis_bin(8 * ms))
                print_message("R=1 W=%d t in [%.3f, %.3f) ms: P(fresh) %.4f of %llu reads, WARS %.4f +- %.4f\n", w,
                              (double)t0 / (double)MS, (double)t1 / (double)MS, 1 - p1, (unsigned long long)n1, 1 - p2, tol);
            assert_true(n1 >= 400);
            if (fabs(p1 - p2) > tol)
                fail_msg("R=1 W=%d t in [%lld, %lld) ns: stale %.5f of %llu, WARS %.5f, |diff| > %.5f", w,
                         (long long)t0, (long long)t1, p1, (unsigned long long)n1, p2, tol);
            compared++;
        }
        EQ(compared, 21);
        tu_run_free(&st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_latency_is_rth_order_statistic),
        cmocka_unit_test(read_latency_with_a_slow_replica_is_rth_order_statistic),
        cmocka_unit_test(mm1_mean_response_time),
        cmocka_unit_test(mmk_mean_wait_erlang_c),
        cmocka_unit_test(k_staleness_matches_formula),
        cmocka_unit_test(probe_curve_matches_wars_monte_carlo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
