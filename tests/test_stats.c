/* test_stats.c: the report's statistics against values computed
 * independently by tests/data/report/stats_ref.py (scipy, numpy and a
 * brute-force enumeration of sign patterns), pasted below. */
#include "rx_test.h"

#include <math.h>
#include <string.h>

#include "rx_common.h"
#include "rx_stats.h"

static void test_betainc(void **state)
{
    (void)state;
    static const double ref[][4] = {
        {0.5, 0.5, 0.3, 0.36901011956554541},
        {2, 3, 0.4, 0.52479999999999993},
        {10, 0.5, 0.9, 0.15164090963470997},
        {1.5, 0.5, 0.999, 0.95974334188496824},
        {30, 40, 0.45, 0.64474800855856662},
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
        assert_double_close(rx_betainc(ref[i][0], ref[i][1], ref[i][2]), ref[i][3], 1e-12);
    assert_true(isnan(rx_betainc(-1, 1, 0.5)));
    assert_double_close(rx_betainc(2, 2, 0), 0, 0);
    assert_double_close(rx_betainc(2, 2, 1), 1, 0);
}

static void test_t_cdf(void **state)
{
    (void)state;
    static const double ref[][3] = {
        {0.5, 1, 0.64758361765043326},
        {-1.2, 3, 0.15813105734905245},
        {2.0, 7.5, 0.95855150235091691},
        {4.0, 30, 0.99980907718195811},
        {-0.1, 200, 0.46022224625216046},
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
        assert_double_close(rx_t_cdf(ref[i][0], ref[i][1]), ref[i][2], 1e-12);
}

static void test_t_quantile(void **state)
{
    (void)state;
    static const double ref[][3] = {
        {0.975, 1, 12.706204736174692},   /* tan(0.475 pi) */
        {0.975, 2, 4.3026527297494557},
        {0.975, 4, 2.7764451051977925},
        {0.975, 9, 2.2621571627982053},
        {0.975, 29, 2.0452296421327025},
        {0.6, 3, 0.27667066233269033},
        {0.025, 5, -2.570581835636315},
        {0.9995, 2, 31.599054576445585},
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
        assert_double_close(rx_t_quantile(ref[i][0], ref[i][1]), ref[i][2],
                            1e-13 * fabs(ref[i][2]));
    assert_true(isnan(rx_t_quantile(1, 3)));
    assert_true(isnan(rx_t_quantile(0.5, 0)));
}

static void test_paired_t(void **state)
{
    (void)state;
    const double d[] = {0.31, -0.12, NAN, 0.44, 0.27, 0.05};   /* the NaN is skipped */
    rx_paired p = rx_paired_t(d, 6);
    assert_int_equal(p.n, 5);
    assert_double_close(p.mean, 0.19, 1e-15);
    assert_double_close(p.se, 0.099749686716300023, 1e-15);
    assert_double_close(p.lo, -0.08694952942848444, 1e-13);
    assert_double_close(p.hi, 0.46694952942848444, 1e-13);
    rx_paired one = rx_paired_t(d, 1);
    assert_int_equal(one.n, 1);
    assert_double_close(one.mean, 0.31, 0);
    assert_true(isnan(one.lo) && isnan(one.hi) && isnan(one.se));
    rx_paired none = rx_paired_t(d + 2, 1);
    assert_int_equal(none.n, 0);
    assert_true(isnan(none.mean));
}

static void test_sign_test(void **state)
{
    (void)state;
    static const double ref[][3] = {
        {9, 3, 0.14599609375},
        {0, 5, 0.0625},
        {6, 6, 1},
        {1, 0, 1},
        {40, 20, 0.01348929373119186},
        {300, 250, 0.036578745549102669},
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
        assert_double_close(rx_sign_test_p((int)ref[i][0], (int)ref[i][1]), ref[i][2],
                            1e-11 * ref[i][2]);
    assert_double_close(rx_sign_test_p(0, 0), 1, 0);
}

static void wilcoxon_case(const double *d, int n, int n_ref, double wp_ref, double p_ref)
{
    rx_wilcoxon w;
    assert_int_equal(rx_wilcoxon_test(d, n, &w), RX_OK);
    assert_int_equal(w.n, n_ref);
    assert_true(w.exact);
    assert_double_close(w.w_plus, wp_ref, 0);
    assert_double_close(w.w_plus + w.w_minus, n_ref * (n_ref + 1) / 2.0, 0);
    assert_double_close(w.p, p_ref, 1e-14);
}

static void test_wilcoxon_exact(void **state)
{
    (void)state;
    const double a[] = {1.5, -0.5, 2.0, 3.0, -1.0, 0.7, 2.2, 1.1};
    const double b[] = {1.0, -1.0, 2.0, 2.0, -2.0, 3.0, 0.0, 4.0, 4.0, 1.0};
    const double c[] = {-0.3, -0.1, -0.7};
    const double e[] = {0.2, 0.4, 0.1, 0.9, 0.5, 0.3, 0.8, 0.6, -0.05, 0.7, 1.1, 1.3};
    wilcoxon_case(a, 8, 8, 32.0, 0.0546875);
    wilcoxon_case(b, 10, 9, 38.0, 0.08203125);      /* ties share ranks; the zero drops */
    wilcoxon_case(c, 3, 3, 0, 0.25);
    wilcoxon_case(e, 12, 12, 77.0, 0.0009765625);
    rx_wilcoxon w;
    const double z[] = {0, 0, NAN};
    assert_int_equal(rx_wilcoxon_test(z, 3, &w), RX_OK);
    assert_int_equal(w.n, 0);
    assert_double_close(w.p, 1, 0);
}

static void test_wilcoxon_normal(void **state)
{
    (void)state;
    double d[120];
    for (int i = 0; i < 120; i++)
        d[i] = sin(i) + 0.15;
    rx_wilcoxon w;
    assert_int_equal(rx_wilcoxon_test(d, 120, &w), RX_OK);
    assert_int_equal(w.n, 120);
    assert_false(w.exact);
    assert_double_close(fmin(w.w_plus, w.w_minus), 2698.0, 0);
    assert_double_close(w.p, 0.014708556598589785, 1e-12);
}

static void test_quantile(void **state)
{
    (void)state;
    const double x[] = {1.0, 2.0, 4.0, 8.0, 16.0};
    static const double ref[][2] = {
        {0, 1}, {0.025, 1.1000000000000001}, {0.5, 4}, {0.975, 15.199999999999999}, {1, 16},
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
        assert_double_close(rx_quantile_sorted(x, 5, ref[i][0]), ref[i][1], 1e-14);
    assert_true(isnan(rx_quantile_sorted(x, 0, 0.5)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_betainc),
        cmocka_unit_test(test_t_cdf),
        cmocka_unit_test(test_t_quantile),
        cmocka_unit_test(test_paired_t),
        cmocka_unit_test(test_sign_test),
        cmocka_unit_test(test_wilcoxon_exact),
        cmocka_unit_test(test_wilcoxon_normal),
        cmocka_unit_test(test_quantile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
