/*
 * rx_model.h: models built from a table of layer ops (KANN style: each op
 * is a forward and a backward free function with every shape in its
 * signature; llm.c style: parameters, gradients and activations each live
 * in one flat arena with named views into it).
 *
 * Ownership: rx_model_create allocates every arena once, for a maximum
 * batch size; training steps allocate nothing; rx_model_free releases all.
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

/* Builds a model for inputs of shape in and n_out outputs (classes, or
 * regression targets; for a vae n_out is ignored: it reconstructs its
 * input) and batches of at most max_batch.  Parameters are not
 * initialised: call rx_model_init.  On error returns a status and a
 * message (e.g. "cnn: kernel 5 larger than padded input 3x3"). */
int rx_model_create(rx_model **out, const rx_model_config *cfg,
                    rx_shape in, int n_out, int max_batch, rx_err *err);
void rx_model_free(rx_model *m);

/* He or Xavier initialisation from the generator. */
void rx_model_init(rx_model *m, rx_rng *rng);

size_t rx_model_nparams(const rx_model *m);
float *rx_model_params(rx_model *m);   /* view into the model's arena */
float *rx_model_grads(rx_model *m);    /* same size as params */
/* Which parameters get weight decay: weights yes, biases no (PyTorch's
 * default applies it to all; rexsweep follows PyTorch: all 1).  n floats,
 * 1 or 0. */
const float *rx_model_decay_mask(const rx_model *m);

/* Estimated floating-point operations for one sample's forward+backward
 * (3x forward), for the store's FLOPs column. */
double rx_model_flops_per_sample(const rx_model *m);

/* Per-batch results. */
typedef struct rx_batch_stats {
    double loss_sum;   /* sum of per-sample losses */
    int n_correct;     /* classification only */
} rx_batch_stats;

/* One training forward+backward on B samples: x is (B, c*h*w); labels (B)
 * for cross-entropy or y (B, n_out) for MSE.  Gradients are overwritten
 * (zeroed then accumulated) with the gradient of the MEAN loss over the
 * batch.  Dropout masks are drawn from rng.  Returns the batch stats. */
rx_batch_stats rx_model_train_batch(rx_model *m, const float *x,
                                    const int32_t *labels, const float *y,
                                    int B, rx_rng *rng);

/* Forward only, in evaluation mode (no dropout). */
rx_batch_stats rx_model_eval_batch(rx_model *m, const float *x,
                                   const int32_t *labels, const float *y,
                                   int B);

/* A one-line description, e.g. "mlp 784-256-256-10 relu (203530 params)". */
void rx_model_describe(const rx_model *m, char *buf, size_t size);

#endif
