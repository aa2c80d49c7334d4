/* layers.h: forward and backward kernels of each trainable layer type, over a
 * chunk of n samples (sample-major, channels-first). Convolutions (conv.c)
 * run on core's conv kernel one sample at a time where they can (stride 1,
 * padding under the kernel), else as im2col + cblas_sgemm over the whole
 * chunk. Parameter gradients are added. */
#ifndef TR_LEARN_LAYERS_H
#define TR_LEARN_LAYERS_H

#include "graph.h"
#include <stddef.h>
#include <stdint.h>

/* col: K x (n*Ho*Wo) floats, kept for the backward pass (the padded input
 * or its im2col); tmp: Cout x (n*Ho*Wo) scratch, and at least
 * tl_conv_wg_len floats (forward and backward). */
void tl_conv_forward(const tl_layer *l, const float *wt, const float *b,
                     const float *x, size_t n, float *col, float *tmp, float *y);
/* dx may be NULL (first layer: no input gradient needed). col must still hold
 * what the forward pass of the same n samples left there; tmp and dcol (at
 * least K x (n*Ho*Wo) floats) are scratch. */
void tl_conv_backward(const tl_layer *l, const float *wt, const float *col,
                      const float *dy, size_t n, float *tmp, float *dcol,
                      float *dw, float *db, float *dx);

/* Floats of tmp that l's convs as Winograd (the forward pass and the input
 * gradient, where core would run them so) take; 0 where neither applies. */
size_t tl_conv_wg_len(const tl_layer *l);

void tl_dense_forward(const tl_layer *l, const float *wt, const float *b,
                      const float *x, size_t n, float *y);
void tl_dense_backward(const tl_layer *l, const float *wt, const float *x,
                       const float *dy, size_t n, float *dw, float *db, float *dx);

/* arg records which input each output took (for the backward pass). */
void tl_maxpool_forward(const tl_layer *l, const float *x, size_t n, float *y,
                        uint32_t *arg);
void tl_maxpool_backward(const tl_layer *l, const uint32_t *arg,
                         const float *dy, size_t n, float *dx);

void tl_relu_forward(size_t len, const float *x, float *y);
void tl_relu_backward(size_t len, const float *y, const float *dy, float *dx);
/* Max pooling after a ReLU, both forward in one pass over the ReLU's input
 * x: y and arg are what tl_maxpool_forward(tl_relu_forward(x)) gives (bit
 * for bit); the ReLU's output is never written out. */
void tl_relu_maxpool_forward(const tl_layer *l, const float *x, size_t n, float *y,
                             uint32_t *arg);
/* Max pooling after a ReLU, both backward in one pass: dx is what
 * tl_relu_backward(relu output, tl_maxpool_backward(dy)) gives (bit for
 * bit), where y is the pooling's output (the ReLU's output at arg); the
 * pooled gradient is never written out and masked again. (A window wholly
 * in the padding, which no builder makes, passes nothing here.) */
void tl_maxpool_relu_backward(const tl_layer *l, const uint32_t *arg, const float *y,
                              const float *dy, size_t n, float *dx);

/* Inverted dropout: kept values scaled by 1/(1-rate). mask holds that scale
 * or 0 per element; masks are drawn per sample from (seed, first + i). */
void tl_dropout_forward(const tl_layer *l, const float *x, size_t n, int train,
                        uint64_t seed, size_t first, float *mask, float *y);
void tl_dropout_backward(size_t len, const float *mask, const float *dy, float *dx);

void tl_gap_forward(const tl_layer *l, const float *x, size_t n, float *y);
void tl_gap_backward(const tl_layer *l, const float *dy, size_t n, float *dx);

/* BatchNorm over channels (l->in.c) of a chunk whose first sample is the
 * batch's sample `first`. Training: each ghost batch of TL_BN_GROUP samples
 * (global index / TL_BN_GROUP; a group cut by a thread's chunk is normalised
 * over its part) uses its own mean and biased variance over its samples and
 * positions; xhat (the normalised input) and istd (per group and channel)
 * are kept for the backward pass, and stat (2 x C doubles: the sum over groups
 * of each group's mean, then of its unbiased variance) and *groups gain this
 * chunk's groups, for the running averages. Inference (train = 0): the
 * running mean and var. y = gamma * xhat + beta. */
void tl_bn_forward(const tl_layer *l, const float *gamma, const float *beta,
                   const float *run_mean, const float *run_var, const float *x,
                   size_t n, int train, size_t first, float *xhat, float *istd,
                   double *stat, size_t *groups, float *y);
/* After tl_bn_forward(train = 1) over the same chunk. */
void tl_bn_backward(const tl_layer *l, const float *gamma, const float *xhat,
                    const float *istd, const float *dy, size_t n, size_t first,
                    float *dgamma, float *dbeta, float *dx);

/* Row-wise softmax of n rows of k logits (stable: max subtracted). */
void tl_softmax_rows(const float *x, size_t n, size_t k, float *y);

#endif
