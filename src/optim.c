/*
 * optim.c: SGD (momentum, Nesterov, L2), Adam and AdamW over one flat
 * parameter vector, following torch.optim's update rules operation for
 * operation (float32 state, scalars rounded to float as torch does), so
 * that fixtures written by PyTorch match to float rounding.
 */
#include "rx_optim.h"


/* The update loops are the only per-parameter work of a training step
 * outside the matrix products: the Makefile builds this file with -O3
 * -fno-math-errno so that they vectorize (sqrtf's errno blocks it).  IEEE
 * semantics are unchanged (no fast-math): same results, about 5x faster. */

#include <math.h>
#include <stdint.h>
#include <string.h>
#if RX_AVX2_KERNELS
#include <immintrin.h>
#endif

/* The gradient norm: the vector is cut into blocks of RX_BLOCK elements;
 * in each, lane k (of RX_LANES) sums in float the squares of the elements
 * whose index is k modulo RX_LANES, in order; each block's lane sums are
 * then added in double to the run's lanes, which are combined as a fixed
 * tree.  Sixteen independent chains hide the add latency, and float
 * squares keep conversions to double out of the inner loop (they doubled
 * the cost of the fused update); a float lane sums only eight squares, so
 * the norm stays within about 1e-7 of the exact one.  The portable and
 * AVX2 kernels sum the same way and report the same bits. */
#define RX_LANES 16
#define RX_BLOCK 128

struct rx_optim {
    rx_optim_config cfg;
    size_t n;
    const float *mask;  /* the model's decay mask, or NULL for all */
    float *buf;         /* sgd: momentum buffer (n) */
    float *m, *v;       /* adam: first and second moments (n each) */
    long t;             /* steps taken (adam's bias correction) */
    int buf_init;       /* sgd: buffer holds a value (torch: buf is not None) */
    size_t bytes;       /* size of the arena this struct heads */
    /* the step in progress, set by step_begin */
    double lr, mom;     /* this step's lr and momentum (adam: beta1) */
    int first;          /* sgd: buf = g this step (torch's first step) */
    double bc1, bc2;    /* adam: bias corrections for this step */
    double lanes[RX_LANES];  /* the gradient norm's partial sums */
};

/* The struct and its state share one arena: header, then the floats. */
#define RX_OPTIM_HEAD (((sizeof(rx_optim)) + 63) & ~(size_t)63)

int rx_optim_create(rx_optim **out, const rx_optim_config *cfg, size_t n,
                    const float *decay_mask, rx_err *err)
{
    *out = NULL;
    if (cfg->kind != RX_OPTIM_SGD && cfg->kind != RX_OPTIM_ADAM && cfg->kind != RX_OPTIM_ADAMW)
        return rx_errf(err, RX_EINVAL, "unknown optimizer kind %d", (int)cfg->kind);
    if (cfg->kind == RX_OPTIM_SGD && cfg->nesterov && (cfg->momentum <= 0 || cfg->dampening != 0))
        return rx_errf(err, RX_EINVAL,
                       "nesterov momentum needs 'momentum' > 0 and 'dampening' = 0, got %g and %g",
                       cfg->momentum, cfg->dampening);
    if (cfg->kind != RX_OPTIM_SGD && !(cfg->beta2 >= 0 && cfg->beta2 < 1))
        return rx_errf(err, RX_EINVAL, "'beta2' must be in [0, 1), got %g", cfg->beta2);
    if (cfg->kind != RX_OPTIM_SGD && !(cfg->beta1 >= 0 && cfg->beta1 < 1))
        return rx_errf(err, RX_EINVAL, "'beta1' must be in [0, 1), got %g", cfg->beta1);
    /* SGD always gets a buffer: a schedule may cycle the momentum of a
     * run configured without it, and torch then starts a buffer too. */
    size_t nstate = cfg->kind == RX_OPTIM_SGD ? n : 2 * n;
    if (n > (SIZE_MAX - RX_OPTIM_HEAD) / sizeof(float) / 2)
        return rx_errf(err, RX_ENOMEM, "optimizer state for %zu parameters is too large", n);
    size_t bytes = RX_OPTIM_HEAD + nstate * sizeof(float);
    char *arena = rx_arena_alloc(bytes);
    if (!arena)
        return rx_errf(err, RX_ENOMEM, "out of memory allocating optimizer state (%zu bytes)", bytes);
    rx_optim *o = (rx_optim *)arena;
    o->cfg = *cfg;
    o->n = n;
    o->mask = decay_mask;
    o->bytes = bytes;
    float *state = (float *)(arena + RX_OPTIM_HEAD);
    if (cfg->kind == RX_OPTIM_SGD) {
        o->buf = state;
    } else {
        o->m = state;
        o->v = state + n;
    }
    *out = o;
    return RX_OK;
}

void rx_optim_free(rx_optim *o)
{
    if (o)
        rx_arena_free(o, o->bytes);
}

void rx_optim_reset(rx_optim *o)
{
    size_t nstate = o->cfg.kind == RX_OPTIM_SGD ? o->n : 2 * o->n;
    memset((char *)o + RX_OPTIM_HEAD, 0, nstate * sizeof(float));
    o->t = 0;
    o->buf_init = 0;
}

static double lanes_total(const double s[RX_LANES])
{
    double t[RX_LANES / 2];
    for (int k = 0; k < RX_LANES / 2; k++)
        t[k] = s[2 * k] + s[2 * k + 1];
    double u0 = (t[0] + t[1]) + (t[2] + t[3]), u1 = (t[4] + t[5]) + (t[6] + t[7]);
    return sqrt(u0 + u1);
}

/* Adds one block's float lane sums into the run's lanes. */
static void block_done(double *restrict s, const float *restrict f)
{
    for (int k = 0; k < RX_LANES; k++)
        s[k] += (double)f[k];
}

/* Adds the squares of g (n) into the lanes. */
RX_VECTOR_CLONES
static void norm_accum(double *restrict s, const float *restrict g, size_t n)
{
    for (size_t b = 0; b < n; b += RX_BLOCK) {
        size_t end = n - b < RX_BLOCK ? n : b + RX_BLOCK;
        float f[RX_LANES] = {0};
        for (size_t i = b; i < end; i++)
            f[i % RX_LANES] += g[i] * g[i];
        block_done(s, f);
    }
}

/* SGD, every case: plain, momentum, first step, Nesterov, dampening, L2
 * through the mask. */
RX_VECTOR_CLONES
static void sgd_update(rx_optim *o, float *restrict p, const float *restrict g)
{
    const rx_optim_config *c = &o->cfg;
    const float *restrict mask = o->mask;
    float *restrict buf = o->buf;
    const float wd = (float)c->weight_decay, m = (float)o->mom;
    const float damp = (float)(1.0 - c->dampening), nlr = (float)-o->lr;
    const size_t n = o->n;
    if (o->mom == 0) {
        for (size_t i = 0; i < n; i++) {
            float d = g[i];
            if (wd != 0 && (!mask || mask[i] != 0))
                d += wd * p[i];
            p[i] += nlr * d;
        }
        return;
    }
    const int first = o->first;
    for (size_t i = 0; i < n; i++) {
        float d = g[i];
        if (wd != 0 && (!mask || mask[i] != 0))
            d += wd * p[i];
        float b = first ? d : m * buf[i] + damp * d;
        buf[i] = b;
        d = c->nesterov ? d + m * b : b;
        p[i] += nlr * d;
    }
}

/* Adam and AdamW. */
RX_VECTOR_CLONES
static void adam_update(rx_optim *o, float *restrict p, const float *restrict g)
{
    const rx_optim_config *c = &o->cfg;
    const float *restrict mask = o->mask;
    float *restrict m = o->m, *restrict v = o->v;
    const size_t n = o->n;
    const double beta1 = o->mom, lr = o->lr;
    const float b1 = (float)beta1, a1 = (float)(1.0 - beta1);
    const float b2 = (float)c->beta2, a2 = (float)(1.0 - c->beta2);
    const float nstep = (float)-(lr / o->bc1), bc2s = (float)sqrt(o->bc2);
    const float eps = (float)c->eps, wd = (float)c->weight_decay;
    const int adamw = c->kind == RX_OPTIM_ADAMW;
    /* adam adds wd*p to the gradient (L2); adamw scales p by 1 - lr*wd
     * (torch rounds that factor once).  Both only where the mask decays;
     * written as selects so that the loop has no branches. */
    const float l2 = adamw ? 0.0f : wd;
    const float keep = adamw ? (float)(1.0 - lr * c->weight_decay) : 1.0f;
    for (size_t i = 0; i < n; i++) {
        int decay = !mask || mask[i] != 0.0f;
        float pi = p[i] * (decay ? keep : 1.0f);
        float d = g[i] + (decay ? l2 : 0.0f) * pi;
        float mi = b1 * m[i] + a1 * d;
        float vi = b2 * v[i] + a2 * d * d;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi + nstep * (mi / (sqrtf(vi) / bc2s + eps));
    }
}

/* The hot case (SGD with heavy-ball momentum, past its first step) fused
 * with the gradient norm: one pass instead of two.  Its scalars, and one
 * element exactly as sgd_update and norm_accum compute it. */
typedef struct fused_k {
    const float *mask;  /* without weight decay the mask is not read at all:
                           one array less to stream through the cache */
    float *buf, wd, m, damp, nlr;
    float *f;           /* the current block's lane sums */
    int clear;          /* leave g zero (rx_optim_step_clear) */
} fused_k;

static fused_k fused_setup(rx_optim *o, float *f, int clear)
{
    return (fused_k){o->cfg.weight_decay != 0 ? o->mask : NULL, o->buf,
                     (float)o->cfg.weight_decay, (float)o->mom,
                     (float)(1.0 - o->cfg.dampening), (float)-o->lr, f, clear};
}

static inline void fused_one(const fused_k *k, float *p, float *g, size_t i)
{
    float gi = g[i];
    if (k->clear)
        g[i] = 0.0f;
    k->f[i % RX_LANES] += gi * gi;
    float d = k->wd != 0.0f ? gi + ((!k->mask || k->mask[i] != 0.0f) ? k->wd : 0.0f) * p[i] : gi;
    float bk = k->m * k->buf[i] + k->damp * d;
    k->buf[i] = bk;
    p[i] += k->nlr * bk;
}

/* The portable version, and the reference the AVX2 kernel below must
 * match bit for bit. */
static void sgd_fused_c(rx_optim *o, float *p, float *g, int clear)
{
    float f[RX_LANES];
    fused_k k = fused_setup(o, f, clear);
    for (size_t b = 0; b < o->n; b += RX_BLOCK) {
        size_t end = o->n - b < RX_BLOCK ? o->n : b + RX_BLOCK;
        memset(f, 0, sizeof f);
        for (size_t i = b; i < end; i++)
            fused_one(&k, p, g, i);
        block_done(o->lanes, f);
    }
}

#if RX_AVX2_KERNELS
/* sgd_fused_c, sixteen parameters per iteration: the two float
 * accumulators hold lanes 0-15 of a block, and every float operation is
 * the same multiply or add, unfused, so the results are bit-identical.
 * It streams p, g and buf once: about 10% of an MLP step while this
 * update ran scalar (the vectoriser gave up on it), 3.6% now. */
RX_TARGET_AVX2
static void sgd_fused_avx2(rx_optim *o, float *restrict p, float *restrict g, int clear)
{
    float f[RX_LANES];
    fused_k k = fused_setup(o, f, clear);
    const float *restrict mask = k.mask;
    float *restrict buf = k.buf;
    const __m256 vm = _mm256_set1_ps(k.m), vdamp = _mm256_set1_ps(k.damp);
    const __m256 vnlr = _mm256_set1_ps(k.nlr), vwd = _mm256_set1_ps(k.wd);
    const __m256 zero = _mm256_setzero_ps();
    size_t b = 0, n = o->n;
    for (; b + RX_BLOCK <= n; b += RX_BLOCK) {
        __m256 acc[2] = {zero, zero}; /* lanes 0-7 and 8-15 of this block */
        for (size_t i = b; i < b + RX_BLOCK; i += RX_LANES)
            for (int h = 0; h < 2; h++) {
                size_t j = i + 8 * (size_t)h;
                __m256 gv = _mm256_loadu_ps(g + j);
                if (clear) /* the line is in L1 now: clearing it here is cheap */
                    _mm256_storeu_ps(g + j, zero);
                acc[h] = _mm256_add_ps(acc[h], _mm256_mul_ps(gv, gv));
                __m256 pv = _mm256_loadu_ps(p + j), d = gv;
                if (k.wd != 0.0f) {
                    __m256 w = vwd;
                    if (mask)
                        w = _mm256_blendv_ps(zero, vwd,
                                             _mm256_cmp_ps(_mm256_loadu_ps(mask + j), zero, _CMP_NEQ_UQ));
                    d = _mm256_add_ps(gv, _mm256_mul_ps(w, pv));
                }
                /* damp * d is d when damp is 1 (no dampening, the usual case) */
                if (k.damp != 1.0f)
                    d = _mm256_mul_ps(vdamp, d);
                __m256 bv = _mm256_add_ps(_mm256_mul_ps(vm, _mm256_loadu_ps(buf + j)), d);
                _mm256_storeu_ps(buf + j, bv);
                _mm256_storeu_ps(p + j, _mm256_add_ps(pv, _mm256_mul_ps(vnlr, bv)));
            }
        _mm256_storeu_ps(f, acc[0]);
        _mm256_storeu_ps(f + 8, acc[1]);
        block_done(o->lanes, f);
    }
    if (b < n) { /* the last, partial block */
        memset(f, 0, sizeof f);
        for (size_t i = b; i < n; i++)
            fused_one(&k, p, g, i);
        block_done(o->lanes, f);
    }
}
#endif

/* Sets this step's scalars and clears the norm's lanes. */
static void step_begin(rx_optim *o, double lr, double momentum)
{
    o->lr = lr;
    o->mom = momentum;
    memset(o->lanes, 0, sizeof o->lanes);
    if (o->cfg.kind == RX_OPTIM_SGD) {
        /* torch: the first step with momentum copies the gradient into buf */
        o->first = momentum != 0 && !o->buf_init;
        if (momentum != 0)
            o->buf_init = 1;
    } else {
        o->t++;
        o->bc1 = 1.0 - pow(momentum, (double)o->t);
        o->bc2 = 1.0 - pow(o->cfg.beta2, (double)o->t);
    }
}

/* The update without the norm. */
static void update_only(rx_optim *o, float *params, const float *grads)
{
    if (o->cfg.kind == RX_OPTIM_SGD)
        sgd_update(o, params, grads);
    else
        adam_update(o, params, grads);
}

/* The update and the norm's lanes, fused where it pays; clear leaves
 * grads zero. */
static void update_with_norm(rx_optim *o, float *params, float *grads, int clear)
{
    if (o->cfg.kind == RX_OPTIM_SGD && o->mom != 0 && !o->cfg.nesterov && !o->first) {
#if RX_AVX2_KERNELS
        if (rx_cpu_avx2()) {
            sgd_fused_avx2(o, params, grads, clear);
            return;
        }
#endif
        sgd_fused_c(o, params, grads, clear);
        return;
    }
    norm_accum(o->lanes, grads, o->n);
    update_only(o, params, grads);
    if (clear)
        memset(grads, 0, o->n * sizeof *grads);
}

static double step(rx_optim *o, float *params, float *grads, double lr,
                   double momentum, int clear)
{
    step_begin(o, lr, momentum);
    if (!(o->cfg.clip_norm > 0)) {
        update_with_norm(o, params, grads, clear);
        return lanes_total(o->lanes);
    }
    /* clipping scales every gradient by the global norm first */
    norm_accum(o->lanes, grads, o->n);
    double norm = lanes_total(o->lanes);
    /* torch.nn.utils.clip_grad_norm_: coef = max/(norm+1e-6), at most 1 */
    double coef = o->cfg.clip_norm / (norm + 1e-6);
    if (coef < 1) {
        float cf = (float)coef;
        for (size_t i = 0; i < o->n; i++)
            grads[i] *= cf;
    }
    update_only(o, params, grads);
    if (clear)
        memset(grads, 0, o->n * sizeof *grads);
    return norm;
}

double rx_optim_step(rx_optim *o, float *params, float *grads, double lr,
                     double momentum)
{
    return step(o, params, grads, lr, momentum, 0);
}

double rx_optim_step_clear(rx_optim *o, float *params, float *grads, double lr,
                           double momentum)
{
    return step(o, params, grads, lr, momentum, 1);
}
