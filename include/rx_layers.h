/*
 * rx_layers.h: the numeric ops of the models, as free functions (llm.c and
 * KANN style): each forward/backward pair has every shape in its
 * signature, a shape comment and its math on one line.  All matrix
 * products go through rx_sgemm.  Nothing here allocates: every buffer is
 * the caller's (the model's arenas), and every op writes its outputs and
 * gradients in full, so nothing needs zeroing between steps; the one
 * exception is asked for: with dw_zero set, dense and conv backward add
 * their weight gradients into dw, which the caller has left zero.
 *
 * Layouts: row-major; images are NHWC, (B,H,W,C), so that a conv is one
 * dense product over its im2col rows and flatten is free.  Gradients are
 * of whatever the caller's loss is; the losses below give the gradient of
 * the MEAN loss over the batch.
 */
#ifndef RX_LAYERS_H
#define RX_LAYERS_H

#include <stddef.h>
#include <stdint.h>
#include "rx_common.h"
#include "rx_config.h"

/* Activations: the rx_act values of rx_config.h plus the identity. */
enum { RX_ACT_NONE = -1 };

/* ---- activations (elementwise, n values) ---------------------------
 * relu(x) = max(x,0) (NaN passes through); tanh; sigmoid(x) = 1/(1+e^-x);
 * gelu(x) = x * Phi(x) = x/2 * (1 + erf(x/sqrt 2)), the exact-erf form of
 * PyTorch's default nn.GELU() (approximate='none'), not the tanh form.
 * All are computed by vectorisable polynomials: tanh and sigmoid within
 * 2 float ulps of the true value, erf within 1.5e-7 (A&S 7.1.26, as in
 * PyTorch's AVX2 kernel).  out may equal inp. */
void rx_act_forward(int act, float *out, const float *inp, size_t n);
/* dinp = dout * act'(x), from inp (x) for gelu and from out (act(x)) for
 * the others; pass both.  dinp may equal dout. */
void rx_act_backward(int act, float *dinp, const float *dout,
                     const float *inp, const float *out, size_t n);
/* Whether act's backward needs its input (else its output suffices). */
int rx_act_needs_input(int act);

/* ---- fused bias + activation ----------------------------------------
 * y is (R,C), b is (C): z = y + b (b broadcast over rows); out = act(z);
 * pre = z when pre != NULL.  y may equal out or pre (in-place). */
void rx_bias_act_forward(int act, float *out, float *pre, const float *y,
                         const float *b, int R, int C);
/* dz = dout * act'(z), db = sum over rows of dz (overwritten).  pre is z
 * (needed for gelu, else may be NULL), out is act(z).  dz may equal dout;
 * db may be NULL. */
void rx_bias_act_backward(int act, float *dz, float *db, const float *dout,
                          const float *pre, const float *out, int R, int C);

/* ---- dense ------------------------------------------------------------
 * out = act(inp @ w^T + b)
 * inp is (B,IN), w is (OUT,IN), b is (OUT); out is (B,OUT); pre (B,OUT)
 * receives the pre-activation when rx_act_needs_input(act), else may be
 * NULL.  One GEMM and one pass over out. */
void rx_dense_forward(int act, float *out, float *pre, const float *inp,
                      const float *w, const float *b, int B, int IN,
                      int OUT);
/* Given dout = dL/dout (B,OUT): dw (OUT,IN) = dz^T @ inp, db (OUT) =
 * column sums of dz, dinp (B,IN) = dz @ w, all overwritten.  dinp NULL
 * skips the input gradient (the first layer).  dout is CLOBBERED: it is
 * overwritten with dz = dL/dz (saves a buffer and a pass).  dw_zero says
 * dw holds zeros on entry: the GEMM then adds into it (beta 1) and OpenBLAS
 * skips its clearing pass over dw; the bits are the same (0 + x is x). */
void rx_dense_backward(int act, float *dinp, float *dw, float *db,
                       float *dout, const float *inp, const float *w,
                       const float *pre, const float *out, int B, int IN,
                       int OUT, int dw_zero);

/* ---- conv2d (NHWC, im2col + GEMM) -------------------------------------
 * Geometry of one conv: input (H,W,C), kernel KxK, stride S, zero padding
 * P, OC output channels; output (OH,OW,OC) with OH = (H+2P-K)/S + 1. */
typedef struct rx_conv_geom {
    int H, W, C, OC, K, S, P, OH, OW;
} rx_conv_geom;

/* Fills OH and OW; returns 0, or -1 when the kernel does not fit. */
int rx_conv_geom_init(rx_conv_geom *g, int H, int W, int C, int OC, int K,
                      int S, int P);
/* Floats of im2col scratch per sample: OH*OW*K*K*C, or 0 for a 1x1
 * stride-1 unpadded conv, which multiplies its input directly. */
size_t rx_conv_col_size(const rx_conv_geom *g);

/* col (nb*OH*OW, K*K*C), rows ordered (b,oh,ow), columns (kh,kw,c), zero
 * outside the image; inp is (nb,H,W,C). */
void rx_im2col(float *col, const float *inp, int nb, const rx_conv_geom *g);
/* The adjoint: dinp (nb,H,W,C) = sum of col's entries over the positions
 * each came from (dinp overwritten). */
void rx_col2im(float *dinp, const float *col, int nb, const rx_conv_geom *g);

/* out = act(conv(inp, w) + b)
 * inp is (B,H,W,C), w is (OC,K,K,C), b is (OC); out is (B,OH,OW,OC); pre
 * as for dense.  col is scratch of chunk*rx_conv_col_size(g) floats: the
 * batch goes through im2col+GEMM chunk samples at a time. */
void rx_conv2d_forward(int act, float *out, float *pre, float *col,
                       int chunk, const float *inp, const float *w,
                       const float *b, int B, const rx_conv_geom *g);
/* dw (OC,K,K,C), db (OC), dinp (B,H,W,C) overwritten; dinp NULL skips the
 * input gradient.  dout (B,OH,OW,OC) is CLOBBERED (becomes dz).  col as in
 * forward; im2col is recomputed rather than kept, so one scratch serves
 * every conv layer.  dw_zero as for dense. */
void rx_conv2d_backward(int act, float *dinp, float *dw, float *db,
                        float *dout, float *col, int chunk,
                        const float *inp, const float *w, const float *pre,
                        const float *out, int B, const rx_conv_geom *g,
                        int dw_zero);

/* ---- max-pool (NHWC, window P = stride P, no padding) -------------------
 * inp is (B,H,W,C); out is (B,H/P,W/P,C) (floor, as PyTorch: trailing
 * rows/columns dropped); idx (same size as out) gets the offset within
 * inp of each maximum (the first one on ties). */
void rx_maxpool_forward(float *out, int32_t *idx, const float *inp, int B,
                        int H, int W, int C, int P);
/* dinp (B,H,W,C) overwritten: dout routed to each window's maximum. */
void rx_maxpool_backward(float *dinp, const float *dout, const int32_t *idx,
                         int B, int H, int W, int C, int P);

/* ---- dropout (inverted) ---------------------------------------------------
 * mask[i] = 0 with probability p, else 1/(1-p); one rx_rng_uniform draw
 * per element, in order. */
void rx_dropout_mask(float *mask, size_t n, double p, rx_rng *rng);
/* out = inp * mask (a fixed mask: the test entry point). */
void rx_dropout_forward(float *out, const float *inp, const float *mask,
                        size_t n);
/* dinp = dout * mask; dinp may equal dout. */
void rx_dropout_backward(float *dinp, const float *dout, const float *mask,
                         size_t n);

/* ---- losses: each returns the SUM over the batch of per-sample losses
 * (as double) and, when the gradient pointer is not NULL, writes the
 * gradient of the MEAN over the batch. -------------------------------- */

/* Softmax cross-entropy.  logits is (B,C), labels (B) in [0,C).
 * loss_b = logsumexp(logits_b) - logits_b[label_b], computed stably
 * (max subtracted).  dlogits (B,C) = (softmax - onehot)/B.  n_correct (if
 * not NULL) counts argmax == label (the first maximum on ties).  A label
 * outside [0,C) makes the loss NaN (and its row's gradient 0). */
double rx_softmax_xent(float *dlogits, int *n_correct, const float *logits,
                       const int32_t *labels, int B, int C);

/* Mean squared error, PyTorch's MSELoss(reduction='mean'): the mean over
 * batch AND outputs.  out, y are (B,N); loss_b = mean_j (out-y)^2, so the
 * return / B is the MSE; dout (B,N) = 2*(out-y)/(B*N). */
double rx_mse(float *dout, const float *out, const float *y, int B, int N);

/* Binary cross-entropy on logits (PyTorch's binary_cross_entropy_with_
 * logits, reduction='sum' per sample): logits, x are (B,N), targets x in
 * [0,1]; loss_b = sum_j max(l,0) - l*x + log1p(exp(-|l|)).
 * dlogits (B,N) = (sigmoid(l) - x)/B. */
double rx_bce_logits(float *dlogits, const float *logits, const float *x,
                     int B, int N);

/* ---- VAE reparameterisation with its KL term ---------------------------
 * h is (B,2L): mu = h[:, :L], logvar = h[:, L:]; eps is (B,L); z is (B,L).
 * z = mu + exp(logvar/2) * eps.  Returns the KL sum over the batch,
 * sum_b -1/2 sum_j (1 + logvar - mu^2 - exp(logvar)). */
double rx_reparam_forward(float *z, const float *h, const float *eps, int B,
                          int L);
/* dh (B,2L) overwritten: the gradient through z (dz is (B,L)) plus the
 * gradient of the KL's MEAN over the batch. */
void rx_reparam_backward(float *dh, const float *dz, const float *h,
                         const float *eps, int B, int L);

#endif
