/* test_optim.c: every optimizer against torch.optim (fixtures written by
 * tests/data/optim/make_fixtures.py) or, for Lion, which torch.optim lacks,
 * against NumPy (tests/data/optim/make_lion_fixtures.py), plus the error
 * paths. */
#include "rx_test.h"

#include <math.h>
#include <string.h>

#include "rx_optim.h"
#include "data/optim/fixtures.h"
#include "data/optim/lion_fixtures.h"

static rx_optim_config config_for(const opt_case *k)
{
    rx_optim_config c = {0};
    c.kind = RX_OPTIM_COUNT;
    for (int i = 0; i < RX_OPTIM_COUNT; i++)
        if (strcmp(k->kind, rx_optim_names[i]) == 0)
            c.kind = (rx_optim_kind)i;
    c.lr = k->lr[0];
    c.momentum = k->mom[0];
    c.nesterov = k->nesterov;
    c.dampening = k->dampening;
    c.beta1 = k->mom[0];
    c.beta2 = k->beta2;
    c.eps = k->eps;
    c.weight_decay = k->weight_decay;
    c.clip_norm = k->clip;
    return c;
}

/* Steps one fixture case; fails on the first value off by more than
 * float rounding (torch does the same float32 operations). */
static void run_case(const opt_case *k)
{
    float mask[OPT_N], p[OPT_N], g[OPT_N];
    for (int i = 0; i < OPT_N; i++)
        mask[i] = i < OPT_N_DECAY ? 1.0f : 0.0f;
    rx_optim_config c = config_for(k);
    rx_optim *o;
    rx_err err;
    assert_int_equal(rx_optim_create(&o, &c, OPT_N, k->use_mask ? mask : NULL, &err), RX_OK);
    for (int rep = 0; rep < 2; rep++) {   /* second pass: after rx_optim_reset */
        memcpy(p, opt_p0, sizeof p);
        for (int s = 0; s < OPT_STEPS; s++) {
            memcpy(g, opt_grads[s], sizeof g);
            double norm = rx_optim_step(o, p, g, k->lr[s], k->mom[s]);
            if (fabs(norm - k->norm[s]) > 1e-6 * k->norm[s])
                fail_msg("%s step %d: norm %.9g, torch %.9g", k->name, s, norm, k->norm[s]);
            for (int i = 0; i < OPT_N; i++) {
                double want = k->p[s][i];
                if (fabs(p[i] - want) > 2e-6 * (1 + fabs(want)))
                    fail_msg("%s step %d param %d: %.9g, torch %.9g", k->name, s, i, p[i], want);
            }
        }
        rx_optim_reset(o);
    }
    rx_optim_free(o);
}

static void test_torch_parity(void **state)
{
    (void)state;
    int n = (int)(sizeof opt_cases / sizeof opt_cases[0]);
    for (int i = 0; i < n; i++)
        run_case(&opt_cases[i]);
}

static void test_lion_numpy(void **state)
{
    (void)state;
    int n = (int)(sizeof lion_cases / sizeof lion_cases[0]);
    for (int i = 0; i < n; i++)
        run_case(&lion_cases[i]);
}

/* Lion moves every parameter by exactly lr (no decay), and not at all
 * where the gradient and the momentum are zero: sign(0) = 0. */
static void test_lion_sign(void **state)
{
    (void)state;
    rx_optim_config c = {0};
    c.kind = RX_OPTIM_LION;
    c.beta1 = 0.9;
    c.beta2 = 0.99;
    rx_optim *o;
    float p[3] = {1.0f, -2.0f, 0.5f}, g[3] = {1e-30f, -3.0f, 0.0f};
    assert_int_equal(rx_optim_create(&o, &c, 3, NULL, NULL), RX_OK);
    rx_optim_step(o, p, g, 0.125, 0.9);
    assert_true(p[0] == 0.875f && p[1] == -1.875f && p[2] == 0.5f);
    rx_optim_free(o);
}

/* Hand-computed first steps, independent of the fixtures. */
static void test_by_hand(void **state)
{
    (void)state;
    rx_optim_config c = {0};
    rx_optim *o;
    float p[2] = {1.0f, -2.0f}, g[2] = {0.5f, 0.25f};
    /* sgd momentum: buf = g at the first step, then m*buf + g */
    c.kind = RX_OPTIM_SGD;
    c.momentum = 0.9;
    assert_int_equal(rx_optim_create(&o, &c, 2, NULL, NULL), RX_OK);
    rx_optim_step(o, p, g, 0.1, 0.9);
    assert_double_close(p[0], 1.0 - 0.05, 1e-7);
    g[0] = 0.5f;
    rx_optim_step(o, p, g, 0.1, 0.9);
    assert_double_close(p[0], 0.95 - 0.1 * (0.9 * 0.5 + 0.5), 1e-6);
    rx_optim_free(o);
    /* adam: the first step moves every parameter by lr (bias corrected) */
    memset(&c, 0, sizeof c);
    c.kind = RX_OPTIM_ADAM;
    c.beta1 = 0.9;
    c.beta2 = 0.999;
    c.eps = 1e-8;
    p[0] = 1.0f, p[1] = -2.0f, g[0] = 0.5f, g[1] = -3.0f;
    assert_int_equal(rx_optim_create(&o, &c, 2, NULL, NULL), RX_OK);
    rx_optim_step(o, p, g, 0.01, 0.9);
    assert_double_close(p[0], 0.99, 1e-6);
    assert_double_close(p[1], -1.99, 1e-6);
    rx_optim_free(o);
}

/* Clipping returns the norm before clipping and leaves grads with the
 * clipped norm. */
static void test_clip(void **state)
{
    (void)state;
    rx_optim_config c = {0};
    c.kind = RX_OPTIM_SGD;
    c.clip_norm = 1.0;
    rx_optim *o;
    float p[2] = {0, 0}, g[2] = {3.0f, 4.0f};
    assert_int_equal(rx_optim_create(&o, &c, 2, NULL, NULL), RX_OK);
    double norm = rx_optim_step(o, p, g, 1.0, 0.0);
    assert_double_close(norm, 5.0, 1e-12);
    assert_double_close(hypot(g[0], g[1]), 1.0, 1e-6);
    assert_double_close(p[0], -0.6, 1e-6);
    /* below the threshold the gradient is left alone */
    g[0] = 0.3f, g[1] = 0.4f;
    norm = rx_optim_step(o, p, g, 1.0, 0.0);
    assert_double_close(norm, 0.5, 1e-7);
    assert_true(g[0] == 0.3f && g[1] == 0.4f);
    rx_optim_free(o);
}

/* The AVX2 kernel of the hot SGD path against the portable one: the same
 * parameters, buffer and norm to the bit, with and without weight decay
 * through a mask, dampening, and lengths that leave a tail; the norm also
 * against a plain double sum. */
static void test_kernels_agree(void **state)
{
    (void)state;
    if (!rx_cpu_avx2())
        print_message("no AVX2 here: the portable kernel is compared with itself\n");
    static const struct { double wd, damp; int masked; size_t n; } cases[] = {
        {0, 0, 0, 1037}, {5e-4, 0, 1, 1037}, {5e-4, 0, 0, 64}, {0, 0.1, 0, 7}, {1e-2, 0.3, 1, 333}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n = cases[c].n;
        float *p[2], *g = malloc(n * sizeof(float)), *mask = malloc(n * sizeof(float));
        double norm[2][3];
        rx_rng r;
        rx_rng_seed(&r, 42 + c);
        for (size_t i = 0; i < n; i++) {
            g[i] = (float)rx_rng_normal(&r);
            mask[i] = (float)(i % 3 != 0);
        }
        rx_optim_config cfg = {0};
        cfg.kind = RX_OPTIM_SGD;
        cfg.momentum = 0.9;
        cfg.weight_decay = cases[c].wd;
        cfg.dampening = cases[c].damp;
        rx_optim *o[2];
        for (int k = 0; k < 2; k++) {
            rx_cpu_avx2_allow(k == 0);
            p[k] = malloc(n * sizeof(float));
            for (size_t i = 0; i < n; i++)
                p[k][i] = (float)(i % 17) * 0.01f - 0.08f;
            assert_int_equal(rx_optim_create(&o[k], &cfg, n, cases[c].masked ? mask : NULL, NULL), RX_OK);
            for (int s = 0; s < 3; s++) /* the first step, then the fused path */
                norm[k][s] = rx_optim_step(o[k], p[k], g, 0.05 + 0.01 * s, 0.9 - 0.1 * s);
        }
        rx_cpu_avx2_allow(1);
        assert_memory_equal(p[0], p[1], n * sizeof(float));
        double ref = 0;
        for (size_t i = 0; i < n; i++)
            ref += (double)g[i] * g[i];
        for (int s = 0; s < 3; s++) {
            assert_true(norm[0][s] == norm[1][s]);
            /* float lane sums of 8 squares: within 1e-6 of the exact norm */
            assert_true(fabs(norm[0][s] - sqrt(ref)) <= 1e-6 * sqrt(ref));
        }
        /* the momentum buffers too: one more step from equal states must
         * move equal parameters equally */
        rx_optim_step(o[0], p[0], g, 0.1, 0.5);
        rx_cpu_avx2_allow(0);
        rx_optim_step(o[1], p[1], g, 0.1, 0.5);
        rx_cpu_avx2_allow(1);
        assert_memory_equal(p[0], p[1], n * sizeof(float));
        for (int k = 0; k < 2; k++) {
            rx_optim_free(o[k]);
            free(p[k]);
        }
        free(g);
        free(mask);
    }
}

/* rx_optim_step_clear: rx_optim_step's parameters, state and norm, and
 * zero gradients after, on every path (first step, fused, Nesterov, plain,
 * Adam, AdamW, clipping) and both kernels. */
static void test_step_clear(void **state)
{
    (void)state;
    enum { N = 301 };
    static const struct { rx_optim_kind kind; double mom; int nesterov; double clip; } cases[] = {
        {RX_OPTIM_SGD, 0.9, 0, 0}, {RX_OPTIM_SGD, 0.9, 1, 0}, {RX_OPTIM_SGD, 0, 0, 0},
        {RX_OPTIM_SGD, 0.9, 0, 0.5}, {RX_OPTIM_ADAM, 0.9, 0, 0}, {RX_OPTIM_ADAMW, 0.9, 0, 0}};
    for (int avx = 0; avx < 2; avx++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            rx_cpu_avx2_allow(avx);
            rx_optim_config cfg = {0};
            cfg.kind = cases[c].kind;
            cfg.momentum = cases[c].mom;
            cfg.nesterov = cases[c].nesterov;
            cfg.clip_norm = cases[c].clip;
            cfg.beta1 = 0.9;
            cfg.beta2 = 0.999;
            cfg.eps = 1e-8;
            cfg.weight_decay = 1e-2;
            rx_optim *a, *b;
            float pa[N], pb[N], ga[N], gb[N], zero[N] = {0};
            assert_int_equal(rx_optim_create(&a, &cfg, N, NULL, NULL), RX_OK);
            assert_int_equal(rx_optim_create(&b, &cfg, N, NULL, NULL), RX_OK);
            rx_rng r;
            rx_rng_seed(&r, 3 + c);
            for (size_t i = 0; i < N; i++)
                pa[i] = pb[i] = (float)rx_rng_normal(&r);
            for (int s = 0; s < 3; s++) {
                for (size_t i = 0; i < N; i++)
                    ga[i] = gb[i] = (float)rx_rng_normal(&r);
                double na = rx_optim_step(a, pa, ga, 0.01, cases[c].mom);
                double nb = rx_optim_step_clear(b, pb, gb, 0.01, cases[c].mom);
                assert_true(na == nb);
                assert_memory_equal(pa, pb, sizeof pa);
                assert_memory_equal(gb, zero, sizeof gb);
            }
            rx_optim_free(a);
            rx_optim_free(b);
        }
    rx_cpu_avx2_allow(1);
}

static void test_bad_config(void **state)
{
    (void)state;
    rx_optim_config c = {0};
    rx_optim *o = (rx_optim *)&c;
    rx_err err;
    c.kind = RX_OPTIM_SGD;
    c.nesterov = 1;
    assert_int_equal(rx_optim_create(&o, &c, 4, NULL, &err), RX_EINVAL);
    assert_null(o);
    assert_non_null(strstr(err.msg, "nesterov"));
    c.nesterov = 0;
    c.kind = RX_OPTIM_ADAM;
    c.beta1 = 0.9;
    c.beta2 = 1.0;
    assert_int_equal(rx_optim_create(&o, &c, 4, NULL, &err), RX_EINVAL);
    assert_non_null(strstr(err.msg, "'beta2' must be in [0, 1)"));
}

/* Every kind has a name and a row that creates, steps and checks. */
static void test_table(void **state)
{
    (void)state;
    char doc[512];
    for (int k = 0; k < RX_OPTIM_COUNT; k++) {
        assert_non_null(rx_optim_names[k]);
        rx_optim_config c = {0};
        c.kind = (rx_optim_kind)k;
        c.momentum = 0.9;
        c.beta1 = 0.8;
        c.beta2 = 0.99;
        c.eps = 1e-8;
        double m = rx_optim_momentum(&c);
        assert_true(m == 0.9 || m == 0.8);
        rx_optim *o;
        float p[3] = {1, 2, 3}, g[3] = {0.5f, -0.5f, 0.25f};
        assert_int_equal(rx_optim_create(&o, &c, 3, NULL, NULL), RX_OK);
        assert_true(rx_optim_step(o, p, g, 0.1, m) > 0);
        assert_true(p[0] != 1 && p[1] != 2 && p[2] != 3);
        rx_optim_free(o);
    }
    assert_null(rx_optim_names[RX_OPTIM_COUNT]);
    rx_optim_config c = {0};
    c.kind = RX_OPTIM_COUNT;
    rx_err err;
    rx_optim *o;
    assert_int_equal(rx_optim_create(&o, &c, 3, NULL, &err), RX_EINVAL);
    /* a key two optimizers read the same way is one clause */
    assert_true(rx_optim_key_doc("eps", doc, sizeof doc) > 0);
    assert_non_null(strstr(doc, "adam, adamw: "));
    assert_int_equal(rx_optim_key_doc("no_such_key", doc, sizeof doc), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_torch_parity),
        cmocka_unit_test(test_lion_numpy),
        cmocka_unit_test(test_lion_sign),
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_kernels_agree),
        cmocka_unit_test(test_step_clear),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
