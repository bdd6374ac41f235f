/*
 * rx_optim.h: optimizers over one flat parameter arena.  State (momentum
 * buffers, Adam moments) lives in one arena allocated at creation.  The
 * learning rate and momentum (or Adam's beta1) are passed to every step
 * so that schedules drive them from outside.
 */
#ifndef RX_OPTIM_H
#define RX_OPTIM_H

#include <stddef.h>
#include "rx_common.h"
#include "rx_config.h"

typedef struct rx_optim rx_optim;

/* The optimizers' names, indexed by rx_optim_kind, NULL-terminated (the
 * values of optimizer.name, in table order). */
extern const char *const rx_optim_names[];

/* Checks the optimizer keys of c against its kind's rules (e.g. nesterov
 * needs sgd with momentum); on error returns RX_EINVAL and names the key
 * at fault in *key (a static string; key may be NULL). */
int rx_optim_check(const rx_optim_config *c, const char **key, rx_err *err);

/* The momentum a run starts with, the value schedules cycle: sgd's
 * momentum, or beta1 for the optimizers that have one. */
double rx_optim_momentum(const rx_optim_config *c);

/* What optimizer key `key` ("beta1", no section) means to each optimizer
 * that reads it, e.g. "adam, adamw: first moment decay"; written to buf
 * (snprintf rules; "" when none reads it).  Returns the length. */
int rx_optim_key_doc(const char *key, char *buf, size_t size);

/* The i-th key (0, 1, ...) whose default for optimizer kind differs from
 * the key table's (Lion's beta2 is its paper's 0.99, the table's is
 * Adam's 0.999): returns the default as a value's text and sets *key to
 * the key ("beta2", no section; static strings); NULL past the last.  The
 * spec's grid gives a run these defaults for the keys it does not set
 * (rx_grid.h), so a run's canonical configuration holds its effective
 * values. */
const char *rx_optim_key_default(int kind, int i, const char **key);

/* For the docs: "lion: 0.99" for each optimizer with its own default of
 * key ("beta2"), comma-separated, into buf (snprintf rules; "" when none
 * has one).  Returns the length. */
int rx_optim_default_doc(const char *key, char *buf, size_t size);

/* Allocates state for n parameters.  decay_mask (n floats, 1 = decay) may
 * be NULL for "all".  The optimizer keeps the pointer: the caller keeps it
 * alive (it is the model's).  Free with rx_optim_free. */
int rx_optim_create(rx_optim **out, const rx_optim_config *cfg, size_t n,
                    const float *decay_mask, rx_err *err);
void rx_optim_free(rx_optim *o);

/* One update of params from grads, PyTorch's conventions:
 *   sgd:   g += wd*p; buf = m*buf + (1-dampening)*g (buf = g at the first
 *          step); nesterov: g += m*buf else g = buf; p -= lr*g
 *   adam:  g += wd*p; m = b1*m + (1-b1)g; v = b2*v + (1-b2)g^2;
 *          p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)
 *   adamw: p *= 1 - lr*wd, then adam without the L2 term.
 * Clipping by global norm (if clip_norm > 0) scales grads in place first.
 * momentum is SGD's momentum or Adam's beta1 for this step.
 * Returns the global L2 norm of the gradients before clipping. */
double rx_optim_step(rx_optim *o, float *params, float *grads, double lr,
                     double momentum);

/* rx_optim_step, and leaves every gradient zero: the hot SGD path clears
 * each one right after reading it, while its cache line is at hand, so
 * that the next backward pass can add into the gradients instead of
 * clearing them first (rx_model_grads_cleared).  Same parameters, state
 * and norm as rx_optim_step. */
double rx_optim_step_clear(rx_optim *o, float *params, float *grads, double lr,
                           double momentum);

/* Where o's state lives, for checkpoints: its state floats (the SGD
 * momentum buffer, or Adam's two moments), *n_floats of them, the steps
 * taken and whether the momentum buffer holds a value.  The pointers are
 * o's: copying a saved state back into them restores it. */
void rx_optim_state(rx_optim *o, float **floats, size_t *n_floats, long **steps,
                    int **buf_init);

/* Resets state (for reuse across runs of the same size). */
void rx_optim_reset(rx_optim *o);

#endif
