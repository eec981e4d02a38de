/* Reports from metric descriptions (docs/design.md section 5): every metric is described
 * once and the three writers agree: unique summary.json paths and runs.csv columns, every
 * description complete, one CSV field per column in every row, every path present in
 * summary.json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/module.h"
#include "models/run.h"
#include "models/stats.h"
#include "src/report.h"
#include "tests/testutil.h"

static void metrics_are_described_once_and_completely(void **state)
{
    (void)state;
    const metric *all[1024];
    size_t n = 0;
    for (int md = 0; md < MOD_COUNT; md++)
        for (size_t i = 0; i < module_list[md]->nmetrics; i++)
            all[n++] = &module_list[md]->metrics[i];
    assert_true(n > 50);
    for (size_t i = 0; i < n; i++) {
        const metric *m = all[i];
        assert_non_null(m->path);
        assert_non_null(m->doc);
        assert_non_null(m->unit);
        assert_true(strlen(m->doc) > 5);
        assert_true(m->type == MT_JSON ? m->json != NULL : m->get != NULL);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(all[j]->path, m->path) == 0)
                fail_msg("metric %s is described twice", m->path);
            if (m->column && all[j]->column && strcmp(all[j]->column, m->column) == 0)
                fail_msg("runs.csv column %s belongs to %s and %s", m->column, all[j]->path, m->path);
            /* a path that is a prefix of another would be a value and an object at once */
            size_t l = strlen(all[j]->path);
            if (strncmp(all[j]->path, m->path, l) == 0 && m->path[l] == '.')
                fail_msg("%s is a value and an object", all[j]->path);
        }
    }
}

static size_t fields(const char *line)
{
    size_t n = 1;
    int quoted = 0;
    for (const char *p = line; *p && *p != '\n'; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == ',' && !quoted)
            n++;
    }
    return n;
}

/* Runs drift.ini in-process and writes each report into memory. */
static void reports_agree_with_descriptions(void **state)
{
    (void)state;
    cfg *c;
    EQ(cfg_create(&c), 0);
    cfg_load(c, tu_src("scenarios/drift.ini"));
    char swept[] = "quorum.r";
    sweep sw = {swept, NULL, 2};
    char one[] = "1", two[] = "2";
    char *vals[] = {one, two};
    sw.values = vals;
    run_item *items = NULL;
    size_t n = runner_build(c, &sw, 1, 0, &items);
    EQ(cfg_nerrors(c), 0);
    EQ(n, 2);
    EQ(runner_run(items, n, 1, NULL, 0), 0);
    report_meta m = {.scenario = "scenarios/drift.ini", .name = "drift", .sw = &sw, .nsw = 1};
    char *csv = NULL, *json = NULL, *table = NULL;
    size_t lc, lj, lt;
    FILE *f = open_memstream(&csv, &lc);
    report_csv(f, &m, items, n);
    fclose(f);
    f = open_memstream(&json, &lj);
    report_json(f, &m, items, n);
    fclose(f);
    f = open_memstream(&table, &lt);
    report_table(f, &m, items, n);
    fclose(f);
    /* runs.csv: config, the swept key, one column per metric that has one */
    size_t cols = 2;
    for (int md = 0; md < MOD_COUNT; md++)
        for (size_t i = 0; i < module_list[md]->nmetrics; i++)
            cols += module_list[md]->metrics[i].column != NULL;
    const char *row1 = strchr(csv, '\n') + 1, *row2 = strchr(row1, '\n') + 1;
    assert_true(fields(csv) > cols); /* the report's own summary columns come first */
    EQ(fields(row1), fields(csv));
    EQ(fields(row2), fields(csv));
    /* summary.json: every module metric's leaf name appears, with its object */
    for (int md = 0; md < MOD_COUNT; md++) {
        for (size_t i = 0; i < module_list[md]->nmetrics; i++) {
            const metric *mt = &module_list[md]->metrics[i];
            if (mt->type == MT_JSON && strcmp(mt->path, "script") == 0)
                continue; /* drift.ini is not a script: no script array */
            if (mt->type == MT_JSON && strcmp(mt->path, "datacenters") == 0)
                continue; /* drift.ini has no datacenters: no datacenters array */
            const char *leaf = strrchr(mt->path, '.');
            char key[96];
            snprintf(key, sizeof key, "\"%s\":", leaf ? leaf + 1 : mt->path);
            if (!strstr(json, key))
                fail_msg("summary.json lacks %s", mt->path);
        }
    }
    assert_non_null(strstr(json, "\"messages\": {\n"));
    /* one "messages" object per configuration, though three modules contribute to it */
    size_t objs = 0;
    for (const char *p = json; (p = strstr(p, "\"messages\":")); p++)
        objs++;
    EQ(objs, 2);
    assert_non_null(strstr(table, "read-p99"));
    assert_non_null(strstr(table, "quorum.r=2"));
    free(csv);
    free(json);
    free(table);
    runner_free(items, n);
    cfg_destroy(c);
}

/* Replications: the difference of read p99 between the second configuration and the first,
 * seed by seed, has the mean and the 95% half-width t(0.975, K-1) s / sqrt(K) computed here
 * from the runs themselves. */
static void replication_intervals_are_computed_from_the_runs(void **state)
{
    (void)state;
    cfg *c;
    EQ(cfg_create(&c), 0);
    cfg_load(c, tu_src("scenarios/bench.ini"));
    cfg_add_arg(c, "--set", "run.ops=3000");
    char swept[] = "quorum.r";
    sweep sw = {swept, NULL, 2};
    char one[] = "1", three[] = "3";
    char *vals[] = {one, three};
    sw.values = vals;
    run_item *items = NULL;
    size_t n = runner_build(c, &sw, 1, 4, &items);
    if (cfg_nerrors(c))
        cfg_print_errors(c, stderr);
    EQ(cfg_nerrors(c), 0);
    EQ(n, 8);
    for (size_t i = 0; i < n; i++) {
        EQ(items[i].config, i / 4);
        EQ(items[i].rep, i % 4);
        EQ(items[i].reps, 4);
        EQ(SC_CFG(&items[i].sc, MOD_RUN, run_cfg)->seed, 1 + (int64_t)(i % 4));
    }
    EQ(runner_run(items, n, 2, NULL, 0), 0);
    double d[4], mean = 0, var = 0;
    for (int r = 0; r < 4; r++) {
        const stats_res *a = items[r].rr.res[MOD_STATS], *b = items[4 + r].rr.res[MOD_STATS];
        d[r] = (double)hist_quantile(&b->lat[OP_READ][OUT_OK], 0.99) - (double)hist_quantile(&a->lat[OP_READ][OUT_OK], 0.99);
        mean += d[r] / 4;
    }
    for (int r = 0; r < 4; r++)
        var += (d[r] - mean) * (d[r] - mean) / 3;
    double hw = 3.182 * sqrt(var) / 2;
    report_meta m = {.scenario = "bench", .name = "bench", .sw = &sw, .nsw = 1};
    char *json = NULL;
    size_t lj;
    FILE *f = open_memstream(&json, &lj);
    report_json(f, &m, items, n);
    fclose(f);
    const char *diff = strstr(json, "\"difference_from_first\"");
    assert_non_null(diff);
    const char *p99 = strstr(diff, "\"reads.latency_ok.p99_ns\": {");
    assert_non_null(p99);
    double gm, gh;
    assert_non_null(strstr(p99, "\"mean\": "));
    EQ(sscanf(strstr(p99, "\"mean\": ") + 8, "%lf", &gm), 1);
    EQ(sscanf(strstr(p99, "\"ci95\": ") + 8, "%lf", &gh), 1);
    NEAR(gm, mean, 1e-6 * (1 + fabs(mean)));
    NEAR(gh, hw, 1e-6 * (1 + hw));
    assert_true(mean > 0); /* waiting for all three replies is slower, every seed */
    free(json);
    runner_free(items, n);
    cfg_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metrics_are_described_once_and_completely),
        cmocka_unit_test(reports_agree_with_descriptions),
        cmocka_unit_test(replication_intervals_are_computed_from_the_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
