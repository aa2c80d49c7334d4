/* evx_nn_kernels.h: the engine's layer kernels. Each one computes a range of
 * "units" (an output row of 8 channels, a channel, an output unit...) so the
 * sliced and the whole inference run the very same arithmetic per element.
 * All RT-safe: no allocation, lock, I/O; work bounded by the range. */
#ifndef EVX_NN_KERNELS_H
#define EVX_NN_KERNELS_H

#include "evx_nn_model.h"

/* A Winograd F(m, r) 1-D convolution (evx_nn_winograd.h): tiles of m
 * output positions over EVX_WG_A = m + r - 1 input positions: F(4, 3) and
 * F(2, 5). */
#define EVX_WG_A 6

/* The kernels of one instruction set: the conv tile is `oct` output
 * channels x `vl` output positions. Picked at load for this CPU
 * (__builtin_cpu_supports: AVX-512F, else AVX2+FMA, else portable). */
typedef struct evx_isa {
  const char *name;         /* "avx512", "avx2", "generic" */
  uint32_t oct, vl;
  void (*conv_strip)(const float *pad, size_t C, size_t Hp, size_t Wp, size_t KH, size_t KW,
                     size_t ih0, const float *wp, const float *bp, size_t OW, float *dst,
                     size_t ostride, size_t noc, int relu, size_t ow0);
  float (*dot)(const float *w, const float *x, size_t n);
  /* four dots at once: out[r] = dot(w + r * ldw, x, n), the same bits */
  void (*dot4)(const float *w, size_t ldw, const float *x, size_t n, float *out);
  /* Winograd F(m, r), m = 2 or 4, a lane per tile of m positions
   * (evx_nn_winograd.c). wg_in: one channel's zero-padded row, m * (T +
   * 2 * vl) floats -> v[p * vstride + t] for the EVX_WG_A points p and the
   * tiles t < T rounded up to a vector; ph: as many floats of scratch.
   * wg_gemm: one strip of vl
   * tiles (T left from it) for noc <= oct output channels: m[p][j][t] =
   * sum over c of w[c][j] v[c][t] at one point (v rows `row` apart, w
   * packed [c][oct]), summed in chunks of `chunk` channels; writes whole
   * vectors (m rows have room). wg_out: m[p * mstride + t] -> y[mt + j]
   * (< OW) plus bias, ReLU'd. */
  void (*wg_in)(const float *row, size_t T, uint32_t m, float *v, size_t vstride, float *ph);
  void (*wg_gemm)(const float *v, size_t C, size_t row, const float *w, size_t T, float *m,
                  size_t mstride, size_t noc, size_t chunk);
  void (*wg_out)(const float *mp, size_t mstride, size_t T, uint32_t m, float bias, int relu,
                 float *y, size_t OW);
  /* whether a * b + c is one rounding (FMA) in these kernels: the Winograd
   * convs need it to stay within the direct conv's rounding error */
  int fma;
} evx_isa;

/* The instruction set evx_net_init() compiles for. Non-RT. */
const evx_isa *evx_nn_isa(void);
/* The instruction set called `name` ("avx512", "avx2", "generic"), or NULL
 * when this CPU lacks it. Non-RT. (Tests make evx_net_init() use it by
 * wrapping evx_nn_isa at link time: the shipped code has no override.) */
const evx_isa *evx_nn_isa_named(const char *name);

typedef struct {
  const evx_isa *isa;       /* conv, dense: the kernels (and packing) used */
  const float *src;         /* [in.c][in.h][in.w] */
  float *dst;               /* [out.c][out.h][out.w]; the ops in place (norm,
                               relu, batchnorm, softmax): the input, shape in */
  float *scratch;           /* padded conv input [in.c][in.h+2ph][in.w+2pw] /
                               pool row [in.w] */
  const float *w, *b;       /* conv: packed weights + padded bias; dense: as in
                               the model; batchnorm: scale, shift */
  evx_shape in, out;
  uint32_t kh, kw, sh, sw, ph, pw;
  uint32_t relu;            /* apply ReLU to the output (fused) */
} evx_kargs;

/* Packed conv weights for isa's tile: [ceil(out/oct)][in][kh][kw][oct],
 * zero-filled; bias [ceil(out/oct)*oct]. Sizes in floats. Non-RT (init). */
size_t evx_conv_packed_len(const evx_isa *isa, const evx_layer *l);
size_t evx_conv_bias_len(const evx_isa *isa, const evx_layer *l);
void evx_conv_pack(const evx_isa *isa, const evx_layer *l, float *packed, float *bias);

/* Units: pad = input channels; conv = ceil(out.c/oct) x out.h x
 * ceil(out.w/vl) (a tile of oct channels x vl positions), evx_conv_units. */
uint32_t evx_conv_units(const evx_isa *isa, evx_shape out);
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
