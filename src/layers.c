/*
 * layers.c: the numeric ops of the models (see rx_layers.h for the math
 * and the shapes).  Elementwise loops are written so that the compiler can
 * vectorise them (no calls in the relu/dropout paths, branch-free
 * selects); every big buffer is touched as few times as possible, because
 * for the benchmark MLP everything outside the GEMMs is pure overhead.
 */
#include "rx_layers.h"
#include "rx_blas.h"

#include <math.h>
#include <string.h>

/* GCC's -O2 vectorises only loops whose trip count is a known multiple of
 * the vector width ("very-cheap" cost model); these loops run over
 * arbitrary sizes, often in place, and are hot: let GCC vectorise them
 * with runtime alias checks. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
/* and keep short copy loops inline: im2col copies runs of K*C floats,
 * often 3 or 5, where a call to memcpy costs more than the copy */
#pragma GCC optimize("no-tree-loop-distribute-patterns")
/* and let branch-free selects compute both sides: nothing here reads the
 * floating-point exception flags (NaN and Inf semantics are unchanged) */
#pragma GCC optimize("no-trapping-math")
#endif

/* ---- vectorisable elementary functions ----------------------------------
 * glibc's expf/tanhf/erff are scalar calls (~10-20 ns each): with them a
 * tanh or gelu MLP spent as long in its activations as in its GEMMs.
 * These are branch-free, call-free polynomial forms (Cephes' expf, tanhf
 * and logf; Abramowitz & Stegun 7.1.26 for erf, the form PyTorch's AVX2
 * kernels use) that GCC vectorises.  Accuracy against double libm is
 * pinned by test_fast_math: exp, tanh, sigmoid and log within a few ulp,
 * erf within 1.5e-7 absolute.  NaN propagates through each. */

static inline float fast_exp(float x)
{
    /* clamp so that 2^n stays a normal float; NaN fails both tests */
    x = x > 88.3762626647949f ? 88.3762626647949f : x;
    x = x < -87.3365447504f ? -87.3365447504f : x;
    /* n = round(x/ln2) by the 1.5*2^23 trick: t's low mantissa bits then
     * hold n itself, so 2^n is built from t's bits with unsigned
     * arithmetic (no float-to-int conversion, undefined for NaN) */
    union { float f; uint32_t u; } t = {.f = x * 1.44269504088896341f + 12582912.0f};
    float n = t.f - 12582912.0f;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float z = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * z + r + 1.0f;
    union { uint32_t u; float f; } e = {.u = (t.u - 0x4B400000u + 127u) << 23};
    return p * e.f;
}

/* log(u) for u in [1, 2] (all BCE needs: log1p of exp(-|l|) in (0,1]) */
static inline float fast_log_1_2(float u)
{
    int big = u > 1.41421356237f;
    float k = big ? 1.0f : 0.0f;
    float x = (big ? 0.5f * u : u) - 1.0f;
    float z = x * x;
    float y = 7.0376836292e-2f;
    y = y * x - 1.1514610310e-1f;
    y = y * x + 1.1676998740e-1f;
    y = y * x - 1.2420140846e-1f;
    y = y * x + 1.4249322787e-1f;
    y = y * x - 1.6668057665e-1f;
    y = y * x + 2.0000714765e-1f;
    y = y * x - 2.4999993993e-1f;
    y = y * x + 3.3333331174e-1f;
    y = y * x * z;
    y += -2.12194440e-4f * k - 0.5f * z;
    return x + y + 0.693359375f * k;
}

static inline float fast_tanh(float x)
{
    float a = fabsf(x);
    /* small |x|: odd polynomial; else 1 - 2/(e^2|x| + 1) */
    float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    float small = p * z * x + x;
    float big = copysignf(1.0f - 2.0f / (fast_exp(2.0f * a) + 1.0f), x);
    return a < 0.625f ? small : big;
}

static inline float fast_sigmoid(float x)
{
    return 1.0f / (1.0f + fast_exp(-x)); /* e^-x = inf never: clamped */
}

/* erf by A&S 7.1.26: |error| <= 1.5e-7 */
static inline float fast_erf(float x)
{
    float a = fabsf(x);
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    return copysignf(1.0f - p * t * fast_exp(-a * a), x);
}

/* ---- activations ------------------------------------------------------ */

static inline float gelu(float x)
{
    return 0.5f * x * (1.0f + fast_erf(x * (float)M_SQRT1_2));
}

/* d/dx x*Phi(x) = Phi(x) + x*phi(x) */
static inline float gelu_grad(float x)
{
    const float inv_sqrt_2pi = 0.3989422804014327f;
    return 0.5f * (1.0f + fast_erf(x * (float)M_SQRT1_2)) +
           x * inv_sqrt_2pi * fast_exp(-0.5f * x * x);
}

int rx_act_needs_input(int act)
{
    return act == RX_ACT_GELU;
}

void rx_act_forward(int act, float *out, const float *inp, size_t n)
{
    switch (act) {
    case RX_ACT_RELU:
        /* x < 0 ? 0 : x lets NaN through, as PyTorch's relu does */
        for (size_t i = 0; i < n; i++)
            out[i] = inp[i] < 0.0f ? 0.0f : inp[i];
        break;
    case RX_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            out[i] = fast_tanh(inp[i]);
        break;
    case RX_ACT_GELU:
        for (size_t i = 0; i < n; i++)
            out[i] = gelu(inp[i]);
        break;
    case RX_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            out[i] = fast_sigmoid(inp[i]);
        break;
    default:
        if (out != inp)
            memmove(out, inp, n * sizeof *out);
    }
}

RX_VECTOR_CLONES
void rx_act_backward(int act, float *dinp, const float *dout,
                     const float *inp, const float *out, size_t n)
{
    switch (act) {
    case RX_ACT_RELU:
        for (size_t i = 0; i < n; i++) {
            float d = dout[i]; /* loaded unconditionally: a select, no branch */
            dinp[i] = out[i] > 0.0f ? d : 0.0f;
        }
        break;
    case RX_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            dinp[i] = dout[i] * (1.0f - out[i] * out[i]);
        break;
    case RX_ACT_GELU:
        for (size_t i = 0; i < n; i++)
            dinp[i] = dout[i] * gelu_grad(inp[i]);
        break;
    case RX_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            dinp[i] = dout[i] * out[i] * (1.0f - out[i]);
        break;
    default:
        if (dinp != dout)
            memmove(dinp, dout, n * sizeof *dinp);
    }
}

/* ---- fused bias + activation ------------------------------------------ */

RX_VECTOR_CLONES
void rx_bias_act_forward(int act, float *out, float *pre, const float *y,
                         const float *b, int R, int C)
{
    for (int r = 0; r < R; r++) {
        const float *yr = y + (size_t)r * C;
        float *o = out + (size_t)r * C;
        if (pre) {
            float *z = pre + (size_t)r * C;
            for (int c = 0; c < C; c++)
                z[c] = yr[c] + b[c];
            rx_act_forward(act, o, z, (size_t)C);
            continue;
        }
        if (act == RX_ACT_RELU) { /* the benchmark's case: one pass */
            for (int c = 0; c < C; c++) {
                float z = yr[c] + b[c];
                o[c] = z < 0.0f ? 0.0f : z;
            }
            continue;
        }
        for (int c = 0; c < C; c++)
            o[c] = yr[c] + b[c];
        rx_act_forward(act, o, o, (size_t)C); /* row still in L1 */
    }
}

RX_VECTOR_CLONES
void rx_bias_act_backward(int act, float *dz, float *db, const float *dout,
                          const float *pre, const float *out, int R, int C)
{
    if (db)
        memset(db, 0, (size_t)C * sizeof *db);
    for (int r = 0; r < R; r++) {
        size_t o = (size_t)r * C;
        rx_act_backward(act, dz + o, dout + o, pre ? pre + o : NULL, out + o,
                        (size_t)C);
        if (db)
            for (int c = 0; c < C; c++)
                db[c] += dz[o + c];
    }
}

/* ---- dense ---------------------------------------------------------------- */

void rx_dense_forward(int act, float *out, float *pre, const float *inp,
                      const float *w, const float *b, int B, int IN, int OUT)
{
    float *y = rx_act_needs_input(act) ? pre : out;
    // y (B,OUT) = inp (B,IN) @ w^T (IN,OUT)
    rx_sgemm(0, 1, B, OUT, IN, 1.0f, inp, IN, w, IN, 0.0f, y, OUT);
    rx_bias_act_forward(act, out, rx_act_needs_input(act) ? pre : NULL, y, b,
                        B, OUT);
}

void rx_dense_backward(int act, float *dinp, float *dw, float *db,
                       float *dout, const float *inp, const float *w,
                       const float *pre, const float *out, int B, int IN,
                       int OUT, int dw_zero)
{
    rx_bias_act_backward(act, dout, db, dout, pre, out, B, OUT);
    // dw (OUT,IN) = dz^T (OUT,B) @ inp (B,IN)
    rx_sgemm(1, 0, OUT, IN, B, 1.0f, dout, OUT, inp, IN, dw_zero ? 1.0f : 0.0f, dw, IN);
    // dinp (B,IN) = dz (B,OUT) @ w (OUT,IN)
    if (dinp)
        rx_sgemm(0, 0, B, IN, OUT, 1.0f, dout, OUT, w, IN, 0.0f, dinp, IN);
}

/* ---- conv2d ---------------------------------------------------------------- */

int rx_conv_geom_init(rx_conv_geom *g, int H, int W, int C, int OC, int K,
                      int S, int P)
{
    *g = (rx_conv_geom){H, W, C, OC, K, S, P, 0, 0};
    if (H < 1 || W < 1 || C < 1 || OC < 1 || K < 1 || S < 1 || P < 0 ||
        H + 2 * P < K || W + 2 * P < K)
        return -1;
    g->OH = (H + 2 * P - K) / S + 1;
    g->OW = (W + 2 * P - K) / S + 1;
    return 0;
}


static inline void copy_f(float *restrict d, const float *restrict s, int n)
{
    for (int i = 0; i < n; i++)
        d[i] = s[i];
}

static inline void zero_f(float *d, int n)
{
    for (int i = 0; i < n; i++)
        d[i] = 0.0f;
}

/* For output column ow, the kernel columns [*k0,*k1) that land inside the
 * image; their input columns are contiguous in NHWC. */
static inline void kw_range(const rx_conv_geom *g, int ow, int *k0, int *k1)
{
    int iw0 = ow * g->S - g->P;
    *k0 = iw0 < 0 ? -iw0 : 0;
    *k1 = g->W - iw0 < g->K ? g->W - iw0 : g->K;
    if (*k1 < *k0)
        *k1 = *k0;
}

void rx_im2col(float *col, const float *inp, int nb, const rx_conv_geom *g)
{
    const int K = g->K, C = g->C, KC = K * C;
    const size_t kkc = (size_t)K * KC;
    for (int b = 0; b < nb; b++) {
        const float *img = inp + (size_t)b * g->H * g->W * C;
        for (int oh = 0; oh < g->OH; oh++) {
            for (int ow = 0; ow < g->OW; ow++) {
                float *row = col + (((size_t)b * g->OH + oh) * g->OW + ow) * kkc;
                int k0, k1;
                kw_range(g, ow, &k0, &k1);
                for (int kh = 0; kh < K; kh++) {
                    float *dst = row + (size_t)kh * KC;
                    int ih = oh * g->S - g->P + kh;
                    if (ih < 0 || ih >= g->H || k0 == k1) {
                        zero_f(dst, KC);
                        continue;
                    }
                    int iw = ow * g->S - g->P + k0;
                    zero_f(dst, k0 * C);
                    copy_f(dst + k0 * C, img + ((size_t)ih * g->W + iw) * C,
                           (k1 - k0) * C);
                    zero_f(dst + k1 * C, (K - k1) * C);
                }
            }
        }
    }
}

void rx_col2im(float *dinp, const float *col, int nb, const rx_conv_geom *g)
{
    const int K = g->K, C = g->C, KC = K * C;
    const size_t kkc = (size_t)K * KC;
    memset(dinp, 0, (size_t)nb * g->H * g->W * C * sizeof *dinp);
    for (int b = 0; b < nb; b++) {
        float *img = dinp + (size_t)b * g->H * g->W * C;
        for (int oh = 0; oh < g->OH; oh++) {
            for (int ow = 0; ow < g->OW; ow++) {
                const float *row =
                    col + (((size_t)b * g->OH + oh) * g->OW + ow) * kkc;
                int k0, k1;
                kw_range(g, ow, &k0, &k1);
                for (int kh = 0; kh < K; kh++) {
                    int ih = oh * g->S - g->P + kh;
                    if (ih < 0 || ih >= g->H)
                        continue;
                    int iw = ow * g->S - g->P + k0;
                    float *d = img + ((size_t)ih * g->W + iw) * C;
                    const float *s = row + (size_t)kh * KC + (size_t)k0 * C;
                    int n = (k1 - k0) * C;
                    for (int i = 0; i < n; i++)
                        d[i] += s[i];
                }
            }
        }
    }
}

/* A 1x1 stride-1 unpadded conv is a dense layer over pixels: no im2col. */
static int conv_is_pointwise(const rx_conv_geom *g)
{
    return g->K == 1 && g->S == 1 && g->P == 0;
}

size_t rx_conv_col_size(const rx_conv_geom *g)
{
    if (conv_is_pointwise(g))
        return 0;
    return (size_t)g->OH * g->OW * g->K * g->K * g->C;
}

void rx_conv2d_forward(int act, float *out, float *pre, float *col,
                       int chunk, const float *inp, const float *w,
                       const float *b, int B, const rx_conv_geom *g)
{
    const int KKC = g->K * g->K * g->C, OC = g->OC;
    const size_t pix = (size_t)g->OH * g->OW, in_sz = (size_t)g->H * g->W * g->C;
    float *y = rx_act_needs_input(act) ? pre : out;
    if (conv_is_pointwise(g))
        chunk = B;
    for (int b0 = 0; b0 < B; b0 += chunk) {
        int nb = B - b0 < chunk ? B - b0 : chunk;
        const float *a = inp + b0 * in_sz;
        if (!conv_is_pointwise(g)) {
            rx_im2col(col, a, nb, g);
            a = col;
        }
        // y (nb*OH*OW, OC) = col (nb*OH*OW, KKC) @ w^T (KKC, OC)
        rx_sgemm(0, 1, (int)(nb * pix), OC, KKC, 1.0f, a, KKC, w, KKC, 0.0f,
                 y + b0 * pix * OC, OC);
    }
    rx_bias_act_forward(act, out, rx_act_needs_input(act) ? pre : NULL, y, b,
                        (int)(B * pix), OC);
}

void rx_conv2d_backward(int act, float *dinp, float *dw, float *db,
                        float *dout, float *col, int chunk,
                        const float *inp, const float *w, const float *pre,
                        const float *out, int B, const rx_conv_geom *g,
                        int dw_zero)
{
    const int KKC = g->K * g->K * g->C, OC = g->OC;
    const size_t pix = (size_t)g->OH * g->OW, in_sz = (size_t)g->H * g->W * g->C;
    rx_bias_act_backward(act, dout, db, dout, pre, out, (int)(B * pix), OC);
    int pw = conv_is_pointwise(g);
    if (pw)
        chunk = B;
    for (int b0 = 0; b0 < B; b0 += chunk) {
        int nb = B - b0 < chunk ? B - b0 : chunk;
        int rows = (int)(nb * pix);
        const float *dz = dout + b0 * pix * OC;
        const float *a = inp + b0 * in_sz;
        if (!pw) {
            rx_im2col(col, a, nb, g);
            a = col;
        }
        // dw (OC,KKC) += dz^T (OC,rows) @ col (rows,KKC); the first chunk
        // sets, unless dw starts at zero
        rx_sgemm(1, 0, OC, KKC, rows, 1.0f, dz, OC, a, KKC, b0 || dw_zero ? 1.0f : 0.0f,
                 dw, KKC);
        if (!dinp)
            continue;
        float *d = pw ? dinp + b0 * in_sz : col;
        // dcol (rows,KKC) = dz (rows,OC) @ w (OC,KKC)
        rx_sgemm(0, 0, rows, KKC, OC, 1.0f, dz, OC, w, KKC, 0.0f, d, KKC);
        if (!pw)
            rx_col2im(dinp + b0 * in_sz, col, nb, g);
    }
}

/* ---- max-pool ---------------------------------------------------------------- */

void rx_maxpool_forward(float *out, int32_t *idx, const float *inp, int B,
                        int H, int W, int C, int P)
{
    const int OH = H / P, OW = W / P;
    for (int b = 0; b < B; b++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                size_t o = (((size_t)b * OH + oh) * OW + ow) * C;
                float *mx = out + o;
                int32_t *ix = idx + o;
                size_t i0 = (((size_t)b * H + oh * P) * W + ow * P) * C;
                for (int c = 0; c < C; c++) {
                    mx[c] = inp[i0 + c];
                    ix[c] = (int32_t)(i0 + c);
                }
                for (int ph = 0; ph < P; ph++)
                    for (int pw = ph == 0; pw < P; pw++) {
                        int32_t i = (int32_t)(i0 + ((size_t)ph * W + pw) * C);
                        const float *v = inp + i;
                        /* branch-free over channels; NaN wins, so it
                         * propagates as in PyTorch */
                        for (int c = 0; c < C; c++) {
                            int take = v[c] > mx[c] || v[c] != v[c];
                            mx[c] = take ? v[c] : mx[c];
                            ix[c] = take ? i + c : ix[c];
                        }
                    }
            }
}

void rx_maxpool_backward(float *dinp, const float *dout, const int32_t *idx,
                         int B, int H, int W, int C, int P)
{
    size_t n_out = (size_t)B * (H / P) * (W / P) * C;
    memset(dinp, 0, (size_t)B * H * W * C * sizeof *dinp);
    for (size_t i = 0; i < n_out; i++)
        dinp[idx[i]] = dout[i]; /* windows do not overlap: one writer each */
}

/* ---- dropout ---------------------------------------------------------------- */

void rx_dropout_mask(float *mask, size_t n, double p, rx_rng *rng)
{
    float keep = (float)(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; i++)
        mask[i] = rx_rng_uniform(rng) < p ? 0.0f : keep;
}

void rx_dropout_forward(float *out, const float *inp, const float *mask,
                        size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = inp[i] * mask[i];
}

void rx_dropout_backward(float *dinp, const float *dout, const float *mask,
                         size_t n)
{
    for (size_t i = 0; i < n; i++)
        dinp[i] = dout[i] * mask[i];
}

/* ---- losses ---------------------------------------------------------------- */

double rx_softmax_xent(float *dlogits, int *n_correct, const float *logits,
                       const int32_t *labels, int B, int C)
{
    double loss = 0.0;
    int correct = 0;
    const float inv_b = 1.0f / (float)B;
    for (int b = 0; b < B; b++) {
        const float *l = logits + (size_t)b * C;
        int y = labels[b], arg = 0;
        float mx = l[0];
        for (int c = 1; c < C; c++)
            if (l[c] > mx) {
                mx = l[c];
                arg = c;
            }
        double sum = 0.0;
        for (int c = 0; c < C; c++)
            sum += expf(l[c] - mx);
        if (y < 0 || y >= C) {
            loss = NAN;
            if (dlogits)
                memset(dlogits + (size_t)b * C, 0, (size_t)C * sizeof *dlogits);
            continue;
        }
        loss += log(sum) + (double)mx - (double)l[y];
        correct += arg == y;
        if (dlogits) {
            float *d = dlogits + (size_t)b * C;
            float s = (float)(1.0 / sum) * inv_b;
            for (int c = 0; c < C; c++)
                d[c] = expf(l[c] - mx) * s;
            d[y] -= inv_b;
        }
    }
    if (n_correct)
        *n_correct = correct;
    return loss;
}

double rx_mse(float *dout, const float *out, const float *y, int B, int N)
{
    double loss = 0.0;
    const float g = 2.0f / ((float)B * (float)N);
    for (size_t i = 0; i < (size_t)B * N; i++) {
        float e = out[i] - y[i];
        loss += (double)e * e;
        if (dout)
            dout[i] = g * e;
    }
    return loss / N;
}

double rx_bce_logits(float *dlogits, const float *logits, const float *x,
                     int B, int N)
{
    /* blocks: a vectorised pass computes the terms, a scalar one sums them
     * in double (GCC will not vectorise a double reduction without
     * -ffast-math) */
    enum { BLK = 256 };
    float term[BLK], ebuf[BLK];
    double loss = 0.0;
    const float inv_b = 1.0f / (float)B;
    size_t n = (size_t)B * N;
    for (size_t i0 = 0; i0 < n; i0 += BLK) {
        int m = n - i0 < BLK ? (int)(n - i0) : BLK;
        const float *l = logits + i0, *t = x + i0;
        for (int i = 0; i < m; i++) {
            float e = ebuf[i] = fast_exp(-fabsf(l[i]));
            term[i] = (l[i] > 0.0f ? l[i] : 0.0f) - l[i] * t[i] +
                      fast_log_1_2(1.0f + e);
        }
        if (dlogits) {
            float *d = dlogits + i0;
            for (int i = 0; i < m; i++) {
                /* sigmoid(l) from e = exp(-|l|), without overflow */
                float e = ebuf[i];
                float sg = l[i] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
                d[i] = (sg - t[i]) * inv_b;
            }
        }
        for (int i = 0; i < m; i++)
            loss += term[i];
    }
    return loss;
}

/* ---- VAE reparameterisation + KL ---------------------------------------- */

double rx_reparam_forward(float *z, const float *h, const float *eps, int B,
                          int L)
{
    double kl = 0.0;
    for (int b = 0; b < B; b++) {
        const float *mu = h + (size_t)b * 2 * L, *lv = mu + L;
        for (int j = 0; j < L; j++) {
            float sd = expf(0.5f * lv[j]);
            z[(size_t)b * L + j] = mu[j] + sd * eps[(size_t)b * L + j];
            kl += -0.5 * (1.0 + lv[j] - (double)mu[j] * mu[j] -
                          (double)sd * sd);
        }
    }
    return kl;
}

void rx_reparam_backward(float *dh, const float *dz, const float *h,
                         const float *eps, int B, int L)
{
    const float inv_b = 1.0f / (float)B;
    for (int b = 0; b < B; b++) {
        const float *mu = h + (size_t)b * 2 * L, *lv = mu + L;
        float *dmu = dh + (size_t)b * 2 * L, *dlv = dmu + L;
        const float *g = dz + (size_t)b * L, *e = eps + (size_t)b * L;
        for (int j = 0; j < L; j++) {
            float sd = expf(0.5f * lv[j]);
            dmu[j] = g[j] + mu[j] * inv_b;
            dlv[j] = g[j] * e[j] * 0.5f * sd + 0.5f * (sd * sd - 1.0f) * inv_b;
        }
    }
}
