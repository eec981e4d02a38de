/* testutil: helpers shared by the cmocka tests. cmocka 1.1.5 compares assert_int_equal
 * as unsigned and prints hex; these print signed decimals and never compile away. */
#ifndef QSIM_TESTUTIL_H
#define QSIM_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* TU_ASAN: built with AddressSanitizer (gcc says so one way, clang another), where valgrind
 * cannot run the program. */
#if defined(__SANITIZE_ADDRESS__)
#define TU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_ASAN 1
#endif
#endif

void tu_eq_i64(int64_t got, int64_t want, const char *what, const char *file, int line);
void tu_near(double got, double want, double tol, const char *what, const char *file, int line);
#define EQ(got, want) tu_eq_i64((int64_t)(got), (int64_t)(want), #got, __FILE__, __LINE__)
/* |got - want| <= tol */
#define NEAR(got, want, tol) tu_near((double)(got), (double)(want), (double)(tol), #got, __FILE__, __LINE__)
/* Absolute path of a file in the source tree. */
const char *tu_src(const char *rel);

#include "models/coord.h"
#include "models/module.h"
#include "models/net.h"
#include "models/node.h"
#include "models/oracle.h"
#include "models/run.h"
#include "models/stats.h"
#include "models/wl.h"
#include "models/fault.h"
#include "models/scenario.h"
/* A scenario's module configurations, typed. */
#define SC_NET(sc) SC_CFG(sc, MOD_NETWORK, net_cfg)
#define SC_QUORUM(sc) SC_CFG(sc, MOD_QUORUM, quorum_cfg)
#define SC_CLUSTER(sc) SC_CFG(sc, MOD_CLUSTER, cluster_cfg)
#define SC_FAULTS(sc) SC_CFG(sc, MOD_FAULTS, faults_cfg)
#define SC_WL(sc) SC_CFG(sc, MOD_WORKLOAD, wl_cfg)
/* One run's results, with each module's block at hand. */
typedef struct run_stats {
    run_result rr;
    const run_res *run;
    const net_res *net;
    const nodes_res *nodes;
    const coord_res *coord;
    const wl_res *wl;
    const oracle_res *oracle;
    const stats_res *stats;
} run_stats;
struct world;
/* Called between world_create and world_run: a test attaches observers, hooks, listeners. */
typedef void (*tu_setup_fn)(struct world *w, void *ctx);
/* Runs one configuration of a scenario file with extra "section.key=value" overrides
 * (sets may be NULL) and fills *st (free it with tu_run_free). Fails the test on any
 * scenario error, printing the errors. Trace is off. setup (may be NULL) runs before the
 * run. */
void tu_run_file_setup(const char *path, const char *const *sets, size_t nsets, tu_setup_fn setup, void *ctx,
                       run_stats *st);
void tu_run_file(const char *path, const char *const *sets, size_t nsets, run_stats *st);
/* Same with the trace on: returns trace.jsonl's text (free() it). */
char *tu_run_file_trace(const char *path, const char *const *sets, size_t nsets, run_stats *st);
/* Same as tu_run_file_setup; check (may be NULL) runs after the run, before the world is
 * destroyed, so a test can read the final stores. */
void tu_run_file_check(const char *path, const char *const *sets, size_t nsets, tu_setup_fn setup, tu_setup_fn check,
                       void *ctx, run_stats *st);
void tu_run_text_check(const char *text, const char *const *sets, size_t nsets, tu_setup_fn setup, tu_setup_fn check,
                       void *ctx, run_stats *st);
/* Same, from scenario text (written to a temporary file, removed after). */
void tu_run_text(const char *text, const char *const *sets, size_t nsets, run_stats *st);
void tu_run_text_setup(const char *text, const char *const *sets, size_t nsets, tu_setup_fn setup, void *ctx,
                       run_stats *st);
void tu_run_free(run_stats *st);
/* Loads and builds a scenario from text; returns the number of errors and writes every
 * error line (joined by '\n') into errs. */
size_t tu_check_text(const char *text, const char *const *sets, size_t nsets, char *errs, size_t n);
/* A fresh directory /tmp/qsim-test-XXXXXX (name written to dir). */
void tu_make_dir(char *dir, size_t n);
/* Writes text to dir/name. */
void tu_put(const char *dir, const char *name, const char *text);
/* Removes dir and everything in it. */
void tu_rm_tree(const char *dir);
/* Replaces the process with qsim; argv[0] is ignored (QSIM_BIN), argv ends with NULL. With
 * wrap and $QSIM_TEST_WRAP set, runs qsim under that command line instead (CI sets it to
 * valgrind's memcheck with --error-exitcode=99, so a memory error fails the test through
 * the exit status). Returns only if exec failed. */
void tu_exec_qsim(const char *const *argv, int wrap);
/* Runs qsim (through tu_exec_qsim, wrapped) in the source directory with args (ending with
 * NULL; argv[0] is supplied); returns its standard output (free() it) and its exit status in
 * *status (-1 if it did not exit normally). Standard error goes to /dev/null. */
char *tu_qsim_stdout(const char *const *args, int *status);
/* A small xorshift generator for tests that must not depend on sim/rng.c. */
uint64_t tu_xorshift(uint64_t *state);
#endif
