/* test_report.c: ranks and Top-k on hand-made values (ties included), the
 * paper's ResNet20-CIFAR10 SGDM table (tests/data/report, see its README
 * for exactly what is compared), lr selection on validation, honesty
 * counts, and the writers. */
#include "rx_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rx_lrgrid.h"
#include "rx_metrics.h"
#include "rx_report.h"
#include "rx_results.h"
#include "rx_store.h"
#include "rx_svg.h"
#include "rx_table.h"

#define D RX_TEST_DATA "/report/"

/* ---- helpers -------------------------------------------------------- */

typedef struct runs {
    rx_report_run v[512];
    int n;
} runs;

static rx_report_run *add(runs *r, const char *setting, const char *opt, const char *sched,
                          double budget, double lr, long long seed, rx_outcome st,
                          double val, double test)
{
    assert_true(r->n < (int)(sizeof r->v / sizeof r->v[0]));
    rx_report_run *x = &r->v[r->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->setting, sizeof x->setting, "%s", setting);
    snprintf(x->optimizer, sizeof x->optimizer, "%s", opt);
    snprintf(x->schedule, sizeof x->schedule, "%s", sched);
    x->budget = budget;
    x->lr = lr;
    x->seed = seed;
    x->state = st;
    x->val = val;
    x->test = test;
    return x;
}

static rx_metric metric(const char *name)
{
    rx_metric m;
    rx_err e;
    assert_int_equal(rx_metric_resolve(name, &m, &e), RX_OK);
    return m;
}

static rx_report *build(const runs *r, const rx_metric *m, int select_on_test, int no_merge)
{
    rx_report_opts o = {.metric = m, .select_on_test = select_on_test, .no_merge = no_merge};
    rx_report *rep = NULL;
    rx_err e = {{0}};
    int rc = rx_report_build(r->v, r->n, &o, &rep, &e);
    if (rc)
        print_error("build: %s\n", e.msg);
    assert_int_equal(rc, RX_OK);
    assert_non_null(rep);
    return rep;
}

static int sched_index(const rx_report *r, const char *name)
{
    for (int k = 0; k < r->n_schedules; k++)
        if (strcmp(r->schedules[k], name) == 0)
            return k;
    fail_msg("no schedule '%s'", name);
    return -1;
}

static int ranked_index(const rx_report *r, const char *name)
{
    for (int i = 0; i < r->n_ranked; i++)
        if (strcmp(r->ranked[i], name) == 0)
            return i;
    fail_msg("no ranked schedule '%s'", name);
    return -1;
}

static double rank_at(const rx_report *r, int s, int o, int b, const char *name)
{
    return r->rank[(((size_t)s * r->n_optimizers + o) * r->n_budgets + b) * r->n_ranked +
                   ranked_index(r, name)];
}

static double avg_rank(const rx_report *r, int o, int b, const char *name)
{
    return r->avg_rank[((size_t)o * r->n_budgets + b) * r->n_ranked + ranked_index(r, name)];
}

static int top(const rx_report *r, const char *name, int split, int k3)
{
    return r->top[(ranked_index(r, name) * RX_N_SPLIT + split) * 2 + k3];
}

static int top_n(const rx_report *r, const char *name, int split)
{
    return r->top_n[ranked_index(r, name) * RX_N_SPLIT + split];
}

#define assert_close(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

/* ---- ranks of raw values -------------------------------------------- */

static void test_rank_values_ties(void **state)
{
    (void)state;
    rx_metric lo = metric("loss"), hi = metric("acc");
    double rk[5];
    const double a[] = {10, 10, 12, NAN};
    rx_rank_values(&lo, a, 4, rk);
    assert_close(rk[0], 1.5);
    assert_close(rk[1], 1.5);
    assert_close(rk[2], 3);
    assert_true(isnan(rk[3]));
    const double b[] = {5, 5, 5};
    rx_rank_values(&lo, b, 3, rk);
    for (int i = 0; i < 3; i++)
        assert_close(rk[i], 2);
    const double c[] = {3, 2, 1, 2, 4};
    rx_rank_values(&lo, c, 5, rk);
    assert_close(rk[0], 4);
    assert_close(rk[1], 2.5);
    assert_close(rk[2], 1);
    assert_close(rk[3], 2.5);
    assert_close(rk[4], 5);
    /* higher is better for accuracy */
    const double d[] = {0.9, 0.8, 0.9};
    rx_rank_values(&hi, d, 3, rk);
    assert_close(rk[0], 1.5);
    assert_close(rk[1], 3);
    assert_close(rk[2], 1.5);
    /* equal within rounding is a tie; infinities rank last together */
    const double e[] = {0.1 + 0.2, 0.3, INFINITY, INFINITY};
    rx_rank_values(&lo, e, 4, rk);
    assert_close(rk[0], 1.5);
    assert_close(rk[1], 1.5);
    assert_close(rk[2], 3.5);
    assert_close(rk[3], 3.5);
}

static void test_mean_std(void **state)
{
    (void)state;
    double m, s;
    const double x[] = {1, 2, 3, 4, NAN};
    assert_int_equal(rx_mean_std(x, 5, &m, &s), 4);
    assert_close(m, 2.5);
    assert_close(s, sqrt(5.0 / 3.0));
    assert_int_equal(rx_mean_std(x, 1, &m, &s), 1);
    assert_close(m, 1);
    assert_true(isnan(s));
    assert_int_equal(rx_mean_std(x + 4, 1, &m, &s), 0);
    assert_true(isnan(m));
}

static void test_metric_resolve(void **state)
{
    (void)state;
    rx_metric m = metric("error");
    assert_string_equal(m.test_col, "test_acc");
    assert_string_equal(m.val_col, "val_acc");
    assert_int_equal(m.higher_better, 0);
    assert_close(rx_metric_display(&m, 0.75), 25);
    m = metric("test_acc");
    assert_string_equal(m.name, "acc");
    assert_int_equal(m.higher_better, 1);
    assert_close(rx_metric_display(&m, 0.75), 75);
    m = metric("train_loss");
    assert_string_equal(m.val_col, "");
    rx_err e;
    assert_int_equal(rx_metric_resolve("eror", &m, &e), RX_EINVAL);
    assert_string_equal(e.msg, "unknown metric 'eror'; did you mean 'error'?");
    assert_int_equal(rx_metric_resolve("bleu-score", &m, &e), RX_EINVAL);
    assert_non_null(strstr(e.msg, "unknown metric 'bleu-score'"));
}

/* ---- a hand-made store with ties ------------------------------------ */

/* Two settings x {0.1, 0.5} x {rex, linear, step, plateau}, two seeds each
 * at v - 0.5 and v + 0.5 (mean v).  See the expected values below. */
static void tie_runs(runs *r)
{
    static const struct { const char *s, *k; double b, v; } t[] = {
        {"A", "rex", 0.1, 10}, {"A", "linear", 0.1, 10}, {"A", "step", 0.1, 14},
        {"A", "plateau", 0.1, 12},
        {"A", "rex", 0.5, 8}, {"A", "linear", 0.5, 9}, {"A", "step", 0.5, 7},
        {"A", "plateau", 0.5, 9.5},
        {"B", "rex", 0.1, 11}, {"B", "linear", 0.1, 12}, {"B", "step", 0.1, 13},
        {"B", "plateau", 0.1, 13},
        {"B", "rex", 0.5, 6}, {"B", "linear", 0.5, 6}, {"B", "step", 0.5, 6},
        {"B", "plateau", 0.5, 7},
    };
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        for (int seed = 0; seed < 2; seed++) {
            double v = t[i].v + (seed ? 0.5 : -0.5);
            add(r, t[i].s, "sgd", t[i].k, t[i].b, 0.1, seed, RX_OUT_DONE, v, v);
        }
}

static void test_ties_ranks_topk(void **state)
{
    (void)state;
    static runs r;
    tie_runs(&r);
    rx_metric m = metric("loss");
    rx_report *rep = build(&r, &m, 0, 0);
    assert_int_equal(rep->n_settings, 2);
    assert_int_equal(rep->n_budgets, 2);
    assert_int_equal(rep->n_schedules, 4);
    /* the paper's order: rex, linear, step, plateau */
    assert_string_equal(rep->schedules[0], "rex");
    assert_string_equal(rep->schedules[3], "plateau");
    assert_int_equal(rep->merged, 1);
    assert_int_equal(rep->n_ranked, 3);
    assert_int_equal(rep->any_selection, 0);

    const rx_report_cell *c = rx_report_cell_at(rep, 0, 0, sched_index(rep, "step"), 0);
    assert_close(c->mean, 14);
    assert_close(c->std, sqrt(0.5));
    assert_int_equal(c->n, 2);

    /* A 10%: rex 10 = linear 10 < step (plateau) 12 */
    assert_close(rank_at(rep, 0, 0, 0, "rex"), 1.5);
    assert_close(rank_at(rep, 0, 0, 0, "linear"), 1.5);
    assert_close(rank_at(rep, 0, 0, 0, "step"), 3);
    /* A 50%: step 7 < rex 8 < linear 9 */
    assert_close(rank_at(rep, 0, 0, 1, "step"), 1);
    assert_close(rank_at(rep, 0, 0, 1, "rex"), 2);
    /* B 50%: three-way tie at 6 (plateau 7 loses to step) */
    for (int i = 0; i < 3; i++)
        assert_close(rep->rank[((size_t)1 * rep->n_budgets + 1) * rep->n_ranked + i], 2);

    assert_close(avg_rank(rep, 0, 0, "rex"), 1.25);
    assert_close(avg_rank(rep, 0, 0, "linear"), 1.75);
    assert_close(avg_rank(rep, 0, 0, "step"), 3);
    assert_close(avg_rank(rep, 0, 1, "rex"), 2);
    assert_close(avg_rank(rep, 0, 1, "linear"), 2.5);
    assert_close(avg_rank(rep, 0, 1, "step"), 1.5);

    /* ties count as Top-1 for every tied schedule */
    assert_int_equal(rep->n_comparisons[RX_SPLIT_LOW], 2);
    assert_int_equal(rep->n_comparisons[RX_SPLIT_HIGH], 2);
    assert_int_equal(top(rep, "rex", RX_SPLIT_LOW, 0), 2);
    assert_int_equal(top(rep, "linear", RX_SPLIT_LOW, 0), 1);
    assert_int_equal(top(rep, "step", RX_SPLIT_LOW, 0), 0);
    assert_int_equal(top(rep, "rex", RX_SPLIT_HIGH, 0), 1);
    assert_int_equal(top(rep, "linear", RX_SPLIT_HIGH, 0), 1);
    assert_int_equal(top(rep, "step", RX_SPLIT_HIGH, 0), 2);
    assert_int_equal(top(rep, "rex", RX_SPLIT_ALL, 0), 3);
    assert_int_equal(top(rep, "step", RX_SPLIT_ALL, 1), 4);
    assert_int_equal(top_n(rep, "step", RX_SPLIT_ALL), 4);
    rx_report_free(rep);

    /* --no-merge: plateau ranks on its own */
    rep = build(&r, &m, 0, 1);
    assert_int_equal(rep->merged, 0);
    assert_int_equal(rep->n_ranked, 4);
    assert_close(rank_at(rep, 0, 0, 0, "rex"), 1.5);
    assert_close(rank_at(rep, 0, 0, 0, "plateau"), 3);
    assert_close(rank_at(rep, 0, 0, 0, "step"), 4);
    rx_report_free(rep);
}

/* ---- the paper's ResNet20-CIFAR10 SGDM table ------------------------- */

/* Reads a "schedule<TAB>budget..." table: names[] and v[row][col]. */
static int read_tsv(const char *path, char names[][16], double *budgets, double v[][8], int *nb)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    int rows = -1;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *save = NULL, *tok = strtok_r(line, "\t\n", &save);
        int col = 0;
        if (rows < 0) {
            while ((tok = strtok_r(NULL, "\t\n", &save)))
                budgets[col++] = strtod(tok, NULL);
            *nb = col;
        } else {
            snprintf(names[rows], 16, "%s", tok);
            while ((tok = strtok_r(NULL, "\t\n", &save)))
                v[rows][col++] = strtod(tok, NULL);
            assert_int_equal(col, *nb);
        }
        rows++;
    }
    fclose(f);
    return rows;
}

/* The paper's table as runs: three seeds per cell at error - 0.1, error,
 * error + 0.1 (mean = the paper's value, std 0.1); test_acc = 1 - err/100. */
typedef struct paper {
    char names[16][16], rnames[16][16];
    double budgets[8], rbudgets[8], err[16][8], want[16][8];
    int n, nb, rn, rnb;
} paper;

static void paper_read(paper *p)
{
    memset(p, 0, sizeof *p);
    p->n = read_tsv(D "resnet20_cifar10_sgdm.tsv", p->names, p->budgets, p->err, &p->nb);
    p->rn = read_tsv(D "resnet20_cifar10_sgdm_ranks.tsv", p->rnames, p->rbudgets, p->want, &p->rnb);
    assert_int_equal(p->n, 7);
    assert_int_equal(p->nb, 6);
    assert_int_equal(p->rn, 6);
}

static double paper_acc(const paper *p, int i, int b, int seed)
{
    return 1 - (p->err[i][b] + 0.1 * (seed - 1)) / 100;
}

/* Everything tests/data/report/README says must hold. */
static void paper_check(const paper *p, const rx_report *rep)
{
    assert_int_equal(rep->n_settings, 1);
    assert_int_equal(rep->n_budgets, 6);
    assert_int_equal(rep->n_schedules, 7);
    assert_int_equal(rep->n_ranked, 6);
    assert_int_equal(rep->merged, 1);
    /* the cell table reproduces the paper's means, with a 0.1 std */
    for (int i = 0; i < p->n; i++)
        for (int b = 0; b < p->nb; b++) {
            const rx_report_cell *c = rx_report_cell_at(rep, 0, 0, sched_index(rep, p->names[i]), b);
            assert_true(fabs(c->mean - p->err[i][b]) < 1e-9);
            assert_true(fabs(c->std - 0.1) < 1e-9);
            assert_int_equal(c->n, 3);
        }
    /* ranks: the hand-worked table */
    for (int i = 0; i < p->rn; i++)
        for (int b = 0; b < p->rnb; b++) {
            assert_close(p->rbudgets[b], rep->budgets[b]);
            double got = rank_at(rep, 0, 0, b, p->rnames[i]);
            if (fabs(got - p->want[i][b]) > 1e-9)
                print_error("%s at %g: rank %g, want %g\n", p->rnames[i], p->rbudgets[b], got,
                            p->want[i][b]);
            assert_close(got, p->want[i][b]);
            /* one setting: the average rank is the rank */
            assert_close(avg_rank(rep, 0, b, p->rnames[i]), p->want[i][b]);
        }
    /* what the paper's all-settings average pins: REX 1.00 at 5% and 50% */
    assert_close(avg_rank(rep, 0, 1, "rex"), 1.00);
    assert_close(avg_rank(rep, 0, 4, "rex"), 1.00);
    /* Top-k, from the ranks (README) */
    assert_int_equal(rep->n_comparisons[RX_SPLIT_LOW], 3);
    assert_int_equal(rep->n_comparisons[RX_SPLIT_HIGH], 3);
    assert_int_equal(top(rep, "rex", RX_SPLIT_LOW, 0), 3);
    assert_int_equal(top(rep, "rex", RX_SPLIT_HIGH, 0), 2);
    assert_int_equal(top(rep, "rex", RX_SPLIT_ALL, 1), 6);
    assert_int_equal(top(rep, "step", RX_SPLIT_HIGH, 0), 1);
    assert_int_equal(top(rep, "step", RX_SPLIT_LOW, 1), 0);
    assert_int_equal(top(rep, "step", RX_SPLIT_HIGH, 1), 2);
    assert_int_equal(top(rep, "cosine", RX_SPLIT_LOW, 1), 3);
    assert_int_equal(top(rep, "cosine", RX_SPLIT_HIGH, 1), 2);
    assert_int_equal(top(rep, "linear", RX_SPLIT_ALL, 1), 5);
    assert_int_equal(top(rep, "exp", RX_SPLIT_ALL, 1), 0);
    assert_int_equal(top(rep, "onecycle", RX_SPLIT_ALL, 0), 0);
}

static void test_paper_resnet20(void **state)
{
    (void)state;
    static paper p;
    paper_read(&p);
    static runs r;
    memset(&r, 0, sizeof r);
    for (int i = 0; i < p.n; i++)
        for (int b = 0; b < p.nb; b++)
            for (int seed = 0; seed < 3; seed++) {
                double acc = paper_acc(&p, i, b, seed);
                add(&r, "resnet20-cifar10", "sgd", p.names[i], p.budgets[b], 0.1, seed,
                    RX_OUT_DONE, acc, acc);
            }
    rx_metric m = metric("error");
    rx_report *rep = build(&r, &m, 0, 0);
    paper_check(&p, rep);
    rx_report_free(rep);
}

/* The same table written into a real store (the store's schema, through
 * rx_store_exec) and read back through rx_results_load. */
static void test_paper_resnet20_store(void **state)
{
    (void)state;
    static paper p;
    paper_read(&p);
    char path[] = "/tmp/rx_test_report_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    rx_store *st = NULL;
    rx_err e = {{0}};
    if (rx_store_open(path, RX_STORE_CREATE, &st, &e))
        fail_msg("open: %s", e.msg);
    size_t cap = 1 << 20, len = 0;
    char *sql = malloc(cap);
    assert_non_null(sql);
    len += (size_t)snprintf(sql + len, cap - len,
                            "INSERT INTO sweeps (id, name, spec, spec_hash, created, "
                            "rexsweep_version, trainer_version, host) VALUES (1, "
                            "'resnet20-cifar10', '', 'x', 0, '0.1.0', 1, 'test');\n");
    int idx = 0;
    for (int i = 0; i < p.n; i++)
        for (int b = 0; b < p.nb; b++)
            for (int seed = 0; seed < 3; seed++, idx++) {
                double acc = paper_acc(&p, i, b, seed);
                char cfg[512];
                snprintf(cfg, sizeof cfg,
                         "{\"data\":{\"dataset\":\"cifar10\"},\"model\":{\"type\":\"resnet20\"},"
                         "\"optimizer\":{\"lr\":0.1,\"momentum\":0.9,\"name\":\"sgd\"},"
                         "\"schedule\":{\"name\":\"%s\"},\"train\":{\"budget\":%.17g,"
                         "\"full_epochs\":300,\"seed\":%d}}",
                         p.names[i], p.budgets[b], seed);
                len += (size_t)snprintf(
                    sql + len, cap - len,
                    "INSERT INTO runs (key, cell, dataset, model, optimizer, lr, momentum, "
                    "weight_decay, batch_size, schedule, schedule_json, sampling, budget, "
                    "full_epochs, seed, config, status, test_acc, val_acc) VALUES ('k%05d', "
                    "'c%d-%d', 'cifar10', 'resnet20', 'sgd', 0.1, 0.9, 0, 128, '%s', '{}', "
                    "'iteration', %.17g, 300, %d, '%s', 'done', %.17g, %.17g);\n"
                    "INSERT INTO sweep_runs (sweep, key, grid_index) VALUES (1, 'k%05d', %d);\n",
                    idx, i, b, p.names[i], p.budgets[b], seed, cfg, acc, acc, idx, idx);
                assert_true(len < cap);
            }
    if (rx_store_exec(st, sql, &e))
        fail_msg("exec: %s", e.msg);
    free(sql);
    rx_metric m = metric("error");
    rx_results res;
    if (rx_results_load(st, NULL, &m, &res, &e))
        fail_msg("load: %s", e.msg);
    assert_int_equal(res.n, 7 * 6 * 3);
    assert_string_equal(res.sweep, "resnet20-cifar10");
    assert_string_equal(res.runs[0].setting, "cifar10 resnet20");
    rx_report_opts o = {.metric = &m};
    rx_report *rep = NULL;
    assert_int_equal(rx_report_build(res.runs, res.n, &o, &rep, &e), RX_OK);
    paper_check(&p, rep);
    rx_report_free(rep);
    rx_results_free(&res);
    rx_store_close(st);
    unlink(path);
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* ---- lr selection --------------------------------------------------- */

/* lr 0.1 wins on validation, lr 0.3 would win on test. */
static void disagree_runs(runs *r, int with_val)
{
    memset(r, 0, sizeof *r);
    for (int seed = 0; seed < 3; seed++) {
        add(r, "S", "sgd", "rex", 1, 0.1, seed, RX_OUT_DONE, with_val ? 0.50 : NAN, 0.90);
        add(r, "S", "sgd", "rex", 1, 0.3, seed, RX_OUT_DONE, with_val ? 0.60 : NAN, 0.40);
    }
}

static void test_lr_selection_on_validation(void **state)
{
    (void)state;
    static runs r;
    disagree_runs(&r, 1);
    rx_metric m = metric("loss");
    rx_report *rep = build(&r, &m, 0, 0);
    const rx_report_cell *c = rx_report_cell_at(rep, 0, 0, 0, 0);
    assert_int_equal(rep->any_selection, 1);
    assert_int_equal(c->n_lrs, 2);
    assert_close(c->lrs[c->chosen].lr, 0.1);
    assert_close(c->mean, 0.90);   /* the chosen lr's TEST value, worse than 0.40 */
    assert_int_equal(c->n, 3);
    rx_report_free(rep);

    /* only when asked: select on test */
    rep = build(&r, &m, 1, 0);
    c = rx_report_cell_at(rep, 0, 0, 0, 0);
    assert_close(c->lrs[c->chosen].lr, 0.3);
    assert_close(c->mean, 0.40);
    rx_report_free(rep);
}

static void test_lr_selection_refuses_test(void **state)
{
    (void)state;
    static runs r;
    disagree_runs(&r, 0);
    rx_metric m = metric("loss");
    rx_report_opts o = {.metric = &m};
    rx_report *rep = (rx_report *)1;
    rx_err e;
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_EINVAL);
    assert_null(rep);
    assert_string_equal(e.msg, "cell 'S/sgd/rex/100%' has 2 learning rates to choose from but "
                               "no validation loss to choose on; choosing on the test metric "
                               "must be asked for with '--select-on test'");
    /* a metric with no validation counterpart at all */
    m = metric("train_loss");
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_EINVAL);
    assert_non_null(strstr(e.msg, "no validation metric to choose on"));
    /* one lr per cell needs no choice, so no refusal */
    int k = 0;
    for (int i = 0; i < r.n; i++)
        if (r.v[i].lr == 0.1)
            r.v[k++] = r.v[i];
    r.n = k;
    rep = build(&r, &m, 0, 0);
    assert_int_equal(rep->any_selection, 0);
    rx_report_free(rep);
}

static void test_diverged_and_missing(void **state)
{
    (void)state;
    static runs r;
    memset(&r, 0, sizeof r);
    rx_metric m = metric("loss");
    /* rex: lr 1 has the best validation but diverged once: never chosen */
    add(&r, "S", "sgd", "rex", 0.5, 1.0, 0, RX_OUT_DONE, 0.1, 0.1);
    add(&r, "S", "sgd", "rex", 0.5, 1.0, 1, RX_OUT_DIVERGED, NAN, NAN);
    add(&r, "S", "sgd", "rex", 0.5, 0.1, 0, RX_OUT_DONE, 0.3, 0.3);
    add(&r, "S", "sgd", "rex", 0.5, 0.1, 1, RX_OUT_FAILED, NAN, NAN);
    /* linear: every run diverged: no value, ranks last */
    add(&r, "S", "sgd", "linear", 0.5, 0.1, 0, RX_OUT_DIVERGED, NAN, NAN);
    add(&r, "S", "sgd", "linear", 0.5, 0.1, 1, RX_OUT_DIVERGED, NAN, NAN);
    /* cosine: one done, one still pending */
    add(&r, "S", "sgd", "cosine", 0.5, 0.1, 0, RX_OUT_DONE, 0.2, 0.2);
    add(&r, "S", "sgd", "cosine", 0.5, 0.1, 1, RX_OUT_MISSING, NAN, NAN);
    /* step: only pending: no value, not ranked */
    add(&r, "S", "sgd", "step", 0.5, 0.1, 0, RX_OUT_MISSING, NAN, NAN);
    rx_report *rep = build(&r, &m, 0, 0);
    assert_int_equal(rep->any_selection, 0);     /* lr 1 is not eligible */
    assert_int_equal(rep->several_lrs, 1);
    const rx_report_cell *c = rx_report_cell_at(rep, 0, 0, sched_index(rep, "rex"), 0);
    assert_close(c->lrs[c->chosen].lr, 0.1);
    assert_int_equal(c->lrs[1].eligible, 0);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->n_failed, 1);
    assert_int_equal(c->n_diverged, 1);
    assert_int_equal(c->n_runs, 4);
    c = rx_report_cell_at(rep, 0, 0, sched_index(rep, "linear"), 0);
    assert_int_equal(c->chosen, -1);
    assert_true(isnan(c->mean));
    c = rx_report_cell_at(rep, 0, 0, sched_index(rep, "cosine"), 0);
    assert_int_equal(c->n_missing, 1);
    assert_int_equal(c->n, 1);
    assert_close(rank_at(rep, 0, 0, 0, "cosine"), 1);
    assert_close(rank_at(rep, 0, 0, 0, "rex"), 2);
    assert_close(rank_at(rep, 0, 0, 0, "linear"), 3);
    assert_true(isnan(rank_at(rep, 0, 0, 0, "step")));
    assert_int_equal(top_n(rep, "step", RX_SPLIT_ALL), 0);

    /* the text output names every incomplete cell */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rx_err e;
    rx_report_source src = {"x.db", "S", NULL};
    assert_int_equal(rx_report_write(f, rep, RX_FMT_TEXT, &src, &e), RX_OK);
    fclose(f);
    assert_non_null(strstr(buf, "rex at 50%: lr 0.1: 1 failed of 2; lr 1: 1 diverged of 2"));
    assert_non_null(strstr(buf, "linear at 50%: lr 0.1: 2 diverged of 2"));
    assert_non_null(strstr(buf, "cosine at 50%: lr 0.1: 1 missing of 2"));
    assert_non_null(strstr(buf, "step at 50%: lr 0.1: 1 missing of 1"));
    assert_non_null(strstr(buf, "0.3 (1)*"));
    assert_non_null(strstr(buf, "diverged*"));
    assert_non_null(strstr(buf, "lr: several were tried, but in every cell only one has a"));
    free(buf);
    rx_report_free(rep);
}

/* ---- writers -------------------------------------------------------- */

static char *render(const rx_report *rep, rx_report_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rx_err e;
    rx_report_source src = {"results/x.db", "ties", NULL};
    assert_int_equal(rx_report_write(f, rep, fmt, &src, &e), RX_OK);
    fclose(f);
    return buf;
}

static void test_writers(void **state)
{
    (void)state;
    static runs r;
    tie_runs(&r);
    rx_metric m = metric("loss");
    rx_report *rep = build(&r, &m, 0, 0);
    char *t = render(rep, RX_FMT_TEXT);
    assert_non_null(strstr(t, "== A, sgd: test loss =="));
    assert_non_null(strstr(t, "10 ± 0.7071 (2)"));
    assert_non_null(strstr(t, "step is the better of step and plateau"));
    assert_non_null(strstr(t, "1.25 (2)"));
    free(t);
    t = render(rep, RX_FMT_MARKDOWN);
    assert_non_null(strstr(t, "| schedule | 10% | 50% |\n|---|---:|---:|\n"));
    assert_non_null(strstr(t, "| rex | 100% (2/2) |"));
    free(t);
    t = render(rep, RX_FMT_CSV);
    assert_non_null(strstr(t, "setting,optimizer,schedule,budget,metric,selected_on,lr,mean,std,"
                              "n,lrs_tried,runs,done,failed,diverged,missing,rank,reference,"
                              "diff,diff_lo,diff_hi,pairs,beyond_noise,warnings\n"));
    assert_non_null(strstr(t, "A,sgd,rex,0.1,loss,none,0.1,10,0.7071067811865476,2,1,2,2,0,0,0,1.5,"
                              "rex,,,,,,identical_results\n"));   /* rex and linear tie there: identical */
    /* step - rex on 2 matched seeds, -1 each: beyond noise, step better */
    assert_non_null(strstr(t, "A,sgd,step,0.5,loss,none,0.1,7,0.7071067811865476,2,1,2,2,0,0,0,1,"
                              "rex,-1,-1,-1,2,-1,\n"));
    assert_non_null(strstr(t, "A,sgd,plateau,0.5,loss,none,0.1,9.5,0.7071067811865476,2,1,2,2,0,0,0,"
                              ",,,,,,,\n"));
    free(t);
    t = render(rep, RX_FMT_JSON);
    assert_non_null(strstr(t, "\"lr_selection\":\"none\""));
    assert_non_null(strstr(t, "\"step_plateau_merged\":true"));
    assert_non_null(strstr(t, "\"rex\":{\"rank\":[1.25,2],\"settings\":[2,2]}"));
    free(t);
    t = render(rep, RX_FMT_HTML);
    assert_non_null(strstr(t, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
                              "id=\"chart-metric-0\" data-kind=\"metric\" "
                              "data-series=\"rex linear step plateau\""));
    assert_non_null(strstr(t, "id=\"chart-rank-sgd\" data-kind=\"rank\" "
                              "data-series=\"rex linear step\""));
    assert_non_null(strstr(t, "id=\"chart-gap-0\" data-kind=\"gap\" "
                              "data-series=\"rex linear step plateau\""));
    /* colours by name: rex is rex's red in every chart, whatever its order */
    assert_non_null(strstr(t, "<g class=\"series\" data-series=\"rex\" stroke=\"#d62728\""));
    assert_null(strstr(t, "<g class=\"series\" data-series=\"rex\" stroke=\"#1f77b4\""));
    assert_null(strstr(t, "<script"));
    assert_null(strstr(t, "http://www.w3.org/2000/svg\" class=\"chart\" id=\"chart-lr\""));
    free(t);
    rx_report_free(rep);

    /* select-on-test is announced loudly */
    disagree_runs(&r, 1);
    rep = build(&r, &m, 1, 0);
    t = render(rep, RX_FMT_TEXT);
    assert_non_null(strstr(t, "WARNING: the lr of each cell was chosen on the TEST metric"));
    free(t);
    t = render(rep, RX_FMT_JSON);
    assert_non_null(strstr(t, "\"lr_selection\":\"test\""));
    free(t);
    rx_report_free(rep);
}

static void test_html_curves(void **state)
{
    (void)state;
    static runs r;
    tie_runs(&r);
    rx_metric m = metric("loss");
    rx_report *rep = build(&r, &m, 0, 0);
    double p[3] = {0, 0.5, 1}, lr1[3] = {1, 0.5, 0}, lr2[3] = {1, 0.67, 0};
    rx_report_curve c[2] = {{"linear", 3, p, lr1, ""}, {"rex", 3, p, lr2, "a note"}};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rx_err e;
    assert_int_equal(rx_report_write_html(f, rep, NULL, c, 2, NULL, 0, &e), RX_OK);
    fclose(f);
    assert_non_null(strstr(buf, "id=\"chart-lr\" data-kind=\"lr\" data-series=\"rex linear\""));
    assert_non_null(strstr(buf, "<p>rex: a note</p>"));
    free(buf);
    rx_report_free(rep);
}

static void test_empty(void **state)
{
    (void)state;
    rx_metric m = metric("error");
    rx_report_opts o = {.metric = &m};
    rx_report *rep = NULL;
    rx_err e;
    assert_int_equal(rx_report_build(NULL, 0, &o, &rep, &e), RX_OK);
    assert_int_equal(rep->n_settings, 0);
    char *t = render(rep, RX_FMT_TEXT);
    assert_non_null(strstr(t, "no comparisons"));
    free(t);
    t = render(rep, RX_FMT_HTML);
    assert_non_null(strstr(t, "</html>"));
    free(t);
    rx_report_free(rep);
}

/* ---- paired statistics ----------------------------------------------- */

/* Errors (%) per seed 1, 2, 3, worked by hand in the comments below. */
static void stats_runs(runs *r)
{
    static const struct { const char *sched; double budget, err[3]; } tab[] = {
        {"rex", 0.1, {10, 11, 12}},      {"linear", 0.1, {11, 12.5, 12}},
        {"constant", 0.1, {13, 14, 15}}, {"rex", 0.5, {5, 6, 7}},
        {"linear", 0.5, {5.5, 6.4, 7.6}}, {"constant", 0.5, {4, 5, 6}},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        for (int s = 0; s < 3; s++) {
            double acc = 1 - tab[i].err[s] / 100;
            add(r, "set", "sgd", tab[i].sched, tab[i].budget, 0.1, s + 1, RX_OUT_DONE, acc, acc);
        }
}

static rx_report *build_opts(const runs *r, const rx_metric *m, const char *vs,
                             const char *const *only, int boot, int want_rc)
{
    rx_report_opts o = {.metric = m, .vs = vs, .only = only, .bootstrap = boot};
    rx_report *rep = NULL;
    rx_err e = {{0}};
    assert_int_equal(rx_report_build(r->v, r->n, &o, &rep, &e), want_rc);
    if (want_rc)
        assert_non_null(strstr(e.msg, vs ? vs : "nope"));
    return rep;
}

static const rx_report_pair *pair_of(const rx_report *r, int b, const char *name)
{
    return &r->pair[(size_t)b * r->n_ranked + ranked_index(r, name)];
}

static void test_paired_stats(void **state)
{
    (void)state;
    static runs r;
    r.n = 0;
    stats_runs(&r);
    rx_metric m = metric("error");
    rx_report *rep = build_opts(&r, &m, NULL, NULL, -1, RX_OK);
    /* average ranks: rex (1 + 2) / 2, constant (3 + 1) / 2, linear (2 + 3) / 2 */
    assert_string_equal(rep->ranked[rep->ref], "rex");
    assert_int_equal(rep->ref_asked, 0);
    assert_int_equal(rep->n_boot, 0);
    /* 10%, linear - rex = 1, 1.5, 0: mean 5/6, s = sqrt(7/12), t(.975, 2) =
     * 4.302652729749464: [-1.06396, 2.73063], within noise */
    const rx_report_pair *p = pair_of(rep, 0, "linear");
    assert_int_equal(p->d.n, 3);
    assert_int_equal(p->cmp, 1);
    assert_true(fabs(p->d.mean - 5.0 / 6) < 1e-9);
    double se = sqrt(7.0 / 12) / sqrt(3.0), t = 4.302652729749464;
    assert_true(fabs(p->d.lo - (5.0 / 6 - t * se)) < 1e-9);
    assert_true(fabs(p->d.hi - (5.0 / 6 + t * se)) < 1e-9);
    assert_int_equal(p->beyond, 0);
    /* 50%, linear - rex = .5, .4, .6: [0.2516, 0.7484], rex better beyond noise */
    p = pair_of(rep, 1, "linear");
    assert_true(fabs(p->d.lo - (0.5 - t * 0.1 / sqrt(3.0))) < 1e-9);
    assert_int_equal(p->beyond, 1);
    /* constant: +3 at 10% and -1 at 50% with no spread: both beyond noise */
    assert_int_equal(pair_of(rep, 0, "constant")->beyond, 1);
    assert_int_equal(pair_of(rep, 1, "constant")->beyond, -1);
    assert_int_equal(pair_of(rep, 1, "constant")->cmp, -1);
    assert_int_equal(pair_of(rep, 0, "rex")->cmp, 2);     /* the reference itself */
    /* across comparisons */
    const rx_report_versus *vl = &rep->versus[ranked_index(rep, "linear")];
    const rx_report_versus *vc = &rep->versus[ranked_index(rep, "constant")];
    assert_int_equal(vl->wins[RX_SPLIT_ALL], 2);
    assert_int_equal(vl->losses[RX_SPLIT_ALL], 0);
    assert_int_equal(vl->wins[RX_SPLIT_LOW], 1);
    assert_int_equal(vl->beyond_win[RX_SPLIT_ALL], 1);
    assert_int_equal(vl->with_interval[RX_SPLIT_ALL], 2);
    assert_close(vl->sign_p[RX_SPLIT_ALL], 0.5);         /* 2 * (1/2)^2 */
    assert_close(vl->wilcoxon[RX_SPLIT_ALL].w_plus, 3);  /* both positive */
    assert_close(vl->wilcoxon[RX_SPLIT_ALL].p, 0.5);     /* 2 * P(W+ >= 3) = 2/4 */
    assert_int_equal(vc->wins[RX_SPLIT_ALL], 1);
    assert_int_equal(vc->losses[RX_SPLIT_ALL], 1);
    assert_close(vc->sign_p[RX_SPLIT_ALL], 1);
    assert_int_equal(vc->beyond_loss[RX_SPLIT_HIGH], 1);
    /* the sentence */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rx_report_source src = {"x.db", NULL, NULL};
    rx_err e = {{0}};
    assert_int_equal(rx_report_write(f, rep, RX_FMT_MARKDOWN, &src, &e), RX_OK);
    fclose(f);
    assert_non_null(strstr(buf, "rex beats linear in 1 of 1 high-budget comparisons, loses 0, "
                                "ties 0 (sign test p = 1.00, Wilcoxon p = 1.00); beyond noise in "
                                "1 (rex better) and 0 (linear better) of the 1 with two or more"));
    assert_non_null(strstr(buf, "+0.83 [-1.06, +2.73]"));
    assert_non_null(strstr(buf, "+3.00 [+3.00, +3.00]!"));
    free(buf);
    rx_report_free(rep);

    /* --vs linear, then unknown names */
    rep = build_opts(&r, &m, "linear", NULL, -1, RX_OK);
    assert_string_equal(rep->ranked[rep->ref], "linear");
    assert_int_equal(pair_of(rep, 0, "rex")->cmp, -1);
    assert_true(pair_of(rep, 0, "rex")->d.mean < 0);
    rx_report_free(rep);
    build_opts(&r, &m, "nope", NULL, -1, RX_EINVAL);
    const char *bad[] = {"rex", "nope", NULL};
    build_opts(&r, &m, NULL, bad, -1, RX_EINVAL);
    /* --schedules rex,linear: constant keeps its table but leaves the ranks */
    const char *only[] = {"rex", "linear", NULL};
    rep = build_opts(&r, &m, NULL, only, -1, RX_OK);
    assert_int_equal(rep->n_ranked, 2);
    assert_int_equal(rep->rank_of[2], -1);
    assert_int_equal(rep->n_schedules, 3);
    assert_close(avg_rank(rep, 0, 1, "rex"), 1);         /* constant no longer beats it */
    rx_report_free(rep);
}

static void test_svg_color(void **state)
{
    (void)state;
    assert_string_equal(rx_svg_color("rex"), "#d62728");
    assert_string_equal(rx_svg_color("constant"), "#7f7f7f");
    /* any other label: fixed by its name, not by its order of appearance */
    const char *a = rx_svg_color("step(milestones=[0.5])");
    assert_string_equal(rx_svg_color("linear(sampling=10%)"), rx_svg_color("linear(sampling=10%)"));
    assert_string_equal(rx_svg_color("step(milestones=[0.5])"), a);
    assert_true(a[0] == '#' && strlen(a) == 7);
}

static void test_bootstrap(void **state)
{
    (void)state;
    static runs r;
    r.n = 0;
    stats_runs(&r);
    rx_metric m = metric("error");
    rx_report *a = build_opts(&r, &m, NULL, NULL, 500, RX_OK);
    rx_report *b = build_opts(&r, &m, NULL, NULL, 500, RX_OK);
    assert_int_equal(a->n_boot, 500);
    size_t nav = (size_t)a->n_optimizers * a->n_budgets * a->n_ranked;
    size_t ntop = (size_t)a->n_ranked * RX_N_SPLIT * 2;
    /* a fixed RNG seed: the same intervals every time */
    assert_memory_equal(a->avg_rank_ci, b->avg_rank_ci, nav * 2 * sizeof(double));
    assert_memory_equal(a->top_ci, b->top_ci, ntop * 2 * sizeof(double));
    for (size_t i = 0; i < nav; i++) {
        assert_true(a->avg_rank_ci[2 * i] <= a->avg_rank[i] + 1e-12);
        assert_true(a->avg_rank_ci[2 * i + 1] >= a->avg_rank[i] - 1e-12);
    }
    /* constant is 3 points worse than rex at 10% on every seed: no draw
     * changes its rank; rex vs linear at 10% ties when only seed 3 is
     * drawn (probability 1/27 > 2.5%), so rex's upper end is 1.5 */
    int kc = ranked_index(a, "constant"), kr = ranked_index(a, "rex");
    assert_close(a->avg_rank_ci[2 * (size_t)kc], 3);
    assert_close(a->avg_rank_ci[2 * (size_t)kc + 1], 3);
    assert_close(a->avg_rank_ci[2 * (size_t)kr], 1);
    assert_close(a->avg_rank_ci[2 * (size_t)kr + 1], 1.5);
    rx_report_free(a);
    rx_report_free(b);
}

/* ---- protocol warnings ------------------------------------------------ */

static int warned(const rx_report *r, rx_warn_kind k, const char *needle)
{
    int n = 0;
    for (int i = 0; i < r->n_warnings; i++)
        if (r->warnings[i].kind == k && (!needle || strstr(r->warnings[i].text, needle)))
            n++;
    return n;
}

/* The adaptive lr grid of each schedule's cell, as a stored spec would
 * give it: ud is an array indexed by the schedule's first letter. */
static int fake_grid(void *ud, const rx_report_run *run, rx_report_lr_grid *out)
{
    const rx_report_lr_grid *g = ud;
    int i = run->schedule[0] == 'r' ? 0 : run->schedule[0] == 'c' ? 1 : 2;
    if (g[i].extend < 0)
        return 0;
    *out = g[i];
    return 1;
}

/* The lr-edge warning says what to do from the cell's adaptive grid: make
 * the axis extend, raise extend, or nothing yet (a note: still extending). */
static void test_warnings_lr_grid(void **state)
{
    (void)state;
    static runs r;
    r.n = 0;
    /* rex: 0.3 best (top edge); constant: 0.1 best (bottom edge); linear:
     * 0.1 best (bottom edge) */
    const char *sch[] = {"rex", "constant", "linear"};
    for (int k = 0; k < 3; k++)
        for (int l = 0; l < 2; l++)
            for (int s = 1; s <= 2; s++) {
                double val = (k == 0) == (l == 1) ? 0.9 : 0.8;
                add(&r, "S", "sgd", sch[k], 1, l ? 0.3 : 0.1, s, RX_OUT_DONE, val, val);
            }
    rx_metric m = metric("error");
    rx_report_lr_grid g[3] = {
        {2, RX_LRV_LIMIT, 0, 2},       /* rex: both extension lrs above used */
        {0, RX_LRV_NONE, 0, 0},        /* constant: a plain list */
        {-1, 0, 0, 0},                 /* linear: unknown */
    };
    rx_report_opts o = {.metric = &m, .bootstrap = -1, .lr_grid = fake_grid, .lr_grid_ud = g};
    rx_report *rep = NULL;
    rx_err e = {{0}};
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_OK);
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "largest of its grid in 1 of 3 tuned cells (rex at "
                                                  "100%)"), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "reached its extension limit there (it added all "
                                                  "the lrs above the spec's that its extend: 2 "
                                                  "allows): raise extend (e.g. to 4)"), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "smallest of its grid in 1 of 3 tuned cells "
                                                  "(constant at 100%)"), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "write the optimizer's lr as lr: {values: [...], "
                                                  "extend: 2}"), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "(linear at 100%): the optimum may lie below it, "
                                                  "and schedules compared at a capped lr favour the "
                                                  "constant one; add smaller lrs (x3 steps), or let "
                                                  "the grid extend itself"), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, NULL), 3);
    assert_int_equal(warned(rep, RX_WARN_LR_EXTENDING, NULL), 0);
    rx_report_free(rep);
    /* rex still extending up, constant stopped short of its extend below */
    g[0] = (rx_report_lr_grid){2, RX_LRV_UP, 0, 1};
    g[1] = (rx_report_lr_grid){3, RX_LRV_LIMIT, 1, 0};
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_OK);
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "(rex at"), 0);
    assert_int_equal(warned(rep, RX_WARN_LR_EXTENDING, "the adaptive lr grid of 1 cell is still "
                                                       "extending (rex at 100%): the chosen lr there "
                                                       "is the largest tried so far"), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "(constant at 100%): the optimum may lie below it, "
                                                  "and schedules compared at a capped lr favour the "
                                                  "constant one; the adaptive grid (extend: 3) "
                                                  "stopped there before its limit"), 1);
    assert_string_equal(rx_warn_kind_name(RX_WARN_LR_EXTENDING), "lr_grid_extending");
    rx_report_free(rep);
}

/* A tuned key's chosen value at an edge of its values is warned about,
 * unless the edge is the key's own bound (patience 0 has nothing below). */
static void test_warnings_tune_edge(void **state)
{
    (void)state;
    static runs r;
    r.n = 0;
    /* plateau at budget 0.5: patience 3 best (the top); at 1: patience 0
     * best (the key's bound); one lr, two seeds */
    for (int b = 0; b < 2; b++)
        for (int p = 0; p < 2; p++)
            for (int s = 1; s <= 2; s++) {
                double val = (b == 0) == (p == 1) ? 0.9 : 0.8;
                rx_report_run *x = add(&r, "S", "sgd", "plateau", b ? 1 : 0.5, 0.1, s,
                                       RX_OUT_DONE, val, val);
                snprintf(x->tune[0], sizeof x->tune[0], "%d", p ? 3 : 0);
            }
    rx_metric m = metric("error");
    const char *keys[] = {"schedule.patience", NULL};
    rx_report_opts o = {.metric = &m, .bootstrap = -1, .tune = keys};
    rx_report *rep = NULL;
    rx_err e = {{0}};
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_OK);
    assert_int_equal(warned(rep, RX_WARN_TUNE_EDGE, "the chosen schedule.patience is the largest (3) "
                                                    "of the values tried in 1 of 2 cells that tune "
                                                    "it (plateau at 50%)"), 1);
    assert_int_equal(warned(rep, RX_WARN_TUNE_EDGE, "add a larger value of schedule.patience"), 1);
    assert_int_equal(warned(rep, RX_WARN_TUNE_EDGE, NULL), 1);     /* not patience 0 */
    assert_string_equal(rx_warn_kind_name(RX_WARN_TUNE_EDGE), "tuned_value_at_edge");
    rx_report_free(rep);
}

/* The runs of test_warnings: every warning kind, with their facts. */
static void warning_runs(runs *r, rx_report_fact *facts)
{
    r->n = 0;
    /* budget 0.1 (10 steps) and 1 (200 steps); seeds 1, 2; lrs 0.1, 0.3.
     * rex: 0.3 best on validation everywhere (top edge); its lr moves.
     * plateau: lr never moves, values equal to constant's (identical).
     * constant: lr 0.1 best at budget 1 by 0.5 points on validation with
     * 100 examples (standard error 3 points / sqrt 2: within noise). */
    const char *sch[] = {"rex", "plateau", "constant"};
    for (int k = 0; k < 3; k++)
        for (int b = 0; b < 2; b++)
            for (int l = 0; l < 2; l++)
                for (int s = 1; s <= 2; s++) {
                    double budget = b ? 1 : 0.1, lr = l ? 0.3 : 0.1;
                    double val = k == 0 ? (l ? 0.90 : 0.80) : (l ? 0.895 : 0.90);
                    double test = val - 0.01 * s;
                    if (k == 0 && b == 1 && l == 1 && s == 2)
                        continue;      /* one seed missing: fewer than asked */
                    facts[r->n] = (rx_report_fact){budget < 1 ? 10 : 200, k == 0, 100};
                    add(r, "S", "sgd", sch[k], budget, lr, s, RX_OUT_DONE, val, test);
                }
}

static void test_warnings(void **state)
{
    (void)state;
    static runs r;
    static rx_report_fact facts[512];
    warning_runs(&r, facts);
    rx_metric m = metric("error");
    rx_report_opts o = {.metric = &m, .bootstrap = -1, .facts = facts};
    rx_report *rep = NULL;
    rx_err e = {{0}};
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_OK);
    /* rex chose 0.3, the largest, in both budgets */
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "the chosen lr is the largest of its grid in 2 of 6 "
                                                  "tuned cells (rex at 10%, rex at 100%)"), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "smallest of its grid in 4 of 6"), 1);
    assert_int_equal(warned(rep, RX_WARN_FEW_STEPS, "budget 10% spans 10 optimizer steps, fewer than 50: its 3 cells"), 1);
    assert_int_equal(warned(rep, RX_WARN_FEW_STEPS, NULL), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_STATIC, "the lr of plateau never changed in any run of the "
                                                    "chosen lr at 10%, 100%"), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_STATIC, NULL), 1);   /* not constant, not rex */
    assert_int_equal(warned(rep, RX_WARN_IDENTICAL, "plateau and constant gave identical test values, "
                                                    "seed by seed, at 10%, 100%"), 1);
    assert_int_equal(warned(rep, RX_WARN_SEEDS, "1 cell has fewer seeds with a value than the 2 "
                                                "asked (as few as 1): rex at 100%"), 1);
    assert_int_equal(warned(rep, RX_WARN_SEEDS, "seeds differ"), 1);
    /* plateau and constant: 0.1 beats 0.3 by 0.5 points; the standard
     * error is 100 sqrt(0.1 * 0.9 / 100) / sqrt(2) = 2.12 points */
    assert_int_equal(warned(rep, RX_WARN_VAL_NOISE, "in 4 of 6 lr choices"), 1);
    assert_int_equal(warned(rep, RX_WARN_VAL_NOISE, "(up to 2.12 points with 100 examples)"), 1);
    /* the cells: few steps names the three cells of 10% */
    for (int i = 0; i < rep->n_warnings; i++)
        if (rep->warnings[i].kind == RX_WARN_FEW_STEPS)
            assert_int_equal(rep->warnings[i].n_cells, 3);
    rx_report_free(rep);
    /* a lower threshold silences the steps warning; no facts, no fact-based warnings */
    o.min_steps = 10;
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_OK);
    assert_int_equal(warned(rep, RX_WARN_FEW_STEPS, NULL), 0);
    rx_report_free(rep);
    o.facts = NULL;
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_OK);
    assert_int_equal(warned(rep, RX_WARN_FEW_STEPS, NULL) + warned(rep, RX_WARN_LR_STATIC, NULL) +
                     warned(rep, RX_WARN_VAL_NOISE, NULL), 0);
    assert_int_equal(warned(rep, RX_WARN_IDENTICAL, NULL), 1);
    rx_report_free(rep);
}

/* The report built a batch of whole cells at a time (rx_report_acc: the
 * protocol warnings of a store too large to hold) is rx_report_build's:
 * the batches here come in the reverse of the report's cell order, two
 * settings and two optimizers, with their facts.  A cell whose runs come
 * in two batches is refused. */
static void test_batches(void **state)
{
    (void)state;
    static runs r, b;
    static rx_report_fact facts[512], bf[512];
    warning_runs(&r, facts);
    int n1 = r.n;
    for (int i = 0; i < n1; i++) {      /* the same runs in a second setting, with adam */
        rx_report_run *x = &r.v[r.n];
        *x = r.v[i];
        snprintf(x->setting, sizeof x->setting, "%s", i % 2 ? "T" : "S");
        snprintf(x->optimizer, sizeof x->optimizer, "adam");
        x->test += 0.001 * (i % 5);
        facts[r.n++] = facts[i];
    }
    rx_metric m = metric("error");
    rx_report_opts o = {.metric = &m, .bootstrap = -1, .facts = facts};
    rx_report *whole = NULL, *rep = NULL;
    rx_err e = {{0}};
    assert_int_equal(rx_report_build(r.v, r.n, &o, &whole, &e), RX_OK);
    assert_true(whole->n_warnings >= 8);
    rx_report_acc *a = NULL;
    assert_int_equal(rx_report_acc_new(&o, &a, &e), RX_OK);
    const char *sch[] = {"constant", "plateau", "rex"}, *opt[] = {"adam", "sgd"};
    for (int q = 0; q < 3; q++)
        for (int p = 0; p < 2; p++)
            for (int bu = 1; bu >= 0; bu--) {
                b.n = 0;
                for (int i = 0; i < r.n; i++)
                    if (strcmp(r.v[i].schedule, sch[q]) == 0 &&
                        strcmp(r.v[i].optimizer, opt[p]) == 0 && (r.v[i].budget == 1) == bu) {
                        bf[b.n] = facts[i];
                        b.v[b.n++] = r.v[i];
                    }
                assert_int_equal(rx_report_acc_add(a, b.v, bf, b.n, &e), RX_OK);
            }
    assert_int_equal(rx_report_acc_finish(a, &rep, &e), RX_OK);
    assert_int_equal(rep->n_settings, whole->n_settings);
    assert_int_equal(rep->n_optimizers, whole->n_optimizers);
    assert_int_equal(rep->n_schedules, whole->n_schedules);
    assert_int_equal(rep->n_budgets, whole->n_budgets);
    size_t nc = (size_t)rep->n_settings * rep->n_optimizers * rep->n_schedules * rep->n_budgets;
    for (size_t i = 0; i < nc; i++) {
        assert_int_equal(rep->cells[i].n_runs, whole->cells[i].n_runs);
        assert_int_equal(rep->cells[i].chosen, whole->cells[i].chosen);
        assert_int_equal(rep->cells[i].n, whole->cells[i].n);
    }
    assert_int_equal(rep->n_warnings, whole->n_warnings);
    for (int i = 0; i < rep->n_warnings; i++) {
        assert_string_equal(rep->warnings[i].text, whole->warnings[i].text);
        assert_int_equal(rep->warnings[i].n_cells, whole->warnings[i].n_cells);
        for (int c = 0; c < rep->warnings[i].n_cells; c++)
            assert_int_equal(rep->warnings[i].cells[c], whole->warnings[i].cells[c]);
    }
    rx_report_free(rep);
    rx_report_free(whole);
    /* one cell in two parts */
    assert_int_equal(rx_report_acc_new(&o, &a, &e), RX_OK);
    assert_int_equal(rx_report_acc_add(a, r.v, facts, 1, &e), RX_OK);
    assert_int_equal(rx_report_acc_add(a, r.v + 1, facts + 1, r.n - 1, &e), RX_OK);
    assert_int_equal(rx_report_acc_finish(a, &rep, &e), RX_ECONFLICT);
    assert_null(rep);
    assert_non_null(strstr(e.msg, "came in two parts"));
}

/* ---- keys tuned like the lr ---------------------------------------------- */

/* Plateau's patience tuned with the lr (rx_report_opts.tune), hand-worked.
 * Setting S, sgd, budgets 25% and 100%, seeds 1 and 2 (test accuracy the
 * candidate's value + 0.01 for seed 1, - 0.01 for seed 2; validation the
 * same for both seeds).  rex and step run one lr (0.3); plateau runs lr
 * 0.1 and 0.3 x patience 1 and 3:
 *
 *   plateau   (lr, patience):  (0.1,1)  (0.1,3)  (0.3,1)  (0.3,3)
 *   25%   validation acc        0.80     0.82     0.85     0.83
 *         test acc              0.70     0.70     0.85     0.80
 *   100%  validation acc        0.86     0.91     0.88     0.89
 *         test acc              0.70     0.88     0.95     0.70
 *
 * so the cell chooses (0.3, 1) at 25% (test error 15) and (0.1, 3) at
 * 100% (test error 12): each patience is best in one cell, and at 100%
 * the best candidate on test (0.3, 1: error 5) is not the one chosen.
 * At 25%, plateau also ran (1, 3), validation and test 0.5: the lr grid of
 * patience 1 is {0.1, 0.3}, so its chosen lr is at the top of its grid.
 * rex: test acc 0.84 / 0.90 (error 16 / 10); step 0.83 / 0.92 (17 / 8).
 *   ranks apart (--no-merge):  25%: plateau 1, rex 2, step 3
 *                             100%: step 1, rex 2, plateau 3
 *   merged (step = the better of step and plateau): 25%: step 1 (15), rex 2;
 *                                                  100%: step 1 (8), rex 2
 *   plateau - rex per seed: 25%: (14 - 15, 16 - 17) = -1; 100%: (11 - 9,
 *   13 - 11) = +2. */
static void tuned_runs(runs *r, rx_report_fact *facts)
{
    memset(r, 0, sizeof *r);
    static const double budget[2] = {0.25, 1};
    static const double val[2][4] = {{0.80, 0.82, 0.85, 0.83}, {0.86, 0.91, 0.88, 0.89}};
    static const double test[2][4] = {{0.70, 0.70, 0.85, 0.80}, {0.70, 0.88, 0.95, 0.70}};
    static const double rex[2] = {0.84, 0.90}, step[2] = {0.83, 0.92};
    for (int b = 0; b < 2; b++)
        for (int seed = 1; seed <= 2; seed++) {
            double d = seed == 1 ? 0.01 : -0.01;
            facts[r->n] = (rx_report_fact){100, 1, 1000};
            add(r, "S", "sgd", "rex", budget[b], 0.3, seed, RX_OUT_DONE, rex[b], rex[b] + d);
            facts[r->n] = (rx_report_fact){100, 1, 1000};
            add(r, "S", "sgd", "step", budget[b], 0.3, seed, RX_OUT_DONE, step[b], step[b] + d);
            for (int c = 0; c < 4; c++) {
                /* only (0.1, 3) never moves its lr: the chosen one at 100% */
                facts[r->n] = (rx_report_fact){100, c != 1, 1000};
                rx_report_run *x = add(r, "S", "sgd", "plateau", budget[b], c < 2 ? 0.1 : 0.3,
                                       seed, RX_OUT_DONE, val[b][c], test[b][c] + d);
                snprintf(x->tune[0], sizeof x->tune[0], "%d", c % 2 ? 3 : 1);
            }
            if (b == 0) {
                /* lr 1 at patience 3 only: at patience 1, 0.3 is the top */
                facts[r->n] = (rx_report_fact){100, 1, 1000};
                rx_report_run *x = add(r, "S", "sgd", "plateau", budget[b], 1, seed,
                                       RX_OUT_DONE, 0.5, 0.5 + d);
                snprintf(x->tune[0], sizeof x->tune[0], "3");
            }
        }
}

static const rx_report_cell *cell_of(const rx_report *rep, const char *sched, int b)
{
    return rx_report_cell_at(rep, 0, 0, sched_index(rep, sched), b);
}

static void test_tuned_patience(void **state)
{
    (void)state;
    static runs r;
    static rx_report_fact facts[64];
    tuned_runs(&r, facts);
    rx_metric m = metric("error");
    static const char *const tune[] = {"schedule.patience", NULL};
    rx_report_opts o = {.metric = &m, .no_merge = 1, .tune = tune, .vs = "rex",
                        .bootstrap = -1, .facts = facts};
    rx_report *rep = NULL;
    rx_err e = {{0}};
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_OK);
    assert_int_equal(rep->n_schedules, 3);          /* one plateau, not two */
    assert_int_equal(rep->n_tune, 1);
    assert_string_equal(rep->tune_keys[0], "schedule.patience");
    /* 25%: (0.3, 1) */
    const rx_report_cell *c = cell_of(rep, "plateau", 0);
    assert_int_equal(c->n_lrs, 5);
    assert_int_equal(rx_report_n_tried(rep, c, -1), 3);
    assert_int_equal(rx_report_n_tried(rep, c, 0), 2);
    assert_true(c->chosen >= 0);
    assert_close(c->lrs[c->chosen].lr, 0.3);
    assert_string_equal(c->lrs[c->chosen].tune[0], "1");
    assert_close(c->mean, 15);
    assert_int_equal(rx_report_lr_edge(rep, c, NULL), 1);
    /* 100%: (0.1, 3), not (0.3, 1), the best on test */
    c = cell_of(rep, "plateau", 1);
    assert_close(c->lrs[c->chosen].lr, 0.1);
    assert_string_equal(c->lrs[c->chosen].tune[0], "3");
    assert_close(c->mean, 12);
    assert_int_equal(c->n, 2);
    assert_close(c->vals[0], 11);                   /* the chosen candidate's seeds */
    assert_close(c->vals[1], 13);
    assert_int_equal(rx_report_lr_edge(rep, c, NULL), -1);
    assert_int_equal(rx_report_n_tried(rep, cell_of(rep, "rex", 1), 0), 0);
    /* ranks, apart */
    assert_close(rank_at(rep, 0, 0, 0, "plateau"), 1);
    assert_close(rank_at(rep, 0, 0, 0, "rex"), 2);
    assert_close(rank_at(rep, 0, 0, 0, "step"), 3);
    assert_close(rank_at(rep, 0, 0, 1, "step"), 1);
    assert_close(rank_at(rep, 0, 0, 1, "rex"), 2);
    assert_close(rank_at(rep, 0, 0, 1, "plateau"), 3);
    assert_int_equal(top(rep, "plateau", RX_SPLIT_ALL, 0), 1);
    /* paired: plateau - rex */
    int q = ranked_index(rep, "plateau");
    assert_close(rep->pair[0 * rep->n_ranked + q].d.mean, -1);
    assert_close(rep->pair[1 * rep->n_ranked + q].d.mean, 2);
    /* warnings: the lr grid at the chosen patience; the chosen candidate's
     * lr never moved at 100% (the other patience at that lr did) */
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "the chosen lr is the largest of its grid (the "
                                                  "lrs tried with the chosen schedule.patience) "
                                                  "in 1 of 2 tuned cells (plateau at 25%)"), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_EDGE, "smallest of its grid (the lrs tried with the "
                                                  "chosen schedule.patience) in 1 of 2 tuned "
                                                  "cells (plateau at 100%)"), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_STATIC, "the lr of plateau never changed in any run "
                                                    "of the chosen lr and schedule.patience at "
                                                    "100% "), 1);
    assert_int_equal(warned(rep, RX_WARN_LR_STATIC, NULL), 1);
    /* the writers show the chosen patience */
    char *t = render(rep, RX_FMT_TEXT);
    assert_non_null(strstr(t, "lr and schedule.patience: tuned together per cell"));
    assert_non_null(strstr(t, "chosen schedule.patience (with the lr, on validation error (%); "
                              "of N tried)\nschedule       25%      100%\n--------  "
                              "--------  --------\nplateau   1 (of 2)  3 (of 2)\n"));
    assert_non_null(strstr(t, "plateau   0.3 (of 3)  0.1 (of 2)\n"));
    free(t);
    t = render(rep, RX_FMT_JSON);
    assert_non_null(strstr(t, "\"tuned_keys\":[\"schedule.patience\"]"));
    assert_non_null(strstr(t, "{\"schedule\":\"plateau\",\"budget\":1,\"lr\":0.1,"
                              "\"tuned\":{\"schedule.patience\":3},\"mean\":12,"));
    assert_non_null(strstr(t, "{\"schedule\":\"rex\",\"budget\":1,\"lr\":0.3,"
                              "\"tuned\":{\"schedule.patience\":null},"));
    free(t);
    t = render(rep, RX_FMT_CSV);
    assert_non_null(strstr(t, ",beyond_noise,warnings,schedule.patience\n"));
    assert_non_null(strstr(t, "S,sgd,plateau,1,error,validation,0.1,12,"));
    assert_non_null(strstr(t, ",3\n"));
    free(t);
    rx_report_free(rep);

    /* merged: step takes plateau's tuned value at 25% */
    o.no_merge = 0;
    o.vs = NULL;
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_OK);
    assert_int_equal(rep->n_ranked, 2);
    assert_close(rank_at(rep, 0, 0, 0, "step"), 1);
    assert_close(rank_at(rep, 0, 0, 0, "rex"), 2);
    assert_close(rank_at(rep, 0, 0, 1, "step"), 1);
    rx_report_free(rep);

    /* --schedules without plateau: the tuned cells stay in the tables */
    static const char *const only[] = {"rex", "plateau", NULL};
    o.only = only;
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_OK);
    assert_int_equal(rep->n_ranked, 2);
    assert_close(rank_at(rep, 0, 0, 0, "plateau"), 1);
    assert_close(rank_at(rep, 0, 0, 1, "plateau"), 2);
    rx_report_free(rep);

    /* too many keys */
    static const char *const five[] = {"a", "b", "c", "d", "e", NULL};
    o.tune = five;
    assert_int_equal(rx_report_build(r.v, r.n, &o, &rep, &e), RX_EINVAL);
    assert_non_null(strstr(e.msg, "at most 4 keys"));
}

/* A store's plateau runs at two patiences: two schedules, or one
 * schedule with the patience in rx_report_run.tune when it is tuned. */
static void test_tuned_labels(void **state)
{
    (void)state;
    char path[] = "/tmp/rx_test_tune_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    rx_store *st = NULL;
    rx_err e = {{0}};
    if (rx_store_open(path, RX_STORE_CREATE, &st, &e))
        fail_msg("open: %s", e.msg);
    char sql[8192];
    size_t len = (size_t)snprintf(sql, sizeof sql,
                                  "INSERT INTO sweeps (id, name, spec, spec_hash, created, "
                                  "rexsweep_version, trainer_version, host) VALUES (1, 'p', "
                                  "'', 'x', 0, '0.1.0', 2, 'test');\n");
    const char *sched[3] = {"{\"name\":\"rex\"}", "{\"name\":\"plateau\",\"patience\":1}",
                            "{\"name\":\"plateau\",\"patience\":3}"};
    for (int i = 0; i < 6; i++)
        len += (size_t)snprintf(
            sql + len, sizeof sql - len,
            "INSERT INTO runs (key, cell, dataset, model, optimizer, lr, momentum, weight_decay, "
            "batch_size, schedule, schedule_json, sampling, budget, full_epochs, seed, config, "
            "status, test_acc, val_acc) VALUES ('k%d', 'c%d', 'd', 'mlp', 'sgd', 0.1, 0, 0, 1, "
            "'x', '{}', 'epoch', 1, 1, %d, '{\"data\":{\"dataset\":\"d\"},\"model\":{\"type\":"
            "\"mlp\"},\"optimizer\":{\"lr\":0.1,\"name\":\"sgd\"},\"schedule\":%s,\"train\":"
            "{\"budget\":1,\"seed\":%d}}', 'done', 0.5, 0.5);\n"
            "INSERT INTO sweep_runs (sweep, key, grid_index) VALUES (1, 'k%d', %d);\n",
            i, i % 3, i / 3, sched[i % 3], i / 3, i, i);
    assert_true(len < sizeof sql);
    if (rx_store_exec(st, sql, &e))
        fail_msg("exec: %s", e.msg);
    rx_metric m = metric("error");
    rx_results res;
    if (rx_results_load(st, NULL, &m, &res, &e))
        fail_msg("load: %s", e.msg);
    assert_string_equal(res.runs[1].schedule, "plateau(patience=1)");
    assert_string_equal(res.runs[2].schedule, "plateau(patience=3)");
    static const char *const tune[] = {"schedule.patience", NULL};
    assert_int_equal(rx_results_label_tuned(&res, 1, tune, &e), RX_OK);
    assert_string_equal(res.runs[0].schedule, "rex");
    assert_string_equal(res.runs[0].tune[0], "");
    assert_string_equal(res.runs[1].schedule, "plateau");
    assert_string_equal(res.runs[1].tune[0], "1");
    assert_string_equal(res.runs[2].schedule, "plateau");
    assert_string_equal(res.runs[2].tune[0], "3");
    char cell[RX_KEY_LEN + 1];
    snprintf(cell, sizeof cell, "%s", res.runs[1].cell);
    assert_string_not_equal(cell, res.runs[2].cell);     /* check still tells them apart */
    /* labelled again without: two schedules again */
    assert_int_equal(rx_results_label(&res, 1, &e), RX_OK);
    assert_string_equal(res.runs[2].schedule, "plateau(patience=3)");
    assert_string_equal(res.runs[2].tune[0], "");
    rx_results_free(&res);
    rx_store_close(st);
    unlink(path);
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* Every report metric reads columns of runs that the metric table has. */
static void test_metrics_are_columns(void **state)
{
    (void)state;
    int n;
    const rx_metric_col *c = rx_metric_cols(&n);
    for (const char *const *name = rx_metric_names(); *name; name++) {
        rx_metric m;
        assert_int_equal(rx_metric_resolve(*name, &m, NULL), RX_OK);
        const char *cols[2] = {m.test_col, m.val_col};
        for (int k = 0; k < 2; k++) {
            if (!cols[k][0])
                continue;
            int found = 0;
            for (int i = 0; i < n; i++)
                found |= (c[i].flags & RX_MC_RUN) && strcmp(c[i].name, cols[k]) == 0;
            if (!found)
                fail_msg("metric '%s' reads '%s', not a column of runs", *name, cols[k]);
        }
    }
}

/* The report's metrics come from the metric-column table: each shown
 * column of runs gives "<split>_<measure>" (plain for the test split),
 * and the metrics the report always had keep every property. */
static void test_metrics_from_table(void **state)
{
    (void)state;
    static const struct {
        const char *name, *alias, *test_col, *val_col;
        int higher_better;
        rx_metric_unit unit;
        const char *label, *val_label;
    } want[] = {
        {"error", "test_error", "test_acc", "val_acc", 0, RX_UNIT_ERROR_PCT,
         "test error (%)", "validation error (%)"},
        {"acc", "test_acc", "test_acc", "val_acc", 1, RX_UNIT_PERCENT,
         "test accuracy (%)", "validation accuracy (%)"},
        {"loss", "test_loss", "test_loss", "val_loss", 0, RX_UNIT_RAW,
         "test loss", "validation loss"},
        {"val_error", NULL, "val_acc", "val_acc", 0, RX_UNIT_ERROR_PCT,
         "validation error (%)", "validation error (%)"},
        {"val_acc", NULL, "val_acc", "val_acc", 1, RX_UNIT_PERCENT,
         "validation accuracy (%)", "validation accuracy (%)"},
        {"val_loss", NULL, "val_loss", "val_loss", 0, RX_UNIT_RAW,
         "validation loss", "validation loss"},
        {"train_loss", NULL, "train_loss", "", 0, RX_UNIT_RAW, "training loss", ""},
        {"train_acc", NULL, "train_acc", "", 1, RX_UNIT_PERCENT, "training accuracy (%)", ""},
        {"train_error", NULL, "train_acc", "", 0, RX_UNIT_ERROR_PCT, "training error (%)", ""},
    };
    int n_names = 0;
    for (const char *const *name = rx_metric_names(); *name; name++)
        n_names++;
    assert_int_equal(n_names, (int)(sizeof want / sizeof want[0]));
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        for (int a = 0; a < 2; a++) {
            const char *name = a ? want[i].alias : want[i].name;
            if (!name)
                continue;
            rx_metric m;
            assert_int_equal(rx_metric_resolve(name, &m, NULL), RX_OK);
            assert_string_equal(m.name, want[i].name);
            assert_string_equal(m.test_col, want[i].test_col);
            assert_string_equal(m.val_col, want[i].val_col);
            assert_int_equal(m.higher_better, want[i].higher_better);
            assert_int_equal(m.unit, want[i].unit);
            assert_string_equal(m.label, want[i].label);
            assert_string_equal(m.val_label, want[i].val_label);
        }
    }
    /* every shown column of runs is a metric of its own name */
    int n;
    const rx_metric_col *c = rx_metric_cols(&n);
    for (int i = 0; i < n; i++) {
        if (!c[i].show.split || !(c[i].flags & RX_MC_RUN))
            continue;
        rx_metric m;
        if (rx_metric_resolve(c[i].name, &m, NULL) != RX_OK)
            fail_msg("column '%s' is shown but is no report metric", c[i].name);
        assert_string_equal(m.test_col, c[i].name);
    }
}

/* rx_fmt_num prints the shortest text that reads back as the same double,
 * plain where %g is plain; an lr of the x3 grid below 1e-4 (the adaptive
 * grid's 3e-05) printed as 3.0000000000000001e-05 */
static void test_fmt_num_shortest(void **state)
{
    (void)state;
    const struct { double x; const char *want; } cases[] = {
        {3e-5, "3e-05"}, {1e-5, "1e-05"}, {9.5e-5, "9.5e-05"}, {1e-4, "0.0001"},
        {0.0003, "0.0003"}, {0.1, "0.1"}, {1.0 / 3, "0.3333333333333333"},
        {1e20, "1e+20"}, {123456, "123456"}, {0, "0"}, {-2.5e-7, "-2.5e-07"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[40];
        rx_fmt_num(cases[i].x, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
        assert_true(strtod(buf, NULL) == cases[i].x);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_num_shortest),
        cmocka_unit_test(test_metrics_are_columns),
        cmocka_unit_test(test_metrics_from_table),
        cmocka_unit_test(test_rank_values_ties),
        cmocka_unit_test(test_mean_std),
        cmocka_unit_test(test_metric_resolve),
        cmocka_unit_test(test_ties_ranks_topk),
        cmocka_unit_test(test_paper_resnet20),
        cmocka_unit_test(test_paper_resnet20_store),
        cmocka_unit_test(test_lr_selection_on_validation),
        cmocka_unit_test(test_lr_selection_refuses_test),
        cmocka_unit_test(test_diverged_and_missing),
        cmocka_unit_test(test_writers),
        cmocka_unit_test(test_html_curves),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_paired_stats),
        cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_warnings_lr_grid),
        cmocka_unit_test(test_warnings_tune_edge),
        cmocka_unit_test(test_tuned_patience),
        cmocka_unit_test(test_tuned_labels),
        cmocka_unit_test(test_svg_color),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
