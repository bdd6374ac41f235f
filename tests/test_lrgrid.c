/* test_lrgrid.c: the adaptive lr grid's rules (rx_lrgrid.h): the next lr
 * beyond an edge, the choice, and the verdict on a tuning cell. */
#include "rx_test.h"

#include <math.h>
#include <string.h>

#include "rx_lrgrid.h"

/* next(edge, inner, up) must be the text want, and exactly the double
 * that text reads as (what a spec with that value would hash). */
static void expect_next(double edge, double inner, int up, const char *want)
{
    double x;
    char buf[64];
    assert_int_equal(rx_lr_next(edge, inner, up, &x, buf, sizeof buf), 0);
    assert_string_equal(buf, want);
    assert_true(x == strtod(want, NULL));
}

static void test_next_x3_grid(void **state)
{
    (void)state;
    /* the paper's grid goes on: mantissas 1 and 3 per decade */
    expect_next(0.1, 0.03, 1, "0.3");
    expect_next(0.3, 0.1, 1, "1");
    expect_next(1, 0.3, 1, "3");
    expect_next(3, 1, 1, "10");
    expect_next(0.01, 0.03, 0, "0.003");
    expect_next(0.003, 0.01, 0, "0.001");
    expect_next(0.0003, 0.001, 0, "0.0001");
    expect_next(3e-5, 1e-4, 0, "0.00001");
    /* one point: the x3 grid when the value is on it */
    expect_next(0.003, NAN, 1, "0.01");
    expect_next(0.003, NAN, 0, "0.001");
    /* written another way, the same doubles */
    expect_next(strtod("1e-3", NULL), strtod("3e-3", NULL), 0, "0.0003");
}

static void test_next_ratio(void **state)
{
    (void)state;
    /* not the x3 grid: the ratio of the two edge points */
    expect_next(0.2, 0.1, 1, "0.4");
    expect_next(0.05, 0.1, 0, "0.025");
    expect_next(0.1, 0.01, 1, "1");        /* x10, though 0.1 and 0.01 are on the grid */
    expect_next(0.001, 0.01, 0, "0.0001");
    expect_next(0.5, 0.25, 1, "1");
    expect_next(0.7, NAN, 1, "2.1");       /* one point off the grid: x3 */
    expect_next(0.6, NAN, 0, "0.2");
    /* 12 significant digits: a float's noise does not reach the key */
    expect_next(0.3, 0.2, 1, "0.45");
    double x;
    char buf[64];
    assert_int_equal(rx_lr_next(0, 0.1, 1, &x, buf, sizeof buf), -1);
    assert_int_equal(rx_lr_next(1e300, 1e-10, 1, &x, buf, sizeof buf), -1);
}

/* A point of n seeds, all done, mean validation error val (lower better). */
static rx_lr_point pt(double lr, double val)
{
    return (rx_lr_point){.lr = lr, .n_runs = 3, .n_finished = 3, .n_val = 3, .n_test = 3,
                         .val = val};
}

static rx_lr_point diverged(double lr, int seeds)
{
    return (rx_lr_point){.lr = lr, .n_runs = 3, .n_finished = 3, .n_diverged = seeds,
                         .n_val = 3 - seeds, .n_test = 3 - seeds, .val = 10};
}

static void test_choose(void **state)
{
    (void)state;
    rx_lr_point p[3] = {pt(0.01, 20), pt(0.03, 10), pt(0.1, 15)};
    int nc;
    assert_int_equal(rx_lr_choose(p, 3, 0, &nc), 1);
    assert_int_equal(nc, 3);
    assert_int_equal(rx_lr_choose(p, 3, 1, NULL), 0);   /* higher better */
    /* ties (within 1e-9 relative) keep the smaller lr */
    p[2].val = 10 + 1e-12;
    assert_int_equal(rx_lr_choose(p, 3, 0, NULL), 1);
    p[0].val = 10;
    assert_int_equal(rx_lr_choose(p, 3, 0, NULL), 0);
    /* a diverged seed makes an lr ineligible, however good */
    p[0] = diverged(0.01, 1);
    p[0].val = 1;
    assert_int_equal(rx_lr_choose(p, 3, 0, &nc), 1);
    assert_int_equal(nc, 2);
    /* none eligible; several with no validation value */
    rx_lr_point d[2] = {diverged(0.1, 3), diverged(0.3, 1)};
    assert_int_equal(rx_lr_choose(d, 2, 0, NULL), -1);
    rx_lr_point u[2] = {pt(0.1, NAN), pt(0.3, NAN)};
    assert_int_equal(rx_lr_choose(u, 2, 0, NULL), RX_LR_UNJUDGED);
}

static rx_lr_verdict decide(const rx_lr_point *p, int n, int lo, int hi, int extend,
                            double *next)
{
    char buf[64];
    int chosen;
    return rx_lr_decide(p, n, lo, hi, extend, 0, &chosen, next, buf, sizeof buf);
}

static void test_decide(void **state)
{
    (void)state;
    double next;
    /* best at the top: extend up, on the x3 grid */
    rx_lr_point up[3] = {pt(0.01, 30), pt(0.03, 20), pt(0.1, 10)};
    assert_int_equal(decide(up, 3, 0, 0, 2, &next), RX_LRV_UP);
    assert_true(next == 0.3);
    /* ... unless that side's points are used up */
    assert_int_equal(decide(up, 3, 0, 2, 2, &next), RX_LRV_LIMIT);
    assert_int_equal(decide(up, 3, 0, 0, 0, &next), RX_LRV_LIMIT);
    /* the low side's count does not limit the high side */
    assert_int_equal(decide(up, 3, 2, 1, 2, &next), RX_LRV_UP);
    /* best at the bottom: extend down */
    rx_lr_point down[3] = {pt(0.01, 10), pt(0.03, 20), pt(0.1, 30)};
    assert_int_equal(decide(down, 3, 0, 0, 2, &next), RX_LRV_DOWN);
    assert_true(next == 0.003);
    /* interior */
    rx_lr_point mid[3] = {pt(0.01, 20), pt(0.03, 10), pt(0.1, 30)};
    assert_int_equal(decide(mid, 3, 0, 0, 2, &next), RX_LRV_INTERIOR);
    assert_true(isnan(next));
    /* the next lr up diverged (in any seed): bounded by divergence, no
     * further extension although points are left */
    rx_lr_point div[4] = {pt(0.01, 30), pt(0.03, 20), pt(0.1, 10), diverged(0.3, 1)};
    assert_int_equal(decide(div, 4, 0, 1, 3, &next), RX_LRV_DIVERGED);
    div[3] = diverged(0.3, 3);
    assert_int_equal(decide(div, 4, 0, 1, 3, &next), RX_LRV_DIVERGED);
    /* a run not finished: wait */
    rx_lr_point wait[2] = {pt(0.01, 30), pt(0.03, 20)};
    wait[1].n_finished = 2;
    assert_int_equal(decide(wait, 2, 0, 0, 2, &next), RX_LRV_WAIT);
    /* every lr diverged: extend down */
    rx_lr_point all[2] = {diverged(0.1, 1), diverged(0.3, 3)};
    assert_int_equal(decide(all, 2, 0, 0, 2, &next), RX_LRV_DOWN);
    assert_true(next == 0.03);
    assert_int_equal(decide(all, 2, 2, 0, 2, &next), RX_LRV_LIMIT);
    /* nothing to choose on */
    rx_lr_point none[2] = {pt(0.1, NAN), pt(0.3, NAN)};
    assert_int_equal(decide(none, 2, 0, 0, 2, &next), RX_LRV_NONE);
    /* one point: up first, then down */
    rx_lr_point one[1] = {pt(0.1, 10)};
    assert_int_equal(decide(one, 1, 0, 0, 1, &next), RX_LRV_UP);
    assert_true(next == 0.3);
    assert_int_equal(decide(one, 1, 0, 1, 1, &next), RX_LRV_DOWN);
    assert_true(next == 0.03);
    /* an lr beyond the key's range ends the grid */
    rx_lr_point big[2] = {pt(1e299, 20), pt(1e300, 10)};
    assert_int_equal(decide(big, 2, 0, 0, 2, &next), RX_LRV_UP);
    assert_true(next == 1e301);
}

static void test_verdict_names(void **state)
{
    (void)state;
    for (int v = 0; v < RX_LRV_COUNT; v++)
        assert_true(strcmp(rx_lr_verdict_name((rx_lr_verdict)v), "?") != 0);
    assert_string_equal(rx_lr_verdict_name(RX_LRV_DIVERGED), "bounded by divergence");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_x3_grid),
        cmocka_unit_test(test_next_ratio),
        cmocka_unit_test(test_choose),
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_verdict_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
