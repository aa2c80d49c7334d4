/* evx_nn_kernels.c: direct (im2col-free) kernels. The conv kernel keeps a
 * strip of output positions for a block of output channels in registers and
 * walks in x kh x kw once; GCC vector extensions make it SIMD on any target,
 * and on x86-64 an AVX-512 or AVX2+FMA copy is picked for the CPU
 * (__builtin_cpu_supports; target_clones("arch=haswell") dispatched on the
 * CPU model and fell back to SSE2 on newer ones). RT-safe. */
#include "evx_nn_kernels.h"
#include "evx_vec.h"
#include <math.h>
#include <string.h>

static inline float relu1(float x) { return x > 0.0f ? x : 0.0f; }

/* Winograd F(m, r) with alpha = m + r - 1 = 6 (F(4, 3), F(2, 5)) over the
 * points 0, 1, -1, 2, -2 and infinity (evx_nn_winograd.c makes the
 * weights' matrix over the same points): the input transform (rows: points;
 * the numerators of the Lagrange basis, the last the product of every
 * factor) and the output transform for m = 4 and m = 2 (the points'
 * powers). Constants, so each ISA's copy is straight-line code with the
 * zeros and ones folded away. Exact in float. */
static const float wg_bt[6][6] = {
  { 4, 0, -5, 0, 1, 0 }, { 0, -4, -4, 1, 1, 0 }, { 0, 4, -4, -1, 1, 0 },
  { 0, -2, -1, 2, 1, 0 }, { 0, 2, -1, -2, 1, 0 }, { 0, 4, 0, -5, 0, 1 } };
static const float wg_at4[4][6] = {
  { 1, 1, 1, 1, 1, 0 }, { 0, 1, -1, 2, -2, 0 }, { 0, 1, 1, 4, 4, 0 }, { 0, 1, -1, 8, -8, 1 } };
static const float wg_at2[2][6] = { { 1, 1, 1, 1, 1, 0 }, { 0, 1, -1, 2, -2, 1 } };

/* One copy of the tile and the dot per instruction set (evx_nn_simd.h). */
#define SFX generic
#define VL 8
#define NX 1
#define OCT 8
#define KTARGET
#include "evx_nn_simd.h"
#undef SFX
#undef VL
#undef NX
#undef OCT
#undef KTARGET

#if defined(__x86_64__) && defined(__GNUC__) && !defined(EVX_NO_CLONES)
#define EVX_X86_ISAS 1
/* AVX2: 8 ymm accumulators (16 registers in all). */
#define SFX avx2
#define VL 8
#define NX 1
#define OCT 8
#define KTARGET __attribute__((target("avx2,fma")))
#include "evx_nn_simd.h"
#undef SFX
#undef VL
#undef NX
#undef OCT
#undef KTARGET
/* AVX-512: 2 x 8 zmm accumulators (32 positions x 8 channels): 10 loads
 * per 16 FMAs, so the two FMA ports, not the loads, set the pace. */
#define SFX avx512
#define VL 16
#define NX 2
#define OCT 8
#define KTARGET __attribute__((target("avx512f,avx2,fma")))
#include "evx_nn_simd.h"
#undef SFX
#undef VL
#undef NX
#undef OCT
#undef KTARGET
#endif

/* The portable copy fuses a * b + c where the target has FMA (GCC
 * contracts it, -ffp-contract=fast, and says so with __FP_FAST_FMAF):
 * aarch64, not baseline x86-64. */
#ifdef __FP_FAST_FMAF
#define GENERIC_FMA 1
#else
#define GENERIC_FMA 0
#endif

static const evx_isa isas[] = {
#ifdef EVX_X86_ISAS
  { "avx512", 8, 32, conv_strip_avx512, dot_avx512, dot4_avx512,
    wg_in_avx512, wg_gemm_avx512, wg_out_avx512, 1 },
  { "avx2", 8, 8, conv_strip_avx2, dot_avx2, dot4_avx2,
    wg_in_avx2, wg_gemm_avx2, wg_out_avx2, 1 },
#endif
  { "generic", 8, 8, conv_strip_generic, dot_generic, dot4_generic,
    wg_in_generic, wg_gemm_generic, wg_out_generic,
    GENERIC_FMA },
};
#define N_ISAS (sizeof isas / sizeof isas[0])

static int isa_usable(const evx_isa *i)
{
#ifdef EVX_X86_ISAS
  __builtin_cpu_init();
  if (!strcmp(i->name, "avx512")) return __builtin_cpu_supports("avx512f");
  if (!strcmp(i->name, "avx2"))
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return !strcmp(i->name, "generic");
}

static const evx_isa *isa_now; /* set once by evx_nn_isa(), non-RT */

const evx_isa *evx_nn_isa(void)
{
  if (!isa_now)
    for (size_t i = 0; i < N_ISAS && !isa_now; i++)
      if (isa_usable(&isas[i])) isa_now = &isas[i];
  return isa_now;
}

/* Picked when the library loads, before any thread can race on isa_now. */
__attribute__((constructor)) static void isa_pick(void) { (void)evx_nn_isa(); }

const evx_isa *evx_nn_isa_named(const char *name)
{
  for (size_t i = 0; i < N_ISAS; i++)
    if (!strcmp(isas[i].name, name) && isa_usable(&isas[i])) return &isas[i];
  return NULL;
}

size_t evx_conv_bias_len(const evx_isa *isa, const evx_layer *l)
{
  return (l->out_ch + isa->oct - 1) / isa->oct * isa->oct;
}

uint32_t evx_conv_units(const evx_isa *isa, evx_shape out)
{
  return (out.c + isa->oct - 1) / isa->oct * out.h * ((out.w + isa->vl - 1) / isa->vl);
}

size_t evx_conv_packed_len(const evx_isa *isa, const evx_layer *l)
{
  return evx_conv_bias_len(isa, l) * l->in.c * l->kh * l->kw;
}

void evx_conv_pack(const evx_isa *isa, const evx_layer *l, float *packed, float *bias)
{
  size_t taps = (size_t)l->in.c * l->kh * l->kw, B = isa->oct;
  memset(packed, 0, evx_conv_packed_len(isa, l) * sizeof *packed);
  memset(bias, 0, evx_conv_bias_len(isa, l) * sizeof *bias);
  for (size_t oc = 0; oc < l->out_ch; oc++) {
    size_t blk = oc / B, j = oc % B;
    for (size_t t = 0; t < taps; t++)
      packed[(blk * taps + t) * B + j] = l->w.weight[oc * taps + t];
    if (l->w.bias) bias[oc] = l->w.bias[oc];
  }
}

void evx_k_pad(const evx_kargs *a, uint32_t u0, uint32_t u1)
{
  size_t H = a->in.h, W = a->in.w, Hp = H + 2 * a->ph, Wp = W + 2 * a->pw;
  for (size_t c = u0; c < u1; c++) {
    float *d = a->scratch + c * Hp * Wp;
    const float *s = a->src + c * H * W;
    memset(d, 0, a->ph * Wp * sizeof *d);
    for (size_t y = 0; y < H; y++) {
      float *row = d + (y + a->ph) * Wp;
      memset(row, 0, a->pw * sizeof *row);
      memcpy(row + a->pw, s + y * W, W * sizeof *row);
      memset(row + a->pw + W, 0, a->pw * sizeof *row);
    }
    memset(d + (H + a->ph) * Wp, 0, a->ph * Wp * sizeof *d);
  }
}

/* Any stride: one output at a time (rare; not on the reference paths). */
static void conv_strided(const evx_kargs *a, const float *wp, const float *bp,
                         size_t ih0, float *dst, size_t ostride, size_t noc, size_t ow0)
{
  size_t C = a->in.c, Hp = a->in.h + 2 * a->ph, Wp = a->in.w + 2 * a->pw, B = a->isa->oct;
  size_t ow1 = ow0 + a->isa->vl < a->out.w ? ow0 + a->isa->vl : a->out.w;
  for (size_t ow = ow0; ow < ow1; ow++)
    for (size_t j = 0; j < noc; j++) {
      float acc = bp[j];
      const float *w = wp + j;
      for (size_t ic = 0; ic < C; ic++)
        for (size_t kh = 0; kh < a->kh; kh++) {
          const float *row = a->scratch + (ic * Hp + ih0 + kh) * Wp + ow * a->sw;
          for (size_t kw = 0; kw < a->kw; kw++, w += B) acc += row[kw] * *w;
        }
      dst[j * ostride + ow] = a->relu ? relu1(acc) : acc;
    }
}

void evx_k_conv(const evx_kargs *a, uint32_t u0, uint32_t u1)
{
  size_t OH = a->out.h, OW = a->out.w, taps = (size_t)a->in.c * a->kh * a->kw;
  size_t B = a->isa->oct, VLn = a->isa->vl, strips = (OW + VLn - 1) / VLn;
  for (size_t u = u0; u < u1; u++) {
    size_t blk = u / (OH * strips), oh = u / strips % OH, ow0 = u % strips * VLn;
    size_t oc0 = blk * B;
    size_t noc = a->out.c - oc0 < B ? a->out.c - oc0 : B;
    const float *wp = a->w + blk * taps * B, *bp = a->b + oc0;
    float *dst = a->dst + oc0 * OH * OW + oh * OW;
    if (a->sw == 1)
      a->isa->conv_strip(a->scratch, a->in.c, a->in.h + 2 * a->ph, a->in.w + 2 * a->pw, a->kh,
                 a->kw, oh * a->sh, wp, bp, OW, dst, OH * OW, noc, (int)a->relu, ow0);
    else
      conv_strided(a, wp, bp, oh * a->sh, dst, OH * OW, noc, ow0);
  }
}

/* Rows pooled alone without padding: every window lies inside its row, so
 * no clamping; the fixed window of 3 (the zoo's and the trained networks')
 * lets the compiler vectorise. Same maxima as the general path. */
static void pool_rows(const evx_kargs *a, size_t c)
{
  size_t W = a->in.w, OH = a->out.h, OW = a->out.w, sw = a->sw, kw = a->kw;
  for (size_t oh = 0; oh < OH; oh++) {
    const float *s = a->src + (c * a->in.h + oh * a->sh) * W;
    float *d = a->dst + (c * OH + oh) * OW;
    if (kw == 3 && sw == 2)
      for (size_t o = 0; o < OW; o++) {
        float m = s[2 * o], m1 = s[2 * o + 1], m2 = s[2 * o + 2];
        m = m1 > m ? m1 : m;
        d[o] = m2 > m ? m2 : m;
      }
    else
      for (size_t o = 0; o < OW; o++) {
        const float *p = s + o * sw;
        float m = p[0];
        for (size_t k = 1; k < kw; k++) m = p[k] > m ? p[k] : m;
        d[o] = m;
      }
  }
}

/* Max over the window with implicit -inf padding: first down the rows into
 * the scratch row (vectorisable), then across it with the stride. */
void evx_k_maxpool(const evx_kargs *a, uint32_t u0, uint32_t u1)
{
  size_t H = a->in.h, W = a->in.w, OH = a->out.h, OW = a->out.w;
  float *col = a->scratch;
  if (a->kh == 1 && a->ph == 0 && a->pw == 0) { /* 1-D (the temporal network's) */
    for (size_t c = u0; c < u1; c++) pool_rows(a, c);
    return;
  }
  for (size_t c = u0; c < u1; c++) {
    const float *s = a->src + c * H * W;
    float *d = a->dst + c * OH * OW;
    for (size_t oh = 0; oh < OH; oh++) {
      long y0 = (long)(oh * a->sh) - (long)a->ph, y1 = y0 + (long)a->kh;
      if (y0 < 0) y0 = 0;
      if (y1 > (long)H) y1 = (long)H;
      memcpy(col, s + (size_t)y0 * W, W * sizeof *col);
      for (long y = y0 + 1; y < y1; y++) {
        const float *r = s + (size_t)y * W;
        for (size_t x = 0; x < W; x++) col[x] = r[x] > col[x] ? r[x] : col[x];
      }
      for (size_t ow = 0; ow < OW; ow++) {
        long x0 = (long)(ow * a->sw) - (long)a->pw, x1 = x0 + (long)a->kw;
        if (x0 < 0) x0 = 0;
        if (x1 > (long)W) x1 = (long)W;
        float m = col[x0];
        for (long x = x0 + 1; x < x1; x++) m = col[x] > m ? col[x] : m;
        d[oh * OW + ow] = m;
      }
    }
  }
}

void evx_k_relu(const evx_kargs *a, uint32_t u0, uint32_t u1)
{
  size_t hw = (size_t)a->in.h * a->in.w;
  for (size_t i = u0 * hw; i < u1 * hw; i++) a->dst[i] = relu1(a->dst[i]);
}

void evx_k_affine(const evx_kargs *a, uint32_t u0, uint32_t u1)
{
  size_t hw = (size_t)a->in.h * a->in.w;
  for (size_t c = u0; c < u1; c++) {
    float sc = a->w[c], sh = a->b[c], *x = a->dst + c * hw;
    for (size_t i = 0; i < hw; i++) x[i] = x[i] * sc + sh;
  }
}

void evx_k_gap(const evx_kargs *a, uint32_t u0, uint32_t u1)
{
  size_t hw = (size_t)a->in.h * a->in.w;
  for (size_t c = u0; c < u1; c++) {
    const float *x = a->src + c * hw;
    float s = 0.0f;
    for (size_t i = 0; i < hw; i++) s += x[i];
    a->dst[c] = s / (float)hw;
  }
}

/* Four outputs at a time (dot4), the rest one by one: each output's sum is
 * the same whichever way, so slices of any size give the same bits. */
void evx_k_dense(const evx_kargs *a, uint32_t u0, uint32_t u1)
{
  size_t n = a->in.c, o = u0;
  float y[4];
  for (; o < u1; o += 4) {
    size_t k = u1 - o < 4 ? u1 - o : 4;
    if (k == 4) a->isa->dot4(a->w + o * n, n, a->src, n, y);
    else
      for (size_t r = 0; r < k; r++) y[r] = a->isa->dot(a->w + (o + r) * n, a->src, n);
    for (size_t r = 0; r < k; r++) {
      float v = y[r] + (a->b ? a->b[o + r] : 0.0f);
      a->dst[o + r] = a->relu ? relu1(v) : v;
    }
  }
}

void evx_k_softmax(const evx_kargs *a)
{
  size_t n = a->in.c;
  float *x = a->dst, mx = x[0], s = 0.0f;
  for (size_t i = 1; i < n; i++) mx = x[i] > mx ? x[i] : mx;
  for (size_t i = 0; i < n; i++) { x[i] = expf(x[i] - mx); s += x[i]; }
  for (size_t i = 0; i < n; i++) x[i] /= s;
}

/* Index i along the axis selects a slab; the other two axes are walked with
 * (count, stride) pairs so the three axis cases share one loop. The window
 * mean stays in double until each value has it subtracted (without one,
 * v - 0.0 is v exactly); the trainer fits and trains through this kernel. */
void evx_k_norm(const evx_norm *n, evx_shape s, float *x, uint32_t u0, uint32_t u1)
{
  size_t dim[3] = { s.c, s.h, s.w }, str[3] = { (size_t)s.h * s.w, s.w, 1 };
  size_t a1 = n->axis == 0 ? 1 : 0, a2 = n->axis == 2 ? 1 : 2;
  size_t n1 = dim[a1], n2 = dim[a2], s1 = str[a1], s2 = str[a2];
  if (!n->window_mean) { /* (float)(v - 0.0) is v: the same bits in float (vectors
                             along a row) */
    for (size_t i = u0; i < u1; i++) {
      float m = n->mean[i], sc = n->scale[i], *base = x + i * str[n->axis];
      for (size_t p = 0; p < n1; p++)
        for (size_t q = 0; q < n2; q++) base[p * s1 + q * s2] = (base[p * s1 + q * s2] - m) * sc;
    }
    return;
  }
  for (size_t i = u0; i < u1; i++) {
    float *base = x + i * str[n->axis];
    double mu = 0.0;
    if (n->window_mean) {
      double sum = 0.0;
      for (size_t p = 0; p < n1; p++)
        for (size_t q = 0; q < n2; q++) sum += base[p * s1 + q * s2];
      mu = sum / (double)(n1 * n2);
    }
    float m = n->mean[i], sc = n->scale[i];
    for (size_t p = 0; p < n1; p++)
      for (size_t q = 0; q < n2; q++) {
        float *v = &base[p * s1 + q * s2];
        *v = ((float)(*v - mu) - m) * sc;
      }
  }
}
