/* bench: the speed and memory benchmark (docs/hacking.md "Measure speed and memory"; never a
 * timed test). Without arguments it runs scenarios/bench.ini (the normal load) and
 * scenarios/overload.ini (ten times the cluster's capacity) at 1M and 10M operations; with a
 * scenario, that one at the counts given (default 1M and 10M). Each run is a fresh child
 * process, so peak RSS is that run's own; it prints events/s, simulated operations/s and
 * peak RSS.  usage: qsim_bench [SCENARIO [OPS ...]] */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "models/run.h"
#include "models/stats.h"
#include "models/world.h"
#include "sim/cfg.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Child: runs one configuration and writes "events ops seconds" to fd. */
static int child(const char *path, long long ops, int fd)
{
    cfg *c;
    if (cfg_create(&c))
        return 1;
    cfg_load(c, path);
    char arg[64];
    snprintf(arg, sizeof arg, "run.ops=%lld", ops);
    cfg_add_arg(c, "bench", arg);
    scenario sc;
    scenario_build(c, &sc);
    if (cfg_nerrors(c)) {
        cfg_print_errors(c, stderr);
        return 2;
    }
    run_result rr;
    if (run_result_init(&rr))
        return 1;
    world *w;
    char err[512];
    if (world_create(&sc, 0, NULL, &rr, &w, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double t0 = now_s();
    int rc = world_run(w, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    double t = now_s() - t0;
    const stats_res *st = rr.res[MOD_STATS];
    dprintf(fd, "%" PRIu64 " %" PRIu64 " %.6f %" PRIu64 " %" PRIu64 "\n", ((const run_res *)rr.res[MOD_RUN])->events,
            ((const coord_res *)rr.res[MOD_QUORUM])->issued, t, st->measured[0] + st->measured[1], st->ok[0] + st->ok[1]);
    world_destroy(w);
    run_result_free(&rr);
    scenario_free(&sc);
    cfg_destroy(c);
    return rc ? 1 : 0;
}

/* Runs path at ops operations in a child; prints one row. 0, or 1 when the run failed. */
static int bench_one(const char *path, long long ops)
{
    int p[2];
    if (pipe(p))
        return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        _exit(child(path, ops, p[1]));
    }
    close(p[1]);
    char buf[256] = "";
    ssize_t got = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    if (got <= 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "bench: the run of %s at %lld operations failed\n", path, ops);
        return 1;
    }
    buf[got] = '\0';
    /* the child's line: events, issued, seconds, measured, ok */
    char *p0 = buf, *end;
    errno = 0;
    unsigned long long ev = strtoull(p0, &end, 10), issued = strtoull(end, &end, 10);
    double t = strtod(end, &end);
    (void)strtoull(end, &end, 10);
    (void)strtoull(end, &end, 10);
    if (errno || end == p0 || (*end && *end != '\n') || !(t > 0)) {
        fprintf(stderr, "bench: the run of %s printed '%s'\n", path, buf);
        return 1;
    }
    const char *base = strrchr(path, '/');
    printf("%-14s %-10lld %12llu %12.3f %12.0f %14.0f %9.1f MiB\n", base ? base + 1 : path, ops, ev, t,
           (double)ev / t, (double)issued / t, (double)ru.ru_maxrss / 1024.0);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const def_paths[] = {"scenarios/bench.ini", "scenarios/overload.ini"};
    long long def_ops[] = {1000000, 10000000};
    printf("%-14s %-10s %12s %12s %12s %14s %12s\n", "scenario", "ops", "events", "seconds", "events/s", "sim ops/s",
           "peak RSS");
    if (argc <= 1) {
        for (size_t s = 0; s < 2; s++)
            for (size_t i = 0; i < 2; i++)
                if (bench_one(def_paths[s], def_ops[i]))
                    return 1;
        return 0;
    }
    for (int i = 0; i < (argc > 2 ? argc - 2 : 2); i++) {
        long long ops = argc > 2 ? 0 : def_ops[i];
        if (argc > 2) {
            char *end;
            errno = 0;
            ops = strtoll(argv[2 + i], &end, 10);
            if (errno || end == argv[2 + i] || *end || ops < 1) {
                fprintf(stderr, "bench: %s: expected a number of operations >= 1\n", argv[2 + i]);
                return 2;
            }
        }
        if (bench_one(argv[1], ops))
            return 1;
    }
    return 0;
}
