/*
 * optim.c: SGD (momentum, Nesterov, L2), Adam and AdamW over one flat
 * parameter vector, following torch.optim's update rules operation for
 * operation (float32 state, scalars rounded to float as torch does), so
 * that fixtures written by PyTorch match to float rounding.
 *
 * The optimizers are rows of one table (below the state's struct): its
 * state floats per parameter, its checks, its per-step scalars, its update,
 * an optional update fused with the gradient norm, and what its keys mean.
 * The step itself (norm, clipping, clearing) is shared.
 */
#include "rx_optim.h"


/* The update loops are the only per-parameter work of a training step
 * outside the matrix products: the Makefile builds this file with -O3
 * -fno-math-errno so that they vectorize (sqrtf's errno blocks it).  IEEE
 * semantics are unchanged (no fast-math): same results, about 5x faster. */

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

#define RX_OPTIM_MAX_STATE 2  /* state floats per parameter, at most */

struct rx_optim {
    rx_optim_config cfg;
    const struct optim_row *row;  /* the kind's row of the table */
    size_t n;
    const float *mask;  /* the model's decay mask, or NULL for all */
    float *state[RX_OPTIM_MAX_STATE];  /* row->n_state vectors of n floats:
                           sgd's momentum buffer; adam's moments m, v */
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

/* One row per optimizer, indexed by its kind (rx_optim_names holds the
 * names): adding an optimizer is its kind, its name, a row and its
 * functions.  The functions are defined below the table. */
typedef struct optim_row {
    int n_state;     /* floats of state per parameter */
    size_t mom_off;  /* its momentum in rx_optim_config: what schedules cycle */
    /* Checks the keys it reads; names the key at fault in *key. */
    int (*check)(const rx_optim_config *c, const char **key, rx_err *err);
    void (*begin)(rx_optim *o);   /* this step's scalars (o->lr, o->mom set) */
    /* One update of p from g, every case; no norm. */
    void (*update)(rx_optim *o, float *restrict p, const float *restrict g);
    /* The update fused with the gradient norm's lanes (and with clearing g
     * when clear is set), in one pass; returns 0, doing nothing, when this
     * step needs the plain path.  NULL: never. */
    int (*fused)(rx_optim *o, float *p, float *g, int clear);
    /* The optimizer.* keys it reads beyond lr and clip_norm, each with
     * what it means here (rx_optim_key_doc) and its default here when the
     * key table's is not this optimizer's (rx_optim_key_default; NULL:
     * the table's).  A default here must not change the run keys of
     * configurations that exist: give it only to a new optimizer. */
    struct { const char *key, *doc, *def; } keys[6];
} optim_row;

static int sgd_check(const rx_optim_config *c, const char **key, rx_err *err);
static int adam_check(const rx_optim_config *c, const char **key, rx_err *err);
static void sgd_begin(rx_optim *o);
static void adam_begin(rx_optim *o);
static void sgd_update(rx_optim *o, float *restrict p, const float *restrict g);
static void adam_update(rx_optim *o, float *restrict p, const float *restrict g);
static void adamw_update(rx_optim *o, float *restrict p, const float *restrict g);
static int sgd_fused(rx_optim *o, float *p, float *g, int clear);
static void lion_update(rx_optim *o, float *restrict p, const float *restrict g);

#define MOM(f) offsetof(rx_optim_config, f)
static const optim_row rows[RX_OPTIM_COUNT] = {
    [RX_OPTIM_SGD] = {1, MOM(momentum), sgd_check, sgd_begin, sgd_update, sgd_fused,
                      {{"momentum", "momentum (PyTorch's convention); 0: plain SGD", NULL},
                       {"nesterov", "Nesterov momentum", NULL},
                       {"dampening", "momentum dampening", NULL},
                       {"weight_decay", "L2, added to the gradient", NULL}}},
    [RX_OPTIM_ADAM] = {2, MOM(beta1), adam_check, adam_begin, adam_update, NULL,
                       {{"beta1", "first moment decay", NULL},
                        {"beta2", "second moment decay", NULL},
                        {"eps", "denominator epsilon", NULL},
                        {"weight_decay", "L2, added to the gradient", NULL}}},
    [RX_OPTIM_ADAMW] = {2, MOM(beta1), adam_check, adam_begin, adamw_update, NULL,
                        {{"beta1", "first moment decay", NULL},
                         {"beta2", "second moment decay", NULL},
                         {"eps", "denominator epsilon", NULL},
                         {"weight_decay", "decoupled: the parameters shrink by lr*weight_decay", NULL}}},
    [RX_OPTIM_LION] = {1, MOM(beta1), adam_check, NULL, lion_update, NULL,
                       {{"beta1", "the update is sign(beta1*m + (1-beta1)*g)", NULL},
                        {"beta2", "momentum decay, m = beta2*m + (1-beta2)*g", "0.99"},
                        {"weight_decay", "decoupled: the parameters shrink by lr*weight_decay", NULL}}},
};

const char *const rx_optim_names[RX_OPTIM_COUNT + 1] = {
    [RX_OPTIM_SGD] = "sgd",
    [RX_OPTIM_ADAM] = "adam",
    [RX_OPTIM_ADAMW] = "adamw",
    [RX_OPTIM_LION] = "lion",
};

int rx_optim_check(const rx_optim_config *c, const char **key, rx_err *err)
{
    if (key)
        *key = NULL;
    if ((unsigned)c->kind >= RX_OPTIM_COUNT || !rows[c->kind].update)
        return rx_errf(err, RX_EINVAL, "unknown optimizer kind %d", (int)c->kind);
    const char *k = NULL;
    int rc = rows[c->kind].check(c, &k, err);
    if (rc && key)
        *key = k;
    return rc;
}

double rx_optim_momentum(const rx_optim_config *c)
{
    return *(const double *)((const char *)c + rows[c->kind].mom_off);
}

int rx_optim_key_doc(const char *key, char *buf, size_t size)
{
    size_t k = 0;
    int done[RX_OPTIM_COUNT] = {0};
    if (size)
        buf[0] = '\0';
    /* optimizers that give a key the same meaning share one clause:
     * "adam, adamw: first moment decay" */
    for (int i = 0; i < RX_OPTIM_COUNT; i++) {
        const char *doc = NULL;
        for (int j = 0; !done[i] && j < 6 && rows[i].keys[j].key && !doc; j++)
            if (strcmp(rows[i].keys[j].key, key) == 0)
                doc = rows[i].keys[j].doc;
        if (!doc)
            continue;
        for (int i2 = i; i2 < RX_OPTIM_COUNT; i2++)
            for (int j = 0; !done[i2] && j < 6 && rows[i2].keys[j].key; j++)
                if (strcmp(rows[i2].keys[j].key, key) == 0 && strcmp(rows[i2].keys[j].doc, doc) == 0) {
                    done[i2] = 1;
                    k += (size_t)snprintf(buf + (k < size ? k : size), k < size ? size - k : 0,
                                          "%s%s", i2 == i ? (k ? "; " : "") : ", ",
                                          rx_optim_names[i2]);
                }
        k += (size_t)snprintf(buf + (k < size ? k : size), k < size ? size - k : 0, ": %s", doc);
    }
    return (int)k;
}

const char *rx_optim_key_default(int kind, int i, const char **key)
{
    if ((unsigned)kind >= RX_OPTIM_COUNT)
        return NULL;
    for (int j = 0; j < 6 && rows[kind].keys[j].key; j++)
        if (rows[kind].keys[j].def && i-- == 0) {
            *key = rows[kind].keys[j].key;
            return rows[kind].keys[j].def;
        }
    return NULL;
}

int rx_optim_default_doc(const char *key, char *buf, size_t size)
{
    size_t k = 0;
    if (size)
        buf[0] = '\0';
    for (int i = 0; i < RX_OPTIM_COUNT; i++)
        for (int j = 0; j < 6 && rows[i].keys[j].key; j++)
            if (rows[i].keys[j].def && strcmp(rows[i].keys[j].key, key) == 0)
                k += (size_t)snprintf(buf + (k < size ? k : size), k < size ? size - k : 0,
                                      "%s%s: %s", k ? ", " : "", rx_optim_names[i],
                                      rows[i].keys[j].def);
    return (int)k;
}

int rx_optim_create(rx_optim **out, const rx_optim_config *cfg, size_t n,
                    const float *decay_mask, rx_err *err)
{
    *out = NULL;
    int rc = rx_optim_check(cfg, NULL, err);
    if (rc)
        return rc;
    const optim_row *row = &rows[cfg->kind];
    /* SGD always gets a buffer: a schedule may cycle the momentum of a
     * run configured without it, and torch then starts a buffer too. */
    if (n > (SIZE_MAX - RX_OPTIM_HEAD) / sizeof(float) / RX_OPTIM_MAX_STATE)
        return rx_errf(err, RX_ENOMEM, "optimizer state for %zu parameters is too large", n);
    size_t bytes = RX_OPTIM_HEAD + (size_t)row->n_state * n * sizeof(float);
    char *arena = rx_arena_alloc(bytes);
    if (!arena)
        return rx_errf(err, RX_ENOMEM, "out of memory allocating optimizer state (%zu bytes)", bytes);
    rx_optim *o = (rx_optim *)arena;
    o->cfg = *cfg;
    o->row = row;
    o->n = n;
    o->mask = decay_mask;
    o->bytes = bytes;
    float *state = (float *)(arena + RX_OPTIM_HEAD);
    for (int k = 0; k < row->n_state; k++)
        o->state[k] = state + (size_t)k * n;
    *out = o;
    return RX_OK;
}

void rx_optim_free(rx_optim *o)
{
    if (o)
        rx_arena_free(o, o->bytes);
}

void rx_optim_state(rx_optim *o, float **floats, size_t *n_floats, long **steps,
                    int **buf_init)
{
    *floats = (float *)((char *)o + RX_OPTIM_HEAD);
    *n_floats = (o->bytes - RX_OPTIM_HEAD) / sizeof(float);
    *steps = &o->t;
    *buf_init = &o->buf_init;
}

void rx_optim_reset(rx_optim *o)
{
    memset((char *)o + RX_OPTIM_HEAD, 0, o->bytes - RX_OPTIM_HEAD);
    o->t = 0;
    o->buf_init = 0;
}

/* The nesterov key belongs to sgd (and to momentum > 0, dampening 0). */
static int no_nesterov(const char **key, rx_err *err)
{
    *key = "optimizer.nesterov";
    return rx_errf(err, RX_EINVAL,
                   "'optimizer.nesterov' needs sgd with momentum > 0 and dampening 0");
}

static int sgd_check(const rx_optim_config *c, const char **key, rx_err *err)
{
    if (c->nesterov && (c->momentum <= 0 || c->dampening != 0))
        return no_nesterov(key, err);
    return RX_OK;
}

/* Adam, AdamW and the like: two decay rates, no nesterov. */
static int adam_check(const rx_optim_config *c, const char **key, rx_err *err)
{
    if (c->nesterov)
        return no_nesterov(key, err);
    if (!(c->beta2 >= 0 && c->beta2 < 1)) {
        *key = "optimizer.beta2";
        return rx_errf(err, RX_EINVAL, "'beta2' must be in [0, 1), got %g", c->beta2);
    }
    if (!(c->beta1 >= 0 && c->beta1 < 1)) {
        *key = "optimizer.beta1";
        return rx_errf(err, RX_EINVAL, "'beta1' must be in [0, 1), got %g", c->beta1);
    }
    return RX_OK;
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
    float *restrict buf = o->state[0];
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

/* Adam and AdamW (decoupled set). */
static inline __attribute__((always_inline)) void
adam_kernel(rx_optim *o, float *restrict p, const float *restrict g, const int adamw)
{
    const rx_optim_config *c = &o->cfg;
    const float *restrict mask = o->mask;
    float *restrict m = o->state[0], *restrict v = o->state[1];
    const size_t n = o->n;
    const double beta1 = o->mom, lr = o->lr;
    const float b1 = (float)beta1, a1 = (float)(1.0 - beta1);
    const float b2 = (float)c->beta2, a2 = (float)(1.0 - c->beta2);
    const float nstep = (float)-(lr / o->bc1), bc2s = (float)sqrt(o->bc2);
    const float eps = (float)c->eps, wd = (float)c->weight_decay;
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

RX_VECTOR_CLONES
static void adam_update(rx_optim *o, float *restrict p, const float *restrict g)
{
    adam_kernel(o, p, g, 0);
}

RX_VECTOR_CLONES
static void adamw_update(rx_optim *o, float *restrict p, const float *restrict g)
{
    adam_kernel(o, p, g, 1);
}

/* Lion (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms"): c = b1*m + (1-b1)*g; p = p*(1 - lr*wd) - lr*sign(c);
 * m = b2*m + (1-b2)*g.  b1 is this step's momentum (schedules cycle it),
 * the decay is decoupled and, as AdamW's, only where the mask decays.
 * sign(0) is 0 and sign(NaN) NaN, as torch.sign. */
RX_VECTOR_CLONES
static void lion_update(rx_optim *o, float *restrict p, const float *restrict g)
{
    const float *restrict mask = o->mask;
    float *restrict m = o->state[0];
    const size_t n = o->n;
    const float b1 = (float)o->mom, a1 = (float)(1.0 - o->mom);
    const float b2 = (float)o->cfg.beta2, a2 = (float)(1.0 - o->cfg.beta2);
    const float nlr = (float)-o->lr, keep = (float)(1.0 - o->lr * o->cfg.weight_decay);
    for (size_t i = 0; i < n; i++) {
        float c = b1 * m[i] + a1 * g[i];
        float sign = c > 0.0f ? 1.0f : (c < 0.0f ? -1.0f : c);
        float pi = p[i] * ((!mask || mask[i] != 0.0f) ? keep : 1.0f);
        p[i] = pi + nlr * sign;
        m[i] = b2 * m[i] + a2 * g[i];
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
    return (fused_k){o->cfg.weight_decay != 0 ? o->mask : NULL, o->state[0],
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

/* SGD's step: torch's first step with momentum copies the gradient into
 * the buffer. */
static void sgd_begin(rx_optim *o)
{
    o->first = o->mom != 0 && !o->buf_init;
    if (o->mom != 0)
        o->buf_init = 1;
}

/* Adam's step: the bias corrections, with this step's beta1. */
static void adam_begin(rx_optim *o)
{
    o->t++;
    o->bc1 = 1.0 - pow(o->mom, (double)o->t);
    o->bc2 = 1.0 - pow(o->cfg.beta2, (double)o->t);
}

/* The fused kernel applies with heavy-ball momentum past its first step. */
static int sgd_fused(rx_optim *o, float *params, float *grads, int clear)
{
    if (o->mom == 0 || o->cfg.nesterov || o->first)
        return 0;
#if RX_AVX2_KERNELS
    if (rx_cpu_avx2()) {
        sgd_fused_avx2(o, params, grads, clear);
        return 1;
    }
#endif
    sgd_fused_c(o, params, grads, clear);
    return 1;
}

/* Sets this step's scalars and clears the norm's lanes. */
static void step_begin(rx_optim *o, double lr, double momentum)
{
    o->lr = lr;
    o->mom = momentum;
    memset(o->lanes, 0, sizeof o->lanes);
    if (o->row->begin)
        o->row->begin(o);
}

/* The update and the norm's lanes, fused where it pays; clear leaves
 * grads zero. */
static void update_with_norm(rx_optim *o, float *params, float *grads, int clear)
{
    if (o->row->fused && o->row->fused(o, params, grads, clear))
        return;
    norm_accum(o->lanes, grads, o->n);
    o->row->update(o, params, grads);
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
    o->row->update(o, params, grads);
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
