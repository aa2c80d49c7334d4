/* evx_nn_simd.h: the conv tile and the dot product, written once and
 * included by evx_nn_kernels.c once per instruction set. The includer
 * defines SFX (name suffix), VL (lanes of one vector), NX (vectors of
 * output positions per tile: the tile is NX * VL positions), OCT (output
 * channels per tile) and KTARGET (a target attribute or nothing).
 * Vector extensions, no -ffast-math: the summation order is fixed per
 * instruction set, so a sliced and a whole inference are bit-identical. */
#define SIMD_CAT_(a, b) a##b
#define SIMD_CAT(a, b) SIMD_CAT_(a, b)
#define VF SIMD_CAT(vf_, SFX)
#define VI SIMD_CAT(vi_, SFX)

typedef float VF __attribute__((vector_size(VL * 4)));
typedef int32_t VI __attribute__((vector_size(VL * 4)));

KTARGET static inline VF SIMD_CAT(ld_, SFX)(const float *p) { VF v; memcpy(&v, p, sizeof v); return v; }

/* Stride 1 along w: nx * VL positions x OCT channels in registers, walking
 * in x kh x kw once: per tap, nx loads and OCT broadcasts feed nx * OCT
 * FMAs. The last strip of a row may read up to NX * VL - 1 floats past it;
 * the scratch has slack and those lanes are discarded. Inlined with a
 * constant nx, so each copy keeps its accumulators in registers. */
KTARGET static inline __attribute__((always_inline)) void
SIMD_CAT(conv_tile_, SFX)(const float *pad, size_t C, size_t Hp, size_t Wp, size_t KH, size_t KW,
                          size_t ih0, const float *wp, const float *bp, size_t OW, float *dst,
                          size_t ostride, size_t noc, int relu, size_t ow0, size_t nx)
{
  VF acc[NX][OCT], z = { 0 };
#pragma GCC unroll 4
  for (size_t v = 0; v < nx; v++)
#pragma GCC unroll 32
    for (size_t j = 0; j < OCT; j++) acc[v][j] = z + bp[j];
  const float *w = wp;
  for (size_t ic = 0; ic < C; ic++)
    for (size_t kh = 0; kh < KH; kh++) {
      const float *row = pad + (ic * Hp + ih0 + kh) * Wp + ow0;
      for (size_t kw = 0; kw < KW; kw++, w += OCT) {
        VF x[NX];
#pragma GCC unroll 4
        for (size_t v = 0; v < nx; v++) x[v] = SIMD_CAT(ld_, SFX)(row + kw + v * VL);
#pragma GCC unroll 32
        for (size_t j = 0; j < OCT; j++)
#pragma GCC unroll 4
          for (size_t v = 0; v < nx; v++) acc[v][j] += x[v] * w[j];
      }
    }
  for (size_t v = 0; v < nx; v++) {
    size_t o = ow0 + v * VL;
    if (o >= OW) break;
    size_t nw = OW - o < VL ? OW - o : VL;
    for (size_t j = 0; j < noc; j++) {
      VF r = relu ? (VF)((VI)acc[v][j] & (acc[v][j] > z)) : acc[v][j];
      if (nw == VL) memcpy(dst + j * ostride + o, &r, sizeof r);
      else memcpy(dst + j * ostride + o, &r, nw * sizeof(float));
    }
  }
}

/* A row's last strip that one vector covers runs the one-vector tile: no
 * FMAs on positions past the row (the tcn's 300 and 74 positions end in 12
 * and 10). Each output is the same chain of FMAs in either tile, so the
 * results do not change. */
KTARGET static void SIMD_CAT(conv_strip_, SFX)(const float *pad, size_t C, size_t Hp, size_t Wp,
                                               size_t KH, size_t KW, size_t ih0, const float *wp,
                                               const float *bp, size_t OW, float *dst,
                                               size_t ostride, size_t noc, int relu, size_t ow0)
{
  if (NX > 1 && OW - ow0 <= VL)
    SIMD_CAT(conv_tile_, SFX)(pad, C, Hp, Wp, KH, KW, ih0, wp, bp, OW, dst, ostride, noc, relu,
                              ow0, 1);
  else
    SIMD_CAT(conv_tile_, SFX)(pad, C, Hp, Wp, KH, KW, ih0, wp, bp, OW, dst, ostride, noc, relu,
                              ow0, NX);
}

/* The end of one dot product: acc0 + acc1, a fixed tree over the lanes,
 * then the tail from i on, one product at a time. */
KTARGET static inline __attribute__((always_inline)) float
SIMD_CAT(dot_end_, SFX)(VF acc0, VF acc1, const float *w, const float *x, size_t i, size_t n)
{
  acc0 += acc1;
  for (size_t h = VL / 2; h >= 1; h /= 2)
    for (size_t k = 0; k < h; k++) acc0[k] += acc0[k + h];
  float s = acc0[0];
  for (; i < n; i++) s += w[i] * x[i];
  return s;
}

/* Sum of w[i] * x[i], two vector accumulators then a fixed tree. */
KTARGET static float SIMD_CAT(dot_, SFX)(const float *w, const float *x, size_t n)
{
  VF acc0 = { 0 }, acc1 = { 0 };
  size_t i = 0;
  for (; i + 2 * VL <= n; i += 2 * VL) {
    acc0 += SIMD_CAT(ld_, SFX)(w + i) * SIMD_CAT(ld_, SFX)(x + i);
    acc1 += SIMD_CAT(ld_, SFX)(w + i + VL) * SIMD_CAT(ld_, SFX)(x + i + VL);
  }
  return SIMD_CAT(dot_end_, SFX)(acc0, acc1, w, x, i, n);
}

/* Four rows of w (ldw floats apart) against x, each summed exactly as dot
 * sums it (its two accumulators, tree and tail): the rows interleaved give
 * eight FMA chains instead of two, so the FMA latency no longer sets the
 * pace of a dense layer, and each x vector is loaded once for four rows. */
KTARGET static void SIMD_CAT(dot4_, SFX)(const float *w, size_t ldw, const float *x, size_t n,
                                         float *out)
{
  VF a0[4], a1[4], z = { 0 };
#pragma GCC unroll 4
  for (size_t r = 0; r < 4; r++) a0[r] = a1[r] = z;
  size_t i = 0;
  for (; i + 2 * VL <= n; i += 2 * VL) {
    VF x0 = SIMD_CAT(ld_, SFX)(x + i), x1 = SIMD_CAT(ld_, SFX)(x + i + VL);
#pragma GCC unroll 4
    for (size_t r = 0; r < 4; r++) {
      a0[r] += SIMD_CAT(ld_, SFX)(w + r * ldw + i) * x0;
      a1[r] += SIMD_CAT(ld_, SFX)(w + r * ldw + i + VL) * x1;
    }
  }
  for (size_t r = 0; r < 4; r++)
    out[r] = SIMD_CAT(dot_end_, SFX)(a0[r], a1[r], w + r * ldw, x, i, n);
}

#undef VF
#undef VI
