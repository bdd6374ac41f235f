/*
 * test_model.c: the layer ops and the models.
 *
 * Gradient checks: every op's backward against central differences of a
 * scalar loss computed in double from the op's float outputs.  For an op
 * the loss is a fixed random projection, L = sum_i r_i out_i, so that
 * dL/dout = r; for a loss op it is the loss itself (mean over the batch).
 * The step is h = 1e-2 for single ops and 1e-3 for whole models (where a
 * max-pool's argmax could otherwise flip), taken in the input's float grid
 * (the actual step (float)(x+h) - (float)(x-h) is used), and the check is
 * |num - ana| <= ATOL + RTOL*|num|.  Untouched outputs are recomputed
 * bit-identically, so only the perturbed element's few outputs contribute
 * rounding error, which keeps ATOL small: the worst observed error is
 * below 0.25 of the tolerance (RX_GRAD_VERBOSE=1 prints each check's),
 * and test_checker_catches_errors shows that a 2% error in one gradient
 * entry fails.
 */
#include "rx_test.h"
#include "rx_blas.h"
#include "rx_layers.h"
#include "rx_model.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATOL 5e-4
#define RTOL 2e-3

typedef double (*loss_fn)(void *ctx);

/* Worst |num - ana| / (ATOL + RTOL*|num|) over x[0..n), perturbing x in
 * place (restored).  <= 1 passes. */
static double grad_err_h(loss_fn f, void *ctx, float *x, const float *ana,
                         size_t n, double h, const char *what)
{
    double worst = 0.0;
    size_t iw = 0;
    double nw = 0.0;
    for (size_t i = 0; i < n; i++) {
        float x0 = x[i];
        float xp = (float)(x0 + h), xm = (float)(x0 - h);
        x[i] = xp;
        double fp = f(ctx);
        x[i] = xm;
        double fm = f(ctx);
        x[i] = x0;
        double num = (fp - fm) / ((double)xp - (double)xm);
        double e = fabs(num - ana[i]) / (ATOL + RTOL * fabs(num));
        if (!(e <= worst)) {
            worst = e;
            iw = i;
            nw = num;
        }
    }
    if (!(worst <= 1.0) || getenv("RX_GRAD_VERBOSE"))
        fprintf(stderr, "%s: worst at %zu: numeric %.6g analytic %.6g "
                "(ratio %.3g)\n", what, iw, nw, (double)ana[iw], worst);
    return worst;
}

static double grad_err(loss_fn f, void *ctx, float *x, const float *ana,
                       size_t n, const char *what)
{
    return grad_err_h(f, ctx, x, ana, n, 1e-2, what);
}

static void fill_uniform(float *p, size_t n, double lo, double hi, rx_rng *r)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (float)(lo + (hi - lo) * rx_rng_uniform(r));
}

/* Values at least `gap` from 0 (so that relu's kink is never crossed). */
static void fill_away_from_zero(float *p, size_t n, double gap, rx_rng *r)
{
    for (size_t i = 0; i < n; i++) {
        double u = gap + (1.0 - gap) * rx_rng_uniform(r);
        p[i] = (float)(rx_rng_uniform(r) < 0.5 ? -u : u);
    }
}

static double proj(const float *out, const float *r, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)r[i] * out[i];
    return s;
}

static float *fvec(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof *p);
    assert_non_null(p);
    return p;
}

/* ---- the checker itself must be able to fail ---------------------------- */

typedef struct { float *x; size_t n; } quad_ctx;

static double quad_loss(void *p)
{
    quad_ctx *c = p;
    double s = 0.0;
    for (size_t i = 0; i < c->n; i++)
        s += 0.5 * (double)c->x[i] * c->x[i] * (double)(i + 1);
    return s;
}

static void test_checker_catches_errors(void **state)
{
    (void)state;
    float x[4] = {0.3f, -1.2f, 0.7f, 2.0f}, g[4];
    quad_ctx c = {x, 4};
    for (int i = 0; i < 4; i++)
        g[i] = x[i] * (float)(i + 1);
    assert_true(grad_err(quad_loss, &c, x, g, 4, "exact") <= 1.0);
    g[3] *= 1.02f;
    assert_true(grad_err(quad_loss, &c, x, g, 4, "wrong on purpose") > 1.0);
}

/* ---- activations ------------------------------------------------------------ */

typedef struct { int act; float *x, *out, *r; size_t n; } act_ctx;

static double act_loss(void *p)
{
    act_ctx *c = p;
    rx_act_forward(c->act, c->out, c->x, c->n);
    return proj(c->out, c->r, c->n);
}

static void check_act(int act)
{
    enum { N = 40 };
    rx_rng rng;
    rx_rng_seed(&rng, 10 + (uint64_t)act);
    float x[N], out[N], r[N], g[N];
    fill_away_from_zero(x, N, 0.05, &rng);
    for (int i = 0; i < N; i++)
        x[i] *= 3.0f;
    fill_uniform(r, N, -1, 1, &rng);
    act_ctx c = {act, x, out, r, N};
    rx_act_forward(act, out, x, N);
    rx_act_backward(act, g, r, x, out, N);
    assert_true(grad_err(act_loss, &c, x, g, N, "activation") <= 1.0);
}

static const int all_acts[] = {RX_ACT_NONE, RX_ACT_RELU, RX_ACT_TANH,
                               RX_ACT_GELU, RX_ACT_SIGMOID};

static void test_grad_activations(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof all_acts / sizeof all_acts[0]; i++)
        check_act(all_acts[i]);
}

static void test_act_values(void **state)
{
    (void)state;
    float x[5] = {-2.0f, -0.5f, 0.0f, 0.5f, 2.0f}, y[5];
    /* torch.nn.functional.gelu (exact erf) at x */
    const double gelu[5] = {-0.04550026, -0.15426877, 0.0, 0.34573123,
                            1.95449974};
    rx_act_forward(RX_ACT_GELU, y, x, 5);
    for (int i = 0; i < 5; i++)
        assert_true(fabs(y[i] - gelu[i]) < 1e-6);
    rx_act_forward(RX_ACT_SIGMOID, y, x, 5);
    assert_true(fabs(y[0] - 0.11920292) < 1e-6 && y[2] == 0.5f);
    rx_act_forward(RX_ACT_RELU, y, x, 5);
    assert_true(y[0] == 0.0f && y[1] == 0.0f && y[4] == 2.0f);
    /* relu lets NaN through (divergence must stay visible) */
    float nan_in = NAN, nan_out = 0.0f;
    rx_act_forward(RX_ACT_RELU, &nan_out, &nan_in, 1);
    assert_true(isnan(nan_out));
    /* sigmoid saturates without NaN */
    float big[2] = {-1000.0f, 1000.0f}, sb[2];
    rx_act_forward(RX_ACT_SIGMOID, sb, big, 2);
    assert_true(sb[0] >= 0.0f && sb[0] < 1e-37f && sb[1] == 1.0f);
}

/* The activations' vectorised exp/tanh/erf/log against double libm on a
 * fine grid over [-20, 20] (and the saturated tails). */
static void test_fast_math(void **state)
{
    (void)state;
    enum { N = 40001 };
    static float x[N], y[N];
    for (int i = 0; i < N; i++)
        x[i] = (float)(-20.0 + 40.0 * i / (N - 1));
    double worst_t = 0, worst_s = 0, worst_g = 0;
    rx_act_forward(RX_ACT_TANH, y, x, N);
    for (int i = 0; i < N; i++) {
        double t = tanh((double)x[i]);
        worst_t = fmax(worst_t, fabs(y[i] - t) / fmax(fabs(t), 1e-30));
    }
    rx_act_forward(RX_ACT_SIGMOID, y, x, N);
    for (int i = 0; i < N; i++) {
        double t = 1.0 / (1.0 + exp(-(double)x[i]));
        worst_s = fmax(worst_s, fabs(y[i] - t) / t);
    }
    rx_act_forward(RX_ACT_GELU, y, x, N);
    for (int i = 0; i < N; i++) {
        double t = 0.5 * x[i] * (1.0 + erf(x[i] / sqrt(2.0)));
        worst_g = fmax(worst_g, fabs(y[i] - t) / fmax(1.0, fabs(x[i])));
    }
    /* relative error, against float epsilon (1.19e-7); gelu's erf is
     * A&S 7.1.26, good to 1.5e-7 absolute */
    assert_true(worst_t < 2 * FLT_EPSILON);
    assert_true(worst_s < 2 * FLT_EPSILON);
    assert_true(worst_g < 2.5e-7);
    /* BCE: one logit per sample against the double formula */
    static float t[N];
    rx_rng rng;
    rx_rng_seed(&rng, 13);
    fill_uniform(t, N, 0, 1, &rng);
    double worst_b = 0;
    for (int i = 0; i < N; i++) {
        double l = x[i], ref = fmax(l, 0) - l * t[i] + log1p(exp(-fabs(l)));
        double got = rx_bce_logits(NULL, x + i, t + i, 1, 1);
        /* the float formula itself loses ~|l| eps to cancellation */
        worst_b = fmax(worst_b, fabs(got - ref) / fmax(1.0, fabs(l)));
    }
    if (getenv("RX_GRAD_VERBOSE"))
        fprintf(stderr, "fast math: tanh %.3g sigmoid %.3g gelu %.3g bce %.3g\n",
                worst_t, worst_s, worst_g, worst_b);
    assert_true(worst_b < 2 * FLT_EPSILON);
    /* tails and NaN */
    float tail[5] = {-1e4f, 1e4f, -90.0f, 90.0f, NAN}, ty[5];
    rx_act_forward(RX_ACT_TANH, ty, tail, 5);
    assert_true(ty[0] == -1.0f && ty[1] == 1.0f && isnan(ty[4]));
    rx_act_forward(RX_ACT_SIGMOID, ty, tail, 5);
    assert_true(ty[0] < 1e-37f && ty[1] == 1.0f && isnan(ty[4]));
    rx_act_forward(RX_ACT_GELU, ty, tail, 5);
    assert_true(ty[0] == 0.0f && ty[1] == 1e4f && isnan(ty[4]));
}

/* ---- dense -------------------------------------------------------------------- */

typedef struct {
    int act, B, IN, OUT;
    float *x, *w, *b, *out, *pre, *r;
} dense_ctx;

static double dense_loss(void *p)
{
    dense_ctx *c = p;
    rx_dense_forward(c->act, c->out, c->pre, c->x, c->w, c->b, c->B, c->IN,
                     c->OUT);
    return proj(c->out, c->r, (size_t)c->B * c->OUT);
}

static void check_dense(int act)
{
    enum { B = 3, IN = 5, OUT = 4 };
    rx_rng rng;
    rx_rng_seed(&rng, 20 + (uint64_t)act);
    float x[B * IN], w[OUT * IN], b[OUT], out[B * OUT], pre[B * OUT],
        r[B * OUT], dout[B * OUT], dx[B * IN], dw[OUT * IN], db[OUT];
    fill_uniform(x, B * IN, -1, 1, &rng);
    fill_uniform(w, OUT * IN, -0.8, 0.8, &rng);
    fill_uniform(b, OUT, -0.5, 0.5, &rng);
    fill_uniform(r, B * OUT, -1, 1, &rng);
    dense_ctx c = {act, B, IN, OUT, x, w, b, out, pre, r};
    dense_loss(&c);
    if (act == RX_ACT_RELU) /* keep every pre-activation off the kink */
        for (int i = 0; i < B * OUT; i++)
            assert_true(fabsf(out[i]) > 0.05f || out[i] == 0.0f);
    memcpy(dout, r, sizeof dout);
    /* poison the outputs: backward must overwrite, not accumulate */
    for (int i = 0; i < B * IN; i++)
        dx[i] = NAN;
    for (int i = 0; i < OUT * IN; i++)
        dw[i] = NAN;
    for (int i = 0; i < OUT; i++)
        db[i] = NAN;
    rx_dense_backward(act, dx, dw, db, dout, x, w, pre, out, B, IN, OUT, 0);
    assert_true(grad_err(dense_loss, &c, x, dx, B * IN, "dense dx") <= 1.0);
    assert_true(grad_err(dense_loss, &c, w, dw, OUT * IN, "dense dw") <= 1.0);
    assert_true(grad_err(dense_loss, &c, b, db, OUT, "dense db") <= 1.0);
}

/* dense alone and fused with each activation */
static void test_grad_dense(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof all_acts / sizeof all_acts[0]; i++)
        check_dense(all_acts[i]);
}

static void test_dense_values(void **state)
{
    (void)state;
    /* x (2,3), w (2,3), b (2) */
    float x[6] = {1, 2, 3, -1, 0, 2};
    float w[6] = {1, 0, -1, 2, 1, 0};
    float b[2] = {0.5f, -1.0f};
    float out[4];
    rx_dense_forward(RX_ACT_NONE, out, NULL, x, w, b, 2, 3, 2);
    assert_true(out[0] == -1.5f && out[1] == 3.0f);
    assert_true(out[2] == -2.5f && out[3] == -3.0f);
    rx_dense_forward(RX_ACT_RELU, out, NULL, x, w, b, 2, 3, 2);
    assert_true(out[0] == 0.0f && out[1] == 3.0f && out[2] == 0.0f &&
                out[3] == 0.0f);
}

/* ---- conv2d ------------------------------------------------------------------- */

typedef struct {
    int act, B, chunk;
    rx_conv_geom g;
    float *x, *w, *b, *out, *pre, *col, *r;
} conv_ctx;

static double conv_loss(void *p)
{
    conv_ctx *c = p;
    rx_conv2d_forward(c->act, c->out, c->pre, c->col, c->chunk, c->x, c->w,
                      c->b, c->B, &c->g);
    return proj(c->out, c->r, (size_t)c->B * c->g.OH * c->g.OW * c->g.OC);
}

/* out[b,oh,ow,oc] by the definition, in double, NHWC. */
static double conv_ref(const conv_ctx *c, int b, int oh, int ow, int oc)
{
    const rx_conv_geom *g = &c->g;
    double s = c->b[oc];
    for (int kh = 0; kh < g->K; kh++)
        for (int kw = 0; kw < g->K; kw++)
            for (int ci = 0; ci < g->C; ci++) {
                int ih = oh * g->S - g->P + kh, iw = ow * g->S - g->P + kw;
                if (ih < 0 || ih >= g->H || iw < 0 || iw >= g->W)
                    continue;
                s += (double)c->x[((b * g->H + ih) * g->W + iw) * g->C + ci] *
                     c->w[((oc * g->K + kh) * g->K + kw) * g->C + ci];
            }
    return s;
}

static void check_conv(int act, int H, int W, int C, int OC, int K, int S,
                       int P, int chunk)
{
    enum { B = 3 };
    rx_rng rng;
    rx_rng_seed(&rng, 30 + (uint64_t)(act + K * 7 + S * 3 + P));
    conv_ctx c = {.act = act, .B = B, .chunk = chunk};
    assert_int_equal(rx_conv_geom_init(&c.g, H, W, C, OC, K, S, P), 0);
    size_t nx = (size_t)B * H * W * C, nw = (size_t)OC * K * K * C;
    size_t no = (size_t)B * c.g.OH * c.g.OW * OC;
    c.x = fvec(nx);
    c.w = fvec(nw);
    c.b = fvec(OC);
    c.out = fvec(no);
    c.pre = fvec(no);
    c.r = fvec(no);
    c.col = fvec((size_t)chunk * rx_conv_col_size(&c.g));
    float *dout = fvec(no), *dx = fvec(nx), *dw = fvec(nw), *db = fvec(OC);
    fill_uniform(c.x, nx, -1, 1, &rng);
    fill_uniform(c.w, nw, -0.5, 0.5, &rng);
    fill_uniform(c.b, OC, -0.3, 0.3, &rng);
    fill_uniform(c.r, no, -1, 1, &rng);

    /* forward against the definition */
    conv_loss(&c);
    if (act == RX_ACT_NONE)
        for (int b = 0; b < B; b++)
            for (int oh = 0; oh < c.g.OH; oh++)
                for (int ow = 0; ow < c.g.OW; ow++)
                    for (int oc = 0; oc < OC; oc++) {
                        size_t i = (((size_t)b * c.g.OH + oh) * c.g.OW + ow) *
                                       OC + oc;
                        assert_true(fabs(c.out[i] -
                                         conv_ref(&c, b, oh, ow, oc)) < 1e-5);
                    }

    memcpy(dout, c.r, no * sizeof *dout);
    for (size_t i = 0; i < nx; i++)
        dx[i] = NAN;
    for (size_t i = 0; i < nw; i++)
        dw[i] = NAN;
    rx_conv2d_backward(act, dx, dw, db, dout, c.col, chunk, c.x, c.w, c.pre,
                       c.out, B, &c.g, 0);
    assert_true(grad_err(conv_loss, &c, c.x, dx, nx, "conv dx") <= 1.0);
    assert_true(grad_err(conv_loss, &c, c.w, dw, nw, "conv dw") <= 1.0);
    assert_true(grad_err(conv_loss, &c, c.b, db, OC, "conv db") <= 1.0);
    free(c.x); free(c.w); free(c.b); free(c.out); free(c.pre); free(c.r);
    free(c.col); free(dout); free(dx); free(dw); free(db);
}

/* Each case: act, H, W, C, OC, K, S, P, chunk (samples per im2col). */
static void test_grad_conv(void **state)
{
    (void)state;
    static const int cases[][9] = {
        /* stride 2, padding 1, one sample per chunk (dw accumulates) */
        {RX_ACT_NONE, 5, 6, 2, 3, 3, 2, 1, 1},
        /* padding as large as the kernel: some windows see only zeros */
        {RX_ACT_TANH, 6, 5, 3, 4, 2, 1, 2, 2},
        /* stride 3, the whole batch in one chunk */
        {RX_ACT_GELU, 4, 4, 2, 2, 3, 3, 1, 3},
        /* 1x1: no im2col at all */
        {RX_ACT_SIGMOID, 3, 4, 3, 2, 1, 1, 0, 1},
        /* (relu's fused backward is the dense one's, checked there with
         * pre-activations kept off the kink) */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const int *c = cases[i];
        check_conv(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
    }
}

static void test_conv_values(void **state)
{
    (void)state;
    /* 3x3 image 1..9, kernel [[1,2],[3,4]], bias 1 */
    float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 2, 3, 4}, b = 1;
    float out[4], col[16];
    rx_conv_geom g;
    assert_int_equal(rx_conv_geom_init(&g, 3, 3, 1, 1, 2, 1, 0), 0);
    assert_int_equal(g.OH, 2);
    rx_conv2d_forward(RX_ACT_NONE, out, NULL, col, 1, x, w, &b, 1, &g);
    assert_true(out[0] == 38 && out[1] == 48 && out[2] == 68 && out[3] == 78);
    /* stride 2, padding 1: windows cut by the border */
    assert_int_equal(rx_conv_geom_init(&g, 3, 3, 1, 1, 2, 2, 1), 0);
    assert_true(g.OH == 2 && g.OW == 2);
    rx_conv2d_forward(RX_ACT_NONE, out, NULL, col, 1, x, w, &b, 1, &g);
    assert_true(out[0] == 5 && out[1] == 19 && out[2] == 37 && out[3] == 78);
    /* a kernel larger than the padded input is refused */
    assert_int_equal(rx_conv_geom_init(&g, 3, 3, 1, 1, 5, 1, 0), -1);
}

/* ---- max-pool ------------------------------------------------------------------- */

typedef struct {
    int B, H, W, C, P;
    float *x, *out, *r;
    int32_t *idx;
} pool_ctx;

static double pool_loss(void *p)
{
    pool_ctx *c = p;
    rx_maxpool_forward(c->out, c->idx, c->x, c->B, c->H, c->W, c->C, c->P);
    return proj(c->out, c->r,
                (size_t)c->B * (c->H / c->P) * (c->W / c->P) * c->C);
}

static void test_grad_maxpool(void **state)
{
    (void)state;
    enum { B = 2, H = 5, W = 4, C = 3, P = 2, NX = B * H * W * C,
           NO = B * (H / P) * (W / P) * C };
    rx_rng rng;
    rx_rng_seed(&rng, 40);
    float x[NX], out[NO], r[NO], dx[NX];
    int32_t idx[NO];
    int perm[NX];
    /* distinct values 0.05 apart: a step of 1e-2 never changes a maximum */
    for (int i = 0; i < NX; i++)
        perm[i] = i;
    rx_rng_shuffle(&rng, perm, NX);
    for (int i = 0; i < NX; i++)
        x[i] = 0.05f * (float)(perm[i] - NX / 2);
    fill_uniform(r, NO, -1, 1, &rng);
    pool_ctx c = {B, H, W, C, P, x, out, r, idx};
    pool_loss(&c);
    for (int i = 0; i < NX; i++)
        dx[i] = NAN;
    rx_maxpool_backward(dx, r, idx, B, H, W, C, P);
    assert_true(grad_err(pool_loss, &c, x, dx, NX, "maxpool dx") <= 1.0);
    /* the dropped fifth row gets exactly zero */
    for (int b = 0; b < B; b++)
        for (int i = 0; i < W * C; i++)
            assert_true(dx[(b * H + 4) * W * C + i] == 0.0f);
}

static void test_maxpool_values(void **state)
{
    (void)state;
    /* one 4x4 single-channel image, window 2 */
    float x[16] = {1, 5, 2, 0, 3, 4, 8, 1, 0, 0, -1, -2, 9, 0, -3, -4};
    float out[4];
    int32_t idx[4];
    rx_maxpool_forward(out, idx, x, 1, 4, 4, 1, 2);
    assert_true(out[0] == 5 && out[1] == 8 && out[2] == 9 && out[3] == -1);
    assert_true(idx[0] == 1 && idx[1] == 6 && idx[2] == 12 && idx[3] == 10);
}

/* ---- dropout --------------------------------------------------------------------- */

typedef struct { float *x, *mask, *out, *r; size_t n; } drop_ctx;

static double drop_loss(void *p)
{
    drop_ctx *c = p;
    rx_dropout_forward(c->out, c->x, c->mask, c->n);
    return proj(c->out, c->r, c->n);
}

static void test_grad_dropout_fixed_mask(void **state)
{
    (void)state;
    enum { N = 30 };
    rx_rng rng;
    rx_rng_seed(&rng, 50);
    float x[N], mask[N], out[N], r[N], dx[N];
    fill_uniform(x, N, -1, 1, &rng);
    fill_uniform(r, N, -1, 1, &rng);
    for (int i = 0; i < N; i++)
        mask[i] = i % 3 == 0 ? 0.0f : 1.5f; /* p = 1/3 */
    drop_ctx c = {x, mask, out, r, N};
    rx_dropout_backward(dx, r, mask, N);
    assert_true(grad_err(drop_loss, &c, x, dx, N, "dropout dx") <= 1.0);
}

static void test_dropout_mask(void **state)
{
    (void)state;
    enum { N = 20000 };
    static float mask[N];
    rx_rng rng;
    rx_rng_seed(&rng, 51);
    rx_dropout_mask(mask, N, 0.25, &rng);
    int zeros = 0;
    for (int i = 0; i < N; i++) {
        assert_true(mask[i] == 0.0f || fabsf(mask[i] - 4.0f / 3.0f) < 1e-6f);
        zeros += mask[i] == 0.0f;
    }
    /* 5000 expected; sd ~ 61 */
    assert_true(zeros > 4700 && zeros < 5300);
}

/* ---- losses ------------------------------------------------------------------------- */

typedef struct {
    int kind, B, N;   /* 0 xent, 1 mse, 2 bce */
    float *l, *t;
    int32_t *lab;
} loss_ctx;

static double loss_mean(void *p)
{
    loss_ctx *c = p;
    double s;
    if (c->kind == 0)
        s = rx_softmax_xent(NULL, NULL, c->l, c->lab, c->B, c->N);
    else if (c->kind == 1)
        s = rx_mse(NULL, c->l, c->t, c->B, c->N);
    else
        s = rx_bce_logits(NULL, c->l, c->t, c->B, c->N);
    return s / c->B;
}

static void check_loss(int kind)
{
    enum { B = 4, N = 5 };
    rx_rng rng;
    rx_rng_seed(&rng, 60 + (uint64_t)kind);
    float l[B * N], t[B * N], g[B * N];
    int32_t lab[B] = {0, 4, 2, 2};
    fill_uniform(l, B * N, -3, 3, &rng);
    fill_uniform(t, B * N, kind == 2 ? 0 : -1, 1, &rng);
    loss_ctx c = {kind, B, N, l, t, lab};
    int correct = -1;
    if (kind == 0)
        rx_softmax_xent(g, &correct, l, lab, B, N);
    else if (kind == 1)
        rx_mse(g, l, t, B, N);
    else
        rx_bce_logits(g, l, t, B, N);
    assert_true(grad_err(loss_mean, &c, l, g, B * N, "loss") <= 1.0);
}

static void test_grad_xent(void **s) { (void)s; check_loss(0); }
static void test_grad_mse(void **s) { (void)s; check_loss(1); }
static void test_grad_bce(void **s) { (void)s; check_loss(2); }

static void test_xent_values(void **state)
{
    (void)state;
    /* torch.nn.functional.cross_entropy(tensor([[1.,2.,3.],[1000.,0.,-1000.]]),
     * tensor([2,1]), reduction='sum') = 0.40760596 + 1000 */
    float l[6] = {1, 2, 3, 1000, 0, -1000}, g[6];
    int32_t lab[2] = {2, 1};
    int correct;
    double s = rx_softmax_xent(g, &correct, l, lab, 2, 3);
    assert_true(fabs(s - 1000.40760596) < 1e-4);
    assert_int_equal(correct, 1);
    /* softmax of row 0 is (0.0900306, 0.2447285, 0.6652410); /B */
    assert_true(fabs(g[0] - 0.0900306 / 2) < 1e-6);
    assert_true(fabs(g[2] - (0.6652410 - 1) / 2) < 1e-6);
    assert_true(fabs(g[3] - 0.5) < 1e-6 && fabs(g[4] + 0.5) < 1e-6);
    /* a label out of range poisons the loss, not the memory */
    lab[1] = 3;
    assert_true(isnan(rx_softmax_xent(g, NULL, l, lab, 2, 3)));
}

static void test_mse_bce_values(void **state)
{
    (void)state;
    float o[4] = {1, 2, 3, 4}, y[4] = {0, 2, 5, 4}, g[4];
    /* per-sample means (1+0)/2 and (4+0)/2: sum 2.5; MSE over all = 1.25 */
    assert_true(fabs(rx_mse(g, o, y, 2, 2) - 2.5) < 1e-12);
    assert_true(g[0] == 0.5f && g[2] == -1.0f);
    /* F.binary_cross_entropy_with_logits(tensor([0.,2.,-30.]),
     * tensor([1.,0.,0.5]), reduction='sum') = 0.69314718 + 2.12692801 + 15 */
    float l[3] = {0, 2, -30}, t[3] = {1, 0, 0.5f};
    assert_true(fabs(rx_bce_logits(NULL, l, t, 1, 3) - 17.82007519) < 1e-4);
}

/* ---- reparameterisation + KL -------------------------------------------------------- */

typedef struct { int B, L; float *h, *eps, *z, *r; } rep_ctx;

/* sum r.z + KL/B: the backward's dh is d/dh of exactly this */
static double rep_loss(void *p)
{
    rep_ctx *c = p;
    double kl = rx_reparam_forward(c->z, c->h, c->eps, c->B, c->L);
    return proj(c->z, c->r, (size_t)c->B * c->L) + kl / c->B;
}

static void test_grad_reparam_kl(void **state)
{
    (void)state;
    enum { B = 3, L = 2 };
    rx_rng rng;
    rx_rng_seed(&rng, 70);
    float h[B * 2 * L], eps[B * L], z[B * L], r[B * L], dh[B * 2 * L];
    fill_uniform(h, B * 2 * L, -1.5, 1.5, &rng);
    for (int i = 0; i < B * L; i++)
        eps[i] = (float)rx_rng_normal(&rng);
    fill_uniform(r, B * L, -1, 1, &rng);
    rep_ctx c = {B, L, h, eps, z, r};
    rx_reparam_backward(dh, r, h, eps, B, L);
    assert_true(grad_err(rep_loss, &c, h, dh, B * 2 * L, "reparam dh") <= 1.0);
    /* KL of N(0,1) is 0; of mu=1, logvar=0 is 1/2 per unit */
    float h0[4] = {0, 0, 0, 0}, h1[4] = {1, 1, 0, 0}, e0[2] = {0, 0};
    assert_true(rx_reparam_forward(z, h0, e0, 1, 2) == 0.0);
    assert_true(fabs(rx_reparam_forward(z, h1, e0, 1, 2) - 1.0) < 1e-12);
    assert_true(z[0] == 1.0f);
}

/* ---- whole models ---------------------------------------------------------------- */

typedef struct {
    rx_model *m;
    const float *x, *y;
    const int32_t *lab;
    int B;
    uint64_t seed;
} model_ctx;

/* The mean batch loss with the dropout masks / eps of a fixed seed. */
static double model_loss(void *p)
{
    model_ctx *c = p;
    rx_rng rng;
    rx_rng_seed(&rng, c->seed);
    return rx_model_train_batch(c->m, c->x, c->lab, c->y, c->B, &rng).loss_sum /
           c->B;
}

static rx_model *make_model(const rx_model_config *cfg, rx_shape in, int n_out,
                            int max_batch, uint64_t seed)
{
    rx_model *m = NULL;
    rx_err err = {""};
    int rc = rx_model_create(&m, cfg, in, n_out, max_batch, &err);
    if (rc != RX_OK)
        fprintf(stderr, "create: %s\n", err.msg);
    assert_int_equal(rc, RX_OK);
    rx_rng rng;
    rx_rng_seed(&rng, seed);
    rx_model_init(m, &rng);
    /* nonzero biases, so that their gradients are exercised */
    float *p = rx_model_params(m);
    for (size_t i = 0; i < rx_model_nparams(m); i++)
        if (p[i] == 0.0f)
            p[i] = (float)(0.2 * (rx_rng_uniform(&rng) - 0.5));
    return m;
}

static void check_model(const rx_model_config *cfg, rx_shape in, int n_out,
                        int B, const char *what)
{
    int d = in.c * in.h * in.w;
    rx_rng rng;
    rx_rng_seed(&rng, 80);
    rx_model *m = make_model(cfg, in, n_out, B + 2, 81);
    int nt = cfg->type == RX_MODEL_VAE ? d : n_out;
    float *x = fvec((size_t)B * d), *y = fvec((size_t)B * nt);
    int32_t *lab = calloc((size_t)B, sizeof *lab);
    fill_uniform(x, (size_t)B * d, cfg->type == RX_MODEL_VAE ? 0 : -1, 1, &rng);
    fill_uniform(y, (size_t)B * nt, -1, 1, &rng);
    for (int b = 0; b < B; b++)
        lab[b] = (int32_t)rx_rng_below(&rng, (uint64_t)(n_out > 1 ? n_out : 1));
    model_ctx c = {m, x, y, lab, B, 82};
    size_t n = rx_model_nparams(m);
    float *g = fvec(n);
    model_loss(&c);
    memcpy(g, rx_model_grads(m), n * sizeof *g);
    assert_true(grad_err_h(model_loss, &c, rx_model_params(m), g, n, 1e-3,
                           what) <= 1.0);
    free(g);
    free(x);
    free(y);
    free(lab);
    rx_model_free(m);
}

static rx_model_config mlp_config(int act, double dropout)
{
    rx_model_config cfg = {0};
    cfg.type = RX_MODEL_MLP;
    cfg.n_hidden = 2;
    cfg.hidden[0] = 6;
    cfg.hidden[1] = 5;
    cfg.activation = (rx_act)act;
    cfg.dropout = dropout;
    return cfg;
}

static void test_grad_model_mlp(void **state)
{
    (void)state;
    rx_model_config cfg = mlp_config(RX_ACT_GELU, 0.3);
    check_model(&cfg, (rx_shape){1, 1, 7}, 4, 5, "mlp gelu dropout");
    cfg = mlp_config(RX_ACT_SIGMOID, 0.0);
    cfg.loss = RX_LOSS_MSE;
    check_model(&cfg, (rx_shape){1, 1, 7}, 3, 4, "mlp sigmoid mse");
    cfg.type = RX_MODEL_LINEAR;
    cfg.loss = RX_LOSS_XENT;
    check_model(&cfg, (rx_shape){1, 1, 7}, 3, 4, "linear");
}

/* For 2x6x7 inputs: conv 3 k3 p1 tanh, pool 2; conv 4 k2 s2 p1 tanh;
 * dense 5 tanh; 3 outputs (make_fixtures.py builds the same). */
static rx_model_config tiny_cnn_config(double dropout)
{
    rx_model_config cfg = {0};
    cfg.type = RX_MODEL_CNN;
    cfg.activation = RX_ACT_TANH;
    cfg.n_conv = 2;
    cfg.conv[0] = (rx_conv_config){3, 3, 1, 1, 2};
    cfg.conv[1] = (rx_conv_config){4, 2, 2, 1, 0};
    cfg.n_hidden = 1;
    cfg.hidden[0] = 5;
    cfg.dropout = dropout;
    return cfg;
}

static void test_grad_model_cnn(void **state)
{
    (void)state;
    rx_model_config cfg = tiny_cnn_config(0.2);
    /* two input channels: the NCHW -> NHWC transpose is on the path */
    check_model(&cfg, (rx_shape){2, 6, 7}, 3, 3, "cnn");
}

static void test_grad_model_vae(void **state)
{
    (void)state;
    rx_model_config cfg = {0};
    cfg.type = RX_MODEL_VAE;
    cfg.activation = RX_ACT_TANH;
    cfg.n_hidden = 2;
    cfg.hidden[0] = 6;
    cfg.hidden[1] = 4;
    cfg.latent = 2;
    check_model(&cfg, (rx_shape){1, 3, 3}, 0, 3, "vae");
}

/* A cnn on a 2-channel NCHW input against the definition: one conv, no
 * pool, no hidden layer, the dense output over the NHWC flattening. */
static void test_cnn_forward_layout(void **state)
{
    (void)state;
    enum { C = 2, H = 4, W = 3, OC = 2, K = 2, NO = 3 };
    rx_model_config cfg = {0};
    cfg.type = RX_MODEL_CNN;
    cfg.activation = RX_ACT_RELU;
    cfg.n_conv = 1;
    cfg.conv[0] = (rx_conv_config){OC, K, 1, 1, 0};
    rx_model *m = make_model(&cfg, (rx_shape){C, H, W}, NO, 2, 90);
    const int OH = H + 2 - K + 1, OW = W + 2 - K + 1;
    assert_int_equal(rx_model_nparams(m),
                     OC * K * K * C + OC + NO * OH * OW * OC + NO);
    const float *p = rx_model_params(m);
    const float *wc = p, *bc = wc + OC * K * K * C, *wd = bc + OC,
                *bd = wd + NO * OH * OW * OC;
    float x[C * H * W];
    rx_rng rng;
    rx_rng_seed(&rng, 91);
    fill_uniform(x, C * H * W, -1, 1, &rng);
    int32_t lab = 0;
    rx_model_eval_batch(m, x, &lab, NULL, 1);
    const float *out = rx_model_output(m);
    for (int o = 0; o < NO; o++) {
        double s = bd[o];
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++)
                for (int oc = 0; oc < OC; oc++) {
                    double a = bc[oc];
                    for (int kh = 0; kh < K; kh++)
                        for (int kw = 0; kw < K; kw++)
                            for (int c = 0; c < C; c++) {
                                int ih = oh - 1 + kh, iw = ow - 1 + kw;
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W)
                                    continue;
                                a += (double)x[(c * H + ih) * W + iw] *
                                     wc[((oc * K + kh) * K + kw) * C + c];
                            }
                    a = a < 0 ? 0 : a;
                    s += a * wd[o * OH * OW * OC + (oh * OW + ow) * OC + oc];
                }
        assert_true(fabs(out[o] - s) < 1e-5);
    }
    rx_model_free(m);
}

/* Against PyTorch: tests/data/model/make_fixtures.py wrote the
 * parameters, a batch, and PyTorch's float64 loss and gradients. */
static void check_fixture(const char *name, const rx_model_config *cfg,
                          rx_shape in, int n_out, int B)
{
    char path[256];
    snprintf(path, sizeof path, "%s/model/%s", RX_TEST_DATA, name);
    FILE *f = fopen(path, "r");
    if (!f)
        fprintf(stderr, "cannot open '%s'\n", path);
    assert_non_null(f);
    rx_model *m = NULL;
    rx_err err;
    assert_int_equal(rx_model_create(&m, cfg, in, n_out, B, &err), RX_OK);
    size_t n, d = (size_t)in.c * in.h * in.w;
    assert_int_equal(fscanf(f, "%zu", &n), 1);
    assert_int_equal(n, rx_model_nparams(m));
    float *p = rx_model_params(m), *x = fvec((size_t)B * d);
    int32_t *lab = calloc((size_t)B, sizeof *lab);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(fscanf(f, "%f", &p[i]), 1);
    for (size_t i = 0; i < (size_t)B * d; i++)
        assert_int_equal(fscanf(f, "%f", &x[i]), 1);
    for (int b = 0; b < B; b++)
        assert_int_equal(fscanf(f, "%d", &lab[b]), 1);
    double loss;
    assert_int_equal(fscanf(f, "%lf", &loss), 1);
    rx_rng rng;
    rx_rng_seed(&rng, 1);
    rx_batch_stats st = rx_model_train_batch(m, x, lab, NULL, B, &rng);
    assert_true(fabs(st.loss_sum / B - loss) < 1e-6 * fmax(1.0, loss));
    const float *g = rx_model_grads(m);
    for (size_t i = 0; i < n; i++) {
        double want;
        assert_int_equal(fscanf(f, "%lf", &want), 1);
        if (!(fabs(g[i] - want) < 1e-6 + 1e-5 * fabs(want)))
            fprintf(stderr, "%s: gradient %zu: %.9g, pytorch %.9g\n", name, i,
                    (double)g[i], want);
        assert_true(fabs(g[i] - want) < 1e-6 + 1e-5 * fabs(want));
    }
    fclose(f);
    free(x);
    free(lab);
    rx_model_free(m);
}

static void test_pytorch_mlp(void **state)
{
    (void)state;
    rx_model_config cfg = mlp_config(RX_ACT_GELU, 0.0);
    cfg.hidden[0] = 7;
    cfg.hidden[1] = 5;
    check_fixture("mlp_gelu_xent.txt", &cfg, (rx_shape){1, 1, 4}, 3, 6);
}

static void test_pytorch_cnn(void **state)
{
    (void)state;
    rx_model_config cfg = tiny_cnn_config(0.0);
    check_fixture("cnn_tanh_xent.txt", &cfg, (rx_shape){2, 6, 7}, 3, 3);
}

/* ---- model behaviour ------------------------------------------------------------ */

static void test_describe_flops(void **state)
{
    (void)state;
    rx_model_config cfg = mlp_config(RX_ACT_RELU, 0.0);
    cfg.hidden[0] = cfg.hidden[1] = 256;
    rx_model *m = make_model(&cfg, (rx_shape){1, 28, 28}, 10, 128, 1);
    char buf[128];
    rx_model_describe(m, buf, sizeof buf);
    assert_string_equal(buf, "mlp 784-256-256-10 relu (269322 params)");
    assert_true(rx_model_flops_per_sample(m) ==
                3.0 * 2.0 * (784 * 256 + 256 * 256 + 256 * 10));
    assert_int_equal(rx_model_loss(m), RX_LOSS_XENT);
    rx_model_describe(m, buf, 8); /* truncated, terminated */
    assert_string_equal(buf, "mlp 784");
    rx_model_free(m);

    cfg = (rx_model_config){0};
    cfg.type = RX_MODEL_CNN;
    cfg.n_conv = 2;
    cfg.conv[0] = (rx_conv_config){32, 5, 1, 2, 2};
    cfg.conv[1] = (rx_conv_config){64, 5, 1, 2, 2};
    cfg.n_hidden = 1;
    cfg.hidden[0] = 128;
    cfg.dropout = 0.25;
    m = make_model(&cfg, (rx_shape){1, 28, 28}, 10, 4, 1);
    rx_model_describe(m, buf, sizeof buf);
    assert_string_equal(buf, "cnn 1x28x28-c32k5p2-pool2-c64k5p2-pool2-128-10 "
                             "relu dropout 0.25 (454922 params)");
    rx_model_free(m);

    cfg = (rx_model_config){0};
    cfg.type = RX_MODEL_VAE;
    cfg.n_hidden = 2;
    cfg.hidden[0] = 512;
    cfg.hidden[1] = 256;
    m = make_model(&cfg, (rx_shape){1, 28, 28}, 10, 4, 1);
    rx_model_describe(m, buf, sizeof buf);
    assert_string_equal(buf, "vae 784-512-256-z2 relu (1068820 params)");
    assert_int_equal(rx_model_loss(m), RX_LOSS_VAE);
    assert_int_equal(rx_model_n_out(m), 784);
    rx_model_free(m);
}

static void expect_error(const rx_model_config *cfg, rx_shape in, int n_out,
                         int max_batch, const char *msg)
{
    rx_model *m = (rx_model *)1;
    rx_err err = {""};
    assert_int_equal(rx_model_create(&m, cfg, in, n_out, max_batch, &err),
                     RX_EINVAL);
    assert_null(m);
    assert_string_equal(err.msg, msg);
}

static void test_create_errors(void **state)
{
    (void)state;
    rx_model_config cfg = {0};
    cfg.type = RX_MODEL_CNN;
    cfg.n_conv = 1;
    cfg.conv[0] = (rx_conv_config){4, 5, 1, 0, 0};
    expect_error(&cfg, (rx_shape){1, 3, 3}, 10, 8,
                 "cnn: conv 1: kernel 5 larger than padded input 3x3");
    cfg.conv[0] = (rx_conv_config){4, 3, 1, 0, 2};
    expect_error(&cfg, (rx_shape){1, 3, 3}, 10, 8,
                 "cnn: conv 1: pool 2 larger than its input 1x1");
    cfg.n_conv = 0;
    expect_error(&cfg, (rx_shape){1, 3, 3}, 10, 8,
                 "cnn: needs at least one conv layer");
    cfg = mlp_config(RX_ACT_RELU, 1.0);
    expect_error(&cfg, (rx_shape){1, 1, 4}, 2, 8,
                 "mlp: dropout 1 must be in [0, 1)");
    cfg = mlp_config(RX_ACT_RELU, 0.0);
    cfg.hidden[1] = 0;
    expect_error(&cfg, (rx_shape){1, 1, 4}, 2, 8,
                 "mlp: hidden width 0 at position 2 must be >= 1");
    cfg = mlp_config(RX_ACT_RELU, 0.0);
    expect_error(&cfg, (rx_shape){1, 1, 4}, 1, 8,
                 "mlp: cross-entropy needs at least 2 classes, got 1");
    expect_error(&cfg, (rx_shape){1, 1, 4}, 2, 0,
                 "mlp: batch size 0 must be >= 1");
    cfg.loss = RX_LOSS_VAE;
    expect_error(&cfg, (rx_shape){1, 1, 4}, 2, 8,
                 "mlp: loss 'vae' needs model 'vae'");
    cfg.type = RX_MODEL_VAE;
    cfg.loss = RX_LOSS_MSE;
    expect_error(&cfg, (rx_shape){1, 1, 4}, 2, 8,
                 "vae: loss 'mse' needs model 'linear, mlp or cnn'");
}

/* Same seed: bit-identical parameters, gradients and outputs. */
static void run_some_steps(rx_model_config *cfg, uint64_t seed, float *params,
                           float *out, size_t n)
{
    enum { B = 8, D = 6 };
    rx_model *m = make_model(cfg, (rx_shape){1, 1, D}, 3, B, seed);
    rx_rng rng, data;
    rx_rng_seed(&rng, seed + 1);
    rx_rng_seed(&data, 5);
    float x[B * D];
    int32_t lab[B];
    float *p = rx_model_params(m), *g = rx_model_grads(m);
    for (int s = 0; s < 5; s++) {
        fill_uniform(x, B * D, -1, 1, &data);
        for (int b = 0; b < B; b++)
            lab[b] = (int32_t)rx_rng_below(&data, 3);
        rx_model_train_batch(m, x, lab, NULL, B, &rng);
        for (size_t i = 0; i < n; i++)
            p[i] -= 0.1f * g[i];
    }
    rx_model_eval_batch(m, x, lab, NULL, B);
    memcpy(params, p, n * sizeof *p);
    memcpy(out, rx_model_output(m), B * 3 * sizeof *out);
    rx_model_free(m);
}

static void test_determinism(void **state)
{
    (void)state;
    rx_model_config cfg = mlp_config(RX_ACT_RELU, 0.5);
    rx_model *m = make_model(&cfg, (rx_shape){1, 1, 6}, 3, 8, 1);
    size_t n = rx_model_nparams(m);
    rx_model_free(m);
    float *p1 = fvec(n), *p2 = fvec(n), *p3 = fvec(n), o1[24], o2[24], o3[24];
    run_some_steps(&cfg, 7, p1, o1, n);
    run_some_steps(&cfg, 7, p2, o2, n);
    run_some_steps(&cfg, 8, p3, o3, n);
    assert_memory_equal(p1, p2, n * sizeof *p1);
    assert_memory_equal(o1, o2, sizeof o1);
    assert_memory_not_equal(p1, p3, n * sizeof *p1);
    free(p1);
    free(p2);
    free(p3);
}

/* rx_model_grads_cleared: a backward that adds into zeroed gradients gives
 * the bits of one that overwrites them; the claim holds for one call; a
 * false claim shows (so the flag is really used). */
static void grads_cleared_case(const rx_model_config *cfg, rx_shape in, int n_out, int B)
{
    int d = in.c * in.h * in.w;
    rx_model *m = make_model(cfg, in, n_out, B, 91);
    size_t n = rx_model_nparams(m);
    float *x = fvec((size_t)B * d), *want = fvec(n), *g = rx_model_grads(m);
    int32_t lab[16];
    rx_rng rng;
    rx_rng_seed(&rng, 92);
    fill_uniform(x, (size_t)B * d, -1, 1, &rng);
    for (int b = 0; b < B; b++)
        lab[b] = (int32_t)rx_rng_below(&rng, (uint64_t)n_out);
    model_ctx c = {m, x, NULL, lab, B, 93};
    model_loss(&c);
    memcpy(want, g, n * sizeof *g);
    for (size_t i = 0; i < n; i++)
        g[i] = NAN; /* no claim: overwritten */
    model_loss(&c);
    assert_memory_equal(g, want, n * sizeof *g);
    memset(g, 0, n * sizeof *g);
    rx_model_grads_cleared(m);
    model_loss(&c);
    assert_memory_equal(g, want, n * sizeof *g);
    for (size_t i = 0; i < n; i++)
        g[i] = NAN; /* the claim was spent: overwritten again */
    model_loss(&c);
    assert_memory_equal(g, want, n * sizeof *g);
    for (size_t i = 0; i < n; i++)
        g[i] = 1.0f;
    rx_model_grads_cleared(m); /* false */
    model_loss(&c);
    assert_memory_not_equal(g, want, n * sizeof *g);
    free(x);
    free(want);
    rx_model_free(m);
}

static void test_grads_cleared(void **state)
{
    (void)state;
    rx_model_config cfg = mlp_config(RX_ACT_RELU, 0.0);
    grads_cleared_case(&cfg, (rx_shape){1, 1, 7}, 4, 5);
    cfg = tiny_cnn_config(0.0);
    grads_cleared_case(&cfg, (rx_shape){2, 6, 7}, 3, 3);
}

/* A short batch on a big model equals the same batch on a model built for
 * exactly that size; a batch over max_batch is refused. */
static void test_short_batch(void **state)
{
    (void)state;
    enum { D = 5, B = 3 };
    rx_model_config cfg = mlp_config(RX_ACT_TANH, 0.0);
    rx_model *big = make_model(&cfg, (rx_shape){1, 1, D}, 2, 16, 3);
    rx_model *small = make_model(&cfg, (rx_shape){1, 1, D}, 2, B, 3);
    size_t n = rx_model_nparams(big);
    float x[16 * D];
    int32_t lab[16] = {0, 1, 1};
    rx_rng rng;
    rx_rng_seed(&rng, 4);
    fill_uniform(x, 16 * D, -1, 1, &rng);
    /* a full batch first, so the big model's buffers hold stale values */
    rx_model_train_batch(big, x, lab, NULL, 16, &rng);
    rx_batch_stats a = rx_model_train_batch(big, x, lab, NULL, B, &rng);
    rx_batch_stats b = rx_model_train_batch(small, x, lab, NULL, B, &rng);
    assert_true(a.loss_sum == b.loss_sum && a.n_correct == b.n_correct);
    assert_memory_equal(rx_model_grads(big), rx_model_grads(small),
                        n * sizeof(float));
    assert_true(isnan(rx_model_train_batch(small, x, lab, NULL, B + 1, &rng)
                          .loss_sum));
    assert_true(isnan(rx_model_eval_batch(small, x, NULL, NULL, B).loss_sum));
    rx_model_free(big);
    rx_model_free(small);
}

static void test_nan_propagates(void **state)
{
    (void)state;
    rx_model_config cfg = mlp_config(RX_ACT_RELU, 0.0);
    rx_model *m = make_model(&cfg, (rx_shape){1, 1, 4}, 2, 4, 1);
    float x[8] = {1, 2, 3, 4, -1, -2, -3, -4};
    int32_t lab[2] = {0, 1};
    assert_true(isfinite(rx_model_eval_batch(m, x, lab, NULL, 2).loss_sum));
    rx_model_params(m)[0] = NAN;
    assert_true(isnan(rx_model_eval_batch(m, x, lab, NULL, 2).loss_sum));
    rx_model_free(m);
}

static void test_vae_eval_deterministic(void **state)
{
    (void)state;
    rx_model_config cfg = {0};
    cfg.type = RX_MODEL_VAE;
    cfg.n_hidden = 1;
    cfg.hidden[0] = 8;
    rx_model *m = make_model(&cfg, (rx_shape){1, 1, 10}, 0, 4, 1);
    float x[40];
    rx_rng rng;
    rx_rng_seed(&rng, 2);
    fill_uniform(x, 40, 0, 1, &rng);
    double e1 = rx_model_eval_batch(m, x, NULL, NULL, 4).loss_sum;
    double e2 = rx_model_eval_batch(m, x, NULL, NULL, 4).loss_sum;
    double t1 = rx_model_train_batch(m, x, NULL, NULL, 4, &rng).loss_sum;
    double t2 = rx_model_train_batch(m, x, NULL, NULL, 4, &rng).loss_sum;
    assert_true(e1 == e2 && isfinite(e1));
    assert_true(t1 != t2); /* fresh eps each training batch */
    rx_model_free(m);
}

/* Two Gaussian blobs, learned with plain SGD written here (the optimizer
 * module is not a dependency of the model). */
static void test_mlp_learns(void **state)
{
    (void)state;
    enum { B = 32, D = 2, STEPS = 300 };
    rx_model_config cfg = mlp_config(RX_ACT_RELU, 0.0);
    cfg.hidden[0] = 16;
    cfg.hidden[1] = 16;
    rx_model *m = make_model(&cfg, (rx_shape){1, 1, D}, 2, B, 11);
    float *p = rx_model_params(m), *g = rx_model_grads(m);
    size_t n = rx_model_nparams(m);
    rx_rng rng;
    rx_rng_seed(&rng, 12);
    float x[B * D];
    int32_t lab[B];
    double first = 0, last = 0;
    int correct = 0;
    for (int s = 0; s < STEPS; s++) {
        for (int b = 0; b < B; b++) {
            lab[b] = (int32_t)rx_rng_below(&rng, 2);
            double c = lab[b] ? 1.5 : -1.5;
            x[b * D] = (float)(c + 0.7 * rx_rng_normal(&rng));
            x[b * D + 1] = (float)(-c + 0.7 * rx_rng_normal(&rng));
        }
        if (s == STEPS - 1) {
            rx_batch_stats st = rx_model_eval_batch(m, x, lab, NULL, B);
            last = st.loss_sum / B;
            correct = st.n_correct;
            break;
        }
        rx_batch_stats st = rx_model_train_batch(m, x, lab, NULL, B, &rng);
        if (s == 0)
            first = st.loss_sum / B;
        for (size_t i = 0; i < n; i++)
            p[i] -= 0.1f * g[i];
    }
    assert_true(last < 0.5 * first);
    assert_true(correct >= B * 95 / 100);
    rx_model_free(m);
}

/* ---- no allocation per step ---------------------------------------------------- */

/* The test binary replaces glibc's malloc family with counting wrappers
 * (glibc supports this; they forward to __libc_*).  Sanitizer builds
 * interpose malloc themselves, so there the test only documents the rule. */
#if defined(__SANITIZE_ADDRESS__) || defined(__clang__) || !defined(__GLIBC__)
#define RX_COUNT_MALLOC 0
#else
#define RX_COUNT_MALLOC 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
static volatile int counting;
static volatile long n_allocs;

void *malloc(size_t n)
{
    if (counting)
        n_allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (counting)
        n_allocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    if (counting)
        n_allocs++;
    return __libc_realloc(p, n);
}
int posix_memalign(void **p, size_t al, size_t n)
{
    if (counting)
        n_allocs++;
    *p = __libc_memalign(al, n);
    return *p ? 0 : 12 /* ENOMEM */;
}
void free(void *p)
{
    __libc_free(p);
}
#endif

static void test_train_batch_allocates_nothing(void **state)
{
    (void)state;
#if RX_COUNT_MALLOC
    rx_model_config cfg = {0};
    cfg.type = RX_MODEL_CNN;
    cfg.n_conv = 1;
    cfg.conv[0] = (rx_conv_config){4, 3, 1, 1, 2};
    cfg.n_hidden = 1;
    cfg.hidden[0] = 8;
    cfg.dropout = 0.5;
    rx_model *m = make_model(&cfg, (rx_shape){2, 6, 6}, 3, 8, 1);
    float x[8 * 72];
    int32_t lab[8] = {0, 1, 2, 0, 1, 2, 0, 1};
    rx_rng rng;
    rx_rng_seed(&rng, 1);
    fill_uniform(x, 8 * 72, -1, 1, &rng);
    rx_model_train_batch(m, x, lab, NULL, 8, &rng); /* OpenBLAS warms up */
    n_allocs = 0;
    counting = 1;
    rx_model_train_batch(m, x, lab, NULL, 8, &rng);
    rx_model_train_batch(m, x, lab, NULL, 5, &rng);
    rx_model_eval_batch(m, x, lab, NULL, 8);
    counting = 0;
    assert_int_equal(n_allocs, 0);
    /* and the counter works */
    counting = 1;
    void *volatile q = malloc(16);
    counting = 0;
    free(q);
    assert_int_equal(n_allocs, 1);
    rx_model_free(m);
#else
    skip();
#endif
}

/* Every model type has a name (and so a row of model.c's builders). */
static void test_model_names(void **state)
{
    (void)state;
    for (int t = 0; t < RX_MODEL_COUNT; t++)
        assert_non_null(rx_model_names[t]);
    assert_null(rx_model_names[RX_MODEL_COUNT]);
}

int main(void)
{
    rx_blas_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_names),
        cmocka_unit_test(test_checker_catches_errors),
        cmocka_unit_test(test_grad_activations),
        cmocka_unit_test(test_act_values),
        cmocka_unit_test(test_fast_math),
        cmocka_unit_test(test_grad_dense),
        cmocka_unit_test(test_dense_values),
        cmocka_unit_test(test_grad_conv),
        cmocka_unit_test(test_conv_values),
        cmocka_unit_test(test_grad_maxpool),
        cmocka_unit_test(test_maxpool_values),
        cmocka_unit_test(test_grad_dropout_fixed_mask),
        cmocka_unit_test(test_dropout_mask),
        cmocka_unit_test(test_grad_xent),
        cmocka_unit_test(test_grad_mse),
        cmocka_unit_test(test_grad_bce),
        cmocka_unit_test(test_xent_values),
        cmocka_unit_test(test_mse_bce_values),
        cmocka_unit_test(test_grad_reparam_kl),
        cmocka_unit_test(test_grad_model_mlp),
        cmocka_unit_test(test_grad_model_cnn),
        cmocka_unit_test(test_grad_model_vae),
        cmocka_unit_test(test_cnn_forward_layout),
        cmocka_unit_test(test_pytorch_mlp),
        cmocka_unit_test(test_pytorch_cnn),
        cmocka_unit_test(test_describe_flops),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_grads_cleared),
        cmocka_unit_test(test_short_batch),
        cmocka_unit_test(test_nan_propagates),
        cmocka_unit_test(test_vae_eval_deterministic),
        cmocka_unit_test(test_mlp_learns),
        cmocka_unit_test(test_train_batch_allocates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
