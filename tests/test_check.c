/* test_check.c: the regression gate's matching, verdicts and exit codes,
 * and its outputs, on hand-made runs. */
#include "rx_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_check.h"

typedef struct runs {
    rx_report_run v[64];
    int n;
} runs;

/* A run of cell `cell` (schedule name = cell name) with error err (%). */
static void add(runs *r, const char *cell, long long seed, rx_outcome st, double err)
{
    assert_true(r->n < 64);
    rx_report_run *x = &r->v[r->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->setting, sizeof x->setting, "mnist mlp");
    snprintf(x->optimizer, sizeof x->optimizer, "sgd");
    snprintf(x->schedule, sizeof x->schedule, "%s", cell);
    snprintf(x->cell, sizeof x->cell, "%s", cell);
    snprintf(x->key, sizeof x->key, "%s-%lld", cell, seed);
    x->budget = 0.5;
    x->lr = 0.1;
    x->seed = seed;
    x->state = st;
    x->test = x->val = 1 - err / 100;
}

/* three seeds around mean m with std 0.5 */
static void add3(runs *r, const char *cell, double m)
{
    add(r, cell, 0, RX_OUT_DONE, m - 0.5);
    add(r, cell, 1, RX_OUT_DONE, m);
    add(r, cell, 2, RX_OUT_DONE, m + 0.5);
}

static rx_metric metric(const char *name)
{
    rx_metric m;
    rx_err e;
    assert_int_equal(rx_metric_resolve(name, &m, &e), RX_OK);
    return m;
}

static rx_check_result cmp(const runs *b, const runs *c, double abs_tol, double rel, double sigma)
{
    static rx_metric m;
    m = metric("error");
    rx_check_opts o = {&m, abs_tol, rel, sigma};
    rx_check_result r;
    rx_err e;
    assert_int_equal(rx_check_compare(b->v, b->n, c->v, c->n, &o, &r, &e), RX_OK);
    return r;
}

static const rx_check_row *row(const rx_check_result *r, const char *cell)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->rows[i].cell, cell) == 0)
            return &r->rows[i];
    fail_msg("no row '%s'", cell);
    return NULL;
}

static void test_identical(void **state)
{
    (void)state;
    runs b = {0};
    add3(&b, "rex", 10);
    add3(&b, "linear", 11);
    rx_check_result r = cmp(&b, &b, 0, 0, 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.count[RX_VERDICT_OK], 2);
    assert_int_equal(row(&r, "rex")->by_key, 1);
    assert_true(fabs(row(&r, "rex")->delta) < 1e-12);
    assert_int_equal(rx_check_status(&r), RX_OK);
    rx_check_free(&r);
}

static void test_margins(void **state)
{
    (void)state;
    runs b = {0}, c = {0};
    add3(&b, "rex", 10);
    add3(&c, "rex", 11);          /* one point worse */
    rx_check_result r = cmp(&b, &c, 0, 0, 0);
    assert_int_equal(row(&r, "rex")->verdict, RX_VERDICT_REGRESSED);
    assert_true(fabs(row(&r, "rex")->delta - 1) < 1e-9);
    assert_int_equal(rx_check_status(&r), RX_EFAILED);
    rx_check_free(&r);
    r = cmp(&b, &c, 1.5, 0, 0);   /* absolute margin */
    assert_int_equal(row(&r, "rex")->verdict, RX_VERDICT_OK);
    assert_int_equal(rx_check_status(&r), RX_OK);
    rx_check_free(&r);
    r = cmp(&b, &c, 0, 0.05, 0);  /* 5% of 10 = 0.5 < 1 */
    assert_int_equal(row(&r, "rex")->verdict, RX_VERDICT_REGRESSED);
    rx_check_free(&r);
    r = cmp(&b, &c, 0, 0.2, 0);   /* 20% of 10 = 2 > 1 */
    assert_int_equal(row(&r, "rex")->verdict, RX_VERDICT_OK);
    rx_check_free(&r);
    /* the seeds' std is 0.5: 1 sigma allows 0.5, 3 sigma 1.5 */
    r = cmp(&b, &c, 0, 0, 1);
    assert_int_equal(row(&r, "rex")->verdict, RX_VERDICT_REGRESSED);
    assert_true(fabs(row(&r, "rex")->allowed - 0.5) < 1e-9);
    rx_check_free(&r);
    r = cmp(&b, &c, 0, 0, 3);
    assert_int_equal(row(&r, "rex")->verdict, RX_VERDICT_OK);
    rx_check_free(&r);
    /* better is never a regression */
    r = cmp(&c, &b, 0, 0, 0);
    assert_int_equal(row(&r, "rex")->verdict, RX_VERDICT_IMPROVED);
    assert_int_equal(rx_check_status(&r), RX_OK);
    rx_check_free(&r);
}

static void test_direction_accuracy(void **state)
{
    (void)state;
    runs b = {0}, c = {0};
    add3(&b, "rex", 10);
    add3(&c, "rex", 11);
    rx_metric m = metric("acc");       /* 90% -> 89%: lower accuracy is worse */
    rx_check_opts o = {&m, 0.5, 0, 0};
    rx_check_result r;
    rx_err e;
    assert_int_equal(rx_check_compare(b.v, b.n, c.v, c.n, &o, &r, &e), RX_OK);
    assert_int_equal(r.rows[0].verdict, RX_VERDICT_REGRESSED);
    assert_true(fabs(r.rows[0].delta + 1) < 1e-9);
    rx_check_free(&r);
}

static void test_missing(void **state)
{
    (void)state;
    runs b = {0}, c = {0};
    add3(&b, "rex", 10);
    add3(&b, "linear", 11);
    add3(&c, "rex", 10);
    add3(&c, "cosine", 12);
    rx_check_result r = cmp(&b, &c, 0, 0, 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(row(&r, "rex")->verdict, RX_VERDICT_OK);
    assert_int_equal(row(&r, "linear")->verdict, RX_VERDICT_MISSING);
    assert_string_equal(row(&r, "linear")->why, "missing from the new store (3 baseline runs)");
    assert_int_equal(row(&r, "cosine")->verdict, RX_VERDICT_MISSING);
    assert_int_equal(rx_check_status(&r), RX_EMISSING);
    rx_check_free(&r);

    /* an unfinished run in the new store is missing, not a pass */
    runs d = {0};
    add(&d, "rex", 0, RX_OUT_DONE, 9.5);
    add(&d, "rex", 1, RX_OUT_DONE, 10);
    add(&d, "rex", 2, RX_OUT_MISSING, NAN);
    runs e = {0};
    add3(&e, "rex", 10);
    r = cmp(&e, &d, 0, 0, 0);
    assert_int_equal(r.rows[0].verdict, RX_VERDICT_MISSING);
    assert_string_equal(r.rows[0].why, "new store: 0 failed and 1 unfinished of 3 runs");
    assert_int_equal(rx_check_status(&r), RX_EMISSING);
    rx_check_free(&r);

    /* a regression outranks a missing cell in the exit code */
    runs f = {0};
    add3(&f, "rex", 12);
    r = cmp(&b, &f, 0, 0, 0);
    assert_int_equal(rx_check_status(&r), RX_EFAILED);
    rx_check_free(&r);

    /* nothing compared is not a pass */
    runs z = {0};
    r = cmp(&z, &z, 0, 0, 0);
    assert_int_equal(rx_check_status(&r), RX_EMISSING);
    rx_check_free(&r);
}

static void test_diverged_and_seeds(void **state)
{
    (void)state;
    runs b = {0}, c = {0};
    add3(&b, "rex", 10);
    add(&c, "rex", 0, RX_OUT_DONE, 10);
    add(&c, "rex", 1, RX_OUT_DONE, 10);
    add(&c, "rex", 2, RX_OUT_DIVERGED, NAN);
    rx_check_result r = cmp(&b, &c, 5, 0, 0);
    assert_int_equal(r.rows[0].verdict, RX_VERDICT_REGRESSED);
    assert_string_equal(r.rows[0].why, "1 of 3 runs diverged (baseline: 0 of 3)");
    rx_check_free(&r);

    /* other seeds: matched by cell, compared on the means */
    runs d = {0};
    add(&d, "rex", 7, RX_OUT_DONE, 10.2);
    add(&d, "rex", 8, RX_OUT_DONE, 9.8);
    r = cmp(&b, &d, 0.5, 0, 0);
    assert_int_equal(r.rows[0].by_key, 0);
    assert_int_equal(r.rows[0].verdict, RX_VERDICT_OK);
    assert_int_equal(r.rows[0].new_n, 2);
    rx_check_free(&r);

    /* --sigma with one seed on each side cannot judge */
    runs one = {0}, two = {0};
    add(&one, "rex", 0, RX_OUT_DONE, 10);
    add(&two, "rex", 0, RX_OUT_DONE, 10);
    r = cmp(&one, &two, 0, 0, 2);
    assert_int_equal(r.rows[0].verdict, RX_VERDICT_NOT_COMPARABLE);
    assert_int_equal(rx_check_status(&r), RX_EMISSING);
    rx_check_free(&r);
}

static char *render(const rx_check_result *r, int junit, rx_report_format fmt)
{
    static rx_metric m;
    m = metric("error");
    rx_check_opts o = {&m, 0.25, 0, 0};
    rx_check_source src = {"base.db", "new.db", "nightly"};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rx_err e;
    if (junit)
        assert_int_equal(rx_check_write_junit(f, r, &o, &src, &e), RX_OK);
    else
        assert_int_equal(rx_check_write(f, r, &o, fmt, &src, &e), RX_OK);
    fclose(f);
    return buf;
}

static void test_outputs(void **state)
{
    (void)state;
    runs b = {0}, c = {0};
    add3(&b, "rex", 10);
    add3(&b, "linear", 11);
    add3(&b, "step", 12);
    add3(&c, "rex", 10);
    add3(&c, "linear", 12);
    rx_check_result r = cmp(&b, &c, 0.25, 0, 0);
    char *t = render(&r, 0, RX_FMT_MARKDOWN);
    assert_non_null(strstr(t, "| setting | optimizer | schedule | budget | lr | match | "
                              "baseline | new | delta | allowed | verdict | note |"));
    assert_non_null(strstr(t, "| mnist mlp | sgd | linear | 50% | 0.1 | key | 11.00 ± 0.50 (3) "
                              "| 12.00 ± 0.50 (3) | +1.00 | 0.25 | REGRESSED | worse by 1.00, "
                              "more than the 0.25 allowed |"));
    assert_non_null(strstr(t, "| step | 50% | 0.1 | - | 12.00 ± 0.50 (3) | - | - | - | MISSING |"));
    assert_non_null(strstr(t, "**3 cells: 1 ok, 0 improved, 1 regressed, 1 missing, 0 not "
                              "comparable; REGRESSION (exit 1)**"));
    free(t);
    t = render(&r, 0, RX_FMT_TEXT);
    assert_non_null(strstr(t, "REGRESSED: mnist mlp sgd linear 50% lr 0.1: worse by 1.00"));
    free(t);
    t = render(&r, 0, RX_FMT_JSON);
    assert_non_null(strstr(t, "\"counts\":{\"ok\":1,\"improved\":0,\"regressed\":1,\"missing\":1,"
                              "\"not_comparable\":0},\"exit\":1}"));
    free(t);
    t = render(&r, 1, 0);
    assert_non_null(strstr(t, "<testsuites name=\"rexsweep check\" tests=\"3\" failures=\"1\" "
                              "errors=\"1\">"));
    assert_non_null(strstr(t, "<testcase classname=\"rexsweep.mnist mlp.sgd\" name=\"rex "
                              "budget=50% lr=0.1\"/>"));
    assert_non_null(strstr(t, "<failure type=\"regressed\""));
    assert_non_null(strstr(t, "<error type=\"missing\""));
    free(t);
    rx_check_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_margins),
        cmocka_unit_test(test_direction_accuracy),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_diverged_and_seeds),
        cmocka_unit_test(test_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
