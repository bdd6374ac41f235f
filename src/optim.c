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

struct rx_optim {
    rx_optim_config cfg;
    size_t n;
    const float *mask;  /* the model's decay mask, or NULL for all */
    float *buf;         /* sgd: momentum buffer (n) */
    float *m, *v;       /* adam: first and second moments (n each) */
    long t;             /* steps taken (adam's bias correction) */
    int buf_init;       /* sgd: buffer holds a value (torch: buf is not None) */
    size_t bytes;       /* size of the arena this struct heads */
};

/* The struct and its state share one arena: header, then the floats. */
#define RX_OPTIM_HEAD (((sizeof(rx_optim)) + 63) & ~(size_t)63)

int rx_optim_create(rx_optim **out, const rx_optim_config *cfg, size_t n,
                    const float *decay_mask, rx_err *err)
{
    *out = NULL;
    if (cfg->kind != RX_OPT_SGD && cfg->kind != RX_OPT_ADAM && cfg->kind != RX_OPT_ADAMW)
        return rx_errf(err, RX_EINVAL, "unknown optimizer kind %d", (int)cfg->kind);
    if (cfg->kind == RX_OPT_SGD && cfg->nesterov && (cfg->momentum <= 0 || cfg->dampening != 0))
        return rx_errf(err, RX_EINVAL,
                       "nesterov momentum needs 'momentum' > 0 and 'dampening' = 0, got %g and %g",
                       cfg->momentum, cfg->dampening);
    if (cfg->kind != RX_OPT_SGD && !(cfg->beta2 >= 0 && cfg->beta2 < 1))
        return rx_errf(err, RX_EINVAL, "'beta2' must be in [0, 1), got %g", cfg->beta2);
    if (cfg->kind != RX_OPT_SGD && !(cfg->beta1 >= 0 && cfg->beta1 < 1))
        return rx_errf(err, RX_EINVAL, "'beta1' must be in [0, 1), got %g", cfg->beta1);
    /* SGD always gets a buffer: a schedule may cycle the momentum of a
     * run configured without it, and torch then starts a buffer too. */
    size_t nstate = cfg->kind == RX_OPT_SGD ? n : 2 * n;
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
    if (cfg->kind == RX_OPT_SGD) {
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
    size_t nstate = o->cfg.kind == RX_OPT_SGD ? o->n : 2 * o->n;
    memset((char *)o + RX_OPTIM_HEAD, 0, nstate * sizeof(float));
    o->t = 0;
    o->buf_init = 0;
}

/* Global L2 norm of g (n): eight partial sums so the adds pipeline, in a
 * fixed order so the result is deterministic. */
static double global_norm(const float *g, size_t n)
{
    double s[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++)
            s[k] += (double)g[i + k] * g[i + k];
    for (; i < n; i++)
        s[0] += (double)g[i] * g[i];
    return sqrt(((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])));
}

// params, grads, buf are (n); mask is (n) or NULL
static void sgd_step(rx_optim *o, float *restrict p, const float *restrict g,
                     double lr, double momentum)
{
    const rx_optim_config *c = &o->cfg;
    const float *restrict mask = o->mask;
    float *restrict buf = o->buf;
    const float wd = (float)c->weight_decay, m = (float)momentum;
    const float damp = (float)(1.0 - c->dampening), nlr = (float)-lr;
    const size_t n = o->n;
    if (momentum == 0) {
        for (size_t i = 0; i < n; i++) {
            float d = g[i];
            if (wd != 0 && (!mask || mask[i] != 0))
                d += wd * p[i];
            p[i] += nlr * d;
        }
        return;
    }
    /* torch: the first step with momentum copies the gradient into buf */
    int first = !o->buf_init;
    o->buf_init = 1;
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

// params, grads, m, v are (n); mask is (n) or NULL
static void adam_step(rx_optim *o, float *restrict p, const float *restrict g,
                      double lr, double beta1)
{
    const rx_optim_config *c = &o->cfg;
    const float *restrict mask = o->mask;
    float *restrict m = o->m, *restrict v = o->v;
    const size_t n = o->n;
    o->t++;
    double bc1 = 1.0 - pow(beta1, (double)o->t);
    double bc2 = 1.0 - pow(c->beta2, (double)o->t);
    const float b1 = (float)beta1, a1 = (float)(1.0 - beta1);
    const float b2 = (float)c->beta2, a2 = (float)(1.0 - c->beta2);
    const float nstep = (float)-(lr / bc1), bc2s = (float)sqrt(bc2);
    const float eps = (float)c->eps, wd = (float)c->weight_decay;
    const int adamw = c->kind == RX_OPT_ADAMW;
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

double rx_optim_step(rx_optim *o, float *params, float *grads, double lr,
                     double momentum)
{
    double norm = global_norm(grads, o->n);
    if (o->cfg.clip_norm > 0) {
        /* torch.nn.utils.clip_grad_norm_: coef = max/(norm+1e-6), at most 1 */
        double coef = o->cfg.clip_norm / (norm + 1e-6);
        if (coef < 1) {
            float cf = (float)coef;
            for (size_t i = 0; i < o->n; i++)
                grads[i] *= cf;
        }
    }
    if (o->cfg.kind == RX_OPT_SGD)
        sgd_step(o, params, grads, lr, momentum);
    else
        adam_step(o, params, grads, lr, momentum);
    return norm;
}
