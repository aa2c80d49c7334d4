/* evx_nn_kernels.c: direct (im2col-free) kernels. The conv kernel keeps an
 * 8-wide strip of output positions for 8 output channels in registers and
 * walks in x kh x kw once; GCC vector extensions make it SIMD on any target,
 * and on x86-64 a Haswell (AVX2+FMA) clone is picked at load time. RT-safe. */
#include "evx_nn_kernels.h"
#include <math.h>
#include <string.h>

/* Only static functions pass v8 around, so the ABI note does not apply. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
typedef float v8 __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(EVX_NO_CLONES)
#define EVX_CLONES __attribute__((target_clones("arch=haswell", "default")))
#else
#define EVX_CLONES
#endif

static inline v8 ld8(const float *p) { v8 v; memcpy(&v, p, sizeof v); return v; }
static inline void st8(float *p, v8 v) { memcpy(p, &v, sizeof v); }
static inline v8 relu8(v8 a) { v8 z = { 0 }; return (v8)((v8i)a & (a > z)); }
static inline float relu1(float x) { return x > 0.0f ? x : 0.0f; }

size_t evx_conv_packed_len(const evx_layer *l)
{
  size_t nb = (l->out_ch + EVX_OCB - 1) / EVX_OCB;
  return nb * EVX_OCB * l->in.c * l->kh * l->kw;
}

void evx_conv_pack(const evx_layer *l, float *packed, float *bias)
{
  size_t nb = (l->out_ch + EVX_OCB - 1) / EVX_OCB, taps = (size_t)l->in.c * l->kh * l->kw;
  memset(packed, 0, evx_conv_packed_len(l) * sizeof *packed);
  memset(bias, 0, nb * EVX_OCB * sizeof *bias);
  for (size_t oc = 0; oc < l->out_ch; oc++) {
    size_t blk = oc / EVX_OCB, j = oc % EVX_OCB;
    for (size_t t = 0; t < taps; t++)
      packed[(blk * taps + t) * EVX_OCB + j] = l->weight[oc * taps + t];
    if (l->bias) bias[oc] = l->bias[oc];
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

/* Stride 1 along w: 8 positions x 8 channels in one register tile. The
 * last strip of a row may read up to 7 floats past it; the scratch has slack
 * and those lanes are discarded. */
EVX_CLONES
static void conv_strip(const float *pad, size_t C, size_t Hp, size_t Wp, size_t KH,
                       size_t KW, size_t ih0, const float *wp, const float *bp,
                       size_t OW, float *dst, size_t ostride, size_t noc, int relu, size_t ow0)
{
  v8 acc[EVX_OCB];
  for (size_t j = 0; j < EVX_OCB; j++) acc[j] = (v8){ 0 } + bp[j];
  const float *w = wp;
  for (size_t ic = 0; ic < C; ic++)
    for (size_t kh = 0; kh < KH; kh++) {
      const float *row = pad + (ic * Hp + ih0 + kh) * Wp + ow0;
      for (size_t kw = 0; kw < KW; kw++, w += EVX_OCB) {
        v8 x = ld8(row + kw);
        for (size_t j = 0; j < EVX_OCB; j++) acc[j] += x * w[j];
      }
    }
  size_t nw = OW - ow0 < 8 ? OW - ow0 : 8;
  for (size_t j = 0; j < noc; j++) {
    v8 r = relu ? relu8(acc[j]) : acc[j];
    if (nw == 8) st8(dst + j * ostride + ow0, r);
    else { float t[8]; st8(t, r); memcpy(dst + j * ostride + ow0, t, nw * sizeof *t); }
  }
}

/* Any stride: one output at a time (rare; not on the reference paths). */
static void conv_strided(const evx_kargs *a, const float *wp, const float *bp,
                         size_t ih0, float *dst, size_t ostride, size_t noc, size_t ow0)
{
  size_t C = a->in.c, Hp = a->in.h + 2 * a->ph, Wp = a->in.w + 2 * a->pw;
  size_t ow1 = ow0 + 8 < a->out.w ? ow0 + 8 : a->out.w;
  for (size_t ow = ow0; ow < ow1; ow++)
    for (size_t j = 0; j < noc; j++) {
      float acc = bp[j];
      const float *w = wp + j;
      for (size_t ic = 0; ic < C; ic++)
        for (size_t kh = 0; kh < a->kh; kh++) {
          const float *row = a->scratch + (ic * Hp + ih0 + kh) * Wp + ow * a->sw;
          for (size_t kw = 0; kw < a->kw; kw++, w += EVX_OCB) acc += row[kw] * *w;
        }
      dst[j * ostride + ow] = a->relu ? relu1(acc) : acc;
    }
}

void evx_k_conv(const evx_kargs *a, uint32_t u0, uint32_t u1)
{
  size_t OH = a->out.h, OW = a->out.w, taps = (size_t)a->in.c * a->kh * a->kw;
  size_t strips = (OW + 7) / 8;
  for (size_t u = u0; u < u1; u++) {
    size_t blk = u / (OH * strips), oh = u / strips % OH, ow0 = u % strips * 8;
    size_t oc0 = blk * EVX_OCB;
    size_t noc = a->out.c - oc0 < EVX_OCB ? a->out.c - oc0 : EVX_OCB;
    const float *wp = a->w + blk * taps * EVX_OCB, *bp = a->b + oc0;
    float *dst = a->dst + oc0 * OH * OW + oh * OW;
    if (a->sw == 1)
      conv_strip(a->scratch, a->in.c, a->in.h + 2 * a->ph, a->in.w + 2 * a->pw, a->kh,
                 a->kw, oh * a->sh, wp, bp, OW, dst, OH * OW, noc, (int)a->relu, ow0);
    else
      conv_strided(a, wp, bp, oh * a->sh, dst, OH * OW, noc, ow0);
  }
}

/* Max over the window with implicit -inf padding: first down the rows into
 * the scratch row (vectorisable), then across it with the stride. */
void evx_k_maxpool(const evx_kargs *a, uint32_t u0, uint32_t u1)
{
  size_t H = a->in.h, W = a->in.w, OH = a->out.h, OW = a->out.w;
  float *col = a->scratch;
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

EVX_CLONES
static float dot(const float *w, const float *x, size_t n)
{
  v8 acc0 = { 0 }, acc1 = { 0 };
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 += ld8(w + i) * ld8(x + i);
    acc1 += ld8(w + i + 8) * ld8(x + i + 8);
  }
  acc0 += acc1;
  float s = ((acc0[0] + acc0[4]) + (acc0[1] + acc0[5])) + ((acc0[2] + acc0[6]) + (acc0[3] + acc0[7]));
  for (; i < n; i++) s += w[i] * x[i];
  return s;
}

void evx_k_dense(const evx_kargs *a, uint32_t u0, uint32_t u1)
{
  size_t n = a->in.c;
  for (size_t o = u0; o < u1; o++) {
    float y = dot(a->w + o * n, a->src, n) + (a->b ? a->b[o] : 0.0f);
    a->dst[o] = a->relu ? relu1(y) : y;
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
 * (count, stride) pairs so the three axis cases share one loop. */
void evx_k_norm(const evx_norm *n, evx_shape s, float *x, uint32_t u0, uint32_t u1)
{
  size_t dim[3] = { s.c, s.h, s.w }, str[3] = { (size_t)s.h * s.w, s.w, 1 };
  size_t a1 = n->axis == 0 ? 1 : 0, a2 = n->axis == 2 ? 1 : 2;
  size_t n1 = dim[a1], n2 = dim[a2], s1 = str[a1], s2 = str[a2];
  for (size_t i = u0; i < u1; i++) {
    float *base = x + i * str[n->axis];
    float mu = 0.0f;
    if (n->window_mean) {
      double sum = 0.0;
      for (size_t p = 0; p < n1; p++)
        for (size_t q = 0; q < n2; q++) sum += base[p * s1 + q * s2];
      mu = (float)(sum / (double)(n1 * n2));
    }
    float m = n->mean[i], sc = n->scale[i];
    for (size_t p = 0; p < n1; p++)
      for (size_t q = 0; q < n2; q++) {
        float *v = &base[p * s1 + q * s2];
        *v = ((*v - mu) - m) * sc;
      }
  }
}
