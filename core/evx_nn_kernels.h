/* evx_nn_kernels.h: the engine's layer kernels. Each one computes a range of
 * "units" (an output row of 8 channels, a channel, an output unit...) so the
 * sliced and the whole inference run the very same arithmetic per element.
 * All RT-safe: no allocation, lock, I/O; work bounded by the range. */
#ifndef EVX_NN_KERNELS_H
#define EVX_NN_KERNELS_H

#include "evx_nn.h"

#define EVX_OCB 8u /* output channels computed together by the conv kernel */

typedef struct {
  const float *src;
  float *dst;
  float *scratch;           /* padded conv input / pool row */
  const float *w, *b;       /* conv: packed weights + padded bias; dense: as in
                               the model; batchnorm: scale, shift */
  evx_shape in, out;
  uint32_t kh, kw, sh, sw, ph, pw;
  uint32_t relu;            /* apply ReLU to the output (fused) */
} evx_kargs;

/* Packed conv weights: [ceil(out/8)][in][kh][kw][8], zero-filled; bias
 * [ceil(out/8)*8]. Sizes in floats. Non-RT (init). */
size_t evx_conv_packed_len(const evx_layer *l);
void evx_conv_pack(const evx_layer *l, float *packed, float *bias);

/* Units: pad = input channels; conv = ceil(out.c/8) x out.h x ceil(out.w/8)
 * (a tile of 8 channels x 8 positions). */
void evx_k_pad(const evx_kargs *a, uint32_t u0, uint32_t u1);
void evx_k_conv(const evx_kargs *a, uint32_t u0, uint32_t u1);
/* Units: channels. */
void evx_k_maxpool(const evx_kargs *a, uint32_t u0, uint32_t u1);
void evx_k_relu(const evx_kargs *a, uint32_t u0, uint32_t u1);
void evx_k_affine(const evx_kargs *a, uint32_t u0, uint32_t u1);
void evx_k_gap(const evx_kargs *a, uint32_t u0, uint32_t u1);
/* Units: output units. */
void evx_k_dense(const evx_kargs *a, uint32_t u0, uint32_t u1);
/* One unit: the whole vector, in place on dst. */
void evx_k_softmax(const evx_kargs *a);
/* Units: indices along the normalisation axis; in place on dst. */
void evx_k_norm(const evx_norm *n, evx_shape s, float *x, uint32_t u0, uint32_t u1);

#endif
