/* conv.c: the training convolution (see layers.h). Stride 1 with padding
 * under the kernel size, as every trainable architecture has, runs on core's
 * inference kernel (evx_k_pad + evx_k_conv), so training and inference share
 * one conv code path: the forward pass one sample at a time, keeping each
 * sample's padded input; the input gradient as the convolution of the padded
 * output gradient with the weights transposed and flipped; the weight
 * gradient as one sgemm per kernel tap over shifted views of the padded
 * input (or per sample over a copy of those rows, where that measured
 * faster). No im2col matrix (beyond L2 for the tcn) is built, packed by
 * OpenBLAS or scattered back. Other shapes, or scratch too small for the
 * packed weights, take im2col + one sgemm over the chunk. */
#include "layers.h"
#include "evx_nn_kernels.h"
#include "evx_nn_winograd.h"
#include <cblas.h>
#include <string.h>

/* ---- im2col over the whole chunk, one sgemm -------------------------------- */

/* Stride 1 along w: the output columns [lo, hi) whose input column
 * ow + kj - pw lies inside the row. */
static void valid_cols(const tl_layer *l, uint32_t kj, uint32_t *lo, uint32_t *hi)
{
  long a = (long)l->pw - (long)kj, b = (long)l->in.w + (long)l->pw - (long)kj;
  a = a < 0 ? 0 : a;
  b = b > (long)l->out.w ? (long)l->out.w : b;
  *lo = (uint32_t)a;
  *hi = (uint32_t)(b > a ? b : a);
}

static void im2col(const tl_layer *l, const float *x, size_t n, float *col)
{
  const evx_shape in = l->in, out = l->out;
  const size_t plane = (size_t)out.h * out.w, cols = n * plane;
  for (uint32_t ci = 0; ci < in.c; ci++)
    for (uint32_t ki = 0; ki < l->kh; ki++)
      for (uint32_t kj = 0; kj < l->kw; kj++) {
        float *row = col + (((size_t)ci * l->kh + ki) * l->kw + kj) * cols;
        for (size_t s = 0; s < n; s++) {
          const float *xs = x + (s * in.c + ci) * in.h * in.w;
          float *r = row + s * plane;
          for (uint32_t oh = 0; oh < out.h; oh++) {
            long ih = (long)oh * l->sh + ki - l->ph;
            float *ro = r + (size_t)oh * out.w;
            if (ih < 0 || ih >= (long)in.h) {
              memset(ro, 0, sizeof(float) * out.w);
              continue;
            }
            const float *xr = xs + (size_t)ih * in.w;
            if (l->sw == 1) { /* a shifted copy of the row, zeros at its ends */
              uint32_t lo, hi;
              valid_cols(l, kj, &lo, &hi);
              memset(ro, 0, sizeof(float) * lo);
              memcpy(ro + lo, xr + lo + kj - l->pw, sizeof(float) * (hi - lo));
              memset(ro + hi, 0, sizeof(float) * (out.w - hi));
              continue;
            }
            for (uint32_t ow = 0; ow < out.w; ow++) {
              long iw = (long)ow * l->sw + kj - l->pw;
              ro[ow] = (iw < 0 || iw >= (long)in.w) ? 0.0f : xr[iw];
            }
          }
        }
      }
}

/* d += s elementwise; restrict lets the compiler use vector adds, which
 * round each element exactly as the scalar loop did. */
static void add_row(float *restrict d, const float *restrict s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    d[i] += s[i];
}

static void col2im(const tl_layer *l, const float *col, size_t n, float *dx)
{
  const evx_shape in = l->in, out = l->out;
  const size_t plane = (size_t)out.h * out.w, cols = n * plane;
  memset(dx, 0, sizeof(float) * n * tl_shape_len(in));
  for (uint32_t ci = 0; ci < in.c; ci++)
    for (uint32_t ki = 0; ki < l->kh; ki++)
      for (uint32_t kj = 0; kj < l->kw; kj++) {
        const float *row = col + (((size_t)ci * l->kh + ki) * l->kw + kj) * cols;
        for (size_t s = 0; s < n; s++) {
          float *xs = dx + (s * in.c + ci) * in.h * in.w;
          const float *r = row + s * plane;
          for (uint32_t oh = 0; oh < out.h; oh++) {
            long ih = (long)oh * l->sh + ki - l->ph;
            if (ih < 0 || ih >= (long)in.h)
              continue;
            float *xr = xs + (size_t)ih * in.w;
            const float *ro = r + (size_t)oh * out.w;
            if (l->sw == 1) { /* the same sums in the same order, unchecked */
              uint32_t lo, hi;
              valid_cols(l, kj, &lo, &hi);
              add_row(xr + lo + kj - l->pw, ro + lo, hi - lo);
              continue;
            }
            for (uint32_t ow = 0; ow < out.w; ow++) {
              long iw = (long)ow * l->sw + kj - l->pw;
              if (iw >= 0 && iw < (long)in.w)
                xr[iw] += ro[ow];
            }
          }
        }
      }
}


/* Channels [c, c + w) of dy copied into tmp's (channel, sample x plane)
 * rows, each summed into db in sample, position order.
 * Called with a constant w, the w sums are independent add chains the CPU
 * overlaps (one channel at a time waited on each add); each sum's order, and
 * so its bits, stay those of one channel alone. */
static inline void gather_dy(const float *dy, size_t n, size_t co, size_t plane,
                             size_t c, size_t w, float *tmp, float *db)
{
  const size_t cols = n * plane;
  float sum[4] = { 0, 0, 0, 0 };
  for (size_t s = 0; s < n; s++) {
    const float *g = dy + (s * co + c) * plane;
    float *t = tmp + c * cols + s * plane;
    for (size_t i = 0; i < plane; i++)
      for (size_t j = 0; j < w; j++) {
        t[j * cols + i] = g[j * plane + i];
        sum[j] += g[j * plane + i];
      }
  }
  for (size_t j = 0; j < w; j++)
    db[c + j] += sum[j];
}

static void im2col_forward(const tl_layer *l, const float *wt, const float *b,
                           const float *x, size_t n, float *col, float *tmp, float *y)
{
  const size_t plane = (size_t)l->out.h * l->out.w, cols = n * plane;
  const size_t k = (size_t)l->in.c * l->kh * l->kw, co = l->out.c;
  im2col(l, x, n, col);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)co, (int)cols, (int)k,
              1.0f, wt, (int)k, col, (int)cols, 0.0f, tmp, (int)cols);
  for (size_t s = 0; s < n; s++)
    for (size_t c = 0; c < co; c++) {
      const float *t = tmp + c * cols + s * plane;
      float *o = y + (s * co + c) * plane;
      for (size_t i = 0; i < plane; i++)
        o[i] = t[i] + b[c];
    }
}

static void im2col_backward(const tl_layer *l, const float *wt, const float *col,
                            const float *dy, size_t n, float *tmp, float *dcol,
                            float *dw, float *db, float *dx)
{
  const size_t plane = (size_t)l->out.h * l->out.w, cols = n * plane;
  const size_t k = (size_t)l->in.c * l->kh * l->kw, co = l->out.c;
  size_t c = 0;
  for (; c + 4 <= co; c += 4)
    gather_dy(dy, n, co, plane, c, 4, tmp, db);
  for (; c < co; c++)
    gather_dy(dy, n, co, plane, c, 1, tmp, db);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)co, (int)k, (int)cols,
              1.0f, tmp, (int)cols, col, (int)cols, 1.0f, dw, (int)k);
  if (!dx)
    return;
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)cols, (int)co,
              1.0f, wt, (int)k, tmp, (int)cols, 0.0f, dcol, (int)cols);
  col2im(l, dcol, n, dx);
}

/* ---- direct: core's conv kernel, one sample at a time ---------------------- */

/* The core layer of a convolution from `in` to `out` with out_ch filters
 * (weights [out_ch][in.c][kh][kw], bias NULL = 0), for packing and kargs. */
static evx_layer core_layer(const tl_layer *l, evx_shape in, evx_shape out, uint32_t ph,
                            uint32_t pw, const float *wt, const float *b)
{
  evx_layer c = { .type = l->type, .out_ch = out.c, .kh = l->kh, .kw = l->kw,
                  .sh = 1, .sw = 1, .ph = ph, .pw = pw, .in = in, .out = out };
  c.w.weight = wt;
  c.w.bias = b;
  return c;
}

static evx_kargs kargs_of(const evx_isa *isa, const evx_layer *c, const float *packed,
                          const float *bias, float *scratch)
{
  return (evx_kargs){ .isa = isa, .scratch = scratch, .w = packed, .b = bias,
                      .in = c->in, .out = c->out, .kh = c->kh, .kw = c->kw,
                      .sh = 1, .sw = 1, .ph = c->ph, .pw = c->pw };
}

/* The input gradient is the convolution of dy, padded by k - 1 - p, with
 * the weights transposed (in and out swapped) and flipped: its layer. */
static evx_layer transposed(const tl_layer *l, const float *flip)
{
  return core_layer(l, l->out, l->in, l->kh - 1 - l->ph, l->kw - 1 - l->pw, flip, NULL);
}

/* Sizes in floats: a sample's padded input (kept in col), the slack after
 * the last one (the kernel's last strip of a row reads up to a tile's
 * width past it, into lanes it discards), the scratch the direct path
 * needs in tmp (forward) and dcol (backward), and a sample's shifted input
 * rows (rows_gemm, in dcol after the rest when it fits). */
typedef struct {
  size_t padded, slack, fwd, bwd, rows;
} direct_sizes;

static direct_sizes sizes_of(const evx_isa *isa, const tl_layer *l)
{
  evx_layer f = core_layer(l, l->in, l->out, l->ph, l->pw, NULL, NULL), t = transposed(l, NULL);
  const size_t k = (size_t)l->in.c * l->kh * l->kw, co = l->out.c;
  const size_t hq = l->out.h + 2 * t.ph, wq = l->out.w + 2 * t.pw;
  const size_t wp = l->in.w + 2 * l->pw;
  direct_sizes z;
  z.rows = k * ((l->out.h - 1) * wp + l->out.w);
  z.padded = (size_t)l->in.c * (l->in.h + 2 * l->ph) * wp;
  z.slack = isa->vl;
  z.fwd = evx_conv_packed_len(isa, &f) + evx_conv_bias_len(isa, &f);
  /* dw by tap, flipped weights, their packing, padded dy, dy's rows wp apart */
  z.bwd = 2 * k * co + evx_conv_packed_len(isa, &t) + evx_conv_bias_len(isa, &t)
        + co * hq * wq + z.slack + (l->out.h > 1 && wq != wp ? co * l->out.h * wp : 0);
  return z;
}

/* Whether the layer takes the direct path for a chunk of n: stride 1,
 * padding under the kernel (so the input gradient is a convolution), and
 * the scratch the caller sized for im2col (col K x n*plane, tmp Cout x
 * n*plane, dcol at least K x n*plane) large enough. The forward and the
 * backward pass decide alike. */
static int direct(const tl_layer *l, size_t n)
{
  if (l->sh != 1 || l->sw != 1 || l->ph >= l->kh || l->pw >= l->kw)
    return 0;
  const size_t cols = n * l->out.h * l->out.w;
  const size_t k = (size_t)l->in.c * l->kh * l->kw;
  const direct_sizes z = sizes_of(evx_nn_isa(), l);
  return z.padded * n + z.slack <= k * cols && z.fwd <= l->out.c * cols && z.bwd <= k * cols;
}

/* Where core runs conv c as Winograd (evx_nn_winograd.h), so does the
 * trainer, with the weights transformed each step by core's own
 * evx_wg_pack (the load-time arithmetic): its params, 64-byte aligned in
 * tmp, then its scratch (tl_conv_wg_len floats in all); NULL when it does
 * not apply. */
static float *wg_params(const evx_isa *isa, const evx_layer *c, float *tmp)
{
  return evx_wg_applies(isa, c) ? (float *)(((uintptr_t)tmp + 63) & ~(uintptr_t)63) : NULL;
}

static size_t wg_len(const evx_isa *isa, const evx_layer *c)
{
  return evx_wg_applies(isa, c) ? 16 + evx_wg_params_len(isa, c) + evx_wg_scratch_len(isa, c) : 0;
}

size_t tl_conv_wg_len(const tl_layer *l)
{
  const evx_isa *isa = evx_nn_isa();
  const evx_layer f = core_layer(l, l->in, l->out, l->ph, l->pw, NULL, NULL), t = transposed(l, NULL);
  const size_t a = wg_len(isa, &f), b = wg_len(isa, &t);
  return a > b ? a : b;
}

/* Packs c's weights into wg (when not NULL, a.scratch then its scratch)
 * or for the direct kernel at packed. */
static void pack_for(const evx_isa *isa, const evx_layer *c, float *wg, float *packed,
                     evx_kargs *a)
{
  if (wg) {
    evx_wg_pack(isa, c, wg, a);
    a->scratch = wg + evx_wg_params_len(isa, c);
    return;
  }
  evx_conv_pack(isa, c, packed, packed + evx_conv_packed_len(isa, c));
}

/* One sample's conv from a->src (already padded into a->scratch for the
 * direct kernel) to a->dst. */
static void run_conv(const evx_isa *isa, const evx_kargs *a, const float *wg)
{
  if (wg)
    evx_wg_run(a);
  else
    evx_k_conv(a, 0, evx_conv_units(isa, a->out));
}

static void direct_forward(const tl_layer *l, const float *wt, const float *b,
                           const float *x, size_t n, float *col, float *tmp, float *y)
{
  const evx_isa *isa = evx_nn_isa();
  const evx_layer c = core_layer(l, l->in, l->out, l->ph, l->pw, wt, b);
  float *packed = tmp, *bias = tmp + evx_conv_packed_len(isa, &c);
  float *wg = wg_params(isa, &c, tmp);
  evx_kargs a = kargs_of(isa, &c, packed, bias, NULL), pad = a;
  pack_for(isa, &c, wg, packed, &a);
  const size_t in_len = tl_shape_len(l->in), out_len = tl_shape_len(l->out);
  const direct_sizes z = sizes_of(isa, l);
  memset(col + n * z.padded, 0, sizeof(float) * z.slack);
  for (size_t s = 0; s < n; s++) {
    a.src = pad.src = x + s * in_len;
    pad.scratch = col + s * z.padded;   /* kept for the weight gradient */
    evx_k_pad(&pad, 0, l->in.c);
    if (!wg)
      a.scratch = pad.scratch;
    a.dst = y + s * out_len;
    run_conv(isa, &a, wg);
  }
}

/* db[c] += the sum of channel c of dy over samples and positions, in
 * DB_LANES partial sums (lane i % DB_LANES, the tail in lane 0) added up
 * at the end: independent adds the compiler makes vector adds, where one
 * running sum waited on each add. */
#define DB_LANES 16
static void sum_db(const float *dy, size_t n, size_t co, size_t plane, float *db)
{
  for (size_t c = 0; c < co; c++) {
    float acc[DB_LANES] = { 0 };
    for (size_t s = 0; s < n; s++) {
      const float *g = dy + (s * co + c) * plane;
      size_t i = 0;
      for (; i + DB_LANES <= plane; i += DB_LANES)
        for (size_t j = 0; j < DB_LANES; j++)
          acc[j] += g[i + j];
      for (; i < plane; i++)
        acc[0] += g[i];
    }
    float sum = 0;
    for (size_t j = 0; j < DB_LANES; j++)
      sum += acc[j];
    db[c] += sum;
  }
}

/* flip[i][o][kh-1-a][kw-1-b] = wt[o][i][a][b] */
static void flip_weights(const tl_layer *l, const float *wt, float *flip)
{
  const size_t ci = l->in.c, co = l->out.c, kh = l->kh, kw = l->kw, taps = kh * kw;
  for (size_t o = 0; o < co; o++)
    for (size_t i = 0; i < ci; i++)
      for (size_t a = 0; a < kh; a++)
        for (size_t b = 0; b < kw; b++)
          flip[(i * co + o) * taps + (kh - 1 - a) * kw + (kw - 1 - b)] =
            wt[(o * ci + i) * taps + a * kw + b];
}

/* g's rows (co x oh x ow) wp apart, zeros between them. */
static void spread_rows(const float *g, size_t co, size_t oh, size_t ow, size_t wp,
                        float *rows)
{
  for (size_t r = 0; r < co * oh; r++) {
    memcpy(rows + r * wp, g + r * ow, sizeof(float) * ow);
    memset(rows + r * wp + ow, 0, sizeof(float) * (wp - ow));
  }
}

/* The weight gradient of a sample as one sgemm over a copy of its shifted
 * input rows (K x len, in L2) into dw, where OpenBLAS runs that faster than
 * one sgemm per tap: a single input channel (N = 1 per tap) or layers of
 * 2048 filter pairs and more (measured per 16 samples: logmel's first conv
 * 0.95 -> 0.63 ms, the tcn's first 2.59 -> 2.44 ms; logmel's other convs
 * ran faster per tap, on OpenBLAS's small-matrix kernel). */
static int one_gemm(const tl_layer *l)
{
  return l->in.c == 1 || (size_t)l->in.c * l->out.c >= 2048;
}

/* dw (co x K) += g (co x len) * the shifted rows (K x len)^T; g's rows as
 * for tap_gemms. */
static void rows_gemm(const tl_layer *l, const float *g, size_t ldg, const float *xs,
                      float *shifted, float *dw)
{
  const size_t ci = l->in.c, co = l->out.c, hp = l->in.h + 2 * l->ph;
  const size_t wp = l->in.w + 2 * l->pw, len = (l->out.h - 1) * wp + l->out.w;
  const size_t k = ci * l->kh * l->kw;
  float *r = shifted;
  for (size_t i = 0; i < ci; i++)
    for (size_t a = 0; a < l->kh; a++)
      for (size_t b = 0; b < l->kw; b++, r += len)
        memcpy(r, xs + (i * hp + a) * wp + b, sizeof(float) * len);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)co, (int)k, (int)len,
              1.0f, g, (int)ldg, shifted, (int)len, 1.0f, dw, (int)k);
}

/* dwt[tap] (co x ci) += g (co x len) * x shifted by the tap (ci x len)^T.
 * g's rows are wp apart with zeros between them, so the shifted input reads
 * each padded row whole (len = (oh - 1) * wp + ow) and the columns past a
 * row's end add nothing: one sgemm per tap over the sample's positions. */
static void tap_gemms(const tl_layer *l, const float *g, size_t ldg, const float *xs,
                      float *dwt)
{
  const size_t ci = l->in.c, co = l->out.c, hp = l->in.h + 2 * l->ph;
  const size_t wp = l->in.w + 2 * l->pw, len = (l->out.h - 1) * wp + l->out.w;
  for (size_t a = 0; a < l->kh; a++)
    for (size_t b = 0; b < l->kw; b++)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)co, (int)ci, (int)len,
                  1.0f, g, (int)ldg, xs + a * wp + b, (int)(hp * wp), 1.0f,
                  dwt + (a * l->kw + b) * co * ci, (int)ci);
}

static void direct_backward(const tl_layer *l, const float *wt, const float *col,
                            const float *dy, size_t n, float *tmp, float *dcol, float *dw,
                            float *db, float *dx)
{
  const evx_isa *isa = evx_nn_isa();
  const size_t ci = l->in.c, co = l->out.c, taps = (size_t)l->kh * l->kw, k = ci * taps;
  const size_t oh = l->out.h, ow = l->out.w, plane = oh * ow;
  const size_t wp = l->in.w + 2 * l->pw;
  const direct_sizes z = sizes_of(isa, l);
  float *dwt = dcol, *flip = dwt + k * co, *packed = flip + k * co;
  const evx_layer t = transposed(l, flip);
  const size_t hq = oh + 2 * t.ph, wq = ow + 2 * t.pw;
  float *bias = packed + evx_conv_packed_len(isa, &t), *dypad = bias + evx_conv_bias_len(isa, &t);
  float *rows = dypad + co * hq * wq + z.slack;
  float *shifted = rows + (oh > 1 && wq != wp ? co * oh * wp : 0);
  const int whole = one_gemm(l) && z.bwd + z.rows <= k * n * plane;
  float *wg = dx ? wg_params(isa, &t, tmp) : NULL;
  sum_db(dy, n, co, plane, db);
  memset(dwt, 0, sizeof(float) * k * co);
  evx_kargs a = kargs_of(isa, &t, packed, bias, dypad);
  if (dx) {
    flip_weights(l, wt, flip);
    pack_for(isa, &t, wg, packed, &a);
  }
  memset(dypad + co * hq * wq, 0, sizeof(float) * z.slack);
  const int pad_dy = (dx && !wg) || (oh > 1 && wq == wp);
  for (size_t s = 0; s < n; s++) {
    const float *g = dy + s * co * plane;
    a.src = g;
    if (pad_dy)
      evx_k_pad(&a, 0, (uint32_t)co);
    const float *gr = g, *xs = col + s * z.padded;
    size_t ldg = ow;
    if (oh > 1 && wq == wp) {   /* "same" padding: padded dy's rows are wp apart */
      gr = dypad + t.ph * wq + t.pw;
      ldg = hq * wq;
    } else if (oh > 1) {
      spread_rows(g, co, oh, ow, wp, rows);
      gr = rows;
      ldg = oh * wp;
    }
    if (whole)
      rows_gemm(l, gr, ldg, xs, shifted, dw);
    else
      tap_gemms(l, gr, ldg, xs, dwt);
    if (dx) {
      a.dst = dx + s * tl_shape_len(l->in);
      run_conv(isa, &a, wg);
    }
  }
  for (size_t o = 0; o < co && !whole; o++)
    for (size_t i = 0; i < ci; i++)
      for (size_t tp = 0; tp < taps; tp++)
        dw[(o * ci + i) * taps + tp] += dwt[(tp * co + o) * ci + i];
}

/* ---- entry points ---------------------------------------------------------- */

void tl_conv_forward(const tl_layer *l, const float *wt, const float *b,
                     const float *x, size_t n, float *col, float *tmp, float *y)
{
  if (direct(l, n))
    direct_forward(l, wt, b, x, n, col, tmp, y);
  else
    im2col_forward(l, wt, b, x, n, col, tmp, y);
}

void tl_conv_backward(const tl_layer *l, const float *wt, const float *col,
                      const float *dy, size_t n, float *tmp, float *dcol,
                      float *dw, float *db, float *dx)
{
  if (direct(l, n))
    direct_backward(l, wt, col, dy, n, tmp, dcol, dw, db, dx);
  else
    im2col_backward(l, wt, col, dy, n, tmp, dcol, dw, db, dx);
}
