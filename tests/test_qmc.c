/* test_qmc.c: quasi-random points of sampled axes.  The plain Sobol points
 * come from SciPy (tests/data/qmc/qmc_ref.py), the Halton ones are worked
 * by hand, the scrambled ones are checked for the stratification that
 * scrambling must keep and pinned as text (the values that become run
 * keys must never move). */
#include "rx_test.h"

#include <math.h>
#include <string.h>

#include "rx_qmc.h"

static const rx_qmc plain_sobol = {RX_QMC_SOBOL, 0, 0, RX_QMC_DIGITS};
static const rx_qmc plain_halton = {RX_QMC_HALTON, 0, 0, RX_QMC_DIGITS};

/* SciPy 1.10 qmc.Sobol(d=16, scramble=False): points 0..7 times 8 and
 * points 1000..1003 times 1024, per dimension. */
static const int sobol8[16][8] = {
    {0, 4, 6, 2, 3, 7, 5, 1}, {0, 4, 2, 6, 3, 7, 1, 5}, {0, 4, 2, 6, 5, 1, 7, 3},
    {0, 4, 2, 6, 7, 3, 5, 1}, {0, 4, 6, 2, 3, 7, 5, 1}, {0, 4, 6, 2, 1, 5, 7, 3},
    {0, 4, 2, 6, 3, 7, 1, 5}, {0, 4, 6, 2, 7, 3, 1, 5}, {0, 4, 6, 2, 7, 3, 1, 5},
    {0, 4, 6, 2, 5, 1, 3, 7}, {0, 4, 6, 2, 7, 3, 1, 5}, {0, 4, 6, 2, 3, 7, 5, 1},
    {0, 4, 2, 6, 3, 7, 1, 5}, {0, 4, 2, 6, 5, 1, 7, 3}, {0, 4, 6, 2, 3, 7, 5, 1},
    {0, 4, 2, 6, 7, 3, 5, 1},
};
static const int sobol1000[16][4] = {
    {225, 737, 993, 481}, {99, 611, 355, 867},  {531, 19, 787, 275},  {693, 181, 949, 437},
    {287, 799, 543, 31},  {929, 417, 161, 673}, {47, 559, 303, 815},  {921, 409, 153, 665},
    {513, 1, 257, 769},   {71, 583, 839, 327},  {87, 599, 855, 343},  {261, 773, 517, 5},
    {165, 677, 421, 933}, {393, 905, 137, 649}, {147, 659, 915, 403}, {379, 891, 123, 635},
};

static void test_sobol_plain(void **state)
{
    (void)state;
    static double u[1004];
    for (int d = 0; d < 16; d++) {
        rx_qmc_points(&plain_sobol, d, 1004, u);
        for (int i = 0; i < 8; i++)
            assert_true(u[i] * 8 == sobol8[d][i]);
        for (int i = 0; i < 4; i++)
            assert_true(u[1000 + i] * 1024 == sobol1000[d][i]);
    }
}

static void test_halton_plain(void **state)
{
    (void)state;
    double u[8];
    /* base 2: 0, 1/2, 1/4, 3/4, 1/8, 5/8 */
    static const double b2[] = {0, 0.5, 0.25, 0.75, 0.125, 0.625};
    rx_qmc_points(&plain_halton, 0, 6, u);
    for (int i = 0; i < 6; i++)
        assert_true(u[i] == b2[i]);
    /* base 3: 0, 1/3, 2/3, 1/9, 4/9, 7/9, 2/9, 5/9 */
    static const double b3[] = {0, 1, 2, 1.0 / 3, 4.0 / 3, 7.0 / 3, 2.0 / 3, 5.0 / 3};
    rx_qmc_points(&plain_halton, 1, 8, u);
    for (int i = 0; i < 8; i++)
        assert_double_close(u[i], b3[i] / 3, 1e-15);
    /* base 5 and base 53 (the 16th prime) */
    rx_qmc_points(&plain_halton, 2, 6, u);
    assert_double_close(u[5], 1.0 / 25, 1e-15);
    rx_qmc_points(&plain_halton, 15, 3, u);
    assert_double_close(u[1], 1.0 / 53, 1e-15);
    assert_double_close(u[2], 2.0 / 53, 1e-15);
}

/* Scrambling keeps the net: the first b^m points put exactly one point in
 * each of the b^m intervals of width b^-m, in every dimension; Sobol's
 * first two dimensions also fill every dyadic box of area 2^-m. */
static void test_scrambled_strata(void **state)
{
    (void)state;
    for (int kind = 0; kind < 2; kind++)
        for (uint64_t seed = 0; seed < 3; seed++)
            for (int d = 0; d < RX_QMC_MAX_DIMS; d++) {
                rx_qmc q = {kind, seed, 1, RX_QMC_DIGITS};
                static const int base[] = {16, 9, 25, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53};
                int b = kind == RX_QMC_SOBOL ? 32 : base[d];
                double u[64];
                int seen[64] = {0};
                rx_qmc_points(&q, d, b, u);
                for (int i = 0; i < b; i++) {
                    assert_true(u[i] >= 0 && u[i] < 1);
                    seen[(int)(u[i] * b)]++;
                }
                for (int k = 0; k < b; k++)
                    assert_int_equal(seen[k], 1);
            }
    rx_qmc q = {RX_QMC_SOBOL, 7, 1, RX_QMC_DIGITS};
    double x[32], y[32];
    rx_qmc_points(&q, 0, 32, x);
    rx_qmc_points(&q, 1, 32, y);
    for (int a = 0; a <= 5; a++) {
        int nx = 1 << a, ny = 32 >> a, box[32] = {0};
        for (int i = 0; i < 32; i++)
            box[(int)(x[i] * nx) * ny + (int)(y[i] * ny)]++;
        for (int k = 0; k < 32; k++)
            assert_int_equal(box[k], 1);
    }
}

/* The texts that become run keys: pinned, never to move. */
static void test_pinned_values(void **state)
{
    (void)state;
    static const char *const want_sobol[] = {"0.01488", "0.003941", "0.0009257", "0.1829"};
    static const char *const want_halton[] = {"0.9417", "0.815", "0.8784", "0.9839"};
    rx_qmc s = {RX_QMC_SOBOL, 42, 1, RX_QMC_DIGITS};
    rx_qmc h = {RX_QMC_HALTON, 42, 1, RX_QMC_DIGITS};
    double u[4];
    char buf[64];
    rx_qmc_points(&s, 0, 4, u);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rx_qmc_value(&s, RX_QMC_LOG_UNIFORM, 1e-4, 1, u[i], buf, sizeof buf), RX_OK);
        assert_string_equal(buf, want_sobol[i]);
    }
    rx_qmc_points(&h, 1, 4, u);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rx_qmc_value(&h, RX_QMC_UNIFORM, 0.8, 0.99, u[i], buf, sizeof buf), RX_OK);
        assert_string_equal(buf, want_halton[i]);
    }
    /* another seed, other points */
    rx_qmc s2 = s;
    s2.seed = 43;
    double v[4];
    rx_qmc_points(&s2, 0, 4, v);
    assert_true(memcmp(u, v, sizeof u) != 0);
}

static void test_values(void **state)
{
    (void)state;
    char buf[64];
    rx_qmc q = plain_sobol;
    assert_int_equal(rx_qmc_value(&q, RX_QMC_LOG_UNIFORM, 1e-4, 1, 0, buf, sizeof buf), RX_OK);
    assert_string_equal(buf, "0.0001");
    rx_qmc_value(&q, RX_QMC_LOG_UNIFORM, 1e-4, 1, 0.5, buf, sizeof buf);
    assert_string_equal(buf, "0.01");
    rx_qmc_value(&q, RX_QMC_LOG_UNIFORM, 1e-4, 1, 0.25, buf, sizeof buf);
    assert_string_equal(buf, "0.001");
    rx_qmc_value(&q, RX_QMC_UNIFORM, 0.8, 0.99, 0.5, buf, sizeof buf);
    assert_string_equal(buf, "0.895");
    rx_qmc_value(&q, RX_QMC_UNIFORM, -5, -1, 0.75, buf, sizeof buf);
    assert_string_equal(buf, "-2");
    q.digits = 2;
    rx_qmc_value(&q, RX_QMC_LOG_UNIFORM, 1, 10, 0.5, buf, sizeof buf);
    assert_string_equal(buf, "3.2");
}

/* The libm-free logarithm and exponential agree with libm to a few ulps. */
static void test_log_exp(void **state)
{
    (void)state;
    for (double x = 1e-12; x < 1e12; x *= 1.37) {
        assert_double_close(rx_qmc_log(x), log(x), 1e-15 * fmax(1, fabs(log(x))));
        double y = log(x);
        assert_double_close(rx_qmc_exp(y), exp(y), 1e-15 * exp(y));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sobol_plain),     cmocka_unit_test(test_halton_plain),
        cmocka_unit_test(test_scrambled_strata), cmocka_unit_test(test_pinned_values),
        cmocka_unit_test(test_values),          cmocka_unit_test(test_log_exp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
