/* test_spec.c: data-driven spec cases, spec in and expansion or error out.
 *
 *   tests/data/spec/bad/NAME.yaml  first line "# expect: MESSAGE": loading
 *                                  and expanding it fails with exactly
 *                                  MESSAGE (file:line:column included)
 *   tests/data/spec/ok/NAME.yaml   expands as ok/NAME.expect says:
 *                                  "name N", "runs N", "cells N", then
 *                                  lines "INDEX key=value ..." for some or
 *                                  all runs (the swept keys)
 *
 * RX_UPDATE=1 rewrites the .expect files (review the diff). */
#include "rx_test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rx_keys.h"
#include "rx_spec.h"

#define SPEC_DIR RX_TEST_DATA "/spec"
#define MAX_FILES 256

static char start_dir[4096];

static int enter_dir(void **state)
{
    (void)state;
    if (!getcwd(start_dir, sizeof start_dir) || chdir(SPEC_DIR) != 0)
        return -1;
    return 0;
}

static int leave_dir(void **state)
{
    (void)state;
    return chdir(start_dir);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of dir's files ending in .yaml, sorted. */
static int list_yaml(const char *dir, char **names)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_FILES) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_name);
    return n;
}

/* Loads and expands path; returns the status and fills err. */
static int load_expand(const char *path, rx_spec **s, rx_job **jobs, int *n, rx_err *err)
{
    *jobs = NULL;
    *n = 0;
    int rc = rx_spec_load(path, s, err);
    if (rc)
        return rc;
    return rx_spec_expand(*s, jobs, n, err);
}

static void test_bad_specs(void **state)
{
    (void)state;
    char *names[MAX_FILES];
    int n = list_yaml("bad", names), failed = 0;
    assert_true(n >= 30);
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "bad/%s", names[i]);
        char *text = rx_test_slurp(path);
        assert_non_null(text);
        static const char tag[] = "# expect: ";
        assert_true(strncmp(text, tag, sizeof tag - 1) == 0);
        char *want = text + sizeof tag - 1;
        want[strcspn(want, "\n")] = '\0';
        rx_spec *s = NULL;
        rx_job *jobs;
        int nj;
        rx_err err = {{0}};
        int rc = load_expand(path, &s, &jobs, &nj, &err);
        if (rc != RX_EINVAL || strcmp(err.msg, want) != 0) {
            print_message("%s:\n  want: %s\n  got:  %s (status %d)\n", path, want, err.msg, rc);
            failed++;
        }
        rx_jobs_free(jobs, nj);
        rx_spec_free(s);
        free(text);
        free(names[i]);
    }
    assert_int_equal(failed, 0);
}

#define MAX_COLS 64

/* "INDEX key=value ..." for one run over the given columns. */
static void run_line(const rx_job *j, const char **cols, int nc, char *buf, size_t size)
{
    size_t k = (size_t)snprintf(buf, size, "%d", j->index);
    for (int c = 0; c < nc && k < size; c++) {
        char v[512];
        if (rx_config_get(&j->cfg, cols[c], v, sizeof v) != RX_OK)
            snprintf(v, sizeof v, "-");
        k += (size_t)snprintf(buf + k, size - k, " %s=%s", cols[c], v);
    }
}

static int count_cells(const rx_job *jobs, int n)
{
    int cells = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(jobs[i].cell, jobs[j].cell) == 0;
        cells += !seen;
    }
    return cells;
}

/* Checks one ok spec against its .expect; returns the number of
 * mismatches (printed). */
static int check_ok(const char *name)
{
    char path[512], expect[512];
    snprintf(path, sizeof path, "ok/%s", name);
    snprintf(expect, sizeof expect, "ok/%.*s.expect", (int)strlen(name) - 5, name);
    rx_spec *s = NULL;
    rx_job *jobs;
    int n;
    rx_err err = {{0}};
    if (load_expand(path, &s, &jobs, &n, &err) != RX_OK) {
        print_message("%s: %s\n", path, err.msg);
        rx_spec_free(s);
        return 1;
    }
    static const char *const fixed[] = {"train.budget", "optimizer.name", "optimizer.lr",
                                        "schedule.name", "schedule.sampling", "train.seed"};
    const char *cols[MAX_COLS], *swept[MAX_COLS];
    int nc = 0;
    for (int i = 0; i < 6; i++)
        cols[nc++] = fixed[i];
    int ns = rx_grid_swept_keys(&s->grid, swept, MAX_COLS);
    for (int i = 0; i < ns && nc < MAX_COLS; i++) {
        int dup = 0;
        for (int c = 0; c < nc; c++)
            dup |= strcmp(cols[c], swept[i]) == 0;
        if (!dup)
            cols[nc++] = swept[i];
    }
    int bad = 0;
    char line[4096];
    if (getenv("RX_UPDATE")) {
        FILE *f = fopen(expect, "w");
        assert_non_null(f);
        fprintf(f, "name %s\nruns %d\ncells %d\n", s->name, n, count_cells(jobs, n));
        for (int i = 0; i < n; i++)
            if (n <= 200 || i < 10 || i == n - 1) {
                run_line(&jobs[i], cols, nc, line, sizeof line);
                fprintf(f, "%s\n", line);
            }
        fclose(f);
    } else {
        char *want = rx_test_slurp(expect);
        if (!want) {
            print_message("%s: missing (RX_UPDATE=1 writes it)\n", expect);
            bad++;
        }
        int lines = 0;
        for (char *l = want ? strtok(want, "\n") : NULL; l; l = strtok(NULL, "\n")) {
            char got[4096];
            int idx;
            lines++;
            if (strncmp(l, "name ", 5) == 0) {
                snprintf(got, sizeof got, "name %s", s->name);
            } else if (strncmp(l, "runs ", 5) == 0) {
                snprintf(got, sizeof got, "runs %d", n);
            } else if (strncmp(l, "cells ", 6) == 0) {
                snprintf(got, sizeof got, "cells %d", count_cells(jobs, n));
            } else if (sscanf(l, "%d", &idx) == 1 && idx >= 0 && idx < n) {
                run_line(&jobs[idx], cols, nc, got, sizeof got);
            } else {
                snprintf(got, sizeof got, "(no such run)");
            }
            if (strcmp(l, got) != 0) {
                print_message("%s:\n  want: %s\n  got:  %s\n", expect, l, got);
                bad++;
            }
        }
        if (lines < 3) {
            print_message("%s: needs name, runs and cells lines\n", expect);
            bad++;
        }
        free(want);
    }
    rx_jobs_free(jobs, n);
    rx_spec_free(s);
    return bad;
}

static void test_ok_specs(void **state)
{
    (void)state;
    char *names[MAX_FILES];
    int n = list_yaml("ok", names), failed = 0;
    assert_true(n >= 10);
    for (int i = 0; i < n; i++) {
        failed += check_ok(names[i]);
        free(names[i]);
    }
    assert_int_equal(failed, 0);
}

/* ---- the API around the files ------------------------------------------- */

static rx_spec *parse(const char *text, const char *path)
{
    rx_spec *s = NULL;
    rx_err err = {{0}};
    if (rx_spec_parse(text, strlen(text), path, &s, &err) != RX_OK)
        fail_msg("%s", err.msg);
    return s;
}

static void test_fields(void **state)
{
    (void)state;
    rx_spec *s = parse("store: x.db\ntrain: {seed: 5}\n", "dir/my-sweep.v2.yaml");
    assert_string_equal(s->name, "my-sweep");
    assert_string_equal(s->store, "x.db");
    assert_string_equal(s->path, "dir/my-sweep.v2.yaml");
    char h[RX_KEY_LEN + 1];
    snprintf(h, sizeof h, "%016llx",
             (unsigned long long)rx_hash64(s->text, s->text_len, RX_HASH_INIT));
    assert_string_equal(s->hash, h);
    assert_int_equal((int)s->grid.base.train.seed, 5);
    rx_spec_free(s);
    s = parse("name: n1\n", "a.yaml");
    assert_string_equal(s->name, "n1");
    assert_null(s->store);
    assert_string_not_equal(s->hash, h);
    rx_spec_free(s);
}

static void test_load_errors(void **state)
{
    (void)state;
    rx_spec *s;
    rx_err err;
    assert_int_equal(rx_spec_load("no/such/spec.yaml", &s, &err), RX_EIO);
    assert_string_equal(err.msg, "cannot read 'no/such/spec.yaml': No such file or directory");
    assert_null(s);
}

static void test_single_and_override(void **state)
{
    (void)state;
    rx_err err = {{0}};
    rx_job *job;
    rx_spec *s = parse("train: {batch_size: 32}\nbudgets: [10%]\n", "one.yaml");
    assert_int_equal(rx_spec_single(s, &job, &err), RX_OK);
    assert_true(job->cfg.train.budget == 0.1);
    char key[RX_KEY_LEN + 1];
    rx_config_run_key(&job->cfg, key);
    assert_string_equal(job->key, key);
    rx_jobs_free(job, 1);
    /* overrides have the last word, over the file and over its axes */
    assert_int_equal(rx_spec_override(s, "train.budget=0.5", &err), RX_OK);
    assert_int_equal(rx_spec_override(s, "model.hidden=[16, 8]", &err), RX_OK);
    assert_int_equal(rx_spec_single(s, &job, &err), RX_OK);
    assert_true(job->cfg.train.budget == 0.5);
    assert_int_equal(job->cfg.model.n_hidden, 2);
    assert_int_equal(job->cfg.model.hidden[1], 8);
    assert_int_equal(job->cfg.train.batch_size, 32);
    rx_jobs_free(job, 1);
    assert_int_equal(rx_spec_override(s, "train.batchsize=8", &err), RX_EINVAL);
    assert_string_equal(err.msg, "unknown key 'train.batchsize' (did you mean 'train.batch_size'?)");
    assert_int_equal(rx_spec_override(s, "train.batch_size=0", &err), RX_EINVAL);
    assert_string_equal(err.msg, "'train.batch_size' must be an integer in [1, 65536], got '0'");
    assert_int_equal(rx_spec_override(s, "batch_size", &err), RX_EINVAL);
    assert_string_equal(err.msg, "expected KEY=VALUE, got 'batch_size'");
    /* a schedule parameter is checked against each run's schedule, when
     * the runs are built: this run's schedule (constant) has no gamma */
    assert_int_equal(rx_spec_override(s, "schedule.gamma=-2", &err), RX_OK);
    assert_int_equal(rx_spec_single(s, &job, &err), RX_EINVAL);
    assert_null(job);
    assert_non_null(strstr(err.msg, "gamma"));
    rx_spec_free(s);
    /* ... but a key that an axis sweeps over several values is refused,
     * as in a spec: the override would replace the axis */
    s = parse("budgets: [10%, 50%]\noptimizers:\n  - {name: sgd, lr: [0.1, 0.2]}\n", "two.yaml");
    assert_int_equal(rx_spec_override(s, "train.budget=0.5", &err), RX_EINVAL);
    assert_string_equal(err.msg, "--set train.budget=0.5: 'train.budget' is swept by 'budgets' "
                                 "at two.yaml:1:1; change the axis in the spec instead");
    assert_int_equal(rx_spec_override(s, "optimizer.lr=0.5", &err), RX_EINVAL);
    assert_non_null(strstr(err.msg, "'optimizer.lr' is swept by 'optimizer.lr' at two.yaml:3:"));
    assert_int_equal(rx_spec_override(s, "optimizer.momentum=0.5", &err), RX_OK);
    rx_spec_free(s);

    s = parse("schedule: exp\n", "sched.yaml");
    assert_int_equal(rx_spec_override(s, "schedule.gamma=-2", &err), RX_OK);
    assert_int_equal(rx_spec_single(s, &job, &err), RX_OK);
    char v[64];
    rx_config_get(&job->cfg, "schedule.gamma", v, sizeof v);
    assert_string_equal(v, "-2");
    rx_jobs_free(job, 1);
    rx_spec_free(s);

    s = parse("seeds: 2\n", "two.yaml");
    assert_int_equal(rx_spec_single(s, &job, &err), RX_EINVAL);
    assert_string_equal(err.msg, "'two.yaml' describes 2 runs, not one");
    rx_spec_free(s);
}

static void test_new(void **state)
{
    (void)state;
    rx_spec *s;
    rx_err err;
    rx_job *job;
    assert_int_equal(rx_spec_new(NULL, &s, &err), RX_OK);
    assert_string_equal(s->name, "train");
    assert_int_equal(rx_spec_override(s, "optimizer.name=adam", &err), RX_OK);
    assert_int_equal(rx_spec_single(s, &job, &err), RX_OK);
    rx_config d;
    rx_config_defaults(&d);
    d.optim.kind = RX_OPTIM_ADAM;
    char k[RX_KEY_LEN + 1];
    rx_config_run_key(&d, k);
    assert_string_equal(job->key, k);
    rx_jobs_free(job, 1);
    rx_spec_free(s);
}

/* An optimizer's own defaults (Lion's beta2 is 0.99) fill the keys that
 * nothing of a run sets; a value set anywhere (an entry, the base, an
 * override) wins, and other optimizers keep the key table's. */
static void test_optim_defaults(void **state)
{
    (void)state;
    rx_err err = {{0}};
    rx_job *jobs;
    int n;
    rx_spec *s = parse("optimizers:\n  - {name: lion, lr: 1e-3}\n"
                       "  - {name: lion, lr: 1e-3, beta2: 0.95}\n"
                       "  - {name: adam, lr: 1e-3}\n", "lion.yaml");
    assert_int_equal(rx_spec_expand(s, &jobs, &n, &err), RX_OK);
    assert_int_equal(n, 3);
    assert_true(jobs[0].cfg.optim.beta2 == 0.99);
    assert_true(jobs[1].cfg.optim.beta2 == 0.95);
    assert_true(jobs[2].cfg.optim.beta2 == 0.999);
    /* the key is the key of the effective configuration */
    rx_config d;
    rx_config_defaults(&d);
    d.optim.kind = RX_OPTIM_ADAM;
    d.optim.lr = 1e-3;
    char k[RX_KEY_LEN + 1];
    rx_config_run_key(&d, k);
    assert_string_equal(jobs[2].key, k);
    d.optim.kind = RX_OPTIM_LION;
    d.optim.beta2 = 0.99;
    rx_config_run_key(&d, k);
    assert_string_equal(jobs[0].key, k);
    assert_non_null(strstr(jobs[0].config_json, "\"beta2\":0.99,"));
    rx_jobs_free(jobs, n);
    rx_spec_free(s);
    /* set in the base: kept */
    s = parse("optimizer: {beta2: 0.999}\noptimizers: [{name: lion}, {name: sgd}]\n", "b.yaml");
    assert_int_equal(rx_spec_expand(s, &jobs, &n, &err), RX_OK);
    assert_int_equal(n, 2);
    assert_true(jobs[0].cfg.optim.beta2 == 0.999);
    assert_true(jobs[1].cfg.optim.beta2 == 0.999);
    rx_jobs_free(jobs, n);
    rx_spec_free(s);
    /* `rexsweep train optimizer.name=lion`, then with beta2 set */
    assert_int_equal(rx_spec_new(NULL, &s, &err), RX_OK);
    assert_int_equal(rx_spec_override(s, "optimizer.name=lion", &err), RX_OK);
    assert_int_equal(rx_spec_single(s, &jobs, &err), RX_OK);
    assert_true(jobs[0].cfg.optim.beta2 == 0.99);
    rx_jobs_free(jobs, 1);
    assert_int_equal(rx_spec_override(s, "optimizer.beta2=0.999", &err), RX_OK);
    assert_int_equal(rx_spec_single(s, &jobs, &err), RX_OK);
    assert_true(jobs[0].cfg.optim.beta2 == 0.999);
    rx_jobs_free(jobs, 1);
    rx_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_ok_specs),
    };
    const struct CMUnitTest api[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_single_and_override),
        cmocka_unit_test(test_new),
        cmocka_unit_test(test_optim_defaults),
    };
    int rc = cmocka_run_group_tests_name("spec files", tests, enter_dir, leave_dir);
    return rc + cmocka_run_group_tests_name("spec api", api, NULL, NULL);
}
