/* layers.h: forward and backward kernels of each trainable layer type, over a
 * chunk of n samples (sample-major, channels-first). Convolutions run as
 * im2col + cblas_sgemm over the whole chunk. Parameter gradients are added. */
#ifndef EVX_LEARN_LAYERS_H
#define EVX_LEARN_LAYERS_H

#include "graph.h"
#include <stddef.h>
#include <stdint.h>

/* col: K x (n*Ho*Wo) scratch, tmp: Cout x (n*Ho*Wo) scratch. */
void tl_conv_forward(const tl_layer *l, const float *wt, const float *b,
                     const float *x, size_t n, float *col, float *tmp, float *y);
/* dx may be NULL (first layer: no input gradient needed). col must still hold
 * the forward pass's im2col of x; tmp and dcol are scratch. */
void tl_conv_backward(const tl_layer *l, const float *wt, const float *col,
                      const float *dy, size_t n, float *tmp, float *dcol,
                      float *dw, float *db, float *dx);

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

/* Inverted dropout: kept values scaled by 1/(1-rate). mask holds that scale
 * or 0 per element; masks are drawn per sample from (seed, first + i). */
void tl_dropout_forward(const tl_layer *l, const float *x, size_t n, int train,
                        uint64_t seed, size_t first, float *mask, float *y);
void tl_dropout_backward(size_t len, const float *mask, const float *dy, float *dx);

void tl_gap_forward(const tl_layer *l, const float *x, size_t n, float *y);
void tl_gap_backward(const tl_layer *l, const float *dy, size_t n, float *dx);

/* Row-wise softmax of n rows of k logits (stable: max subtracted). */
void tl_softmax_rows(const float *x, size_t n, size_t k, float *y);

#endif
