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

/* Winograd F(m, r) (evx_nn_kernels.h), VL tiles side by side. Lane masks
 * for __builtin_shuffle over the pair (a, b), 2 * VL lanes: every other
 * lane from `first`, or the zip of half `h` of a and b. */
KTARGET static inline VI SIMD_CAT(every2_, SFX)(int first)
{
  VI m;
  for (int i = 0; i < VL; i++) m[i] = 2 * i + first;
  return m;
}

KTARGET static inline VI SIMD_CAT(zip_, SFX)(int h)
{
  VI m;
  for (int i = 0; i < VL; i++) m[i] = (i & 1) * VL + i / 2 + h * VL / 2;
  return m;
}

/* The padded row's phases ph[q][t] = row[mt + q], q < m (m = 2 or 4): the
 * m x VL floats from m t0 split by rounds of even/odd lanes. Then each
 * point p sums bt[p][k] row[mt + k] = ph[k % m][t + k / m] over k, a lane
 * per tile. Inlined with constant m, the zeros and ones of bt fold away
 * and the tile stays in registers. */
KTARGET static inline __attribute__((always_inline)) void
SIMD_CAT(wg_points_, SFX)(const float *row, float *ph, size_t pl, size_t tv, uint32_t m,
                          float *v, size_t vstride)
{
  VI ev = SIMD_CAT(every2_, SFX)(0), od = SIMD_CAT(every2_, SFX)(1);
  VF z = { 0 };
  for (size_t t0 = 0; t0 < pl; t0 += VL) {
    const float *s = row + m * t0;
    VF r0 = SIMD_CAT(ld_, SFX)(s), r1 = SIMD_CAT(ld_, SFX)(s + VL);
    VF e0 = __builtin_shuffle(r0, r1, ev), o0 = __builtin_shuffle(r0, r1, od);
    if (m == 2) {
      memcpy(ph + t0, &e0, sizeof e0);
      memcpy(ph + pl + t0, &o0, sizeof o0);
      continue;
    }
    VF r2 = SIMD_CAT(ld_, SFX)(s + 2 * VL), r3 = SIMD_CAT(ld_, SFX)(s + 3 * VL);
    VF e1 = __builtin_shuffle(r2, r3, ev), o1 = __builtin_shuffle(r2, r3, od);
    VF q[4] = { __builtin_shuffle(e0, e1, ev), __builtin_shuffle(o0, o1, ev),
                __builtin_shuffle(e0, e1, od), __builtin_shuffle(o0, o1, od) };
    for (int k = 0; k < 4; k++) memcpy(ph + k * pl + t0, &q[k], sizeof q[k]);
  }
  for (size_t t0 = 0; t0 < tv; t0 += VL) {
    VF d[EVX_WG_A];
#pragma GCC unroll 8
    for (uint32_t k = 0; k < EVX_WG_A; k++)
      d[k] = SIMD_CAT(ld_, SFX)(ph + (k % m) * pl + t0 + k / m);
#pragma GCC unroll 8
    for (uint32_t p = 0; p < EVX_WG_A; p++) {
      VF acc = z;
#pragma GCC unroll 8
      for (uint32_t k = 0; k < EVX_WG_A; k++)
        if (wg_bt[p][k] != 0.0f) acc += wg_bt[p][k] * d[k];
      memcpy(v + p * vstride + t0, &acc, sizeof acc);
    }
  }
}

/* The phases and the points of one zero-padded row. */
KTARGET static void SIMD_CAT(wg_in_, SFX)(const float *row, size_t T, uint32_t m, float *v,
                                          size_t vstride, float *ph)
{
  size_t tv = (T + VL - 1) / VL * VL, pl = tv + VL;
  if (m == 2) SIMD_CAT(wg_points_, SFX)(row, ph, pl, tv, 2, v, vstride);
  else SIMD_CAT(wg_points_, SFX)(row, ph, pl, tv, 4, v, vstride);
}

/* The conv tile with one tap per channel, its sum taken chunk by chunk:
 * each chunk's FMA chain starts from zero and is then added to the total,
 * in order. */
KTARGET static inline __attribute__((always_inline)) void
SIMD_CAT(wg_tile_, SFX)(const float *v, size_t C, size_t row, const float *w, float *m,
                        size_t mstride, size_t noc, size_t chunk, size_t nx)
{
  VF acc[NX][OCT], tot[NX][OCT], z = { 0 };
  for (size_t c0 = 0; c0 < C; c0 += chunk) {
    size_t c1 = c0 + chunk < C ? c0 + chunk : C;
#pragma GCC unroll 4
    for (size_t u = 0; u < nx; u++)
#pragma GCC unroll 32
      for (size_t j = 0; j < OCT; j++) acc[u][j] = z;
    for (size_t c = c0; c < c1; c++) {
      const float *vr = v + c * row, *wc = w + c * OCT;
      VF x[NX];
#pragma GCC unroll 4
      for (size_t u = 0; u < nx; u++) x[u] = SIMD_CAT(ld_, SFX)(vr + u * VL);
#pragma GCC unroll 32
      for (size_t j = 0; j < OCT; j++)
#pragma GCC unroll 4
        for (size_t u = 0; u < nx; u++) acc[u][j] += x[u] * wc[j];
    }
#pragma GCC unroll 4
    for (size_t u = 0; u < nx; u++)
#pragma GCC unroll 32
      for (size_t j = 0; j < OCT; j++) tot[u][j] = c0 ? tot[u][j] + acc[u][j] : acc[u][j];
  }
  for (size_t j = 0; j < noc; j++)
    for (size_t u = 0; u < nx; u++) memcpy(m + j * mstride + u * VL, &tot[u][j], sizeof(VF));
}

/* A strip's last tiles that one vector covers run the one-vector tile. */
KTARGET static void SIMD_CAT(wg_gemm_, SFX)(const float *v, size_t C, size_t row, const float *w,
                                            size_t T, float *m, size_t mstride, size_t noc,
                                            size_t chunk)
{
  if (NX > 1 && T <= VL) SIMD_CAT(wg_tile_, SFX)(v, C, row, w, m, mstride, noc, chunk, 1);
  else SIMD_CAT(wg_tile_, SFX)(v, C, row, w, m, mstride, noc, chunk, NX);
}

/* Output j of tile t is bias + sum over p of at[j][p] m[p][t]; the m
 * rows of VL tiles are zipped back into m x VL consecutive positions.
 * Constant m (and so at), as in wg_points. */
KTARGET static inline __attribute__((always_inline)) void
SIMD_CAT(wg_back_, SFX)(const float *mp, size_t mstride, size_t T, uint32_t m, float bias,
                        int relu, float *y, size_t OW)
{
  VI lo = SIMD_CAT(zip_, SFX)(0), hi = SIMD_CAT(zip_, SFX)(1);
  VF z = { 0 };
  for (size_t t0 = 0; t0 < T; t0 += VL) {
    VF pt[EVX_WG_A], o[4], r[4];
#pragma GCC unroll 8
    for (uint32_t p = 0; p < EVX_WG_A; p++) pt[p] = SIMD_CAT(ld_, SFX)(mp + p * mstride + t0);
#pragma GCC unroll 4
    for (uint32_t j = 0; j < m; j++) {
      VF acc = z + bias;
#pragma GCC unroll 8
      for (uint32_t p = 0; p < EVX_WG_A; p++) {
        float a = m == 4 ? wg_at4[j][p] : wg_at2[j][p];
        if (a != 0.0f) acc += a * pt[p];
      }
      o[j] = relu ? (VF)((VI)acc & (acc > z)) : acc;
    }
    if (m == 2) {
      r[0] = __builtin_shuffle(o[0], o[1], lo);
      r[1] = __builtin_shuffle(o[0], o[1], hi);
    } else {
      VF e0 = __builtin_shuffle(o[0], o[2], lo), e1 = __builtin_shuffle(o[0], o[2], hi);
      VF o0 = __builtin_shuffle(o[1], o[3], lo), o1 = __builtin_shuffle(o[1], o[3], hi);
      r[0] = __builtin_shuffle(e0, o0, lo);
      r[1] = __builtin_shuffle(e0, o0, hi);
      r[2] = __builtin_shuffle(e1, o1, lo);
      r[3] = __builtin_shuffle(e1, o1, hi);
    }
    size_t pos = m * t0, n = OW - pos < m * VL ? OW - pos : m * VL;
    if (n == m * VL) memcpy(y + pos, r, m * VL * sizeof(float));
    else memcpy(y + pos, r, n * sizeof(float));
  }
}

KTARGET static void SIMD_CAT(wg_out_, SFX)(const float *mp, size_t mstride, size_t T, uint32_t m,
                                           float bias, int relu, float *y, size_t OW)
{
  if (m == 2) SIMD_CAT(wg_back_, SFX)(mp, mstride, T, 2, bias, relu, y, OW);
  else SIMD_CAT(wg_back_, SFX)(mp, mstride, T, 4, bias, relu, y, OW);
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
