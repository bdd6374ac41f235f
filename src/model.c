/*
 * model.c: models as a list of layers over the ops of layers.c.
 *
 * A model is a flat list of layers (dense, conv, pool, dropout, reparam),
 * each dispatched through one table of forward/backward functions (KANN
 * style).  rx_model_create lays every layer's parameters out in one arena
 * (gradients in a second with the same layout) and every activation, its
 * gradient and per-layer scratch (pre-activations, dropout masks, pool
 * indices, eps) in a third sized for max_batch, plus one im2col scratch
 * shared by the conv layers.  Layer i's input gradient is layer i-1's
 * dout, so backward is one loop; the first layer skips it.
 */
#include "rx_model.h"
#include "rx_layers.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RX_MAX_LAYERS 64
/* the longest models: a cnn (conv+pool each, dense+dropout each, output)
 * and a vae (encoder, head, reparam, decoder, output) */
_Static_assert(RX_MAX_LAYERS >= 2 * RX_MAX_CONV + 2 * RX_MAX_HIDDEN + 1 &&
               RX_MAX_LAYERS >= 2 * RX_MAX_HIDDEN + 3, "RX_MAX_LAYERS");
/* im2col scratch to aim for, in floats (512 KB, an L2 cache): a conv
 * runs its batch through im2col+GEMM in chunks of samples whose columns
 * stay in cache between the write and the GEMM's read.  Measured on the
 * CI kind of machine, 8 MB chunks made small CNNs ~10% slower. */
#define RX_COL_TARGET ((size_t)1 << 17)
#define RX_NONE ((size_t)-1)

typedef enum rx_layer_kind {
    RX_L_DENSE, RX_L_CONV, RX_L_POOL, RX_L_DROPOUT, RX_L_REPARAM
} rx_layer_kind;

typedef struct rx_layer {
    rx_layer_kind kind;
    int act;                   /* dense, conv: an rx_act or RX_ACT_NONE */
    int in_size, out_size;     /* floats per sample */
    int h, w, c;               /* output shape per sample (NHWC) */
    rx_conv_geom g;            /* conv */
    int pool;                  /* pool: window = stride */
    int chunk;                 /* conv: samples per im2col */
    double p;                  /* dropout probability */
    size_t w_off, b_off, n_w, n_b;    /* into params/grads */
    int fan_in, fan_out;
    size_t out_off, dout_off, pre_off, aux_off;  /* into acts, or RX_NONE */
    float *out, *dout, *pre, *aux;    /* views resolved from the offsets */
    const float *inp;          /* this batch's input (set by forward) */
    const float *y;            /* this batch's output as the next layer sees
                                  it (eval-mode dropout passes inp through) */
} rx_layer;

struct rx_model {
    rx_model_config cfg;
    rx_shape in;
    int n_in, n_out, max_batch;
    rx_loss loss;
    int init_he;
    int n_layers;
    rx_layer layers[RX_MAX_LAYERS];
    size_t n_params, n_acts, n_col, n_xin;
    float *params, *grads, *decay, *acts, *col;
    float *xin;                /* in acts: NHWC input when c > 1, or NULL */
    double kl_sum;             /* the vae's KL over the current batch */
    const float *last_out;
    rx_rng fallback;           /* drawn from when a caller passes no rng */
    int grads_zero;            /* rx_model_grads_cleared: the next backward
                                  adds weight gradients into the zeros */
};

/* ---- layer table ---------------------------------------------------------- */

static void dense_fwd(rx_model *m, rx_layer *L, const float *inp, int B,
                      rx_rng *rng)
{
    rx_dense_forward(L->act, L->out, L->pre, inp, m->params + L->w_off,
                     m->params + L->b_off, B, L->in_size, L->out_size);
    L->y = L->out;
}

static void dense_bwd(rx_model *m, rx_layer *L, float *dinp, int B)
{
    rx_dense_backward(L->act, dinp, m->grads + L->w_off, m->grads + L->b_off,
                      L->dout, L->inp, m->params + L->w_off, L->pre, L->out,
                      B, L->in_size, L->out_size, m->grads_zero);
}

static void conv_fwd(rx_model *m, rx_layer *L, const float *inp, int B,
                     rx_rng *rng)
{
    rx_conv2d_forward(L->act, L->out, L->pre, m->col, L->chunk, inp,
                      m->params + L->w_off, m->params + L->b_off, B, &L->g);
    L->y = L->out;
}

static void conv_bwd(rx_model *m, rx_layer *L, float *dinp, int B)
{
    rx_conv2d_backward(L->act, dinp, m->grads + L->w_off, m->grads + L->b_off,
                       L->dout, m->col, L->chunk, L->inp, m->params + L->w_off,
                       L->pre, L->out, B, &L->g, m->grads_zero);
}

/* The pool's input shape is its predecessor's output shape. */
static void pool_fwd(rx_model *m, rx_layer *L, const float *inp, int B,
                     rx_rng *rng)
{
    const rx_layer *P = L - 1;
    rx_maxpool_forward(L->out, (int32_t *)L->aux, inp, B, P->h, P->w, P->c,
                       L->pool);
    L->y = L->out;
}

static void pool_bwd(rx_model *m, rx_layer *L, float *dinp, int B)
{
    const rx_layer *P = L - 1;
    if (dinp)
        rx_maxpool_backward(dinp, L->dout, (const int32_t *)L->aux, B, P->h,
                            P->w, P->c, L->pool);
}

static void dropout_fwd(rx_model *m, rx_layer *L, const float *inp, int B,
                        rx_rng *rng)
{
    size_t n = (size_t)B * L->out_size;
    if (!rng) { /* evaluation: identity, no copy */
        L->y = inp;
        return;
    }
    rx_dropout_mask(L->aux, n, L->p, rng);
    rx_dropout_forward(L->out, inp, L->aux, n);
    L->y = L->out;
}

static void dropout_bwd(rx_model *m, rx_layer *L, float *dinp, int B)
{
    if (dinp)
        rx_dropout_backward(dinp, L->dout, L->aux, (size_t)B * L->out_size);
}

static void reparam_fwd(rx_model *m, rx_layer *L, const float *inp, int B,
                        rx_rng *rng)
{
    size_t n = (size_t)B * L->out_size;
    if (rng)
        for (size_t i = 0; i < n; i++)
            L->aux[i] = (float)rx_rng_normal(rng);
    else /* evaluation: z = mu */
        memset(L->aux, 0, n * sizeof *L->aux);
    m->kl_sum = rx_reparam_forward(L->out, inp, L->aux, B, L->out_size);
    L->y = L->out;
}

static void reparam_bwd(rx_model *m, rx_layer *L, float *dinp, int B)
{
    if (dinp)
        rx_reparam_backward(dinp, L->dout, L->inp, L->aux, B, L->out_size);
}

/* forward gets rng == NULL in evaluation mode. */
static const struct rx_op {
    void (*forward)(rx_model *m, rx_layer *L, const float *inp, int B,
                    rx_rng *rng);
    void (*backward)(rx_model *m, rx_layer *L, float *dinp, int B);
} ops[] = {
    [RX_L_DENSE] = {dense_fwd, dense_bwd},
    [RX_L_CONV] = {conv_fwd, conv_bwd},
    [RX_L_POOL] = {pool_fwd, pool_bwd},
    [RX_L_DROPOUT] = {dropout_fwd, dropout_bwd},
    [RX_L_REPARAM] = {reparam_fwd, reparam_bwd},
};

/* ---- building ---------------------------------------------------------------- */

/* The model types' names, joined to rx_model_type by the index; the
 * builders below form the table of types (build). */
const char *const rx_model_names[RX_MODEL_COUNT + 1] = {
    [RX_MODEL_LINEAR] = "linear", [RX_MODEL_MLP] = "mlp", [RX_MODEL_CNN] = "cnn",
    [RX_MODEL_VAE] = "vae",
};

static const char *type_name(rx_model_type t)
{
    return (unsigned)t < RX_MODEL_COUNT ? rx_model_names[t] : "model";
}

static const char *act_name(int act)
{
    static const char *names[] = {"relu", "tanh", "gelu", "sigmoid"};
    return act >= 0 && act < 4 ? names[act] : "none";
}

/* Appends a layer fed by the previous one (or by the input). */
static rx_layer *add_layer(rx_model *m, rx_layer_kind kind, int h, int w,
                           int c)
{
    rx_layer *L = &m->layers[m->n_layers++];
    memset(L, 0, sizeof *L);
    L->kind = kind;
    L->act = RX_ACT_NONE;
    L->in_size = m->n_layers > 1 ? L[-1].out_size : m->n_in;
    L->h = h;
    L->w = w;
    L->c = c;
    L->out_size = h * w * c;
    return L;
}

static void add_dense(rx_model *m, int out, int act)
{
    rx_layer *L = add_layer(m, RX_L_DENSE, 1, 1, out);
    L->act = act;
    L->fan_in = L->in_size;
    L->fan_out = out;
    L->n_w = (size_t)out * L->in_size;
    L->n_b = (size_t)out;
}

static void add_dropout(rx_model *m, double p)
{
    if (p <= 0.0)
        return;
    const rx_layer *P = &m->layers[m->n_layers - 1];
    rx_layer *L = add_layer(m, RX_L_DROPOUT, P->h, P->w, P->c);
    L->p = p;
}

/* Hidden dense layers (activation, then dropout) of an mlp or cnn head. */
static void add_head(rx_model *m, const rx_model_config *cfg, int dropout)
{
    for (int i = 0; i < cfg->n_hidden; i++) {
        add_dense(m, cfg->hidden[i], (int)cfg->activation);
        if (dropout)
            add_dropout(m, cfg->dropout);
    }
}

static int add_convs(rx_model *m, const rx_model_config *cfg, rx_err *err)
{
    int h = m->in.h, w = m->in.w, c = m->in.c;
    for (int i = 0; i < cfg->n_conv; i++) {
        const rx_conv_config *cc = &cfg->conv[i];
        rx_conv_geom g;
        if (cc->channels < 1 || cc->kernel < 1 || cc->stride < 1 ||
            cc->padding < 0)
            return rx_errf(err, RX_EINVAL,
                           "cnn: conv %d: channels %d, kernel %d, stride %d "
                           "and padding %d must be >= 1, 1, 1 and 0",
                           i + 1, cc->channels, cc->kernel, cc->stride,
                           cc->padding);
        if (rx_conv_geom_init(&g, h, w, c, cc->channels, cc->kernel,
                              cc->stride, cc->padding) != 0)
            return rx_errf(err, RX_EINVAL,
                           "cnn: conv %d: kernel %d larger than padded "
                           "input %dx%d", i + 1, cc->kernel,
                           h + 2 * cc->padding, w + 2 * cc->padding);
        rx_layer *L = add_layer(m, RX_L_CONV, g.OH, g.OW, g.OC);
        L->g = g;
        L->act = (int)cfg->activation;
        L->fan_in = c * g.K * g.K;
        L->fan_out = g.OC * g.K * g.K;
        L->n_w = (size_t)g.OC * g.K * g.K * c;
        L->n_b = (size_t)g.OC;
        h = g.OH;
        w = g.OW;
        c = g.OC;
        if (cc->pool > 1) {
            if (cc->pool > h || cc->pool > w)
                return rx_errf(err, RX_EINVAL,
                               "cnn: conv %d: pool %d larger than its input "
                               "%dx%d", i + 1, cc->pool, h, w);
            h /= cc->pool;
            w /= cc->pool;
            L = add_layer(m, RX_L_POOL, h, w, c);
            L->pool = cc->pool;
        }
    }
    return RX_OK;
}

/* The model types: one builder each, indexed by rx_model_type. */
static int build_linear(rx_model *m, const rx_model_config *cfg, rx_err *err)
{
    add_dense(m, m->n_out, RX_ACT_NONE);
    return RX_OK;
}

static int build_mlp(rx_model *m, const rx_model_config *cfg, rx_err *err)
{
    add_head(m, cfg, 1);
    add_dense(m, m->n_out, RX_ACT_NONE);
    return RX_OK;
}

static int build_cnn(rx_model *m, const rx_model_config *cfg, rx_err *err)
{
    if (cfg->n_conv < 1)
        return rx_errf(err, RX_EINVAL, "cnn: needs at least one conv layer");
    int rc = add_convs(m, cfg, err);
    if (rc != RX_OK)
        return rc;
    add_head(m, cfg, 1);
    add_dense(m, m->n_out, RX_ACT_NONE);
    return RX_OK;
}

static int build_vae(rx_model *m, const rx_model_config *cfg, rx_err *err)
{
    int lat = cfg->latent > 0 ? cfg->latent : 2;
    add_head(m, cfg, 0);
    add_dense(m, 2 * lat, RX_ACT_NONE);         /* mu | logvar */
    add_layer(m, RX_L_REPARAM, 1, 1, lat);
    for (int i = cfg->n_hidden - 1; i >= 0; i--)
        add_dense(m, cfg->hidden[i], (int)cfg->activation);
    add_dense(m, m->n_in, RX_ACT_NONE);           /* logits */
    return RX_OK;
}

static int (*const builders[RX_MODEL_COUNT])(rx_model *, const rx_model_config *, rx_err *) = {
    [RX_MODEL_LINEAR] = build_linear, [RX_MODEL_MLP] = build_mlp,
    [RX_MODEL_CNN] = build_cnn, [RX_MODEL_VAE] = build_vae,
};

static int build(rx_model *m, const rx_model_config *cfg, rx_err *err)
{
    const char *tn = type_name(cfg->type);
    for (int i = 0; i < cfg->n_hidden; i++)
        if (cfg->hidden[i] < 1)
            return rx_errf(err, RX_EINVAL,
                           "%s: hidden width %d at position %d must be >= 1",
                           tn, cfg->hidden[i], i + 1);
    if ((unsigned)cfg->type >= RX_MODEL_COUNT)
        return rx_errf(err, RX_EINVAL, "unknown model type %d", (int)cfg->type);
    return builders[cfg->type](m, cfg, err);
}

/* Rounds a float count up to 16 (64 bytes): every view starts aligned. */
static size_t align16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

/* Assigns every layer's offsets; returns the arena sizes through m. */
static void layout(rx_model *m)
{
    size_t np = 0, na = 0, ncol = 0, B = (size_t)m->max_batch;
    for (int i = 0; i < m->n_layers; i++) {
        rx_layer *L = &m->layers[i];
        size_t n = align16(B * L->out_size);
        L->w_off = np;
        np += L->n_w;
        L->b_off = np;
        np += L->n_b;
        L->out_off = na;
        na += n;
        L->dout_off = na;
        na += n;
        L->pre_off = L->aux_off = RX_NONE;
        if ((L->kind == RX_L_DENSE || L->kind == RX_L_CONV) &&
            rx_act_needs_input(L->act)) {
            L->pre_off = na;
            na += n;
        }
        if (L->kind == RX_L_POOL || L->kind == RX_L_DROPOUT ||
            L->kind == RX_L_REPARAM) {
            L->aux_off = na; /* pool indices, dropout mask, eps */
            na += n;
        }
        if (L->kind == RX_L_CONV) {
            size_t per = rx_conv_col_size(&L->g);
            size_t chunk = per ? RX_COL_TARGET / per : B;
            chunk = chunk < 1 ? 1 : chunk > B ? B : chunk;
            L->chunk = (int)chunk;
            if (chunk * per > ncol)
                ncol = chunk * per;
        }
    }
    m->n_params = np;
    m->n_acts = na + m->n_xin; /* the NHWC copy of the input goes last */
    m->n_col = ncol;
}

static float *view(float *base, size_t off)
{
    return off == RX_NONE ? NULL : base + off;
}

static int allocate(rx_model *m, rx_err *err)
{
    struct { float **p; size_t n; const char *what; } a[] = {
        {&m->params, m->n_params, "parameters"},
        {&m->grads, m->n_params, "gradients"},
        {&m->decay, m->n_params, "decay mask"},
        {&m->acts, m->n_acts, "activations"},
        {&m->col, m->n_col, "im2col scratch"},
    };
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
        if (a[i].n == 0)
            continue;
        *a[i].p = rx_arena_alloc(a[i].n * sizeof(float));
        if (!*a[i].p)
            return rx_errf(err, RX_ENOMEM,
                           "cannot allocate %zu bytes for the model's %s",
                           a[i].n * sizeof(float), a[i].what);
    }
    for (size_t i = 0; i < m->n_params; i++)
        m->decay[i] = 1.0f;
    if (m->n_xin)
        m->xin = m->acts + (m->n_acts - m->n_xin);
    for (int i = 0; i < m->n_layers; i++) {
        rx_layer *L = &m->layers[i];
        L->out = view(m->acts, L->out_off);
        L->dout = view(m->acts, L->dout_off);
        L->pre = view(m->acts, L->pre_off);
        L->aux = view(m->acts, L->aux_off);
    }
    return RX_OK;
}

static int check_config(const rx_model_config *cfg, rx_shape in, int n_out,
                        int max_batch, rx_loss *loss, rx_err *err)
{
    const char *tn = type_name(cfg->type);
    if ((unsigned)cfg->type >= RX_MODEL_COUNT)
        return rx_errf(err, RX_EINVAL, "unknown model type %d", (int)cfg->type);
    if (in.c < 1 || in.h < 1 || in.w < 1)
        return rx_errf(err, RX_EINVAL, "%s: input shape %dx%dx%d must be "
                       "positive", tn, in.c, in.h, in.w);
    if (max_batch < 1)
        return rx_errf(err, RX_EINVAL, "%s: batch size %d must be >= 1", tn,
                       max_batch);
    if ((unsigned)cfg->activation > RX_ACT_SIGMOID)
        return rx_errf(err, RX_EINVAL, "%s: unknown activation %d", tn,
                       (int)cfg->activation);
    if ((unsigned)cfg->init > RX_INIT_XAVIER)
        return rx_errf(err, RX_EINVAL, "%s: unknown init %d", tn,
                       (int)cfg->init);
    if (!(cfg->dropout >= 0.0 && cfg->dropout < 1.0))
        return rx_errf(err, RX_EINVAL, "%s: dropout %g must be in [0, 1)", tn,
                       cfg->dropout);
    if (cfg->n_hidden < 0 || cfg->n_hidden > RX_MAX_HIDDEN)
        return rx_errf(err, RX_EINVAL, "%s: %d hidden layers (at most %d)",
                       tn, cfg->n_hidden, RX_MAX_HIDDEN);
    if (cfg->type == RX_MODEL_CNN &&
        (cfg->n_conv < 0 || cfg->n_conv > RX_MAX_CONV))
        return rx_errf(err, RX_EINVAL, "cnn: %d conv layers (at most %d)",
                       cfg->n_conv, RX_MAX_CONV);
    if (cfg->type == RX_MODEL_VAE && cfg->latent < 0)
        return rx_errf(err, RX_EINVAL, "vae: latent size %d must be >= 1",
                       cfg->latent);
    rx_loss l = cfg->loss;
    if (l == RX_LOSS_AUTO)
        l = cfg->type == RX_MODEL_VAE ? RX_LOSS_VAE : RX_LOSS_XENT;
    if ((unsigned)l > RX_LOSS_VAE)
        return rx_errf(err, RX_EINVAL, "%s: unknown loss %d", tn, (int)l);
    if ((l == RX_LOSS_VAE) != (cfg->type == RX_MODEL_VAE))
        return rx_errf(err, RX_EINVAL, "%s: loss '%s' needs model '%s'", tn,
                       l == RX_LOSS_VAE ? "vae" : l == RX_LOSS_MSE ? "mse" : "xent",
                       l == RX_LOSS_VAE ? "vae" : "linear, mlp or cnn");
    if (l == RX_LOSS_XENT && n_out < 2)
        return rx_errf(err, RX_EINVAL, "%s: cross-entropy needs at least 2 "
                       "classes, got %d", tn, n_out);
    if (l == RX_LOSS_MSE && n_out < 1)
        return rx_errf(err, RX_EINVAL, "%s: regression needs at least 1 "
                       "output, got %d", tn, n_out);
    *loss = l;
    return RX_OK;
}

rx_model_config rx_model_config_for(const rx_model_config *cfg, int regression)
{
    rx_model_config c = *cfg;
    if (regression && c.loss == RX_LOSS_AUTO && c.type != RX_MODEL_VAE)
        c.loss = RX_LOSS_MSE;
    return c;
}

/* A model's layers, without arenas: what rx_model_create and
 * rx_model_flops share.  On error *out is NULL. */
static int plan(rx_model **out, const rx_model_config *cfg, rx_shape in, int n_out,
                int max_batch, rx_err *err)
{
    rx_loss loss = RX_LOSS_AUTO;
    *out = NULL;
    int rc = check_config(cfg, in, n_out, max_batch, &loss, err);
    if (rc != RX_OK)
        return rc;
    rx_model *m = calloc(1, sizeof *m);
    if (!m)
        return rx_errf(err, RX_ENOMEM, "cannot allocate the model");
    m->cfg = *cfg;
    m->in = in;
    m->n_in = in.c * in.h * in.w;
    m->n_out = cfg->type == RX_MODEL_VAE ? m->n_in : n_out;
    m->max_batch = max_batch;
    m->loss = loss;
    m->init_he = cfg->init == RX_INIT_HE ||
                 (cfg->init == RX_INIT_AUTO && cfg->type != RX_MODEL_LINEAR &&
                  (cfg->activation == RX_ACT_RELU ||
                   cfg->activation == RX_ACT_GELU));
    rx_rng_seed(&m->fallback, 0);
    rc = build(m, cfg, err);
    if (rc == RX_OK) {
        /* pool indices are int32 offsets into a batch of the pool's input */
        for (int i = 0; i < m->n_layers; i++)
            if ((double)max_batch * m->layers[i].in_size > INT32_MAX)
                rc = rx_errf(err, RX_EINVAL, "%s: batch %d too large for "
                             "layer %d", type_name(cfg->type), max_batch, i + 1);
    }
    if (rc != RX_OK) {
        free(m);
        return rc;
    }
    *out = m;
    return RX_OK;
}

int rx_model_create(rx_model **out, const rx_model_config *cfg, rx_shape in,
                    int n_out, int max_batch, rx_err *err)
{
    rx_model *m;
    int rc = plan(&m, cfg, in, n_out, max_batch, err);
    *out = NULL;
    if (rc != RX_OK)
        return rc;
    if (cfg->type == RX_MODEL_CNN && in.c > 1)
        m->n_xin = (size_t)max_batch * m->n_in;
    layout(m);
    rc = allocate(m, err);
    if (rc != RX_OK) {
        rx_model_free(m);
        return rc;
    }
    *out = m;
    return RX_OK;
}

int rx_model_flops(const rx_model_config *cfg, rx_shape in, int n_out, double *flops,
                   rx_err *err)
{
    rx_model *m;
    *flops = 0;
    int rc = plan(&m, cfg, in, n_out, 1, err);
    if (rc != RX_OK)
        return rc;
    *flops = rx_model_flops_per_sample(m);
    free(m);
    return RX_OK;
}

void rx_model_free(rx_model *m)
{
    if (!m)
        return;
    rx_arena_free(m->params, m->n_params * sizeof(float));
    rx_arena_free(m->grads, m->n_params * sizeof(float));
    rx_arena_free(m->decay, m->n_params * sizeof(float));
    rx_arena_free(m->acts, m->n_acts * sizeof(float));
    rx_arena_free(m->col, m->n_col * sizeof(float));
    free(m);
}

void rx_model_init(rx_model *m, rx_rng *rng)
{
    for (int i = 0; i < m->n_layers; i++) {
        const rx_layer *L = &m->layers[i];
        if (L->n_w == 0)
            continue;
        double sd = m->init_he ? sqrt(2.0 / L->fan_in)
                               : sqrt(2.0 / (L->fan_in + L->fan_out));
        float *w = m->params + L->w_off;
        for (size_t j = 0; j < L->n_w; j++)
            w[j] = (float)(sd * rx_rng_normal(rng));
        memset(m->params + L->b_off, 0, L->n_b * sizeof(float));
    }
}

size_t rx_model_nparams(const rx_model *m) { return m->n_params; }
float *rx_model_params(rx_model *m) { return m->params; }
float *rx_model_grads(rx_model *m) { return m->grads; }
const float *rx_model_decay_mask(const rx_model *m) { return m->decay; }
rx_loss rx_model_loss(const rx_model *m) { return m->loss; }
int rx_model_n_out(const rx_model *m) { return m->n_out; }
const float *rx_model_output(const rx_model *m) { return m->last_out; }

double rx_model_flops_per_sample(const rx_model *m)
{
    double f = 0.0;
    for (int i = 0; i < m->n_layers; i++) {
        const rx_layer *L = &m->layers[i];
        if (L->kind == RX_L_DENSE)
            f += 2.0 * L->in_size * L->out_size;
        else if (L->kind == RX_L_CONV)
            f += 2.0 * L->g.OH * L->g.OW * (double)L->n_w;
    }
    return 3.0 * f;
}

/* ---- forward, loss, backward -------------------------------------------------- */

/* (B,C,H,W) -> (B,H,W,C) */
static void to_nhwc(float *dst, const float *src, int B, rx_shape s)
{
    size_t hw = (size_t)s.h * s.w;
    for (int b = 0; b < B; b++) {
        const float *x = src + (size_t)b * s.c * hw;
        float *d = dst + (size_t)b * s.c * hw;
        for (int c = 0; c < s.c; c++)
            for (size_t p = 0; p < hw; p++)
                d[p * s.c + c] = x[c * hw + p];
    }
}

/* rng == NULL: evaluation mode. */
static const float *forward(rx_model *m, const float *x, int B, rx_rng *rng)
{
    if (m->xin) {
        to_nhwc(m->xin, x, B, m->in);
        x = m->xin;
    }
    m->kl_sum = 0.0;
    const float *h = x;
    for (int i = 0; i < m->n_layers; i++) {
        rx_layer *L = &m->layers[i];
        L->inp = h;
        ops[L->kind].forward(m, L, h, B, rng);
        h = L->y;
    }
    m->last_out = h;
    return h;
}

static int targets_ok(const rx_model *m, const int32_t *labels,
                      const float *y, int B)
{
    if (B < 1 || B > m->max_batch)
        return 0;
    if (m->loss == RX_LOSS_XENT)
        return labels != NULL;
    if (m->loss == RX_LOSS_MSE)
        return y != NULL;
    return 1;
}

/* The loss of out; writes the gradient of the mean into dout if given. */
static rx_batch_stats batch_loss(rx_model *m, float *dout, const float *out,
                                 const float *x, const int32_t *labels,
                                 const float *y, int B)
{
    rx_batch_stats st = {0.0, 0};
    switch (m->loss) {
    case RX_LOSS_MSE:
        st.loss_sum = rx_mse(dout, out, y, B, m->n_out);
        break;
    case RX_LOSS_VAE:
        st.loss_sum = rx_bce_logits(dout, out, x, B, m->n_out) + m->kl_sum;
        break;
    default:
        st.loss_sum = rx_softmax_xent(dout, &st.n_correct, out, labels, B,
                                      m->n_out);
    }
    return st;
}

rx_batch_stats rx_model_train_batch(rx_model *m, const float *x,
                                    const int32_t *labels, const float *y,
                                    int B, rx_rng *rng)
{
    if (!targets_ok(m, labels, y, B))
        return (rx_batch_stats){NAN, 0};
    const float *out = forward(m, x, B, rng ? rng : &m->fallback);
    rx_batch_stats st = batch_loss(m, m->layers[m->n_layers - 1].dout, out, x,
                             labels, y, B);
    for (int i = m->n_layers - 1; i >= 0; i--)
        ops[m->layers[i].kind].backward(m, &m->layers[i],
                                        i ? m->layers[i - 1].dout : NULL, B);
    m->grads_zero = 0;
    return st;
}

void rx_model_grads_cleared(rx_model *m)
{
    m->grads_zero = 1;
}

rx_batch_stats rx_model_eval_batch(rx_model *m, const float *x,
                                   const int32_t *labels, const float *y,
                                   int B)
{
    if (!targets_ok(m, labels, y, B))
        return (rx_batch_stats){NAN, 0};
    const float *out = forward(m, x, B, NULL);
    return batch_loss(m, NULL, out, x, labels, y, B);
}

/* ---- description ---------------------------------------------------------------- */

static void appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    if (*len >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (k > 0)
        *len += (size_t)k;
}

void rx_model_describe(const rx_model *m, char *buf, size_t size)
{
    const rx_model_config *cfg = &m->cfg;
    size_t len = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    appendf(buf, size, &len, "%s ", type_name(cfg->type));
    if (cfg->type == RX_MODEL_CNN)
        appendf(buf, size, &len, "%dx%dx%d", m->in.c, m->in.h, m->in.w);
    else
        appendf(buf, size, &len, "%d", m->n_in);
    for (int i = 0; cfg->type == RX_MODEL_CNN && i < cfg->n_conv; i++) {
        const rx_conv_config *c = &cfg->conv[i];
        appendf(buf, size, &len, "-c%dk%d", c->channels, c->kernel);
        if (c->stride != 1)
            appendf(buf, size, &len, "s%d", c->stride);
        if (c->padding != 0)
            appendf(buf, size, &len, "p%d", c->padding);
        if (c->pool > 1)
            appendf(buf, size, &len, "-pool%d", c->pool);
    }
    if (cfg->type != RX_MODEL_LINEAR)
        for (int i = 0; i < cfg->n_hidden; i++)
            appendf(buf, size, &len, "-%d", cfg->hidden[i]);
    if (cfg->type == RX_MODEL_VAE)
        appendf(buf, size, &len, "-z%d", cfg->latent > 0 ? cfg->latent : 2);
    else
        appendf(buf, size, &len, "-%d", m->n_out);
    if (cfg->type != RX_MODEL_LINEAR &&
        (cfg->n_hidden > 0 || cfg->type != RX_MODEL_MLP))
        appendf(buf, size, &len, " %s", act_name((int)cfg->activation));
    if (m->loss == RX_LOSS_MSE)
        appendf(buf, size, &len, " mse");
    if (cfg->dropout > 0.0 && cfg->n_hidden > 0 &&
        (cfg->type == RX_MODEL_MLP || cfg->type == RX_MODEL_CNN))
        appendf(buf, size, &len, " dropout %g", cfg->dropout);
    appendf(buf, size, &len, " (%zu params)", m->n_params);
}
