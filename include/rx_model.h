/*
 * rx_model.h: models built from a table of layer ops (KANN style: each op
 * is a forward and a backward free function with every shape in its
 * signature, see rx_layers.h; llm.c style: parameters, gradients and
 * activations each live in one flat arena with named views into it).
 *
 * Ownership: rx_model_create allocates every arena once, for a maximum
 * batch size; training and evaluation steps allocate nothing (any B from 1
 * to max_batch works, e.g. an epoch's short last batch); rx_model_free
 * releases all.  Pointers returned by the accessors point into the
 * model's arenas: never free them.
 *
 * Model types (cfg->type):
 *   linear  softmax (or linear) regression: in -> n_out.  cfg->hidden and
 *           cfg->dropout are ignored.
 *   mlp     in -> hidden[0] -> ... -> hidden[n_hidden-1] -> n_out, each
 *           hidden layer followed by the activation, then dropout when
 *           cfg->dropout > 0.
 *   cnn     conv[0..n_conv): conv2d (channels, kernel, stride, padding) +
 *           activation, then max-pool when pool > 1; then flatten; then a
 *           dense head exactly as mlp's (hidden[], dropout) -> n_out.
 *           No dropout after conv layers.
 *   vae     encoder in -> hidden[0] -> ... -> hidden[n-1] -> (mu, logvar)
 *           (one dense head of 2*latent outputs); z = mu + exp(logvar/2)*eps
 *           with eps ~ N(0,1) from the rng; decoder mirrored, latent ->
 *           hidden[n-1] -> ... -> hidden[0] -> in, as logits (sigmoid gives
 *           the reconstruction).  With the default hidden widths (two)
 *           encoder and decoder have 3 dense layers each.  latent 0 means 2.
 *           Loss: binary cross-entropy summed over the pixels plus the KL
 *           to N(0,I), per sample; the batch loss is their mean.  BCE needs
 *           targets in [0,1]: feed a vae UNNORMALISED inputs scaled to
 *           [0,1] (x/255 for images), not mean/std-normalised ones.  In
 *           evaluation z = mu (no sampling), so evaluation is a
 *           deterministic function of the parameters; cfg->dropout is
 *           ignored.
 *
 * Losses (cfg->loss): RX_LOSS_AUTO is cross-entropy for linear/mlp/cnn and
 * RX_LOSS_VAE for vae.  A model learns classification with RX_LOSS_XENT
 * (n_out classes, labels in [0,n_out)) and regression with RX_LOSS_MSE
 * (n_out targets per sample, y given); the caller (the trainer, which
 * knows whether the data has labels or targets) sets RX_LOSS_MSE for
 * regression, since AUTO cannot see the data.
 *
 * Initialisation (cfg->init): weights ~ Normal(0, std^2), biases 0.
 * He: std = sqrt(2/fan_in) (PyTorch's kaiming_normal_, relu gain);
 * Xavier: std = sqrt(2/(fan_in+fan_out)) (xavier_normal_).  RX_INIT_AUTO
 * picks He for relu and gelu, Xavier for tanh and sigmoid and for the
 * linear model.  The chosen scheme applies to every layer, heads included.
 * fan_in of a conv is C*K*K, fan_out OC*K*K.
 *
 * Layout: images are processed NHWC (channels last).  Inputs arrive as
 * (B, c*h*w) in c-major order (as IDX and PyTorch store them); for c > 1 a
 * cnn transposes each batch into its arena first (one extra copy; c == 1
 * needs none).
 */
#ifndef RX_MODEL_H
#define RX_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "rx_common.h"
#include "rx_config.h"

typedef struct rx_model rx_model;

/* The input a model sees: c channels of h x w (c=1,h=1,w=d for flat). */
typedef struct rx_shape {
    int c, h, w;
} rx_shape;

/* The model types' names, indexed by rx_model_type, NULL-terminated (the
 * values of model.type; model.c builds each type from its row). */
extern const char *const rx_model_names[];

/* The model config a trainer builds for data with class labels
 * (regression 0) or targets (1): cfg with RX_LOSS_AUTO resolved to mse
 * for targets (the rest stays AUTO, resolved by rx_model_create). */
rx_model_config rx_model_config_for(const rx_model_config *cfg, int regression);

/* Builds a model for inputs of shape in and n_out outputs (classes, or
 * regression targets; for a vae n_out is ignored: it reconstructs its
 * input) and batches of at most max_batch.  Parameters are not
 * initialised (they are zero): call rx_model_init.  On success *out is the
 * caller's, to free with rx_model_free.  On error returns a status and a
 * message (e.g. "cnn: kernel 5 larger than padded input 3x3") and sets
 * *out to NULL. */
int rx_model_create(rx_model **out, const rx_model_config *cfg,
                    rx_shape in, int n_out, int max_batch, rx_err *err);
/* Frees every arena and the model; NULL is a no-op. */
void rx_model_free(rx_model *m);

/* He or Xavier initialisation from the generator (see above): the weights
 * of each layer in order, row-major, one rx_rng_normal draw each.  The
 * same rng state gives bit-identical parameters. */
void rx_model_init(rx_model *m, rx_rng *rng);

/* Parameter layout: layer by layer in order, each layer's weights
 * (row-major: dense (OUT,IN), conv (OC,K,K,C)) then its biases.  A dense
 * layer after a conv sees the flattened NHWC activation, (H,W,C) order. */
size_t rx_model_nparams(const rx_model *m);
float *rx_model_params(rx_model *m);   /* view into the model's arena */
float *rx_model_grads(rx_model *m);    /* same size and layout as params */
/* Which parameters get weight decay, n floats of 1 or 0.  PyTorch's
 * default decays every parameter, biases included, and rexsweep follows
 * it: all 1 (the mask exists so that a model could exempt biases). */
const float *rx_model_decay_mask(const rx_model *m);

/* The loss the model was built with, AUTO resolved: RX_LOSS_XENT (pass
 * labels), RX_LOSS_MSE (pass y) or RX_LOSS_VAE (pass neither). */
rx_loss rx_model_loss(const rx_model *m);
/* Outputs per sample: classes, targets, or (vae) input size. */
int rx_model_n_out(const rx_model *m);
/* The last forward's outputs, (B, n_out) for the B of that call: logits
 * (xent), predictions (mse) or reconstruction logits (vae).  Valid until
 * the next batch call. */
const float *rx_model_output(const rx_model *m);

/* Estimated floating-point operations for one sample's forward+backward
 * (3x the forward's multiply-adds x2), for the store's FLOPs column. */
double rx_model_flops_per_sample(const rx_model *m);
/* rx_model_flops_per_sample of the model rx_model_create would build,
 * without building it (no arena is allocated): for estimating a run's
 * work before it runs (rx_cost.h).  Errors as rx_model_create's; *flops
 * is 0 then. */
int rx_model_flops(const rx_model_config *cfg, rx_shape in, int n_out, double *flops,
                   rx_err *err);

/* Per-batch results. */
typedef struct rx_batch_stats {
    double loss_sum;   /* sum of per-sample losses (vae: BCE + KL) */
    int n_correct;     /* classification only; 0 otherwise */
} rx_batch_stats;

/* One training forward+backward on B samples (1 <= B <= max_batch): x is
 * (B, c*h*w); labels (B) for cross-entropy or y (B, n_out) for MSE (the
 * other may be NULL; a vae needs neither).  Gradients are overwritten
 * (never accumulated across calls) with the gradient of the MEAN loss
 * over the batch.  Dropout masks (one rx_rng_uniform per element) and the
 * vae's eps (one rx_rng_normal per latent unit and sample) are drawn from
 * rng in layer order; rng NULL uses a fixed stream inside the model.
 * Allocates nothing.  Returns the batch stats; a B out of
 * range gives loss_sum NaN and touches nothing. */
rx_batch_stats rx_model_train_batch(rx_model *m, const float *x,
                                    const int32_t *labels, const float *y,
                                    int B, rx_rng *rng);

/* The caller declares that every gradient in rx_model_grads(m) is zero
 * (rx_optim_step_clear leaves them so).  The next rx_model_train_batch
 * then adds the weight gradients into them instead of having OpenBLAS
 * clear each one first: one pass less over the largest arrays of a step,
 * with the same bits.  Holds for one call; a false claim gives wrong
 * gradients. */
void rx_model_grads_cleared(rx_model *m);

/* Forward only, in evaluation mode (no dropout; vae z = mu).  Same
 * arguments and results as rx_model_train_batch; gradients untouched. */
rx_batch_stats rx_model_eval_batch(rx_model *m, const float *x,
                                   const int32_t *labels, const float *y,
                                   int B);

/* A one-line description into buf (always terminated, truncated to size),
 * e.g. "mlp 784-256-256-10 relu (269322 params)". */
void rx_model_describe(const rx_model *m, char *buf, size_t size);

#endif
