/* test_grid.c: expansion counts and order, zip, exclude, dedupe, exact
 * ranges, the golden run keys and shards.  RX_UPDATE=1 rewrites the
 * golden key list (tests/data/grid/golden.keys). */
#include "rx_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_cost.h"
#include "rx_data.h"
#include "rx_grid.h"
#include "rx_keys.h"
#include "rx_model.h"
#include "rx_train.h"
#include "rx_range.h"
#include "rx_spec.h"

#define GOLDEN_SPEC RX_TEST_DATA "/grid/golden.yaml"
#define GOLDEN_KEYS RX_TEST_DATA "/grid/golden.keys"

static rx_spec *parse(const char *text)
{
    rx_spec *s = NULL;
    rx_err err = {{0}};
    if (rx_spec_parse(text, strlen(text), "t.yaml", &s, &err) != RX_OK)
        fail_msg("%s", err.msg);
    return s;
}

/* Every job materialised from its compact run (pos decoded, choices
 * applied) has the configuration its run key was computed from. */
static void check_materialised(const rx_job *jobs, int n)
{
    for (int i = 0; i < n; i++) {
        char key[RX_KEY_LEN + 1], cell[RX_KEY_LEN + 1];
        rx_config_run_key(&jobs[i].cfg, key);
        rx_config_cell_key(&jobs[i].cfg, cell);
        assert_string_equal(key, jobs[i].key);
        assert_string_equal(cell, jobs[i].cell);
        assert_int_equal(jobs[i].index, i);
        if (i)
            assert_true(jobs[i].pos > jobs[i - 1].pos);
    }
}

static rx_job *expand(const char *text, int *n, double *count)
{
    rx_spec *s = parse(text);
    rx_job *jobs;
    rx_err err = {{0}};
    if (rx_spec_expand(s, &jobs, n, &err) != RX_OK)
        fail_msg("%s", err.msg);
    check_materialised(jobs, *n);
    if (count)
        *count = rx_grid_count(&s->grid);
    rx_spec_free(s);
    return jobs;
}

static void get(const rx_job *j, const char *key, char *buf)
{
    assert_int_equal(rx_config_get(&j->cfg, key, buf, 64), RX_OK);
}

static void test_count_and_order(void **state)
{
    (void)state;
    int n;
    double count;
    rx_job *j = expand("budgets: [10%, 100%]\n"
                       "optimizers: [{name: sgd, lr: [0.1, 0.2, 0.3]}, adam]\n"
                       "seeds: 2\n",
                       &n, &count);
    /* 2 budgets x (3 + 1) x 2 seeds */
    assert_int_equal(n, 16);
    assert_true(count == 16);
    char v[64];
    for (int i = 0; i < n; i++) {
        assert_int_equal(j[i].index, i);
        assert_true(j[i].cfg.train.seed == (uint64_t)(i % 2));      /* fastest */
        assert_true(j[i].cfg.train.budget == (i < 8 ? 0.1 : 1.0));  /* slowest */
        assert_true(j[i].epochs == j[i].cfg.train.budget * 10);
        /* the work (rx_cost.h): the 100% runs do 10x the 10% runs' steps */
        assert_true(j[i].cost > 0 && j[i].steps > 0);
        assert_true(j[i].cost == j[i % 8].cost * (i < 8 ? 1 : (double)j[i].steps / j[i % 8].steps));
    }
    get(&j[0], "optimizer.lr", v);
    assert_string_equal(v, "0.1");
    get(&j[2], "optimizer.lr", v);
    assert_string_equal(v, "0.2");
    get(&j[6], "optimizer.name", v);
    assert_string_equal(v, "adam");
    get(&j[6], "optimizer.lr", v);
    assert_string_equal(v, "0.1"); /* adam keeps the base lr */
    /* keys: distinct runs, cells without the seed */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < i; k++) {
            assert_string_not_equal(j[i].key, j[k].key);
            if (i / 2 == k / 2)
                assert_string_equal(j[i].cell, j[k].cell);
            else
                assert_string_not_equal(j[i].cell, j[k].cell);
        }
    rx_jobs_free(j, n);
}

static void test_zip(void **state)
{
    (void)state;
    int n;
    double count;
    rx_job *j = expand("grid:\n"
                       "  train.batch_size: [32, 128, 512]\n"
                       "  optimizer.lr: [0.025, 0.1, 0.4]\n"
                       "  model.dropout: [0, 0.5]\n"
                       "zip: [[train.batch_size, optimizer.lr]]\n",
                       &n, &count);
    assert_int_equal(n, 6);
    assert_true(count == 6);
    static const int bs[] = {32, 32, 128, 128, 512, 512};
    static const double lr[] = {0.025, 0.025, 0.1, 0.1, 0.4, 0.4};
    for (int i = 0; i < n; i++) {
        assert_int_equal(j[i].cfg.train.batch_size, bs[i]);
        assert_true(j[i].cfg.optim.lr == lr[i]);
        assert_true(j[i].cfg.model.dropout == (i % 2 ? 0.5 : 0));
    }
    rx_jobs_free(j, n);
}

static void test_exclude(void **state)
{
    (void)state;
    int n;
    double count;
    /* values match however they are written: 1% is 0.01, 1e-1 is 0.1 */
    rx_job *j = expand("budgets: [1%, 0.5]\n"
                       "optimizers: [{name: sgd, lr: [0.1, 0.01]}]\n"
                       "schedules: [rex, {name: exp, gamma: [-1, -3]}]\n"
                       "exclude:\n"
                       "  - {budget: 0.01, lr: 1e-1}\n"
                       "  - {schedule: exp, schedule.gamma: -1}\n",
                       &n, &count);
    assert_true(count == 12);
    /* 12 - 3 (1%, lr 0.1) - 4 (gamma -1) + 1 (counted twice) */
    assert_int_equal(n, 6);
    char v[64];
    for (int i = 0; i < n; i++) {
        if (j[i].cfg.train.budget == 0.01)
            assert_true(j[i].cfg.optim.lr == 0.01);
        if (rx_config_get(&j[i].cfg, "schedule.gamma", v, sizeof v) == RX_OK)
            assert_string_equal(v, "-3");
    }
    rx_jobs_free(j, n);
    /* a bare name finds a grid key too */
    j = expand("grid: {optimizer.lr: [0.1, 0.3]}\nseeds: 2\nexclude: [{lr: 0.3, seed: 1}]\n",
               &n, NULL);
    assert_int_equal(n, 3);
    assert_true(j[2].cfg.optim.lr == 0.3 && j[2].cfg.train.seed == 0);
    rx_jobs_free(j, n);
}

static void test_dedupe(void **state)
{
    (void)state;
    int n;
    double count;
    rx_job *j = expand("grid:\n  optimizer.lr: [0.3, 3e-1, 0.1, 0.30000000000000001, 0.1]\n"
                       "seeds: [0, 0]\n",
                       &n, &count);
    assert_true(count == 10);
    assert_int_equal(n, 2);
    assert_true(j[0].cfg.optim.lr == 0.3);
    assert_true(j[1].cfg.optim.lr == 0.1);
    assert_int_equal(j[1].index, 1);
    rx_jobs_free(j, n);
}

static void test_expand_errors(void **state)
{
    (void)state;
    rx_spec *s = parse("schedules: [exp, rex]\n"
                       "grid:\n"
                       "  schedule.gamma: [-1, -2]\n");
    rx_job *jobs;
    int n;
    rx_err err = {{0}};
    /* gamma fits exp, not rex: the message points at the value */
    assert_int_equal(rx_spec_expand(s, &jobs, &n, &err), RX_EINVAL);
    assert_true(strncmp(err.msg, "t.yaml:3:20: ", 13) == 0);
    assert_null(jobs);
    rx_spec_free(s);
    /* too many runs */
    s = parse("grid:\n"
              "  train.batch_size: {from: 1, to: 10000, step: 1}\n"
              "  train.seed: {from: 1, to: 1001, step: 1}\n");
    assert_int_equal(rx_spec_expand(s, &jobs, &n, &err), RX_EINVAL);
    assert_string_equal(err.msg,
                        "t.yaml:2:3: the grid has 10010000 runs, more than the limit of 10000000");
    rx_spec_free(s);
}

/* ---- ranges ---------------------------------------------------------- */

static void want_range(rx_range_kind kind, const char *from, const char *to,
                       const char *by, const char *want)
{
    const char *bys[8];
    int nby = 0;
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s", by);
    for (char *t = strtok(tmp, ","); t; t = strtok(NULL, ","))
        bys[nby++] = t;
    char **out;
    int n;
    rx_err err = {{0}};
    if (rx_range_expand(kind, from, to, bys, nby, &out, &n, &err) != RX_OK)
        fail_msg("range %s..%s by %s: %s", from, to, by, err.msg);
    char got[2048];
    size_t k = 0;
    got[0] = '\0';
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(got + k, sizeof got - k, "%s%s", i ? " " : "", out[i]);
    free(out);
    assert_string_equal(got, want);
}

static void want_range_error(rx_range_kind kind, const char *from, const char *to,
                             const char *by, const char *msg)
{
    char **out;
    int n;
    rx_err err = {{0}};
    assert_int_equal(rx_range_expand(kind, from, to, &by, 1, &out, &n, &err), RX_EINVAL);
    assert_string_equal(err.msg, msg);
}

static void test_ranges_exact(void **state)
{
    (void)state;
    want_range(RX_RANGE_STEP, "0.1", "0.5", "0.1", "0.1 0.2 0.3 0.4 0.5");
    want_range(RX_RANGE_STEP, "0", "1", "0.3", "0 0.3 0.6 0.9");
    want_range(RX_RANGE_STEP, "-1", "1", "0.5", "-1 -0.5 0 0.5 1");
    want_range(RX_RANGE_STEP, "0.9", "0.5", "-0.2", "0.9 0.7 0.5");
    want_range(RX_RANGE_STEP, "10%", "30%", "5%", "0.1 0.15 0.2 0.25 0.3");
    want_range(RX_RANGE_STEP, "32", "32", "8", "32");
    want_range(RX_RANGE_STEP, "1e3", "3e3", "1000", "1000 2000 3000");
    want_range(RX_RANGE_STEP, "0.00001", "0.00003", "0.00001", "0.00001 0.00002 0.00003");
    want_range(RX_RANGE_FACTOR, "1", "0.01", "0.5", "1 0.5 0.25 0.125 0.0625 0.03125 0.015625");
    want_range(RX_RANGE_FACTOR, "1e-10", "1e-8", "10", "1e-10 1e-9 1e-8");
    want_range(RX_RANGE_FACTOR, "3", "100", "3", "3 9 27 81");
    want_range(RX_RANGE_FACTOR, "1", "1e22", "1e11", "1 100000000000 1e+22");
    want_range(RX_RANGE_MANTISSAS, "0.001", "1", "1,3", "0.001 0.003 0.01 0.03 0.1 0.3 1");
    want_range(RX_RANGE_MANTISSAS, "1", "0.003", "1,3", "1 0.3 0.1 0.03 0.01 0.003");
    want_range(RX_RANGE_MANTISSAS, "0.002", "0.5", "1,2.5,5", "0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5");
    /* 3^63 has 31 digits: kept exact, then read as the nearest double */
    char **out;
    int n;
    rx_err err;
    const char *three = "3";
    assert_int_equal(rx_range_expand(RX_RANGE_FACTOR, "1", "1e31", &three, 1, &out, &n, &err), RX_OK);
    assert_int_equal(n, 65);
    assert_string_equal(out[63], "1.144561273430837494885949696427e+30");
    free(out);
    /* every value reads back as the double of the same text written by
     * hand, which is what makes range values and their keys exact */
    const char *tenth = "0.1";
    assert_int_equal(rx_range_expand(RX_RANGE_STEP, "0", "5", &tenth, 1, &out, &n, &err), RX_OK);
    assert_int_equal(n, 51);
    char lit[16];
    for (int i = 0; i < n; i++) {
        snprintf(lit, sizeof lit, "%d.%d", i / 10, i % 10);
        assert_true(strtod(out[i], NULL) == strtod(lit, NULL));
    }
    assert_string_equal(out[3], "0.3");
    free(out);

    want_range_error(RX_RANGE_STEP, "0.5", "0.1", "0.1", "'step' is positive, but 'to' is below 'from'");
    want_range_error(RX_RANGE_STEP, "0.1", "0.5", "-0.1", "'step' is negative, but 'to' is above 'from'");
    want_range_error(RX_RANGE_STEP, "0", "1", "0", "'step' must be nonzero");
    want_range_error(RX_RANGE_STEP, "0", "1", "0.00001", "the range has more than 10000 values");
    want_range_error(RX_RANGE_STEP, "zero", "1", "1", "'from' must be a decimal number, got 'zero'");
    want_range_error(RX_RANGE_STEP, "0", "0x10", "1", "'to' must be a decimal number, got '0x10'");
    want_range_error(RX_RANGE_FACTOR, "1", "0.1", "2", "'factor' is above 1, but 'to' is below 'from'");
    want_range_error(RX_RANGE_FACTOR, "0", "1", "2", "'from' and 'to' of a range with 'factor' must be > 0");
    want_range_error(RX_RANGE_FACTOR, "1", "2", "1", "'factor' must be > 0 and not 1");
    want_range_error(RX_RANGE_MANTISSAS, "0.1", "1", "10", "'mantissas' must be in [1, 10)");

    char b[64];
    assert_int_equal(rx_decimal_normalize("0.50", b, sizeof b), RX_OK);
    assert_string_equal(b, "0.5");
    assert_int_equal(rx_decimal_normalize("25%", b, sizeof b), RX_OK);
    assert_string_equal(b, "0.25");
    assert_int_equal(rx_decimal_normalize("-000.0", b, sizeof b), RX_OK);
    assert_string_equal(b, "0");
    assert_int_equal(rx_decimal_normalize("1.5e-7", b, sizeof b), RX_OK);
    assert_string_equal(b, "1.5e-7");
    assert_int_equal(rx_decimal_normalize("1.", b, sizeof b), RX_OK);
    assert_string_equal(b, "1");
    assert_int_equal(rx_decimal_normalize("1e", b, sizeof b), RX_EINVAL);
    assert_int_equal(rx_decimal_normalize(".", b, sizeof b), RX_EINVAL);
    assert_int_equal(rx_decimal_normalize("nan", b, sizeof b), RX_EINVAL);
}

/* ---- golden keys ----------------------------------------------------- */

static void test_golden_keys(void **state)
{
    (void)state;
    rx_spec *s;
    rx_err err = {{0}};
    if (rx_spec_load(GOLDEN_SPEC, &s, &err) != RX_OK)
        fail_msg("%s", err.msg);
    rx_job *jobs;
    int n;
    if (rx_spec_expand(s, &jobs, &n, &err) != RX_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(n, 1728);
    check_materialised(jobs, n);
    if (getenv("RX_UPDATE")) {
        FILE *f = fopen(GOLDEN_KEYS, "w");
        assert_non_null(f);
        for (int i = 0; i < n; i++)
            fprintf(f, "%d %s %s\n", jobs[i].index, jobs[i].key, jobs[i].cell);
        fclose(f);
    }
    FILE *f = fopen(GOLDEN_KEYS, "r");
    assert_non_null(f);
    char line[128], want[128];
    int i = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (i < n) {
            snprintf(want, sizeof want, "%d %s %s", jobs[i].index, jobs[i].key, jobs[i].cell);
            if (strcmp(line, want) != 0 && bad++ < 5)
                print_message("run %d: golden '%s', now '%s'\n", i, line, want);
        }
        i++;
    }
    fclose(f);
    assert_int_equal(i, n);
    assert_int_equal(bad, 0);
    /* and the same again from a second expansion (no hidden state) */
    rx_job *again;
    int n2;
    assert_int_equal(rx_spec_expand(s, &again, &n2, &err), RX_OK);
    assert_int_equal(n2, n);
    for (int k = 0; k < n; k++) {
        assert_string_equal(again[k].key, jobs[k].key);
        assert_string_equal(again[k].config_json, jobs[k].config_json);
    }
    rx_jobs_free(again, n2);
    rx_jobs_free(jobs, n);
    rx_spec_free(s);
}

/* ---- shards ------------------------------------------------------------ */

static long long units(double c)
{
    return (long long)(c * 1e9 + 0.5);
}

/* The compact runs of expanded jobs. */
static rx_run_ref *refs_of(const rx_job *jobs, int n)
{
    rx_run_ref *r = calloc((size_t)n, sizeof *r);
    assert_non_null(r);
    for (int i = 0; i < n; i++) {
        memcpy(r[i].key, jobs[i].key, sizeof r[i].key);
        memcpy(r[i].cell, jobs[i].cell, sizeof r[i].cell);
        r[i].index = jobs[i].index;
        r[i].pos = jobs[i].pos;
        r[i].cost = jobs[i].cost;
    }
    return r;
}

static void check_shards(const rx_run_ref *jobs, int n, int n_shards)
{
    int *owner = malloc((size_t)n * sizeof *owner);
    int *idx = malloc((size_t)n * sizeof *idx);
    long long lo = -1, hi = 0, max_cost = 0;
    for (int i = 0; i < n; i++) {
        owner[i] = -1;
        if (units(jobs[i].cost) > max_cost)
            max_cost = units(jobs[i].cost);
    }
    for (int k = 0; k < n_shards; k++) {
        int m;
        rx_err err;
        assert_int_equal(rx_grid_shard(jobs, n, k, n_shards, idx, &m, &err), RX_OK);
        long long load = 0;
        for (int i = 0; i < m; i++) {
            if (i)
                assert_true(idx[i - 1] < idx[i]); /* ascending */
            assert_int_equal(owner[idx[i]], -1);  /* disjoint */
            owner[idx[i]] = k;
            load += units(jobs[idx[i]].cost);
        }
        if (lo < 0 || load < lo)
            lo = load;
        if (load > hi)
            hi = load;
    }
    for (int i = 0; i < n; i++)
        assert_true(owner[i] >= 0); /* covering */
    /* LPT: no shard exceeds another by more than one job */
    assert_true(hi - lo <= max_cost);
    free(owner);
    free(idx);
}

static void test_shards(void **state)
{
    (void)state;
    int n;
    rx_job *full = expand("train: {full_epochs: 20}\n"
                          "budgets: [1%, 5%, 10%, 25%, 50%, 100%]\n"
                          "optimizers: [{name: sgd, lr: [0.3, 0.1]}, {name: adam, lr: [0.001]}]\n"
                          "seeds: 3\n",
                          &n, NULL);
    assert_int_equal(n, 54);
    rx_run_ref *j = refs_of(full, n);
    rx_jobs_free(full, n);
    for (int shards = 1; shards <= 9; shards++)
        check_shards(j, n, shards);
    check_shards(j, n, 60); /* more shards than jobs: some are empty */

    /* the slicing depends on the set of jobs, not on their order */
    rx_run_ref *rev = malloc((size_t)n * sizeof *rev);
    for (int i = 0; i < n; i++)
        rev[i] = j[n - 1 - i];
    int a[64], b[64], na, nb;
    rx_err err;
    for (int k = 0; k < 4; k++) {
        assert_int_equal(rx_grid_shard(j, n, k, 4, a, &na, &err), RX_OK);
        assert_int_equal(rx_grid_shard(rev, n, k, 4, b, &nb, &err), RX_OK);
        assert_int_equal(na, nb);
        for (int i = 0; i < na; i++) {
            int found = 0;
            for (int m = 0; m < nb; m++)
                found |= strcmp(j[a[i]].key, rev[b[m]].key) == 0;
            assert_true(found);
        }
    }
    free(rev);

    assert_int_equal(rx_grid_shard(j, n, 4, 4, a, &na, &err), RX_EINVAL);
    assert_string_equal(err.msg, "shard 4 of 4 does not exist (shards are 0 to 3)");
    assert_int_equal(rx_grid_shard(j, n, 0, 0, a, &na, &err), RX_EINVAL);
    free(j);

    /* a hand-checked LPT case: costs 5 4 3 3 2 2 on two shards go
     * 5->0 4->1 3->1 3->0 2->1 2->0: loads 10 and 9 */
    rx_run_ref small[6];
    static const double costs[] = {2, 3, 5, 2, 4, 3};
    memset(small, 0, sizeof small);
    for (int i = 0; i < 6; i++) {
        snprintf(small[i].key, sizeof small[i].key, "%016d", i);
        small[i].cost = costs[i];
        small[i].index = i;
    }
    assert_int_equal(rx_grid_shard(small, 6, 0, 2, a, &na, &err), RX_OK);
    /* shard 0: the 5 (job 2), the second 3 by key (job 5), the second 2
     * by key (job 3) */
    assert_int_equal(na, 3);
    assert_int_equal(a[0], 2);
    assert_int_equal(a[1], 3);
    assert_int_equal(a[2], 5);
}

/* The slicing pinned on a synthetic sweep with many equal costs (ties
 * broken by key): any change to which shard a job goes to fails here, so
 * existing Slurm arrays keep their slices. */
static void test_shards_pinned(void **state)
{
    (void)state;
    enum { N = 5000, SHARDS = 7 };
    rx_run_ref *jobs = calloc(N, sizeof *jobs);
    int *idx = malloc(N * sizeof *idx);
    assert_non_null(jobs);
    assert_non_null(idx);
    for (int i = 0; i < N; i++) {
        char id[32];
        int n = snprintf(id, sizeof id, "job-%d", i);
        snprintf(jobs[i].key, sizeof jobs[i].key, "%016llx",
                 (unsigned long long)rx_hash64(id, (size_t)n, RX_HASH_INIT));
        jobs[i].cost = ((i * 7919) % 13 + 1) * 0.25;
        jobs[i].index = i;
    }
    uint64_t h = RX_HASH_INIT;
    int total = 0;
    for (int k = 0; k < SHARDS; k++) {
        int m;
        rx_err err;
        assert_int_equal(rx_grid_shard(jobs, N, k, SHARDS, idx, &m, &err), RX_OK);
        h = rx_hash64(&k, sizeof k, h);
        h = rx_hash64(idx, (size_t)m * sizeof *idx, h);
        total += m;
    }
    assert_int_equal(total, N);
    char got[32];
    snprintf(got, sizeof got, "%016llx", (unsigned long long)h);
    assert_string_equal(got, "76c32673a4481a5a");
    free(idx);
    free(jobs);
}

/* A run's cost (rx_cost.h) is the work the trainer does: its steps are
 * rx_train's, and its FLOPs the estimate rx_train records, to the bit; a
 * CNN's epoch costs more than an MLP's of the same budget; a run whose
 * data cannot be read costs 0 and takes no known steps. */
static void test_cost(void **state)
{
    (void)state;
    int n;
    rx_job *j = expand("data: {dataset: spirals, n_samples: 1000, validation: 100}\n"
                       "train: {batch_size: 64, full_epochs: 10}\n"
                       "schedule: {warmup: 7, warmup_counts: false}\n"
                       "budgets: [10%, 100%]\n"
                       "grid:\n"
                       "  model.hidden: [[32], [64, 64]]\n",
                       &n, NULL);
    assert_int_equal(n, 4);
    /* 900 training samples, 15 steps an epoch: 15 + 7 and 150 + 7 steps */
    assert_int_equal(j[0].steps, 22);
    assert_int_equal(j[2].steps, 157);
    /* per sample 3 x 2 x (2*32 + 32*2) for the first model: 22 steps of 64
     * (one epoch of 900, then 7 full batches) */
    assert_true(j[0].cost == 768.0 * (900 + 7 * 64) * 1e-9);
    assert_true(j[1].cost > 20 * j[0].cost);   /* [64, 64]: 64 + 4096 + 64... */
    for (int i = 0; i < n; i += 3) {
        /* the trainer's own count and estimate */
        rx_data data;
        rx_train_result res;
        rx_err err;
        assert_int_equal(rx_data_load(&j[i].cfg.data, &data, &err), RX_OK);
        assert_int_equal(rx_train(&j[i].cfg, &data, NULL, &res, &err), RX_OK);
        assert_int_equal(res.steps, j[i].steps);
        assert_true(res.flops * 1e-9 == j[i].cost);
        rx_data_free(&data);
    }
    rx_jobs_free(j, n);

    /* the model matters: a CNN's epoch against an MLP's */
    static const char data[] =
        "data: {dataset: blobs, n_samples: 500, n_dims: 64, n_classes: 4, validation: 0}\n"
        "train: {batch_size: 50, full_epochs: 1}\n";
    char text[512];
    snprintf(text, sizeof text, "%smodel: {type: mlp, hidden: [16]}\n", data);
    j = expand(text, &n, NULL);
    int m;
    snprintf(text, sizeof text, "%smodel: {type: cnn, hidden: [16], conv: [{channels: 8, "
             "kernel: 3, padding: 1}]}\n", data);
    rx_job *k = expand(text, &m, NULL);
    assert_true(n == 1 && m == 1);
    assert_true(j[0].epochs == k[0].epochs && j[0].steps == k[0].steps);
    double mlp, cnn;
    rx_err err;
    assert_int_equal(rx_model_flops(&j[0].cfg.model, (rx_shape){1, 1, 64}, 4, &mlp, &err), RX_OK);
    assert_int_equal(rx_model_flops(&k[0].cfg.model, (rx_shape){1, 1, 64}, 4, &cnn, &err), RX_OK);
    assert_true(cnn > 2 * mlp);
    assert_true(j[0].cost == mlp * 500 * 1e-9 && k[0].cost == cnn * 500 * 1e-9);
    rx_jobs_free(j, n);
    rx_jobs_free(k, m);

    /* unreadable data: no steps, no cost (the run fails at once) */
    j = expand("data: {dataset: csv, path: /nonexistent/x.csv}\n", &n, NULL);
    assert_int_equal(n, 1);
    assert_true(j[0].cost == 0 && j[0].steps == 0 && j[0].epochs > 0);
    rx_jobs_free(j, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_and_order),
        cmocka_unit_test(test_zip),
        cmocka_unit_test(test_exclude),
        cmocka_unit_test(test_dedupe),
        cmocka_unit_test(test_expand_errors),
        cmocka_unit_test(test_ranges_exact),
        cmocka_unit_test(test_golden_keys),
        cmocka_unit_test(test_shards),
        cmocka_unit_test(test_shards_pinned),
        cmocka_unit_test(test_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
