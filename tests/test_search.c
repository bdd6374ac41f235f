/* test_search.c: successive halving's promotion rule on a hand-worked
 * fixture, and how a halving spec splits its grid into rungs, groups and
 * candidates. */
#include "rx_test.h"

#include <math.h>
#include <string.h>

#include "rx_report.h"
#include "rx_search.h"
#include "rx_spec.h"

/* Nine candidates, test error in % (lower is better), eta 3: three are
 * promoted.  By hand: eligible scores 20, 12.5 (lr 0.3), 12.5 (lr 0.03,
 * first 2), 15, 11, 30, 12.5 (lr 0.03, first 8); c3 (10, the best) has a
 * diverged seed and c4 no validation value, so neither may be chosen.
 * Best three: c6 (11), then the 12.5 tie broken by the smaller lr (c2 and
 * c8 before c1), then by grid order (c2 before c8). */
static void test_promote_fixture(void **state)
{
    (void)state;
    rx_metric m;
    assert_int_equal(rx_metric_resolve("error", &m, NULL), RX_OK);
    rx_search_cand c[9] = {
        {20.0, 1, 0.1, 0, 0},  {12.5, 1, 0.3, 1, 0},  {12.5, 1, 0.03, 2, 0},
        {10.0, 0, 1.0, 3, 0},  {NAN, 0, 0.01, 4, 0},  {15.0, 1, 0.003, 5, 0},
        {11.0, 1, 0.001, 6, 0}, {30.0, 1, 0.0003, 7, 0}, {12.5, 1, 0.03, 8, 0},
    };
    assert_int_equal(rx_search_promote(&m, c, 9, 3), 3);
    static const int want[9] = {0, 0, 1, 0, 0, 0, 1, 0, 1};
    for (int i = 0; i < 9; i++)
        assert_int_equal(c[i].promoted, want[i]);
    /* eta 2 keeps floor(9 / 2) = 4: c1 joins */
    assert_int_equal(rx_search_promote(&m, c, 9, 2), 4);
    assert_int_equal(c[1].promoted, 1);
    /* accuracy: higher is better, so 30 wins */
    rx_metric acc;
    assert_int_equal(rx_metric_resolve("acc", &acc, NULL), RX_OK);
    assert_int_equal(rx_search_promote(&acc, c, 9, 9), 1);
    assert_int_equal(c[7].promoted, 1);
    /* fewer candidates than eta: the best one still goes on */
    assert_int_equal(rx_search_promote(&m, c, 2, 3), 1);
    assert_int_equal(c[1].promoted, 1);
    assert_int_equal(c[0].promoted, 0);
    /* nothing eligible: nothing promoted */
    assert_int_equal(rx_search_promote(&m, c + 3, 2, 3), 0);
}

static const char spec_text[] =
    "name: h\n"
    "data: {dataset: spirals, n_samples: 200, validation: 50}\n"
    "train: {full_epochs: 9}\n"
    "budgets: [100%, 10%, 30%]\n"
    "optimizers:\n"
    "  - {name: sgd, lr: {from: 0.0001, to: 1, mantissas: [1, 3]}}\n"
    "schedules: [constant, linear]\n"
    "seeds: 2\n"
    "search: {strategy: halving}\n";

static void test_split(void **state)
{
    (void)state;
    rx_spec *s;
    rx_err err;
    assert_int_equal(rx_spec_parse(spec_text, strlen(spec_text), "h.yaml", &s, &err), RX_OK);
    assert_int_equal(s->search.strategy, RX_STRATEGY_HALVING);
    assert_int_equal(s->search.eta, 3);
    rx_run_ref *runs;
    int n;
    assert_int_equal(rx_spec_plan(s, &runs, &n, &err), RX_OK);
    assert_int_equal(n, 108);
    rx_search *hs;
    assert_int_equal(rx_search_new(s, runs, n, &hs, &err), RX_OK);
    assert_int_equal(rx_search_update(hs, NULL, &err), RX_OK);
    /* rungs ascend whatever the order written */
    assert_int_equal(rx_search_n_rungs(hs), 3);
    assert_true(rx_search_rung_budget(hs, 0) == 0.1 && rx_search_rung_budget(hs, 2) == 1);
    assert_int_equal(rx_search_n_groups(hs), 2);
    static const int cands[3] = {18, 6, 2}, runs_max[3] = {36, 12, 4};
    for (int k = 0; k < 3; k++) {
        rx_search_rung_info ri;
        rx_search_rung_info_of(hs, -1, k, &ri);
        assert_int_equal(ri.groups, 2);
        assert_int_equal(ri.cands_max, cands[k]);
        assert_int_equal(ri.runs_max, runs_max[k]);
        assert_int_equal(ri.runs_grid, 36);
        assert_int_equal(ri.runs_now, k == 0 ? 36 : 0);
    }
    /* without results only rung 0 runs, in grid order */
    int idx[108], m;
    rx_search_runs(hs, -1, idx, &m);
    assert_int_equal(m, 36);
    for (int i = 1; i < m; i++)
        assert_true(runs[idx[i]].index > runs[idx[i - 1]].index);
    assert_int_equal(rx_search_undecided(hs, 0), 0);
    assert_int_equal(rx_search_undecided(hs, 1), 2);
    assert_string_equal(rx_search_cand_label(hs, 0), "lr=0.0001");
    /* groups are told apart by what is not searched */
    assert_string_equal(rx_search_group_label(hs, 0), "sgd / constant");
    assert_string_equal(rx_search_group_label(hs, 1), "sgd / linear");
    rx_search_free(hs);
    free(runs);
    rx_spec_free(s);
}

/* Hyperband's brackets are a pure function of the spec: bracket s of R
 * starts at rung R-1-s with ceil(R eta^s / (s+1)) candidates (at most the
 * group's), the next consecutive slice of the group's in grid order. */
static void test_brackets(void **state)
{
    (void)state;
    char text[sizeof spec_text + 64];
    snprintf(text, sizeof text, "%.*ssearch: {strategy: hyperband}\n",
             (int)(strstr(spec_text, "search:") - spec_text), spec_text);
    rx_spec *s;
    rx_err err;
    assert_int_equal(rx_spec_parse(text, strlen(text), "h.yaml", &s, &err), RX_OK);
    assert_int_equal(s->search.strategy, RX_STRATEGY_HYPERBAND);
    rx_run_ref *runs;
    int n;
    assert_int_equal(rx_spec_plan(s, &runs, &n, &err), RX_OK);
    rx_search *hs;
    assert_int_equal(rx_search_new(s, runs, n, &hs, &err), RX_OK);
    assert_int_equal(rx_search_update(hs, NULL, &err), RX_OK);
    assert_int_equal(rx_search_n_brackets(hs), 3);
    /* sizes 9 (of ceil(27/3)), 5 (ceil(9/2)) and 3; per bracket and rung
     * the candidates at most over the 2 groups */
    static const int start[3] = {0, 1, 2}, cmax[3][3] = {{18, 6, 2}, {0, 10, 2}, {0, 0, 6}};
    for (int b = 0; b < 3; b++) {
        assert_int_equal(rx_search_bracket_start(hs, b), start[b]);
        for (int k = 0; k < 3; k++) {
            rx_search_rung_info ri;
            rx_search_rung_info_of(hs, b, k, &ri);
            assert_int_equal(ri.cands_max, cmax[b][k]);
        }
    }
    /* without results every bracket runs its first rung: 9, 5 and 3
     * candidates per group, the slices 0-8, 0-4 and 5-7 */
    static const int first_runs[3] = {36, 20, 12};
    int idx[108], m;
    rx_search_step steps[3];
    for (int k = 0; k < 3; k++) {
        rx_search_runs(hs, k, idx, &m);
        assert_int_equal(m, first_runs[k]);
    }
    rx_search_ladder(hs, 0, 2, steps);
    assert_int_equal(steps[2].cands, 3);
    assert_int_equal(rx_search_undecided(hs, 0), 0);
    assert_int_equal(rx_search_undecided(hs, 1), 2);   /* bracket 2's rung 1 */
    assert_int_equal(rx_search_undecided(hs, 2), 2);
    rx_search_free(hs);
    free(runs);
    rx_spec_free(s);

    /* 4 rungs: sizes 27, 12, 6 and 4 over 9 candidates wrap around:
     * 0-8, 0-8, 0-5, then 6, 7, 8 and 0 */
    static const char four[] =
        "name: h\ndata: {dataset: spirals, n_samples: 200, validation: 50}\n"
        "budgets: [10%, 20%, 50%, 100%]\n"
        "optimizers: [{name: sgd, lr: {from: 0.0001, to: 1, mantissas: [1, 3]}}]\n"
        "search: {strategy: hyperband}\n";
    assert_int_equal(rx_spec_parse(four, strlen(four), "h.yaml", &s, &err), RX_OK);
    assert_int_equal(rx_spec_plan(s, &runs, &n, &err), RX_OK);
    assert_int_equal(rx_search_new(s, runs, n, &hs, &err), RX_OK);
    assert_int_equal(rx_search_update(hs, NULL, &err), RX_OK);
    rx_search_step st4[4];
    static const int sizes[4] = {9, 9, 6, 4};
    for (int b = 0; b < 4; b++) {
        rx_search_ladder(hs, 0, b, st4);
        assert_int_equal(st4[b].cands, sizes[b]);
    }
    rx_search_runs(hs, 3, idx, &m);
    assert_int_equal(m, 4);
    double want[4] = {0.0001, 0.1, 0.3, 1};
    for (int i = 0; i < m; i++) {
        rx_config c;
        assert_int_equal(rx_grid_config(&s->grid, &runs[idx[i]], &c, &err), RX_OK);
        assert_true(fabs(c.optim.lr - want[i]) <= 1e-12 * want[i]);
    }
    rx_search_free(hs);
    free(runs);
    rx_spec_free(s);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"budgets: [10%, 100%]\noptimizers: [{name: sgd, lr: [0.1, 0.01]}]\n"
         "search: {strategy: halving}\n",
         "e.yaml:3:1: halving promotes on the validation metric, and run 0 has no validation "
         "split: set data.validation"},
        {"data: {validation: 100}\nbudgets: [10%, 100%]\ngrid: {model.hidden: [[8], [16]]}\n"
         "search: {strategy: halving}\n",
         "e.yaml:4:1: halving needs candidates: sweep a key of the optimizer (an lr list) or "
         "name the searched keys in 'search.over'"},
        {"data: {validation: 100}\nbudgets: [10%, 100%]\noptimizers: [{name: sgd, lr: [1, 2]}]\n"
         "search: {strategy: halving, over: [optimizer.momentum]}\n",
         "e.yaml:4:1: 'search.over' names 'optimizer.momentum', which is not a swept key a "
         "search can choose (the budget and the seed are not)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rx_spec *s;
        rx_err err = {{0}};
        assert_int_equal(rx_spec_parse(cases[i].text, strlen(cases[i].text), "e.yaml", &s, &err),
                         RX_OK);
        rx_run_ref *runs;
        int n;
        assert_int_equal(rx_spec_plan(s, &runs, &n, &err), RX_OK);
        rx_search *hs = NULL;
        assert_int_equal(rx_search_new(s, runs, n, &hs, &err), RX_EINVAL);
        assert_null(hs);
        assert_string_equal(err.msg, cases[i].want);
        free(runs);
        rx_spec_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_promote_fixture),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_brackets),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
